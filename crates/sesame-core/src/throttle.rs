//! Limits against guessing and floods, kept in memory on each node.
//!
//! - **Failed API authentications per client IP** (governor, GCRA): an IP that keeps
//!   presenting bad keys is answered 429 for a while — every request with a key, good or
//!   bad, so that guessing cannot go on under the limit. Other IPs are not affected.
//! - **Logins per client IP** (governor): a cap on attempts from one address.
//! - **A growing delay per account and IP**: after a few consecutive failures, the next
//!   attempt from that IP for that account must wait 1 s, then 2 s, 4 s… up to a minute. It
//!   is keyed by IP too, so an attacker elsewhere does not slow the real user down.
//! - **A hard stop per account** after 100 consecutive failures (NIST SP 800-63B's bound),
//!   for an hour after the last failure — except from addresses the account has recently
//!   logged in from, so a guessing campaign cannot lock the real user out.
//! - **An optional request limit per key** (governor).
//!
//! Unknown usernames are throttled exactly like real ones: the answers never tell whether
//! an account exists.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    time::{Duration, Instant},
};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use moka::sync::Cache;

use crate::model::ApiKeyId;

/// How long to wait before trying again (rounded up to whole seconds on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    pub fn seconds(self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }
}

/// The limits; `Default` is what `sesame serve` uses unless told otherwise.
#[derive(Debug, Clone)]
pub struct ThrottleSettings {
    /// Failed API authentications one IP may make in a burst…
    pub failed_auth_burst: u32,
    /// …and how fast that allowance comes back (one failure per this).
    pub failed_auth_refill: Duration,
    pub login_burst_per_ip: u32,
    pub login_refill_per_ip: Duration,
    /// Consecutive failures (per account and IP) before the delay starts.
    pub free_login_failures: u32,
    pub max_login_delay: Duration,
    /// Consecutive failures per account before the hard stop.
    pub account_failure_limit: u32,
    pub hard_stop: Duration,
    /// Requests per second allowed to one key; `None`: no limit.
    pub key_requests_per_second: Option<NonZeroU32>,
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
        }
    }
}

/// Entries kept at most per table: enough for a large attack, bounded memory.
const MAX_TRACKED: u64 = 100_000;

#[derive(Debug, Clone, Copy)]
struct Backoff {
    failures: u32,
    not_before: Instant,
}

pub struct Throttles {
    settings: ThrottleSettings,
    failed_auth: DefaultKeyedRateLimiter<IpAddr>,
    /// IPs over the failed-authentication limit, and until when.
    penalized: Cache<IpAddr, Instant>,
    logins_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    backoff: Cache<(String, IpAddr), Backoff>,
    account_failures: Cache<String, u32>,
    /// Where each account logged in from lately: exempt from its hard stop.
    known_addresses: Cache<(String, IpAddr), ()>,
    per_key: Option<DefaultKeyedRateLimiter<ApiKeyId>>,
}

/// How long an address an account logged in from stays exempt from its hard stop.
const KNOWN_ADDRESS_MEMORY: Duration = Duration::from_secs(30 * 24 * 3600);

/// A bounded table whose entries go once unused for `idle`.
fn bounded<K, V>(idle: Duration) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder().max_capacity(MAX_TRACKED).time_to_idle(idle).build()
}

