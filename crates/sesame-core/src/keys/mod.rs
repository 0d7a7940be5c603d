//! Managing API keys, by lifecycle: this room makes, lists, changes and deletes one's own
//! keys (the service, [`Keys`], stands here with them); [`roll`] gives a key a new secret;
//! [`transfer`] hands a key over to a service account;
//! [`leaks`] revokes keys reported as leaked, whoever owns them; [`usage`] tells what a key
//! did; [`values`] holds what they take and give. Each change is one door, whichever
//! boundary calls it: it re-checks the actor inside its transaction, makes the change,
//! writes its activity events with it, and logs the audit line.

mod leaks;
mod roll;
mod transfer;
mod usage;
mod values;

pub use usage::UsageWindow;
pub use values::{
    CreatedKey, KeyAttention, KeyChange, KeyDetails, KeyError, NewKey, Roll, ATTENTION_WINDOW, DEFAULT_MAX_KEYS_PER_OWNER, EXPIRED_KEYS_KEPT, MAX_GRACE,
    MAX_LEAKED_KEYS,
};

use std::sync::Arc;

use sesame_model::{expiry_under_policy, MaxKeyLifetime, Operation};

use values::{addresses_of, scopes_of, ReadChange};
use crate::{
    actor::{Actor, Boundary, Via},
    audit::{self, About},
    door::{self, Door},
    invalidation::{self, announce, Invalidation},
    notices::Delivery,
    key::{ApiKeySecret, KeyHash},
    model::{AllowedAddresses, ApiKey, ApiKeyId, Event, EventKind, KeyRateLimit, Page, PageRequest, Restrictions, Status, User, UserId},
    names::KeyName,
    rights::Reach,
    store::{self, Store, StoreError, Tx},
    throttle::Throttles,
};

#[derive(Clone)]
pub struct Keys {
    store: Store,
    door: Door,
    invalidation: Invalidation,
    throttles: Arc<Throttles>,
    max_per_owner: u32,
    delivery: Delivery,
}

impl Keys {
    pub(crate) fn new(store: Store, door: Door, invalidation: Invalidation, throttles: Arc<Throttles>, max_per_owner: u32, delivery: Delivery) -> Self {
        Self { store, door, invalidation, throttles, max_per_owner, delivery }
    }

