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
pub(crate) mod keys;
mod rules;

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use moka::sync::Cache;

pub use keys::{AccountKey, AddressKey};
use counters::{Counters, Kind};
use keys::PairKey;
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

/// Where an address stands with the failed-authentication limit, as `RateLimit` headers
/// tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedAuthStatus {
    /// Failed authentications the address may still make now.
    pub remaining: u32,
    /// Seconds until the whole allowance is back.
    pub reset_seconds: u64,
}

/// Whether `failures` in a row for one account from one address impose a wait before the
/// next attempt.
fn owes_a_delay(failures: i64, free: u32, max_delay: i64) -> bool {
    rules::delay_after(u32::try_from(failures).unwrap_or(u32::MAX), free, max_delay) > 0
}

/// The failed-authentication limit: `quota` failures per `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedAuthPolicy {
    pub quota: u32,
    pub window_seconds: u64,
}

/// A bounded per-address memory whose entries last as long as the failed-authentication
/// allowance takes to come back whole.
fn per_address_memory(settings: &ThrottleSettings) -> Cache<[u8; 16], i64> {
    Cache::builder()
        .max_capacity(MAX_PENALIZED)
        .time_to_live(settings.failed_auth_refill * settings.failed_auth_burst.max(1))
        .build()
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
            penalized: per_address_memory(&settings),
            failed_auth_seen: per_address_memory(&settings),
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

    fn failed_auth_rate(&self) -> Rate {
        Rate { period_ms: millis(self.settings.failed_auth_refill).max(1), burst: self.settings.failed_auth_burst }
    }

    fn login_rate(&self) -> Rate {
        Rate { period_ms: millis(self.settings.login_refill_per_ip).max(1), burst: self.settings.login_burst_per_ip }
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

    /// Before verifying a key: is this address being made to wait? From memory only.
    pub fn check_api_client(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        let now = now_ms();
        if self.nothing_remembered(now) {
            return Ok(());
        }
        match self.penalized.get(&AddressKey::of(ip).0) {
            Some(until) if until > now => Err(RetryAfter::from_millis(until - now)),
            _ => Ok(()),
        }
    }

    /// Whether no address is penalized or owes any of its allowance at `now`.
    fn nothing_remembered(&self, now: i64) -> bool {
        now >= self.remembered_until.load(Ordering::Acquire)
    }

    /// After a key was refused. Over the limit, the address waits (see
    /// `check_api_client`), on every node.
    pub async fn api_authentication_failed(&self, ip: IpAddr) -> StoreResult<Option<RetryAfter>> {
        let address = AddressKey::of(ip).0;
        let rate = self.failed_auth_rate();
        let now = now_ms();
        let (tat, verdict) = self.admit(Kind::FailedAuth, address, rate, now).await?;
        let penalized_until = verdict.err().map(|wait| now + wait);
        self.seen_failure(address, tat, penalized_until);
        if let Some(store) = &self.cluster {
            store.announce_failed_auth(&hex::encode(address), tat, penalized_until.unwrap_or(0)).await?;
        }
        Ok(penalized_until.map(|until| RetryAfter::from_millis(until - now)))
    }

    /// Notes an address's failed-authentication state (`tat`) and, if it is over the limit,
    /// until when it is refused — from this node's own failures or another node's
    /// announcement.
    pub(crate) fn seen_failure(&self, address: [u8; 16], tat: i64, penalized_until: Option<i64>) {
        let later = |cache: &Cache<[u8; 16], i64>, value: i64| {
            let latest = cache.get(&address).map_or(value, |known| known.max(value));
            cache.insert(address, latest);
        };
        // Raised before the entries are written: a reader that sees an entry sees this too.
        self.remembered_until.fetch_max(tat.max(penalized_until.unwrap_or(i64::MIN)), Ordering::AcqRel);
        later(&self.failed_auth_seen, tat);
        if let Some(until) = penalized_until {
            later(&self.penalized, until);
        }
    }

    /// How the failed-authentication limit stands for `ip`, as this node knows it (exact on
    /// one node; across nodes, as announced). From memory only.
    pub fn failed_auth_status(&self, ip: IpAddr) -> FailedAuthStatus {
        let now = now_ms();
        let burst = self.settings.failed_auth_burst.max(1);
        if self.nothing_remembered(now) {
            return FailedAuthStatus { remaining: burst, reset_seconds: 0 };
        }
        let address = AddressKey::of(ip).0;
        if let Some(until) = self.penalized.get(&address).filter(|until| *until > now) {
            return FailedAuthStatus { remaining: 0, reset_seconds: seconds_until(until - now) };
        }
        let owed = self.failed_auth_seen.get(&address).map_or(0, |tat| (tat - now).max(0));
        let period = self.failed_auth_rate().period_ms;
        let used = u32::try_from((owed + period - 1) / period).unwrap_or(u32::MAX).min(burst);
        FailedAuthStatus { remaining: burst - used, reset_seconds: seconds_until(owed) }
    }

    /// The failed-authentication limit: a quota of `burst` failures per window of this many
    /// seconds.
    pub fn failed_auth_window_seconds(&self) -> u64 {
        seconds_until(self.failed_auth_rate().period_ms * i64::from(self.settings.failed_auth_burst.max(1)))
    }

    /// The failed-authentication limit as the `RateLimit-Policy` header states it.
    pub fn failed_auth_policy(&self) -> FailedAuthPolicy {
        FailedAuthPolicy { quota: self.settings.failed_auth_burst.max(1), window_seconds: self.failed_auth_window_seconds() }
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

    /// A password about to be checked for `account` from `ip` (at login, or the current
    /// password of a password change). Refused if the address is over its login rate, if
    /// the account must wait from this address, or if the account is stopped — unless
    /// `known_device`: the request comes from a browser the account logged in from, which
    /// the hard stop spares. Otherwise the attempt is counted as a failure at once, and
    /// [`Self::password_accepted`] forgives it: counted *before* the check, so guesses
    /// sent all together cannot pass while the first ones are still being checked.
    ///
    /// In that order, so that an address over its rate counts nothing against accounts.
    pub async fn begin_password_attempt(
        &self,
        account: AccountKey,
        ip: IpAddr,
        known_device: bool,
    ) -> StoreResult<Result<(), RetryAfter>> {
        let now = now_ms();
        let address = AddressKey::of(ip);
        if let (_, Err(wait)) = self.admit(Kind::LoginAddress, address.0, self.login_rate(), now).await? {
            return Ok(Err(RetryAfter::from_millis(wait)));
        }
        let hard_stop = millis(self.settings.hard_stop);
        let (free, max_delay) = (self.settings.free_login_failures, millis(self.settings.max_login_delay));
        let from_address = self
            .counters
            .update(Kind::LoginBackoff, PairKey::of(account, address).0, now, |state| match state {
                // Only a real delay makes the next attempt wait. Within the free failures
                // `b` is merely the clock of the last attempt, and attempts sent together
                // read the clock before taking their turn: one that read it a moment
                // earlier must not be refused for that (it was, on PostgreSQL, under load).
                Some(waiting) if owes_a_delay(waiting.a, free, max_delay) && waiting.b > now => {
                    (Some(waiting), Err(RetryAfter::from_millis(waiting.b - now)))
                }
                state => {
                    let failures = state.map_or(0, |s| s.a) + 1;
                    let not_before = now + rules::delay_after(u32::try_from(failures).unwrap_or(u32::MAX), free, max_delay);
                    (Some(LimitState { a: failures, b: not_before, expires_ms: now + hard_stop }), Ok(()))
                }
            })
            .await?;
        if from_address.is_err() {
            return Ok(from_address);
        }
        let limit = self.settings.account_failure_limit;
        self.counters
            .update(Kind::Account, account.0, now, |state| match state {
                Some(stopped) if !known_device && rules::is_stopped(stopped.a, stopped.b, limit, hard_stop, now) => {
                    (Some(stopped), Err(RetryAfter::from_millis(stopped.b + hard_stop - now)))
                }
                state => {
                    let failures = state.map_or(0, |s| s.a).saturating_add(1);
                    (Some(LimitState { a: failures, b: now, expires_ms: now + hard_stop }), Ok(()))
                }
            })
            .await
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

    /// The right password for `account` from `ip`: its failures are forgiven, this
    /// attempt's included.
    pub async fn password_accepted(&self, account: AccountKey, ip: IpAddr) -> StoreResult<()> {
        self.counters.forget(Kind::LoginBackoff, PairKey::of(account, AddressKey::of(ip)).0).await?;
        self.counters.forget(Kind::Account, account.0).await
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
