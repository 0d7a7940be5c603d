//! Limits against guessing and floods.
//!
//! - **Failed API authentications per client address** (a rate): an address that keeps
//!   presenting bad keys is answered 429 for a while — every request with a key, good or
//!   bad, so that guessing cannot go on under the limit. Other addresses are not affected.
//! - **Logins per client address** (a rate): a cap on attempts from one address.
//! - **A growing delay per account and address**: after a few consecutive failures, the next
//!   attempt from that address for that account must wait 1 s, then 2 s, 4 s… up to a
//!   minute. Keyed by address too, so an attacker elsewhere does not slow the real user.
//! - **A hard stop per account** after 100 consecutive failures (NIST SP 800-63B's bound),
//!   until an hour after the last real failure — except for the browsers the account has
//!   logged in from ([`crate::device`]), so a guessing campaign cannot lock the real user out.
//! - **An optional request limit per key**: the key's own ([`KeyRateLimit`], set by its
//!   owner), counted for the whole cluster on PostgreSQL; and a server-wide one for every
//!   key (`key_requests_per_second`), per node.
//!
//! Wrong current passwords in a password change count as failed logins. Unknown usernames
//! are throttled exactly like real ones: the answers never tell whether an account exists.
//!
//! What is counted is keyed by fixed-size values ([`keys`]): a hash of the username, the
//! address (IPv6 by /64). On PostgreSQL the counts live in a table every node shares, so the
//! limits hold for the whole cluster; an address over the failed-authentication limit is
//! announced to every node, which then refuses it from memory — the API's accepted-key path
//! never reads the database for the limits.

mod counters;
mod failed_auth;
mod logins;
pub(crate) mod keys;
mod rules;

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::AtomicI64,
    time::Duration,
};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use moka::sync::Cache;

pub use failed_auth::{FailedAuthPolicy, FailedAuthStatus};
pub use keys::{AccountKey, AddressKey};
use counters::{Counters, Kind};
use rules::Rate;

use crate::{
    model::{ApiKeyId, KeyRateLimit, LimitFamily, UserId},
    store::{throttles::LimitState, Backend, Store, StoreResult},
};

/// How long to wait before trying again (rounded up to whole seconds on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    pub fn seconds(self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }

    fn from_millis(ms: i64) -> Self {
        Self(Duration::from_millis(ms.max(1).unsigned_abs()))
    }
}

/// The limits; `Default` is what `sesame serve` uses unless told otherwise.
#[derive(Debug, Clone)]
pub struct ThrottleSettings {
    /// Failed API authentications one address may make in a burst…
    pub failed_auth_burst: u32,
    /// …and how fast that allowance comes back (one failure per this).
    pub failed_auth_refill: Duration,
    pub login_burst_per_ip: u32,
    pub login_refill_per_ip: Duration,
    /// Consecutive failures (per account and address) before the delay starts.
    pub free_login_failures: u32,
    pub max_login_delay: Duration,
    /// Consecutive failures per account before the hard stop.
    pub account_failure_limit: u32,
    pub hard_stop: Duration,
    /// Requests per second allowed to one key; `None`: no limit.
    pub key_requests_per_second: Option<NonZeroU32>,
    /// Calls to revoke leaked keys one address may make in a burst, and how fast that
    /// allowance comes back (each call may carry 1,000 keys).
    pub revoke_burst_per_ip: u32,
    pub revoke_refill_per_ip: Duration,
    /// Keys one owner may make in a burst (from the console or the API; the operator's
    /// command line is not limited), and how fast that allowance comes back.
    pub key_creation_burst: u32,
    pub key_creation_refill: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            failed_auth_burst: 20,
            failed_auth_refill: Duration::from_secs(3),
            login_burst_per_ip: 20,
            login_refill_per_ip: Duration::from_secs(3),
            free_login_failures: 3,
            max_login_delay: Duration::from_secs(60),
            account_failure_limit: 100,
            hard_stop: Duration::from_secs(3600),
            key_requests_per_second: None,
            revoke_burst_per_ip: 10,
            revoke_refill_per_ip: Duration::from_secs(6),
            // A CI set-up making a few dozen keys at once passes; a script minting keys to
            // multiply its allowance does not (1,200 an hour at most after the burst).
            key_creation_burst: 50,
            key_creation_refill: Duration::from_secs(3),
        }
    }
}