    /// Runs one of the actor's changes to its end even if the caller stops waiting (see
    /// [`invalidation::run_to_completion`]), and again if PostgreSQL broke a deadlock.
    async fn change<T, Fut>(&self, actor: &Actor, change: impl Fn(Keys, Actor) -> Fut + Send + 'static) -> Result<T, KeyError>
    where
        T: Send + 'static,
        Fut: std::future::Future<Output = Result<T, KeyError>> + Send + 'static,
    {
        let (keys, actor) = (self.clone(), actor.clone());
        invalidation::run_change(KeyError::is_deadlock, move || change(keys.clone(), actor.clone())).await
    }

    async fn commit_and_forget(&self, tx: Tx, events: &[Event], via: Boundary, forgotten: &[KeyHash]) -> Result<(), KeyError> {
        Ok(self.invalidation.commit_and_forget(tx, events, via, forgotten).await?)
    }
    /// A new key for the actor, or for a service account they manage.
    pub async fn create(&self, actor: &Actor, new: NewKey<'_>) -> Result<CreatedKey, KeyError> {
        // The lists as sent are read before anything else: a malformed one is bad input
        // whoever sends it.
        let scopes = new.scopes.as_deref().map(|list| scopes_of(Some(list))).transpose()?.unwrap_or(actor.scopes);
        let allowed_addresses = new.allowed_addresses.as_deref().map(addresses_of).transpose()?;
        self.door.require(actor, Operation::CreateApiKey)?;
        let restrictions = Restrictions {
            allowed_addresses: allowed_addresses.unwrap_or_else(|| actor.restrictions.allowed_addresses.clone()),
            rate_limit: new.rate_limit.or(actor.restrictions.rate_limit),
        };
        let name = KeyName::parse_or_default(new.name).map_err(KeyError::InvalidName)?;
        // Made in bursts at most: a key cannot mint keys by the thousand (each would be one
        // more allowance, one more secret to leak). The operator's command line is not limited.
        if actor.via != Via::CommandLine {
            self.throttles.admit_key_creation(actor.user.id).await?.map_err(KeyError::Throttled)?;
        }
        let secret = ApiKeySecret::generate();
        let mut tx = self.store.write().await?;
        let now = tx.now();
        if new.expires_at.is_some_and(|at| at <= now) {
            return Err(KeyError::ExpiryInPast);
        }
        let policy = policy_first(&mut tx, actor).await?;
        let maker = door::reauthorize(&mut tx, actor, Operation::CreateApiKey).await?;
        let owner = match new.owner.filter(|owner| *owner != maker.id) {
            None => maker,
            // Held until commit: a service account deleted meanwhile takes this key with it
            // or refuses it, never leaves it behind.
            Some(account) => {
                let lock = tx.share_lock();
                store::service_accounts::owner_managed(tx.conn(), maker.id, account, lock).await?.ok_or(KeyError::OwnerNotFound)?
            }
        };
        if store::key_access::hold_count_of_owner(&mut tx, owner.id).await? >= u64::from(self.max_per_owner) {
            return Err(KeyError::TooManyKeys { max: self.max_per_owner });
        }
        let expires_at = expiry_under_policy(policy, now, new.expires_at.or(actor.expires_at))?;
        self.door.may_manage(actor, Reach { scopes, restrictions: &restrictions, expires_at })?;
        let restricted = store::keys::Restricted { scopes, restrictions, family: actor.family_for_keys_it_makes() };
        // A key a minted key makes belongs to the same rule: it ends when the rule changes or
        // goes, as the key that made it does (it expires no later already).
        let minted = match actor.key_id() {
            Some(maker) => store::keys::minted_of(tx.conn(), maker).await?,
            None => None,
        };
        let lifetime = store::keys::Lifetime { now, expires_at, minted: minted.as_ref() };
        let key = store::keys::insert(tx.conn(), owner.id, &name, &secret.hash(), lifetime, restricted).await?;
        let event = audit::event(EventKind::KeyCreated, actor, About::key(&key));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(CreatedKey { key, secret })
    }

    /// All the actor's keys, oldest first (the console's panel filters them itself).
    pub async fn list(&self, actor: &Actor) -> Result<Vec<ApiKey>, KeyError> {
        self.list_of(actor, None).await
    }

    /// Every key of the actor's, or of a service account's they manage (`owner`), for the
    /// console's list.
    pub async fn list_of(&self, actor: &Actor, owner: Option<UserId>) -> Result<Vec<ApiKey>, KeyError> {
        self.door.require(actor, Operation::ListApiKeys)?;
        let mut conn = self.store.read().await?;
        let owner = managed_owner(&mut conn, actor, owner).await?;
        Ok(store::keys::list(&mut conn, owner).await?)
    }

    /// What asks for the actor's attention about their keys (the console's badge on *User
    /// settings* and its notices).
    pub async fn attention(&self, actor: &Actor) -> Result<KeyAttention, KeyError> {
        self.door.require(actor, Operation::KeysNeedingAttention)?;
        let mut conn = self.store.read().await?;
        let now = self.store.now();
        let expiring_soon = store::keys::expiring(&mut conn, actor.user.id, now, now + ATTENTION_WINDOW).await?;
        let since = now - ATTENTION_WINDOW;
        let revoked_as_leaked = store::activity::of_kind_about(&mut conn, actor.user.id, EventKind::KeyRevokedAsLeaked, since, 20).await?;
        Ok(KeyAttention { expiring_soon, revoked_as_leaked })
    }

    /// One page of the actor's keys, or of a service account's they manage (`owner`), for
    /// the REST API's list.
    pub async fn list_page(&self, actor: &Actor, owner: Option<UserId>, page: PageRequest) -> Result<Page<ApiKey>, KeyError> {
        self.door.require(actor, Operation::ListApiKeys)?;
        let mut conn = self.store.read().await?;
        let owner = managed_owner(&mut conn, actor, owner).await?;
        Ok(store::keys::list_page(&mut conn, owner, page).await?)
    }

    /// One of the actor's keys, with its recent addresses.
    pub async fn get(&self, actor: &Actor, id: ApiKeyId) -> Result<KeyDetails, KeyError> {
        self.door.require(actor, Operation::GetApiKey)?;
        let mut conn = self.store.read().await?;
        let key = store::key_access::find_manageable(&mut conn, actor.user.id, id).await?.ok_or(KeyError::NotFound)?;
        let recent_addresses = store::key_addresses::list(&mut conn, id).await?;
        Ok(KeyDetails { key, recent_addresses })
    }

    /// Renames, disables or enables one of the actor's keys, or changes its scopes or
    /// restrictions, all or nothing. From the moment a disable (or a change of scopes or
    /// restrictions) returns, no request with the key is accepted (or acts with what it had
    /// before), on any node, until it is enabled again.
    pub async fn update(&self, actor: &Actor, id: ApiKeyId, change: KeyChange) -> Result<ApiKey, KeyError> {
        let change = change.read(|| Ok(self.door.require(actor, Operation::UpdateApiKey)?))?;
        self.change(actor, move |keys, actor| {
            let change = change.clone();
            async move { keys.update_now(&actor, id, change).await }
        })
        .await
    }

    async fn update_now(&self, actor: &Actor, id: ApiKeyId, change: ReadChange) -> Result<ApiKey, KeyError> {
        let name = change.name;
        let mut tx = self.store.write().await?;
        let owner = reauthorize_over(&mut tx, actor, Operation::UpdateApiKey, id).await?;
        let lock = tx.update_lock();
        let stored = store::key_access::lock_manageable(tx.conn(), owner.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        let before = &stored.key;
        self.door.may_manage(actor, Reach::of(before))?;
        let restrictions = Restrictions {
            allowed_addresses: change.allowed_addresses.unwrap_or_else(|| before.restrictions.allowed_addresses.clone()),
            rate_limit: change.rate_limit.unwrap_or(before.restrictions.rate_limit),
        };
        let after = ApiKey {
            // Unchanged, the stored name stays as it is, even one an older rule let in: a key
            // must be disabled or narrowed without being renamed first.
            name: name.as_ref().map_or_else(|| before.name.clone(), |name| name.as_str().to_owned()),
            status: change.status.unwrap_or(before.status),
            scopes: change.scopes.unwrap_or(before.scopes),
            restrictions,
            ..before.clone()
        };
        self.door.may_manage(actor, Reach::of(&after))?;
        store::keys::save(tx.conn(), &after, name.as_ref()).await?;
        if before.restrictions.rate_limit != after.restrictions.rate_limit {
            // A limit set by a limited key counts in that key's allowance; one set by an
            // unlimited credential (the owner in the console, say) is the key's own.
            store::keys::set_family(tx.conn(), id, actor.family_for_keys_it_makes()).await?;
        }
        // Every node forgets the key before this returns: a disabled key is refused, and a
        // key's next request acts with its new scopes and restrictions, wherever it lands.
        let revoked = before.status.is_active() && !after.status.is_active();
        let narrowed = before.scopes != after.scopes || before.restrictions != after.restrictions;
        let forgotten = if revoked || narrowed { announce(&mut tx, stored.hashes()).await? } else { Vec::new() };
        let mut events: Vec<_> = [
            (before.name != after.name).then_some(EventKind::KeyRenamed),
            (before.status != after.status).then_some(match after.status {
                Status::Active => EventKind::KeyEnabled,
                Status::Disabled => EventKind::KeyDisabled,
            }),
        ]
        .into_iter()
        .flatten()
        .map(|kind| audit::event(kind, actor, About::key(&after)))
        .collect();
        if before.scopes != after.scopes {
            let detail = after.scopes.to_stored().unwrap_or_else(|| "full".to_owned());
            events.push(audit::event(EventKind::KeyScopesChanged, actor, About::key(&after).with_detail(&detail)));
        }
        let (was, is) = (&before.restrictions, &after.restrictions);
        if was.allowed_addresses != is.allowed_addresses {
            let detail = addresses_detail(&is.allowed_addresses);
            events.push(audit::event(EventKind::KeyAddressesChanged, actor, About::key(&after).with_detail(&detail)));
        }
        if was.rate_limit != is.rate_limit {
            let detail = is.rate_limit.map_or_else(|| "none".to_owned(), KeyRateLimit::to_stored);
            events.push(audit::event(EventKind::KeyRateLimitChanged, actor, About::key(&after).with_detail(&detail)));
        }
        self.commit_and_forget(tx, &events, actor.via.boundary(), &forgotten).await?;
        Ok(after)
    }

    /// Deletes one of the actor's keys; when this returns, no request with it is accepted
    /// any more, on any node.
    pub async fn remove(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        self.door.require(actor, Operation::DeleteApiKey)?;
        self.change(actor, move |keys, actor| async move { keys.remove_now(&actor, id).await }).await
    }

    async fn remove_now(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        let mut tx = self.store.write().await?;
        let owner = reauthorize_over(&mut tx, actor, Operation::DeleteApiKey, id).await?;
        let lock = tx.update_lock();
        let stored = store::key_access::lock_manageable(tx.conn(), owner.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        self.door.may_manage(actor, Reach::of(&stored.key))?;
        store::keys::delete_any(tx.conn(), id).await?;
        let forgotten = announce(&mut tx, stored.hashes()).await?;
        let event = audit::event(EventKind::KeyDeleted, actor, About::key(&stored.key));
        self.commit_and_forget(tx, &[event], actor.via.boundary(), &forgotten).await?;
        Ok(stored.key)
    }

    /// Forgets the keys that expired more than [`EXPIRED_KEYS_KEPT`] ago, and the minted
    /// ones more than [`crate::trust::EXPIRED_MINTED_KEYS_KEPT`] ago (a CI job mints one per
    /// run: a month of them would bury the account's list) — call now and then; how many.
    /// They were already refused: no cache has to hear of it.
    pub(crate) async fn purge_expired(&self) -> Result<u64, StoreError> {
        let mut tx = self.store.write().await?;
        let before = tx.now() - EXPIRED_KEYS_KEPT;
        let minted_before = tx.now() - crate::trust::EXPIRED_MINTED_KEYS_KEPT;
        let purged = store::keys::purge_expired(tx.conn(), before, minted_before).await?;
        tx.commit().await?;
        Ok(purged)
    }
}

/// Locks the actor's own key (when a key acts) and the key `id` in id order, the one order
/// every change takes (see `store::key_access::lock_in_id_order`), then checks the actor again
/// inside the transaction: the very secret the request presented must still work, and may
/// manage keys (a previous secret may not).
async fn reauthorize_over(tx: &mut Tx, actor: &Actor, operation: Operation, id: ApiKeyId) -> Result<User, KeyError> {
    let ids: Vec<ApiKeyId> = std::iter::once(id).chain(actor.key_id()).collect();
    let lock = tx.update_lock();
    store::key_access::lock_in_id_order(tx.conn(), &ids, lock).await?;
    crate::testing::pause("key-change-locked").await;
    let owner = door::reauthorize(tx, actor, operation).await?;
    crate::testing::pause("key-change-authorized").await;
    Ok(owner)
}

/// The actor's organization's key policy, read (and held until commit) before anything
/// else: a policy change locks the organization first and then the keys it shortens, so a
/// change that locks a key first and the organization second could deadlock with it.
async fn policy_first(tx: &mut Tx, actor: &Actor) -> Result<Option<MaxKeyLifetime>, StoreError> {
    let lock = tx.share_lock();
    store::organizations::max_key_lifetime(tx.conn(), actor.user.organization_id, lock).await
}

use crate::audit::DETAIL_CHARS;

/// The *allowed addresses changed* event's detail: the list, or as much of it as fits with
/// how many more there are; `anywhere` for the empty list.
fn addresses_detail(addresses: &AllowedAddresses) -> String {
    let entries = addresses.to_list();
    if entries.is_empty() {
        return "anywhere".to_owned();
    }
    let mut detail = String::new();
    for (shown, entry) in entries.iter().enumerate() {
        let left = entries.len() - shown;
        // Room for " +N" stays, unless this is the last entry.
        let room_for_more = if left > 1 { format!(" +{}", left - 1).len() } else { 0 };
        if detail.len() + 1 + entry.len() + room_for_more > DETAIL_CHARS {
            return format!("{detail} +{left}");
        }
        if !detail.is_empty() {
            detail.push(' ');
        }
        detail.push_str(entry);
    }
    detail
}

/// Whose keys a list reads: the actor's own (`None`, or their own id), or a service
/// account's they manage; any other id is `OwnerNotFound`, like one that does not exist.
pub(crate) async fn managed_owner(conn: &mut sqlx::AnyConnection, actor: &Actor, owner: Option<UserId>) -> Result<UserId, KeyError> {
    match owner.filter(|owner| *owner != actor.user.id) {
        None => Ok(actor.user.id),
        Some(account) => Ok(store::service_accounts::owner_managed(conn, actor.user.id, account, "").await?.ok_or(KeyError::OwnerNotFound)?.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_allow_list_detail_fits_in_an_event_and_says_how_many_are_left_out() {
        assert_eq!(addresses_detail(&AllowedAddresses::anywhere()), "anywhere");
        let two = AllowedAddresses::parse(&["192.0.2.7", "2001:db8::/32"]).unwrap();
        assert_eq!(addresses_detail(&two), "192.0.2.7 2001:db8::/32");
        let fifty: Vec<String> = (0..50).map(|n| format!("2001:db8:{n:x}::/48")).collect();
        let detail = addresses_detail(&AllowedAddresses::parse(&fifty).unwrap());
        assert!(detail.len() <= DETAIL_CHARS, "{detail}");
        let shown = detail.split(' ').filter(|part| !part.starts_with('+')).count();
        assert!(detail.ends_with(&format!(" +{}", 50 - shown)), "{detail}");
    }
}
