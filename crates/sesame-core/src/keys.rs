//! Managing one's own API keys: generate (with an expiry or none, scopes and restrictions),
//! list, change (rename, disable, enable, scopes, allowed addresses, rate limit), delete; and revoking keys reported as leaked,
//! whoever owns them. Each change is one door, whichever boundary calls it: it re-checks the
//! actor inside its transaction, makes the change, writes its activity events with it, and
//! logs the audit line.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sesame_model::{MaxKeyLifetime, Permission};

use crate::{
    actor::{Actor, Boundary, Client, Via},
    audit::{self, About},
    invalidation::{self, announce, Invalidation},
    key::{ApiKeySecret, KeyHash},
    model::{AllowedAddresses, ApiKey, ApiKeyId, Event, EventKind, KeyAddress, KeyRateLimit, Page, PageRequest, Restrictions, Scopes, Status, User},
    notices::{Notice, Recipient},
    rights::{self, Reach, Refusal},
    names::{KeyName, NameError},
    store::{self, Store, StoreError, Tx},
    throttle::{RetryAfter, Throttles},
    usage::{self, Granularity, UsageSeries},
};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    InvalidName(NameError),
    #[error("you already have a key with this name")]
    NameTaken,
    #[error("the expiry date must be in the future")]
    ExpiryInPast,
    #[error("nothing to change: give a name, a status, scopes, allowed addresses or a rate limit")]
    NothingToChange,
    /// Unknown id, malformed id, or another user's key: all look the same.
    #[error("no such API key")]
    NotFound,
    /// The credential the request came with was revoked (or its user disabled) while the
    /// request was in flight: nothing was done.
    #[error("the credentials are no longer valid")]
    Unauthenticated,
    #[error("at most 1,000 keys per report")]
    TooManyLeakedKeys,
    /// The owner has as many keys as an owner may have.
    #[error("you already have {max} keys, the most one may have: delete some first")]
    TooManyKeys { max: u32 },
    #[error("the grace period is from 0 seconds to 7 days")]
    InvalidGracePeriod,
    /// An expired key cannot be rolled: its new secret would be expired too.
    #[error("this key has expired: generate a new one")]
    Expired,
    /// The organization's policy allows keys to live at most `max` days: the key would
    /// have expired after `latest`.
    #[error("your organization allows keys to live at most {} days", max.days())]
    BeyondPolicy { max: MaxKeyLifetime, latest: DateTime<Utc> },
    /// Too many calls to revoke leaked keys from this address.
    #[error("too many requests")]
    Throttled(RetryAfter),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(StoreError),
}

impl KeyError {
    fn is_deadlock(&self) -> bool {
        matches!(self, KeyError::Store(error) if error.is_deadlock())
    }
}

rights::from_denied!(KeyError);

impl From<StoreError> for KeyError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => KeyError::NotFound,
            StoreError::Conflict => KeyError::NameTaken,
            other => KeyError::Store(other),
        }
    }
}

/// The longest a previous secret may keep working after a roll.
pub const MAX_GRACE: TimeDelta = TimeDelta::days(7);

/// Keys one owner may have unless the operator says otherwise (`--max-keys-per-owner`).
pub const DEFAULT_MAX_KEYS_PER_OWNER: u32 = 1_000;

/// Keys one call may report as leaked, at most.
pub const MAX_LEAKED_KEYS: usize = 1_000;

/// Expired keys stay listed this long (marked expired, so their owner sees what stopped
/// working), then are purged.
pub const EXPIRED_KEYS_KEPT: TimeDelta = TimeDelta::days(30);

/// What a new key is made with.
#[derive(Debug, Clone, Default)]
pub struct NewKey<'a> {
    /// Absent or blank: a random default name.
    pub name: Option<&'a str>,
    /// None: the key expires with the credential making it — never from the console, with
    /// a key that expires when that key does (a key makes no key that outlives it).
    pub expires_at: Option<DateTime<Utc>>,
    /// None: the scopes of the credential making it — full access from the console, a
    /// scoped key's own scopes from that key (never more than it has).
    pub scopes: Option<Scopes>,
    /// None: the allow-list of the credential making it — anywhere from the console, a
    /// restricted key's own from that key.
    pub allowed_addresses: Option<AllowedAddresses>,
    /// None: the request limit of the credential making it (none from the console).
    pub rate_limit: Option<KeyRateLimit>,
}

