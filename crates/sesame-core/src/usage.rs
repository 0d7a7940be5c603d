//! What each key did: requests per hour, by outcome — accepted, refused for a permission its
//! scopes (or its owner's role) lack, refused for the address it came from, or over a rate
//! limit.
//!
//! Counted in memory on the request's path (a lock and a map entry, no write) and added to
//! the `api_key_usage` table in batches by the writer that writes last use, in the same
//! tick; at a graceful shutdown the last batch is written too. Hours older than
//! [`USAGE_KEPT`] are purged. Counts are deltas: a request first counted as accepted and
//! then refused for its scopes (or role) moves from one column to the other in the hour it
//! was counted in, even if that hour was written meanwhile.

use chrono::{DateTime, TimeDelta, Utc};

pub use sesame_model::Granularity;

pub use crate::store::usage::{hour_of, Counts, Outcome, UsageBuffer};
use crate::store::usage::HOUR_MS;
use crate::{
    model::ApiKeyId,
    store::{self, from_millis, Store, StoreError},
};

/// How long hours of usage are kept.
pub const USAGE_KEPT: TimeDelta = TimeDelta::days(90);

/// Adds every pending count in one transaction; on failure they are put back (added to
/// what was counted meanwhile) for the next batch.
pub(crate) async fn flush(store: &Store) -> Result<usize, StoreError> {
    let mut batch = InFlight { store, batch: store.usage().take() };
    if batch.batch.is_empty() {
        return Ok(0);
    }
    // Rows locked in one order by every writer: two batches never deadlock.
    batch.batch.sort_by_key(|(at, _)| *at);
    write_batch(store, &batch.batch).await?;
    Ok(std::mem::take(&mut batch.batch).len())
}

/// A batch being written: put back unless it was written — also when the write is dropped
/// half-way (the writer stopped at shutdown), so the last flush still has it.
struct InFlight<'a> {
    store: &'a Store,
    batch: Vec<((ApiKeyId, i64), Counts)>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.batch.is_empty() {
            self.store.usage().put_back(std::mem::take(&mut self.batch));
        }
    }
}

async fn write_batch(store: &Store, batch: &[((ApiKeyId, i64), Counts)]) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    for ((key, hour), counts) in batch {
        store::usage::add(tx.conn(), *key, *hour, *counts).await?;
    }
    tx.commit().await
}

/// One bucket of `granularity`, in ms.
fn step_millis(granularity: Granularity) -> i64 {
    match granularity {
        Granularity::Hour => HOUR_MS,
        Granularity::Day => 24 * HOUR_MS,
    }
}

/// The longest series one request may ask for: a month of hours, or every day kept.
pub fn longest(granularity: Granularity) -> TimeDelta {
    match granularity {
        Granularity::Hour => TimeDelta::days(31),
        Granularity::Day => USAGE_KEPT,
    }
}

/// A key's usage over `[from, to)`, one bucket per hour or day, empty ones included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageSeries {
    pub granularity: Granularity,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub buckets: Vec<(DateTime<Utc>, Counts)>,
}

impl UsageSeries {
    pub fn totals(&self) -> Counts {
        let mut totals = Counts::default();
        for (_, counts) in &self.buckets {
            totals.add(*counts);
        }
        totals
    }
}

/// `[from, to)` widened to whole buckets of `granularity`, in Unix ms: what to read, so the
/// first and last buckets hold all their hours (empty if `to` is not after `from`).
pub(crate) fn whole_buckets(granularity: Granularity, from: DateTime<Utc>, to: DateTime<Utc>) -> (i64, i64) {
    let step = step_millis(granularity);
    let start = from.timestamp_millis().div_euclid(step) * step;
    // A range that does not start before it ends covers nothing.
    let end = if to > from { (to.timestamp_millis() + step - 1).div_euclid(step) * step } else { start };
    (start, end)
}

/// The buckets of `granularity` covering `[from, to)` (see [`whole_buckets`]), filled from
/// `hours` (Unix ms).
pub(crate) fn series(granularity: Granularity, from: DateTime<Utc>, to: DateTime<Utc>, hours: &[(i64, Counts)]) -> UsageSeries {
    let step = step_millis(granularity);
    let (start, end) = whole_buckets(granularity, from, to);
    let mut buckets: Vec<(DateTime<Utc>, Counts)> =
        (0..(end - start) / step).map(|n| (from_millis(start + n * step), Counts::default())).collect();
    for (hour, counts) in hours {
        let at = usize::try_from((hour - start).div_euclid(step)).ok();
        if let Some(bucket) = at.and_then(|at| buckets.get_mut(at)) {
            bucket.1.add(*counts);
        }
    }
    UsageSeries { granularity, from: from_millis(start), to: from_millis(end), buckets }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_request_refused_for_its_scopes_moves_from_accepted_to_out_of_scope() {
        let buffer = UsageBuffer::default();
        let key = ApiKeyId::new_random();
        let hour = hour_of(at("2026-11-29T10:59:59Z"));
        assert_eq!(hour, at("2026-11-29T10:00:00Z").timestamp_millis());
        buffer.count(key, hour, Outcome::Accepted);
        buffer.count(key, hour, Outcome::Accepted);
        buffer.refused_for_scope(key, hour);
        buffer.count(key, hour, Outcome::Throttled);
        assert_eq!(buffer.take(), [((key, hour), Counts([1, 1, 0, 1]))]);
    }

    #[test]
    fn a_series_has_every_bucket_and_adds_hours_into_days() {
        let hours = [
            (at("2026-11-27T23:00:00Z").timestamp_millis(), Counts([2, 0, 0, 0])),
            (at("2026-11-28T00:00:00Z").timestamp_millis(), Counts([1, 1, 0, 0])),
            (at("2026-11-28T13:00:00Z").timestamp_millis(), Counts([0, 0, 3, 4])),
        ];
        let days = series(Granularity::Day, at("2026-11-27T12:00:00Z"), at("2026-11-29T12:00:00Z"), &hours);
        assert_eq!(days.from, at("2026-11-27T00:00:00Z"));
        assert_eq!(days.to, at("2026-11-30T00:00:00Z"));
        let counts: Vec<Counts> = days.buckets.iter().map(|(_, counts)| *counts).collect();
        assert_eq!(counts, [Counts([2, 0, 0, 0]), Counts([1, 1, 3, 4]), Counts::default()]);
        assert_eq!(days.totals().total(), 11);
        let hourly = series(Granularity::Hour, at("2026-11-28T00:30:00Z"), at("2026-11-28T02:00:00Z"), &hours[1..2]);
        assert_eq!(hourly.buckets.len(), 2);
        assert_eq!(hourly.buckets[0].1, Counts([1, 1, 0, 0]));
    }
}