fn quota(burst: u32, refill: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(refill.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// Usernames match case-insensitively, so their throttles do too.
fn account(username: &str) -> String {
    username.trim().to_lowercase()
}

impl Throttles {
    pub fn new(settings: ThrottleSettings) -> Self {
        Self {
            failed_auth: RateLimiter::keyed(quota(settings.failed_auth_burst, settings.failed_auth_refill)),
            penalized: Cache::builder()
                .max_capacity(MAX_TRACKED)
                .time_to_live(settings.failed_auth_refill * settings.failed_auth_burst.max(1))
                .build(),
            logins_per_ip: RateLimiter::keyed(quota(settings.login_burst_per_ip, settings.login_refill_per_ip)),
            backoff: bounded(settings.hard_stop),
            account_failures: bounded(settings.hard_stop),
            known_addresses: bounded(KNOWN_ADDRESS_MEMORY),
            per_key: settings
                .key_requests_per_second
                .map(|rate| RateLimiter::keyed(Quota::per_second(rate))),
            settings,
        }
    }

    pub fn settings(&self) -> &ThrottleSettings {
        &self.settings
    }

    /// Before verifying a key: is this IP being made to wait?
    pub fn check_api_client(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        match self.penalized.get(&ip) {
            Some(until) => match until.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Err(RetryAfter(left)),
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    /// After a key was refused. Over the limit, the IP waits (see `check_api_client`).
    pub fn api_authentication_failed(&self, ip: IpAddr) -> Option<RetryAfter> {
        let denied = self.failed_auth.check_key(&ip).err()?;
        let wait = denied.wait_time_from(self.failed_auth.clock().now());
        self.penalized.insert(ip, Instant::now() + wait);
        Some(RetryAfter(wait))
    }

    /// After a key was accepted: its own request limit, if one is set.
    pub fn check_key(&self, key: ApiKeyId) -> Result<(), RetryAfter> {
        let Some(limiter) = &self.per_key else { return Ok(()) };
        limiter
            .check_key(&key)
            .map_err(|denied| RetryAfter(denied.wait_time_from(limiter.clock().now())))
    }

    /// Before checking a password. Counts as an attempt from `ip`.
    pub fn check_login(&self, username: &str, ip: IpAddr) -> Result<(), RetryAfter> {
        let account = account(username);
        if let Some(backoff) = self.backoff.get(&(account.clone(), ip)) {
            if let Some(left) = backoff.not_before.checked_duration_since(Instant::now()) {
                if !left.is_zero() {
                    return Err(RetryAfter(left));
                }
            }
        }
        let failures = self.account_failures.get(&account).unwrap_or(0);
        if failures >= self.settings.account_failure_limit
            && !self.known_addresses.contains_key(&(account, ip))
        {
            return Err(RetryAfter(self.settings.hard_stop));
        }
        self.logins_per_ip
            .check_key(&ip)
            .map_err(|denied| RetryAfter(denied.wait_time_from(self.logins_per_ip.clock().now())))
    }

    pub fn login_failed(&self, username: &str, ip: IpAddr) {
        let account = account(username);
        let key = (account.clone(), ip);
        let failures = self.backoff.get(&key).map_or(0, |b| b.failures) + 1;
        let delay = self.delay_after(failures);
        self.backoff.insert(key, Backoff { failures, not_before: Instant::now() + delay });
        let total = self.account_failures.get(&account).unwrap_or(0).saturating_add(1);
        self.account_failures.insert(account, total);
    }

    pub fn login_succeeded(&self, username: &str, ip: IpAddr) {
        let account = account(username);
        self.backoff.invalidate(&(account.clone(), ip));
        self.account_failures.invalidate(&account);
        self.known_addresses.insert((account, ip), ());
    }

    /// The wait after `failures` consecutive failures: none for the first few, then
    /// doubling from one second, capped.
    fn delay_after(&self, failures: u32) -> Duration {
        let Some(over) = failures.checked_sub(self.settings.free_login_failures) else {
            return Duration::ZERO;
        };
        let doubled = Duration::from_secs(1).saturating_mul(1u32 << over.min(20));
        doubled.min(self.settings.max_login_delay)
    }

    /// Forgets limiter state that no longer matters (called now and then).
    pub fn housekeeping(&self) {
        self.failed_auth.retain_recent();
        self.logins_per_ip.retain_recent();
        if let Some(limiter) = &self.per_key {
            limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    fn throttles() -> Throttles {
        Throttles::new(ThrottleSettings { failed_auth_burst: 3, login_burst_per_ip: 1000, ..Default::default() })
    }

    #[test]
    fn bad_keys_from_one_ip_make_that_ip_wait_and_no_other() {
        let t = throttles();
        for _ in 0..3 {
            assert_eq!(t.api_authentication_failed(ip(1)), None);
        }
        assert!(t.check_api_client(ip(1)).is_ok());
        let wait = t.api_authentication_failed(ip(1)).expect("over the limit");
        assert!(wait.seconds() >= 1);
        assert!(t.check_api_client(ip(1)).is_err());
        assert!(t.check_api_client(ip(2)).is_ok());
    }

    #[test]
    fn the_login_delay_grows_per_account_and_ip() {
        let t = throttles();
        let delays: Vec<u64> = (1..=7).map(|n| t.delay_after(n).as_secs()).collect();
        assert_eq!(delays, [0, 0, 1, 2, 4, 8, 16]);
        assert_eq!(t.delay_after(40), t.settings.max_login_delay);

        for _ in 0..3 {
            assert!(t.check_login("Alice", ip(1)).is_ok());
            t.login_failed("Alice", ip(1));
        }
        t.login_failed("alice", ip(1));
        assert!(t.check_login("ALICE", ip(1)).is_err(), "same account, same IP: wait");
        assert!(t.check_login("alice", ip(2)).is_ok(), "the real user elsewhere is not slowed");
        assert!(t.check_login("bob", ip(1)).is_ok(), "another account from that IP is not slowed");
    }

    #[test]
    fn the_hard_stop_spares_addresses_the_account_knows() {
        let t = Throttles::new(ThrottleSettings { account_failure_limit: 5, login_burst_per_ip: 1000, ..Default::default() });
        t.login_succeeded("alice", ip(9));
        for n in 0..5 {
            t.login_failed("alice", ip(100 + n));
        }
        assert!(t.check_login("alice", ip(50)).is_err(), "stopped for new addresses");
        assert!(t.check_login("alice", ip(9)).is_ok(), "not for the one she uses");
        t.login_succeeded("alice", ip(9));
        assert!(t.check_login("alice", ip(50)).is_ok(), "a success resets the count");
    }

    #[test]
    fn per_key_limits_apply_only_when_set() {
        let key = ApiKeyId::new_random();
        assert!((0..100).all(|_| throttles().check_key(key).is_ok()));
        let limited = Throttles::new(ThrottleSettings { key_requests_per_second: NonZeroU32::new(2), ..Default::default() });
        let results: Vec<bool> = (0..3).map(|_| limited.check_key(key).is_ok()).collect();
        assert_eq!(results, [true, true, false]);
    }
}