impl<'a> NewKey<'a> {
    /// A key that never expires, with its maker's scopes and restrictions.
    pub fn named(name: Option<&'a str>) -> Self {
        Self { name, ..Self::default() }
    }
}

/// How to roll a key.
#[derive(Debug, Clone, Copy)]
pub struct Roll {
    /// How long the previous secret keeps working (zero: it stops at once).
    pub grace: TimeDelta,
    /// A new expiry for the key; none keeps the one it has.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Roll {
    /// A roll that keeps the key's expiry.
    pub fn grace(grace: TimeDelta) -> Self {
        Self { grace, expires_at: None }
    }
}

/// Leeway given to an expiry asked for at an organization's very maximum lifetime: the
/// console computes "90 days" with the browser's clock, which may run a little ahead.
pub const POLICY_LEEWAY: TimeDelta = TimeDelta::minutes(5);

/// An event's detail holds at most this many characters.
const DETAIL_CHARS: usize = 100;

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

/// The latest a key may expire under a maximum lifetime of `max`, made at `now`.
pub fn latest_expiry(max: MaxKeyLifetime, now: DateTime<Utc>) -> DateTime<Utc> {
    now + TimeDelta::days(i64::from(max.days()))
}

/// The expiry a key made or rolled at `now` gets under the organization's policy: the one
/// asked for if the policy allows it, the longest allowed if none was asked for (`None`
/// with no policy: never).
pub fn expiry_under_policy(
    policy: Option<MaxKeyLifetime>,
    now: DateTime<Utc>,
    asked: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, KeyError> {
    let Some(max) = policy else { return Ok(asked) };
    let latest = latest_expiry(max, now);
    match asked {
        None => Ok(Some(latest)),
        Some(at) if at <= latest + POLICY_LEEWAY => Ok(Some(at)),
        Some(_) => Err(KeyError::BeyondPolicy { max, latest }),
    }
}

/// A change to one key; `None` leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct KeyChange {
    pub name: Option<String>,
    pub status: Option<Status>,
    pub scopes: Option<Scopes>,
    pub allowed_addresses: Option<AllowedAddresses>,
    /// `Some(None)` takes the key's own limit away.
    pub rate_limit: Option<Option<KeyRateLimit>>,
}

impl KeyChange {
    pub fn rename(name: impl Into<String>) -> Self {
        Self { name: Some(name.into()), ..Self::default() }
    }

    pub fn status(status: Status) -> Self {
        Self { status: Some(status), ..Self::default() }
    }

    fn is_empty(&self) -> bool {
        self.name.is_none() && self.status.is_none() && self.scopes.is_none() && self.allowed_addresses.is_none() && self.rate_limit.is_none()
    }
}

/// One key with the last distinct addresses it was used from, most recent first.
#[derive(Debug, Clone)]
pub struct KeyDetails {
    pub key: ApiKey,
    pub recent_addresses: Vec<KeyAddress>,
}

/// What asks for a person's attention about their keys.
#[derive(Debug, Clone, Default)]
pub struct KeyAttention {
    /// Enabled keys expiring within [`ATTENTION_WINDOW`], soonest first.
    pub expiring_soon: Vec<ApiKey>,
    /// *Key revoked as leaked* events of the last [`ATTENTION_WINDOW`], newest first.
    pub revoked_as_leaked: Vec<Event>,
}

/// How far ahead expiries, and how far back leak reports, ask for attention: as far as the
/// first expiry reminder.
pub const ATTENTION_WINDOW: TimeDelta = TimeDelta::days(sesame_model::EXPIRY_REMINDER_DAYS[0] as i64);

/// A key just made: the only time its secret is handed out.
#[derive(Debug)]
pub struct CreatedKey {
    pub key: ApiKey,
    pub secret: ApiKeySecret,
}

#[derive(Clone)]
pub struct Keys {
    store: Store,
    invalidation: Invalidation,
    throttles: Arc<Throttles>,
    max_per_owner: u32,
}