/// Taken usernames an administrator may meet: ten at once, then one more every six minutes
/// (ten an hour). A person mistyping a colleague's name meets one or two.
const USERNAME_PROBES: Rate = Rate { period_ms: 6 * 60 * 1000, burst: 10 };

/// Addresses refused for now, kept at most (fixed-size entries).
const MAX_PENALIZED: u64 = 100_000;

/// Keys over their own limit, remembered at most (fixed-size entries).
const MAX_KEYS_OVER_LIMIT: u64 = 100_000;

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn now_ms() -> i64 {
    crate::clock::system_millis()
}

/// Milliseconds as whole seconds, rounded up.
fn seconds_until(ms: i64) -> u64 {
    u64::try_from((ms.max(0) + 999) / 1000).unwrap_or(0)
}

pub struct Throttles {
    settings: ThrottleSettings,
    counters: Counters,
    /// Addresses over the failed-authentication limit, and until when (Unix ms): checked
    /// from memory on every API request.
    penalized: Cache<[u8; 16], i64>,
    /// This node's view of each address's failed-authentication state (the rate's
    /// theoretical arrival time), for the `RateLimit` headers: kept up to date by this
    /// node's failures and, on PostgreSQL, by the other nodes' announcements.
    failed_auth_seen: Cache<[u8; 16], i64>,
    /// The latest instant (Unix ms) any entry of `penalized` or `failed_auth_seen` matters
    /// until. Past it, every address has its whole allowance and none is refused, exactly as
    /// if both were empty — which is nearly always: the API's requests then skip both
    /// lookups (a lookup in them is not free: it records the read for their eviction policy).
    remembered_until: AtomicI64,
    /// PostgreSQL: where to announce a penalized address to the other nodes.
    cluster: Option<Store>,
    per_key: Option<DefaultKeyedRateLimiter<ApiKeyId>>,
    /// Keys over their own limit, and until when (Unix ms): refused from memory meanwhile,
    /// so a flood over the limit costs no round trip to the shared counters. By limit too,
    /// like the counters: a limit changed is a fresh start.
    keys_over_limit: Cache<(ApiKeyId, KeyRateLimit), i64>,
}

impl Throttles {
    /// In memory on one node (SQLite); shared by all nodes on PostgreSQL.
    pub(crate) fn new(settings: ThrottleSettings, store: &Store) -> Self {
        match store.backend() {
            Backend::Sqlite => Self::in_memory(settings),
            Backend::Postgres => Self::with(settings, Counters::shared(store.clone()), Some(store.clone())),
        }
    }

    fn in_memory(settings: ThrottleSettings) -> Self {
        let counters = Counters::in_memory(settings.hard_stop + Duration::from_secs(60));
        Self::with(settings, counters, None)
    }

    fn with(settings: ThrottleSettings, counters: Counters, cluster: Option<Store>) -> Self {
        Self {
            counters,
            cluster,
            penalized: failed_auth::per_address_memory(&settings),
            failed_auth_seen: failed_auth::per_address_memory(&settings),
            remembered_until: AtomicI64::new(i64::MIN),
            per_key: settings.key_requests_per_second.map(|rate| RateLimiter::keyed(Quota::per_second(rate))),
            // No wait is longer than a minute (the slowest limit: one request per minute).
            keys_over_limit: Cache::builder().max_capacity(MAX_KEYS_OVER_LIMIT).time_to_live(Duration::from_secs(61)).build(),
            settings,
        }
    }

    pub fn settings(&self) -> &ThrottleSettings {
        &self.settings
    }

    /// One more event of `rate` for `(kind, key)` at `now`: the rate's state after it (its
    /// theoretical arrival time), and how long to wait (ms) if it is over.
    async fn admit(&self, kind: Kind, key: [u8; 16], rate: Rate, now: i64) -> StoreResult<(i64, Result<(), i64>)> {
        self.counters
            .update(kind, key, now, |state| match rate.admit(state.map(|s| s.a), now) {
                Ok(tat) => (Some(LimitState { a: tat, b: 0, expires_ms: tat }), (tat, Ok(()))),
                Err(wait) => (state, (state.map_or(now, |s| s.a), Err(wait))),
            })
            .await
    }

