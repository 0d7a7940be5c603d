//! The arithmetic of the limits, apart from where their state is kept: pure functions of
//! the state and the time (Unix milliseconds), so they are tested without waiting.

/// A rate: `burst` events at once, then one per `period_ms` (GCRA). Its state is the
/// *theoretical arrival time*: when the allowance would be fully used.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rate {
    pub period_ms: i64,
    pub burst: u32,
}

impl Rate {
    /// One more event at `now`: the new state, or how long to wait (ms).
    pub fn admit(self, tat: Option<i64>, now: i64) -> Result<i64, i64> {
        let tat = tat.unwrap_or(now).max(now);
        let tolerance = self.period_ms * i64::from(self.burst.max(1) - 1);
        let allowed_from = tat - tolerance;
        if allowed_from <= now {
            Ok(tat + self.period_ms)
        } else {
            Err(allowed_from - now)
        }
    }
}

/// The growing delay for one account from one address: nothing for the first `free`
/// failures in a row, then 1 s, 2 s, 4 s… up to `max_ms`.
pub(crate) fn delay_after(failures: u32, free: u32, max_ms: i64) -> i64 {
    let Some(over) = failures.checked_sub(free) else { return 0 };
    let doubled = 1_000_i64.saturating_mul(1 << over.min(20));
    doubled.min(max_ms)
}

/// Whether an account with `failures` failures in a row, the last at `last_failure`, is
/// stopped at `now`: from the `limit`-th failure until `hard_stop_ms` after the last one.
/// Only real failures move `last_failure`: attempts refused while stopped do not, so the
/// stop ends on time whatever a guesser keeps sending.
pub(crate) fn is_stopped(failures: i64, last_failure: i64, limit: u32, hard_stop_ms: i64, now: i64) -> bool {
    failures >= i64::from(limit) && now < last_failure + hard_stop_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_allows_its_burst_then_one_per_period() {
        let rate = Rate { period_ms: 3_000, burst: 3 };
        let mut tat = None;
        for _ in 0..3 {
            tat = Some(rate.admit(tat, 0).expect("within the burst"));
        }
        assert_eq!(rate.admit(tat, 0), Err(3_000));
        assert_eq!(rate.admit(tat, 2_999), Err(1));
        let after = rate.admit(tat, 3_000).expect("one period later");
        assert_eq!(rate.admit(Some(after), 3_000), Err(3_000));
        // Long quiet: the whole burst again.
        let mut tat = Some(after);
        for _ in 0..3 {
            tat = Some(rate.admit(tat, 60_000).expect("refilled"));
        }
    }

    #[test]
    fn the_delay_doubles_after_the_free_failures() {
        let delays: Vec<i64> = (1..=7).map(|n| delay_after(n, 3, 60_000)).collect();
        assert_eq!(delays, [0, 0, 1_000, 2_000, 4_000, 8_000, 16_000]);
        assert_eq!(delay_after(40, 3, 60_000), 60_000);
    }

    #[test]
    fn the_hard_stop_ends_an_hour_after_the_last_real_failure() {
        let hour = 3_600_000;
        assert!(!is_stopped(99, 0, 100, hour, 1));
        assert!(is_stopped(100, 0, 100, hour, 1));
        assert!(is_stopped(100, 0, 100, hour, hour - 1));
        assert!(!is_stopped(100, 0, 100, hour, hour));
    }
}