impl Keys {
    pub(crate) fn new(store: Store, invalidation: Invalidation, throttles: Arc<Throttles>, max_per_owner: u32) -> Self {
        Self { store, invalidation, throttles, max_per_owner }
    }

    /// A new key for the actor.
    pub async fn create(&self, actor: &Actor, new: NewKey<'_>) -> Result<CreatedKey, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysWrite)?;
        let scopes = new.scopes.unwrap_or(actor.scopes);
        let restrictions = Restrictions {
            allowed_addresses: new.allowed_addresses.unwrap_or_else(|| actor.restrictions.allowed_addresses.clone()),
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
        let owner = tx.reauthorize(actor, Permission::ApiKeysWrite).await?;
        if store::keys::hold_count_of_owner(&mut tx, owner.id).await? >= u64::from(self.max_per_owner) {
            return Err(KeyError::TooManyKeys { max: self.max_per_owner });
        }
        let expires_at = expiry_under_policy(policy, now, new.expires_at.or(actor.expires_at))?;
        rights::may_manage(&self.store, actor, Reach { scopes, restrictions: &restrictions, expires_at })?;
        let restricted = store::keys::Restricted { scopes, restrictions, family: actor.family_for_keys_it_makes() };
        let key = store::keys::insert(tx.conn(), owner.id, &name, &secret.hash(), now, expires_at, restricted).await?;
        let event = audit::event(EventKind::KeyCreated, actor, About::key(&key));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(CreatedKey { key, secret })
    }

    /// All the actor's keys, oldest first (the console's panel filters them itself).
    pub async fn list(&self, actor: &Actor) -> Result<Vec<ApiKey>, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysRead)?;
        Ok(store::keys::list(&mut *self.store.read().await?, actor.user.id).await?)
    }

    /// What asks for the actor's attention about their keys (the console's badge on *User
    /// settings* and its notices).
    pub async fn attention(&self, actor: &Actor) -> Result<KeyAttention, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysRead)?;
        let mut conn = self.store.read().await?;
        let now = self.store.now();
        let expiring_soon = store::keys::expiring(&mut conn, actor.user.id, now, now + ATTENTION_WINDOW).await?;
        let since = now - ATTENTION_WINDOW;
        let revoked_as_leaked = store::activity::of_kind_about(&mut conn, actor.user.id, EventKind::KeyRevokedAsLeaked, since, 20).await?;
        Ok(KeyAttention { expiring_soon, revoked_as_leaked })
    }

    /// One page of the actor's keys (the REST API's list).
    pub async fn list_page(&self, actor: &Actor, page: PageRequest) -> Result<Page<ApiKey>, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysRead)?;
        Ok(store::keys::list_page(&mut *self.store.read().await?, actor.user.id, page).await?)
    }

    /// One of the actor's keys, with its recent addresses.
    pub async fn get(&self, actor: &Actor, id: ApiKeyId) -> Result<KeyDetails, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysRead)?;
        let mut conn = self.store.read().await?;
        let key = store::keys::find(&mut conn, id).await?.filter(|key| key.user_id == actor.user.id).ok_or(KeyError::NotFound)?;
        let recent_addresses = store::key_addresses::list(&mut conn, id).await?;
        Ok(KeyDetails { key, recent_addresses })
    }

    /// Renames, disables or enables one of the actor's keys, or changes its scopes or
    /// restrictions, all or nothing. From the moment a disable (or a change of scopes or
    /// restrictions) returns, no request with the key is accepted (or acts with what it had
    /// before), on any node, until it is enabled again.
    pub async fn update(&self, actor: &Actor, id: ApiKeyId, change: KeyChange) -> Result<ApiKey, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysWrite)?;
        let name = change.name.as_deref().map(KeyName::parse).transpose().map_err(KeyError::InvalidName)?;
        if change.is_empty() {
            return Err(KeyError::NothingToChange);
        }
        self.change(actor, move |keys, actor| {
            let (name, change) = (name.clone(), change.clone());
            async move { keys.update_now(&actor, id, name, change).await }
        })
        .await
    }

    async fn update_now(&self, actor: &Actor, id: ApiKeyId, name: Option<KeyName>, change: KeyChange) -> Result<ApiKey, KeyError> {
        let mut tx = self.store.write().await?;
        let owner = reauthorize_over(&mut tx, actor, id).await?;
        let lock = tx.update_lock();
        let stored = store::keys::lock_own(tx.conn(), owner.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        let before = &stored.key;
        rights::may_manage(&self.store, actor, Reach::of(before))?;
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
        rights::may_manage(&self.store, actor, Reach::of(&after))?;
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

    /// Gives one of the actor's keys a new secret, shown this once; the key keeps its id,
    /// name, history and (unless the roll gives a new one, which the organization's policy
    /// must allow) its expiry. Its previous secret keeps working for the roll's grace (at
    /// most [`MAX_GRACE`]; zero: it stops at once), then is refused like a deleted key, on
    /// every node. A key may roll itself. Rolling again during an overlap drops the older
    /// secret.
    pub async fn roll(&self, actor: &Actor, id: ApiKeyId, roll: Roll) -> Result<CreatedKey, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysWrite)?;
        if roll.grace < TimeDelta::zero() || roll.grace > MAX_GRACE {
            return Err(KeyError::InvalidGracePeriod);
        }
        self.change(actor, move |keys, actor| async move { keys.roll_now(&actor, id, roll).await }).await
    }

    async fn roll_now(&self, actor: &Actor, id: ApiKeyId, Roll { grace, expires_at }: Roll) -> Result<CreatedKey, KeyError> {
        let mut tx = self.store.write().await?;
        let now = tx.now();
        if expires_at.is_some_and(|at| at <= now) {
            return Err(KeyError::ExpiryInPast);
        }
        let policy = policy_first(&mut tx, actor).await?;
        let owner = reauthorize_over(&mut tx, actor, id).await?;
        let lock = tx.update_lock();
        let stored = store::keys::lock_own(tx.conn(), owner.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        rights::may_manage(&self.store, actor, Reach::of(&stored.key))?;
        if stored.key.has_expired(now) {
            return Err(KeyError::Expired);
        }
        let expires_at = match expires_at {
            Some(asked) => expiry_under_policy(policy, now, Some(asked))?,
            None => stored.key.expires_at,
        };
        // A key rolls no key (itself included) to outlive it.
        rights::may_manage(&self.store, actor, Reach { expires_at, ..Reach::of(&stored.key) })?;
        let secret = ApiKeySecret::generate();
        let until = (grace > TimeDelta::zero()).then(|| now + grace);
        store::keys::roll(tx.conn(), id, &secret.hash(), until.map(|until| (&stored.hash, until)), expires_at).await?;
        // A limited key rolling another key hands itself that key's new secret: the key joins
        // its family, and shares its allowance from now on.
        if let Some(family) = actor.family_for_keys_it_makes().filter(|_| actor.key_id() != Some(id)) {
            store::keys::set_family(tx.conn(), id, Some(family)).await?;
        }
        // Every cached principal of the key goes: the old secret's is rebuilt with the end
        // of its overlap, an older previous secret's is dropped for good.
        let forgotten = announce(&mut tx, stored.hashes()).await?;
        let key = ApiKey { previous_secret_valid_until: until, expires_at, ..stored.key };
        let detail = until.map_or_else(|| "now".to_owned(), |until| until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let event = audit::event(EventKind::KeyRolled, actor, About::key(&key).with_detail(detail));
        self.commit_and_forget(tx, &[event], actor.via.boundary(), &forgotten).await?;
        Ok(CreatedKey { key, secret })
    }

    /// Ends the overlap after a roll now: the key's previous secret is refused from the
    /// moment this returns, on every node. Nothing to end is not an error.
    pub async fn end_overlap(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysWrite)?;
        self.change(actor, move |keys, actor| async move { keys.end_overlap_now(&actor, id).await }).await
    }

    async fn end_overlap_now(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        let mut tx = self.store.write().await?;
        let owner = reauthorize_over(&mut tx, actor, id).await?;
        let lock = tx.update_lock();
        let stored = store::keys::lock_own(tx.conn(), owner.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        rights::may_manage(&self.store, actor, Reach::of(&stored.key))?;
        let key = ApiKey { previous_secret_valid_until: None, ..stored.key };
        let Some(previous) = stored.previous_hash else {
            return Ok(key);
        };
        store::keys::end_overlap(tx.conn(), id).await?;
        let forgotten = announce(&mut tx, [&previous]).await?;
        let event = audit::event(EventKind::KeyOverlapEnded, actor, About::key(&key));
        self.commit_and_forget(tx, &[event], actor.via.boundary(), &forgotten).await?;
        Ok(key)
    }

    /// Deletes one of the actor's keys; when this returns, no request with it is accepted
    /// any more, on any node.
    pub async fn delete(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysWrite)?;
        self.change(actor, move |keys, actor| async move { keys.delete_now(&actor, id).await }).await
    }

    async fn delete_now(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        let mut tx = self.store.write().await?;
        let owner = reauthorize_over(&mut tx, actor, id).await?;
        let lock = tx.update_lock();
        let target = store::keys::lock_own(tx.conn(), owner.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        rights::may_manage(&self.store, actor, Reach::of(&target.key))?;
        let stored = store::keys::delete(tx.conn(), owner.id, id).await?.ok_or(KeyError::NotFound)?;
        let forgotten = announce(&mut tx, stored.hashes()).await?;
        let event = audit::event(EventKind::KeyDeleted, actor, About::key(&stored.key));
        self.commit_and_forget(tx, &[event], actor.via.boundary(), &forgotten).await?;
        Ok(stored.key)
    }

    /// Deletes every key among `presented` that exists, whoever owns it — what a secret
    /// scanner, a security team or a person who pasted a key in public calls, with no key
    /// of their own; a key's previous secret (after a roll) only ends its overlap.
    /// Malformed entries are skipped. Each owner finds *key revoked as leaked* in their
    /// activity. When this returns, every node refuses the keys. Answers the same whether
    /// any key existed or not (RFC 7009): the caller learns nothing it could not learn by
    /// presenting the keys. Returns what to tell each owner, for the server to deliver.
    pub async fn revoke_leaked(&self, presented: &[String], client: &Client) -> Result<Vec<Notice>, KeyError> {
        if presented.len() > MAX_LEAKED_KEYS {
            return Err(KeyError::TooManyLeakedKeys);
        }
        if let Err(retry) = self.throttles.admit_revoke(client.address()).await? {
            return Err(KeyError::Throttled(retry));
        }
        let hashes: HashSet<KeyHash> = presented
            .iter()
            .filter_map(|key| ApiKeySecret::parse(key.trim()).ok())
            .map(|secret| secret.hash())
            .collect();
        let (keys, client) = (self.clone(), client.clone());
        // Like every change, run again if PostgreSQL broke a deadlock: a leak report must
        // not fail while the key it names is being changed (it answers 200 whatever it found).
        let notices = invalidation::run_change(KeyError::is_deadlock, move || {
            let (keys, hashes, client) = (keys.clone(), hashes.clone(), client.clone());
            async move { keys.revoke_now(hashes, &client).await }
        })
        .await?;
        tracing::info!(target: "sesame::audit", presented = presented.len(), revoked = notices.len(), "keys reported as leaked");
        Ok(notices)
    }

    async fn revoke_now(&self, hashes: HashSet<KeyHash>, client: &Client) -> Result<Vec<Notice>, KeyError> {
        let mut tx = self.store.write().await?;
        let (mut forgotten, mut events, mut notices) = (Vec::new(), Vec::new(), Vec::new());
        let lock = tx.update_lock();
        let reported: Vec<KeyHash> = hashes.iter().cloned().collect();
        for stored in store::keys::lock_by_hashes(tx.conn(), &reported, lock).await? {
            let Some(owner) = store::users::by_id(tx.conn(), stored.key.user_id).await? else { continue };
            // The current secret leaked: the key goes. Only its previous one: the overlap ends.
            let detail = if hashes.contains(&stored.hash) {
                store::keys::delete_any(tx.conn(), stored.key.id).await?;
                forgotten.extend(announce(&mut tx, stored.hashes()).await?);
                None
            } else {
                store::keys::end_overlap(tx.conn(), stored.key.id).await?;
                forgotten.extend(announce(&mut tx, stored.previous_hash.iter()).await?);
                Some("previous secret".to_owned())
            };
            let previous_secret_only = detail.is_some();
            let about = About { subject: Some((&owner).into()), key: Some((&stored.key).into()), detail };
            let event = audit::event_in(owner.organization_id, EventKind::KeyRevokedAsLeaked, None, client, about);
            let to = Recipient::of(tx.conn(), &owner).await?;
            notices.push(Notice::revoked_as_leaked(to, &stored.key, &event, previous_secret_only));
            events.push(event);
        }
        self.commit_and_forget(tx, &events, Boundary::Api, &forgotten).await?;
        Ok(notices)
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

    /// What one of the actor's keys did over `[from, to)`, per hour or day, every bucket
    /// included. A range longer than [`usage::longest`] is cut to its end (the series says
    /// where it starts); one that does not start before it ends has no buckets.
    pub async fn usage(
        &self,
        actor: &Actor,
        id: ApiKeyId,
        granularity: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<UsageSeries, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysRead)?;
        let from = from.max(to - usage::longest(granularity)).min(to);
        let mut conn = self.store.read().await?;
        store::keys::find(&mut conn, id).await?.filter(|key| key.user_id == actor.user.id).ok_or(KeyError::NotFound)?;
        let (start, end) = usage::whole_buckets(granularity, from, to);
        let hours = store::usage::hours(&mut conn, id, start, end).await?;
        Ok(usage::series(granularity, from, to, &hours))
    }

    /// Each of the actor's keys' requests per day over the last `days` days (today last),
    /// for the panel's sparklines.
    pub async fn daily_usage(&self, actor: &Actor, days: u32) -> Result<Vec<(ApiKeyId, UsageSeries)>, KeyError> {
        rights::require(&self.store, actor, Permission::ApiKeysRead)?;
        let to = self.store.now();
        // From the start of the first of the `days` (UTC), today included.
        let today = to.duration_trunc(TimeDelta::days(1)).unwrap_or(to);
        let from = today - TimeDelta::days(i64::from(days.clamp(1, 90)) - 1);
        let mut conn = self.store.read().await?;
        let keys = store::keys::list(&mut conn, actor.user.id).await?;
        let (start, end) = usage::whole_buckets(Granularity::Day, from, to);
        let mut by_key: HashMap<ApiKeyId, Vec<(i64, usage::Counts)>> = HashMap::new();
        for (key, hour, counts) in store::usage::hours_of_owner(&mut conn, actor.user.id, start, end).await? {
            by_key.entry(key).or_default().push((hour, counts));
        }
        Ok(keys
            .iter()
            .map(|key| (key.id, usage::series(Granularity::Day, from, to, by_key.get(&key.id).map_or(&[], Vec::as_slice))))
            .collect())
    }

    /// Forgets usage older than [`usage::USAGE_KEPT`] (call now and then); how many hours.
    pub(crate) async fn purge_old_usage(&self) -> Result<u64, StoreError> {
        let before = usage::hour_of(self.store.now() - usage::USAGE_KEPT);
        let mut tx = self.store.write().await?;
        let purged = store::usage::purge(tx.conn(), before).await?;
        tx.commit().await?;
        Ok(purged)
    }

    /// Forgets the keys that expired more than [`EXPIRED_KEYS_KEPT`] ago (call now and
    /// then); how many. They were already refused: no cache has to hear of it.
    pub(crate) async fn purge_expired(&self) -> Result<u64, StoreError> {
        let mut tx = self.store.write().await?;
        let before = tx.now() - EXPIRED_KEYS_KEPT;
        let purged = store::keys::purge_expired(tx.conn(), before).await?;
        tx.commit().await?;
        Ok(purged)
    }
}

/// Locks the actor's own key (when a key acts) and the key `id` in id order, the one order
/// every change takes (see `store::keys::lock_in_id_order`), then checks the actor again
/// inside the transaction: the very secret the request presented must still work, and may
/// manage keys (a previous secret may not).
async fn reauthorize_over(tx: &mut Tx, actor: &Actor, id: ApiKeyId) -> Result<User, KeyError> {
    let ids: Vec<ApiKeyId> = std::iter::once(id).chain(actor.key_id()).collect();
    let lock = tx.update_lock();
    store::keys::lock_in_id_order(tx.conn(), &ids, lock).await?;
    let owner = tx.reauthorize(actor, Permission::ApiKeysWrite).await?;
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
