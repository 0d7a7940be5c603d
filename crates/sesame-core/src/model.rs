//! The domain's objects as the services hand them out: users, keys, sessions, events, and
//! pages of them. Never a password hash or a key's secret. Their vocabulary (ids, roles,
//! statuses, names, event kinds) is `sesame_model`'s, shared with the browser.

use std::{collections::BTreeMap, net::IpAddr};

use chrono::{DateTime, TimeDelta, Utc};
pub use sesame_model::{
    ids::{ApiKeyId, EventId, OrganizationId, SessionId, TrustRuleId, UserId},
    AllowedAddresses, BeyondPolicy, EventKind, Provider, Granularity, KeyRateLimit, Operation, Permission, RatePeriod, OwnerKind, Restrictions, Role, Scopes, Status,
};

/// A user as the rest of the system sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub organization_id: OrganizationId,
    pub organization_name: String,
    pub username: String,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub status: Status,
    pub created_at: DateTime<Utc>,
}

/// An account that owns keys and nothing else: no password, no login (see
/// [`crate::service_accounts`]). Its keys act with its role, narrowed by their scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    pub id: UserId,
    pub organization_id: OrganizationId,
    /// Unique among every account's username, person or service account (the username rule).
    pub name: String,
    pub description: String,
    /// The ceiling of its keys' power.
    pub role: Role,
    /// The people who manage its keys (besides the organization's administrators), in id
    /// order.
    pub managers: Vec<UserId>,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What is kept about a key: never the key, only its hash (which stays in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    /// Its owner: a person, or a service account ([`ApiKey::owner_kind`]).
    pub user_id: UserId,
    pub owner_kind: OwnerKind,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_ip: Option<IpAddr>,
    /// A disabled key is refused like a deleted one until it is enabled again.
    pub status: Status,
    /// From this instant on the key is refused like a deleted one; none: never.
    pub expires_at: Option<DateTime<Utc>>,
    /// After a roll, the previous secret works until then too (none: no overlap).
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    /// What the key may do (within what its owner's role allows).
    pub scopes: Scopes,
    /// Where it may be used from, and how fast.
    pub restrictions: Restrictions,
    /// A key a CI job got for its OIDC token: which rule minted it, for whom.
    pub minted: Option<Minted>,
}

/// Which trust rule minted a key, and the subject (`sub`) of the token it was minted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minted {
    pub rule: TrustRuleId,
    pub subject: String,
}

impl ApiKey {
    pub fn has_expired(&self, now: DateTime<Utc>) -> bool {
        is_past(self.expires_at, now)
    }
}

/// The allowance a key's requests count in when a key with a request limit made it (or set
/// its limit): the family of that key, whose members all share one bucket at the limit the
/// family began with — a limited key cannot multiply its allowance by making keys. Keys
/// outside a family count in a bucket of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitFamily {
    /// The key the family began with (the bucket's name; it may since have been deleted).
    pub root: ApiKeyId,
    pub limit: KeyRateLimit,
}

/// When a key's secret stops working: the key's expiry, or for its previous secret the end
/// of the overlap after a roll if that comes first (none: never).
pub fn credential_expiry(key_expires_at: Option<DateTime<Utc>>, previous_until: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (key_expires_at, previous_until) {
        (Some(key), Some(overlap)) => Some(key.min(overlap)),
        (key, overlap) => key.or(overlap),
    }
}

/// Whether an end (none: never) has come at `now`: a key is refused from that very instant.
pub fn is_past(end: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    end.is_some_and(|at| now >= at)
}

/// A client address a key was used from, with its first and last use from there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAddress {
    pub ip: IpAddr,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// One use of a key, as noted by the verifier and written in batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUse {
    pub ip: IpAddr,
    pub at: DateTime<Utc>,
}

/// A change to a user's role and/or status; `None` leaves that part as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserChange {
    pub role: Option<Role>,
    pub status: Option<Status>,
}

/// A live console session as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: SessionId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
}

/// A user as an event names them, kept as they were then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub id: UserId,
    pub username: String,
}

impl From<&User> for Party {
    fn from(user: &User) -> Self {
        Self { id: user.id, username: user.username.clone() }
    }
}

/// A key as an event names it: id and name, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRef {
    pub id: ApiKeyId,
    pub name: String,
}

impl From<&ApiKey> for KeyRef {
    fn from(key: &ApiKey) -> Self {
        Self { id: key.id, name: key.name.clone() }
    }
}

/// One entry of the activity log: who did what, to which key or user, from where, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub organization_id: OrganizationId,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    /// Who did it (none for a failed login, or the operator's command line).
    pub actor: Option<Party>,
    /// Whom it concerns, when that is a user (user events; the account for logins).
    pub subject: Option<Party>,
    pub key: Option<KeyRef>,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The new role for `user_role_changed`.
    pub detail: Option<String>,
}

/// Which slice of a list to return: 1-based page number and page size, already checked
/// against [`PageRequest::MAX_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    number: u32,
    size: u32,
}

impl PageRequest {
    pub const DEFAULT_SIZE: u32 = 100;
    pub const MAX_SIZE: u32 = 500;
    /// Far beyond any real list, small enough that the offset stays an ordinary integer.
    pub const MAX_NUMBER: u32 = 1_000_000;

    /// `None` when the number is outside 1..=MAX_NUMBER or the size outside 1..=MAX_SIZE.
    pub fn new(number: u32, size: u32) -> Option<Self> {
        ((1..=Self::MAX_NUMBER).contains(&number) && (1..=Self::MAX_SIZE).contains(&size))
            .then_some(Self { number, size })
    }

    pub fn first() -> Self {
        Self { number: 1, size: Self::DEFAULT_SIZE }
    }

    pub fn number(self) -> u32 {
        self.number
    }

    pub fn size(self) -> u32 {
        self.size
    }

    pub(crate) fn offset(self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.size)
    }
}

/// One page of a list, and how many items the whole list has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub request: PageRequest,
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_requests_are_bounded() {
        assert_eq!(PageRequest::new(0, 10), None);
        assert_eq!(PageRequest::new(1, 0), None);
        assert_eq!(PageRequest::new(1, PageRequest::MAX_SIZE + 1), None);
        assert_eq!(PageRequest::new(PageRequest::MAX_NUMBER + 1, 10), None);
        let page = PageRequest::new(3, 20).unwrap();
        assert_eq!(page.offset(), 40);
        let last = PageRequest::new(PageRequest::MAX_NUMBER, PageRequest::MAX_SIZE).unwrap();
        assert_eq!(last.offset(), (i64::from(PageRequest::MAX_NUMBER) - 1) * 500);
    }
}

/// A stored trust rule of a service account (see [`crate::trust`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustRule {
    pub id: TrustRuleId,
    pub service_account_id: UserId,
    pub provider: Provider,
    pub issuer: String,
    /// What the token's one `aud` must be.
    pub audience: String,
    /// Claim name → exact value; all must hold.
    pub conditions: BTreeMap<String, String>,
    /// What the keys it mints may do (within the account's role), where from, how fast.
    pub scopes: Scopes,
    pub restrictions: Restrictions,
    /// How long a minted key lives (never beyond the token's own expiry).
    pub lifetime: TimeDelta,
    pub created_at: DateTime<Utc>,
}
