//! Failed API authentications per client address: an address that keeps presenting bad
//! keys waits, on every node, and the `RateLimit` fields tell each client where it stands.

use std::{net::IpAddr, sync::atomic::Ordering};

use moka::sync::Cache;

use super::{counters::Kind, keys::AddressKey, millis, now_ms, rules::Rate, seconds_until, RetryAfter, ThrottleSettings, Throttles, MAX_PENALIZED};
use crate::store::StoreResult;

/// Where an address stands with the failed-authentication limit, as `RateLimit` headers
/// tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedAuthStatus {
    /// Failed authentications the address may still make now.
    pub remaining: u32,
    /// Seconds until the whole allowance is back.
    pub reset_seconds: u64,
}

/// The failed-authentication limit: `quota` failures per `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedAuthPolicy {
    pub quota: u32,
    pub window_seconds: u64,
}

/// A bounded per-address memory whose entries last as long as the failed-authentication
/// allowance takes to come back whole.
pub(super) fn per_address_memory(settings: &ThrottleSettings) -> Cache<[u8; 16], i64> {
    Cache::builder()
        .max_capacity(MAX_PENALIZED)
        .time_to_live(settings.failed_auth_refill * settings.failed_auth_burst.max(1))
        .build()
}

impl Throttles {
    fn failed_auth_rate(&self) -> Rate {
        Rate { period_ms: millis(self.settings.failed_auth_refill).max(1), burst: self.settings.failed_auth_burst }
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
    pub(super) fn nothing_remembered(&self, now: i64) -> bool {
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
}