    /// After a key was accepted: the limit its owner gave it — `requests` at once, then one
    /// more every `interval` — for the whole cluster on PostgreSQL. A key made by a limited
    /// key counts in its family's allowance (`family`), and in its own too when that is
    /// stricter. A key with no limit of its own costs nothing here.
    pub async fn admit_key_request(&self, key: ApiKeyId, limit: Option<KeyRateLimit>, family: Option<&LimitFamily>) -> StoreResult<Result<(), RetryAfter>> {
        let Some(limit) = limit else { return Ok(Ok(())) };
        let now = now_ms();
        let family = family.copied().unwrap_or(LimitFamily { root: key, limit });
        let in_family = self.admit_bucket(family.root, family.limit, now).await?;
        if in_family.is_err() || family.limit == limit {
            return Ok(in_family);
        }
        self.admit_bucket(key, limit, now).await
    }

    /// One more request in the bucket of `root`'s allowance under `limit`: refused from
    /// memory while the bucket is known to be over, so a flood over the limit costs no round
    /// trip to the shared counters. By limit too: a limit changed is a fresh start.
    async fn admit_bucket(&self, root: ApiKeyId, limit: KeyRateLimit, now: i64) -> StoreResult<Result<(), RetryAfter>> {
        if let Some(until) = self.keys_over_limit.get(&(root, limit)).filter(|until| *until > now) {
            return Ok(Err(RetryAfter::from_millis(until - now)));
        }
        let rate = Rate { period_ms: i64::from(limit.interval_millis()), burst: limit.requests() };
        let (_, verdict) = self.admit(Kind::KeyRate, keys::KeyLimitKey::of(root, limit).0, rate, now).await?;
        if let Err(wait) = verdict {
            self.keys_over_limit.insert((root, limit), now + wait);
        }
        Ok(verdict.map_err(RetryAfter::from_millis))
    }

    /// After a key was accepted: the server-wide limit every key has, if one is set (per
    /// node).
    pub fn check_key(&self, key: ApiKeyId) -> Result<(), RetryAfter> {
        let Some(limiter) = &self.per_key else { return Ok(()) };
        limiter.check_key(&key).map_err(|denied| RetryAfter(denied.wait_time_from(limiter.clock().now())))
    }

    /// One more call to revoke leaked keys from `ip` (it needs no key, so it is limited
    /// by address alone, on every node).
    pub async fn admit_revoke(&self, ip: IpAddr) -> StoreResult<Result<(), RetryAfter>> {
        let rate = Rate { period_ms: millis(self.settings.revoke_refill_per_ip).max(1), burst: self.settings.revoke_burst_per_ip };
        let (_, verdict) = self.admit(Kind::RevokeAddress, AddressKey::of(ip).0, rate, now_ms()).await?;
        Ok(verdict.map_err(RetryAfter::from_millis))
    }

    /// Before an administrator creates a user: one of the few usernames they may try that
    /// turn out taken, spent now, before the insert — so that tries sent all at once are
    /// counted too — and given back by [`Self::username_was_free`]. Past
    /// [`USERNAME_PROBES`] every user creation of theirs waits: a 409 for a name in another
    /// organization tells that it exists there (usernames are login names for the whole
    /// instance), and this bounds how many names one can learn so.
    pub async fn begin_user_creation(&self, actor: UserId) -> StoreResult<Result<(), RetryAfter>> {
        let (_, verdict) = self.admit(Kind::UsernameConflict, actor.to_bytes(), USERNAME_PROBES, now_ms()).await?;
        Ok(verdict.map_err(RetryAfter::from_millis))
    }

    /// The user was created: the name was free, and its try is given back.
    pub async fn username_was_free(&self, actor: UserId) -> StoreResult<()> {
        let period = USERNAME_PROBES.period_ms;
        let give_back = |state: Option<LimitState>| (state.map(|state| LimitState { a: state.a - period, ..state }), ());
        self.counters.update(Kind::UsernameConflict, actor.to_bytes(), now_ms(), give_back).await
    }

    /// One more key made for `owner`, on every node.
    pub async fn admit_key_creation(&self, owner: UserId) -> StoreResult<Result<(), RetryAfter>> {
        let rate = Rate { period_ms: millis(self.settings.key_creation_refill).max(1), burst: self.settings.key_creation_burst };
        let (_, verdict) = self.admit(Kind::KeyCreation, owner.to_bytes(), rate, now_ms()).await?;
        Ok(verdict.map_err(RetryAfter::from_millis))
    }

    /// Forgets limiter state that no longer matters (called now and then).
    pub async fn housekeeping(&self) -> StoreResult<()> {
        if let Some(limiter) = &self.per_key {
            limiter.retain_recent();
        }
        self.counters.housekeeping(now_ms()).await
    }
}

#[cfg(test)]
mod tests;
