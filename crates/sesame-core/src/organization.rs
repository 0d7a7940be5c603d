//! The organization's rules for keys, set by its administrators: a maximum key lifetime.
//! Setting one shortens every longer key at once (each owner finds *key shortened by
//! policy* in their activity); from then on, keys are made and rolled within it (see
//! [`sesame_model::expiry_under_policy`]).

use chrono::SecondsFormat;
use sesame_model::{MaxKeyLifetime, Operation};

use crate::{
    door::{self, Door},
    actor::Actor,
    audit::{self, About},
    invalidation::{self, announce, Invalidation},
    model::{EventKind, OrganizationId},
    rights::Refusal,
    store::{self, Store, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum OrganizationError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The credential the request came with was revoked (or its user disabled) while the
    /// request was in flight: nothing was done.
    #[error("the credentials are no longer valid")]
    Unauthenticated,
    #[error(transparent)]
    Store(#[from] StoreError),
}

door::from_denied!(OrganizationError);

impl OrganizationError {
    fn is_deadlock(&self) -> bool {
        matches!(self, OrganizationError::Store(error) if error.is_deadlock())
    }
}

/// The organization as its members see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    /// None: keys may never expire.
    pub max_key_lifetime: Option<MaxKeyLifetime>,
}

/// What setting the policy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyChange {
    pub organization: Organization,
    /// Keys whose expiry was brought forward to the new maximum.
    pub shortened_keys: usize,
}

#[derive(Clone)]
pub struct Organizations {
    store: Store,
    door: Door,
    invalidation: Invalidation,
}

impl Organizations {
    pub(crate) fn new(store: Store, door: Door, invalidation: Invalidation) -> Self {
        Self { store, door, invalidation }
    }

    /// The actor's organization (any member may read its policy: the console shapes its
    /// expiry choices by it).
    pub async fn get(&self, actor: &Actor) -> Result<Organization, OrganizationError> {
        self.door.require(actor, Operation::GetOrganization)?;
        let mut conn = self.store.read().await?;
        let max_key_lifetime = store::organizations::max_key_lifetime(&mut conn, actor.user.organization_id, "").await?;
        Ok(Organization { id: actor.user.organization_id, name: actor.user.organization_name.clone(), max_key_lifetime })
    }

    /// Sets the longest a key of the organization may live (none: no limit). Every key
    /// that would outlive it from now is shortened to it, on every node, before this
    /// returns.
    pub async fn set_max_key_lifetime(&self, actor: &Actor, max: Option<MaxKeyLifetime>) -> Result<PolicyChange, OrganizationError> {
        self.door.require(actor, Operation::UpdateOrganization)?;
        let (organizations, actor) = (self.clone(), actor.clone());
        invalidation::run_change(OrganizationError::is_deadlock, move || {
            let (organizations, actor) = (organizations.clone(), actor.clone());
            async move { organizations.set_now(&actor, max).await }
        })
        .await
    }

    async fn set_now(&self, actor: &Actor, max: Option<MaxKeyLifetime>) -> Result<PolicyChange, OrganizationError> {
        let mut tx = self.store.write().await?;
        let now = tx.now();
        let organization = actor.user.organization_id;
        // The organization first, as every change that reads the policy (see keys.rs).
        store::users::lock_organization(tx.conn(), organization).await?;
        // Then the keys it shortens, with the acting key, in id order (the one order every
        // change takes), before the actor is checked again.
        let limit = max.map(|max| max.latest_expiry(now));
        let lock = tx.update_lock();
        let shortened = match limit {
            Some(limit) => store::key_access::lock_longer_than(tx.conn(), organization, limit, actor.key_id(), lock).await?,
            None => Vec::new(),
        };
        let admin = door::reauthorize(&mut tx, actor, Operation::UpdateOrganization).await?;
        store::organizations::set_max_key_lifetime(tx.conn(), organization, max).await?;
        let detail = max.map_or_else(|| "none".to_owned(), |max| max.days().to_string());
        let mut events = vec![audit::event(EventKind::KeyPolicyChanged, actor, About::default().with_detail(detail))];
        let mut forgotten = Vec::new();
        let mut shortened_keys = 0;
        if let Some(limit) = limit {
            for stored in shortened {
                store::keys::set_expiry(tx.conn(), stored.key.id, Some(limit)).await?;
                // Cached principals carry the expiry: every node rebuilds them.
                forgotten.extend(announce(&mut tx, stored.hashes()).await?);
                let owner = store::users::by_id(tx.conn(), stored.key.user_id).await?;
                let about = About {
                    subject: owner.as_ref().map(Into::into),
                    key: Some((&stored.key).into()),
                    detail: Some(limit.to_rfc3339_opts(SecondsFormat::Secs, true)),
                };
                events.push(audit::event(EventKind::KeyShortenedByPolicy, actor, about));
                shortened_keys += 1;
            }
        }
        self.invalidation.commit_and_forget(tx, &events, actor.via.boundary(), &forgotten).await?;
        let organization = Organization { id: organization, name: admin.organization_name.clone(), max_key_lifetime: max };
        Ok(PolicyChange { organization, shortened_keys })
    }
}
