//! What the key use cases take and give: a new key, a change, a roll; a key made, a key's
//! details, what asks for attention; their errors and limits.

use chrono::{DateTime, TimeDelta, Utc};
use sesame_model::{AddressListError, BeyondPolicy, NoPermission, Permission};

use crate::{
    door,
    key::ApiKeySecret,
    model::{AllowedAddresses, ApiKey, Event, KeyAddress, KeyRateLimit, Scopes, Status, UserId},
    names::{KeyName, NameError},
    rights::Refusal,
    store::StoreError,
    throttle::RetryAfter,
};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    InvalidName(NameError),
    #[error("{0}")]
    InvalidScopes(NoPermission),
    #[error("{0}")]
    InvalidAllowList(AddressListError),
    #[error("you already have a key with this name")]
    NameTaken,
    #[error("the expiry date must be in the future")]
    ExpiryInPast,
    #[error("nothing to change: give a name, a status, scopes, allowed addresses or a rate limit")]
    NothingToChange,
    /// Unknown id, malformed id, or another user's key: all look the same.
    #[error("no such API key")]
    NotFound,
    /// The owner named is not a service account the actor manages (nor the actor): unknown,
    /// someone else's, or a person, all look the same.
    #[error("no such service account")]
    OwnerNotFound,
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
    #[error("your organization allows keys to live at most {} days", .0.max.days())]
    BeyondPolicy(BeyondPolicy),
    /// Too many calls to revoke leaked keys from this address.
    #[error("too many requests")]
    Throttled(RetryAfter),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(StoreError),
}

impl KeyError {
    pub(super) fn is_deadlock(&self) -> bool {
        matches!(self, KeyError::Store(error) if error.is_deadlock())
    }
}

door::from_denied!(KeyError);

impl From<BeyondPolicy> for KeyError {
    fn from(beyond: BeyondPolicy) -> Self {
        KeyError::BeyondPolicy(beyond)
    }
}

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
    /// Whose key it is: none, the actor's own; a service account the actor manages (an
    /// administrator: any of their organization's), that account's.
    pub owner: Option<UserId>,
    /// Absent or blank: a random default name.
    pub name: Option<&'a str>,
    /// None: the key expires with the credential making it — never from the console, with
    /// a key that expires when that key does (a key makes no key that outlives it).
    pub expires_at: Option<DateTime<Utc>>,
    /// As the API and the console send them: none, the scopes of the credential making it
    /// — full access from the console, a scoped key's own scopes from that key (never more
    /// than it has); a list, those permissions (each once, at least one).
    pub scopes: Option<Vec<Permission>>,
    /// As sent: none, the allow-list of the credential making it — anywhere from the
    /// console, a restricted key's own from that key; a list, those addresses and ranges
    /// (empty: anywhere).
    pub allowed_addresses: Option<Vec<String>>,
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

/// A change to one key, as the API and the console send it; `None` leaves that part as it
/// is.
#[derive(Debug, Clone, Default)]
pub struct KeyChange {
    pub name: Option<String>,
    pub status: Option<Status>,
    /// `Some(None)`: full access; `Some(Some(list))`: those permissions.
    pub scopes: Option<Option<Vec<Permission>>>,
    /// An empty list: anywhere.
    pub allowed_addresses: Option<Vec<String>>,
    /// `Some(None)` takes the key's own limit away.
    pub rate_limit: Option<Option<KeyRateLimit>>,
}

/// A [`KeyChange`] once read: what the key's new values are made of.
#[derive(Debug, Clone)]
pub(super) struct ReadChange {
    pub(super) name: Option<KeyName>,
    pub(super) status: Option<Status>,
    pub(super) scopes: Option<Scopes>,
    pub(super) allowed_addresses: Option<AllowedAddresses>,
    pub(super) rate_limit: Option<Option<KeyRateLimit>>,
}

impl KeyChange {
    /// Reads the sent values, or says which one breaks its rule: the lists first (a malformed
    /// one is bad input whoever sends it), then whether the actor may change keys at all
    /// (`allowed`), then the name, and whether anything is asked for.
    pub(super) fn read(self, allowed: impl FnOnce() -> Result<(), KeyError>) -> Result<ReadChange, KeyError> {
        let scopes = self.scopes.as_ref().map(|list| scopes_of(list.as_deref())).transpose()?;
        let allowed_addresses = self.allowed_addresses.as_deref().map(addresses_of).transpose()?;
        allowed()?;
        let name = self.name.as_deref().map(KeyName::parse).transpose().map_err(KeyError::InvalidName)?;
        if self.is_empty() {
            return Err(KeyError::NothingToChange);
        }
        Ok(ReadChange { name, status: self.status, scopes, allowed_addresses, rate_limit: self.rate_limit })
    }
}

/// Scopes as sent (none: full access); a list must name each permission once, at least one.
pub(super) fn scopes_of(list: Option<&[Permission]>) -> Result<Scopes, KeyError> {
    Scopes::from_list(list).map_err(KeyError::InvalidScopes)
}

/// An allow-list as sent (empty: anywhere).
pub(super) fn addresses_of(list: &[String]) -> Result<AllowedAddresses, KeyError> {
    AllowedAddresses::parse(list).map_err(KeyError::InvalidAllowList)
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
