//! The time that decides whether a key has expired. The system clock in production; with
//! the `testing` feature, a clock the tests move, so "refused from the millisecond of
//! `expiresAt`" is tested exactly, without sleeping.

use std::{
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::{SystemTime, UNIX_EPOCH},
};

use chrono::{DateTime, Utc};

/// `stopped_at` while the clock follows the system's time.
const RUNNING: i64 = i64::MIN;

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// An adjustable clock's stopped time in Unix milliseconds, or [`RUNNING`]; none in
    /// production.
    stopped_at: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, to the millisecond the store keeps (so what is written equals what is read back).
    pub fn now(&self) -> DateTime<Utc> {
        let stopped = self.stopped_at.as_ref().map_or(RUNNING, |at| at.load(Ordering::Relaxed));
        let millis = if stopped == RUNNING { system_millis() } else { stopped };
        DateTime::from_timestamp_millis(millis).unwrap_or_default()
    }
}

/// The system's time in Unix milliseconds. Read as a plain count rather than through
/// `Utc::now()`: every API request reads the clock, and a chrono date built only to be
/// truncated to milliseconds and built again showed in its profile.
pub(crate) fn system_millis() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        // A clock set before 1970: as far before it, truncated toward the past like chrono.
        Err(before) => -i64::try_from(before.duration().as_nanos().div_ceil(1_000_000)).unwrap_or(i64::MAX),
    }
}

#[cfg(feature = "testing")]
impl Clock {
    /// A clock that follows the system's time until a test moves it; from then on it stands
    /// still where it was put (so a test can stand one millisecond before an expiry), until
    /// moved again. Every copy moves together: the nodes of a test cluster share one time.
    pub fn adjustable() -> Self {
        Self { stopped_at: Some(Arc::new(AtomicI64::new(RUNNING))) }
    }

    /// Stops the clock at `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        let stopped_at = self.stopped_at.as_ref().expect("only an adjustable clock moves");
        stopped_at.store(at.timestamp_millis(), Ordering::Relaxed);
    }

    /// Lets the clock follow the system's time again.
    pub fn resume(&self) {
        let stopped_at = self.stopped_at.as_ref().expect("only an adjustable clock moves");
        stopped_at.store(RUNNING, Ordering::Relaxed);
    }

    /// Stops the clock `by` after where it reads now.
    pub fn advance(&self, by: chrono::TimeDelta) {
        self.set(self.now() + by);
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn an_adjustable_clock_stands_where_it_is_put_and_all_its_copies_with_it() {
        let clock = Clock::adjustable();
        let copy = clock.clone();
        assert!((clock.now() - Utc::now()).num_milliseconds().abs() < 1_000, "follows the system at first");
        let target = clock.now() + TimeDelta::days(30);
        clock.set(target);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(copy.now(), target);
        clock.advance(TimeDelta::milliseconds(1));
        assert_eq!(copy.now(), target + TimeDelta::milliseconds(1));
        assert!((Clock::system().now() - Utc::now()).num_milliseconds().abs() < 1_000);
    }

    #[test]
    fn the_system_clock_reads_the_same_millisecond_as_chrono() {
        // Read between two chrono readings, truncated like them to the millisecond.
        let before = Utc::now().timestamp_millis();
        let now = Clock::system().now().timestamp_millis();
        let after = Utc::now().timestamp_millis();
        assert!(before <= now && now <= after, "{before} <= {now} <= {after}");
    }
}
