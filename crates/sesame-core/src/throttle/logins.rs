//! Password attempts, at login and in a password change: a cap per address, a growing
//! delay per account and address, and a hard stop per account (see the module above).

use std::net::IpAddr;

use super::{counters::Kind, keys::{AccountKey, AddressKey, PairKey}, millis, now_ms, rules::{self, Rate}, RetryAfter, Throttles};
use crate::store::{throttles::LimitState, StoreResult};

/// Whether `failures` in a row for one account from one address impose a wait before the
/// next attempt.
fn owes_a_delay(failures: i64, free: u32, max_delay: i64) -> bool {
    rules::delay_after(u32::try_from(failures).unwrap_or(u32::MAX), free, max_delay) > 0
}

impl Throttles {
    fn login_rate(&self) -> Rate {
        Rate { period_ms: millis(self.settings.login_refill_per_ip).max(1), burst: self.settings.login_burst_per_ip }
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

    /// The right password for `account` from `ip`: its failures are forgiven, this
    /// attempt's included.
    pub async fn password_accepted(&self, account: AccountKey, ip: IpAddr) -> StoreResult<()> {
        self.counters.forget(Kind::LoginBackoff, PairKey::of(account, AddressKey::of(ip)).0).await?;
        self.counters.forget(Kind::Account, account.0).await
    }
}
