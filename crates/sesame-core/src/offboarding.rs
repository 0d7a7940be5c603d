//! What disabling or deleting a person would break, shown before it is done: their keys,
//! with what each did lately and from where, and the service accounts that would be left
//! with no active manager. Each key in use can then be handed over to a service account
//! ([`crate::keys::Keys::transfer`]) or let stop.

use std::collections::HashMap;

use chrono::TimeDelta;

use crate::{
    actor::Actor,
    door::Door,
    model::{ApiKey, ApiKeyId, KeyAddress, Operation, Role, ServiceAccount, UserId},
    store::{self, Store},
    usage::{self, Counts},
    users::UserError,
};

/// How far back the preview looks for a key's requests.
pub const RECENT_USE: TimeDelta = TimeDelta::days(30);

/// One of the person's keys, and what it did lately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAtStake {
    pub key: ApiKey,
    /// Requests with it accepted in the last [`RECENT_USE`].
    pub recent_requests: u64,
    /// The last distinct addresses it was used from, most recent first.
    pub addresses: Vec<KeyAddress>,
}

/// What disabling or deleting a person would break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offboarding {
    pub user_id: UserId,
    /// Their keys, the most used first (then the most recently used).
    pub keys: Vec<KeyAtStake>,
    /// The service accounts they are the only active manager of.
    pub sole_manager_of: Vec<ServiceAccount>,
}

#[derive(Clone)]
pub struct OffboardingPreview {
    store: Store,
    door: Door,
}

impl OffboardingPreview {
    pub(crate) fn new(store: Store, door: Door) -> Self {
        Self { store, door }
    }

    /// What disabling or deleting the person `id` would break. For administrators, about
    /// the people of their organization; anyone else: `NotFound`, as for a person they may
    /// not see (a user sees their own keys in their panel).
    pub async fn preview(&self, actor: &Actor, id: UserId) -> Result<Offboarding, UserError> {
        self.door.require(actor, Operation::GetUserOffboarding)?;
        if actor.user.role != Role::Admin {
            return Err(UserError::NotFound);
        }
        let mut conn = self.store.read().await?;
        let person = store::users::person_by_id(&mut conn, id).await?.filter(|person| person.organization_id == actor.user.organization_id);
        let person = person.ok_or(UserError::NotFound)?;
        let now = self.store.now();
        let (from, to) = (usage::hour_of(now - RECENT_USE), usage::hour_of(now) + 1);
        let mut recent: HashMap<ApiKeyId, Counts> = HashMap::new();
        for (key, _, counts) in store::usage::hours_of_owner(&mut conn, person.id, from, to).await? {
            recent.entry(key).or_default().add(counts);
        }
        let mut keys = Vec::new();
        for key in store::keys::list(&mut conn, person.id).await? {
            let recent_requests = recent.get(&key.id).map_or(0, |counts| counts.of(usage::Outcome::Accepted));
            let addresses = store::key_addresses::list(&mut conn, key.id).await?;
            keys.push(KeyAtStake { key, recent_requests, addresses });
        }
        keys.sort_by(|a, b| b.recent_requests.cmp(&a.recent_requests).then(b.key.last_used_at.cmp(&a.key.last_used_at)));
        let sole_manager_of = store::service_accounts::solely_managed_by(&mut conn, person.id).await?;
        Ok(Offboarding { user_id: person.id, keys, sole_manager_of })
    }
}
