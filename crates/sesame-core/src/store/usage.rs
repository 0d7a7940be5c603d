//! The `api_key_usage` table: requests per key, hour and outcome — and the counts waiting
//! in memory to be added to it (the store holds them, so every use case that decides an
//! outcome can count it; `crate::usage` writes and reads them).

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::StoreResult;
use crate::model::{ApiKeyId, UserId};

/// An hour, in ms.
pub(crate) const HOUR_MS: i64 = 3_600_000;

/// Distinct (key, hour) pairs waiting to be written, at most.
const MAX_PENDING: usize = 100_000;

/// What became of one request made with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Accepted,
    /// Refused for what it may not do: a permission its scopes lack (403
    /// `insufficient_scope`), or a key wider than itself (`scope_exceeds_key`,
    /// `restriction_exceeds_key`).
    OutOfScope,
    /// Refused: its allow-list does not cover the address (403 `address_not_allowed`).
    AddressNotAllowed,
    /// Refused: over its own limit, or the server's limit per key (429).
    Throttled,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [Outcome::Accepted, Outcome::OutOfScope, Outcome::AddressNotAllowed, Outcome::Throttled];

    fn index(self) -> usize {
        self as usize
    }
}

/// Requests per outcome, in [`Outcome::ALL`]'s order. Signed: pending counts are deltas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts(pub [i64; 4]);

impl Counts {
    pub fn of(self, outcome: Outcome) -> u64 {
        u64::try_from(self.0[outcome.index()]).unwrap_or(0)
    }

    pub fn total(self) -> u64 {
        Outcome::ALL.iter().map(|outcome| self.of(*outcome)).sum()
    }

    pub(crate) fn add(&mut self, other: Counts) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }
}

/// The start of the hour `at` falls in, in Unix ms.
pub fn hour_of(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis().div_euclid(HOUR_MS) * HOUR_MS
}

/// Usage counted in memory, waiting for the next batch.
#[derive(Debug, Default)]
pub struct UsageBuffer {
    pending: Mutex<HashMap<(ApiKeyId, i64), Counts>>,
    /// Counts dropped while the buffer was full.
    pub dropped: AtomicU64,
}

impl UsageBuffer {
    /// One more request with `key` in `hour` ([`hour_of`]).
    pub(crate) fn count(&self, key: ApiKeyId, hour: i64, outcome: Outcome) {
        let mut delta = Counts::default();
        delta.0[outcome.index()] = 1;
        self.add(key, hour, delta);
    }

    /// A request counted as accepted in `hour` was refused for its scopes (or its owner's
    /// role) after all.
    pub(crate) fn refused_for_scope(&self, key: ApiKeyId, hour: i64) {
        let mut delta = Counts::default();
        delta.0[Outcome::Accepted.index()] = -1;
        delta.0[Outcome::OutOfScope.index()] = 1;
        self.add(key, hour, delta);
    }

    fn add(&self, key: ApiKeyId, hour: i64, delta: Counts) {
        let mut pending = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(counts) = pending.get_mut(&(key, hour)) {
            counts.add(delta);
            return;
        }
        if pending.len() >= MAX_PENDING {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        pending.insert((key, hour), delta);
    }

    pub fn pending(&self) -> usize {
        self.pending.lock().map(|pending| pending.len()).unwrap_or_default()
    }

    /// Everything pending, for a batch.
    pub(crate) fn take(&self) -> Vec<((ApiKeyId, i64), Counts)> {
        let mut pending = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::take(&mut *pending).into_iter().collect()
    }

    /// A batch that could not be written, added to what was counted meanwhile.
    pub(crate) fn put_back(&self, batch: Vec<((ApiKeyId, i64), Counts)>) {
        for ((key, hour), counts) in batch {
            self.add(key, hour, counts);
        }
    }
}


/// Adds `counts` to `key_id`'s `hour` (Unix ms). A key deleted meanwhile is skipped: its
/// rows went with it.
pub(crate) async fn add(conn: &mut AnyConnection, key_id: ApiKeyId, hour: i64, counts: Counts) -> StoreResult<()> {
    let [accepted, out_of_scope, address_not_allowed, throttled] = counts.0;
    sqlx::query(
        "INSERT INTO api_key_usage (key_id, hour, accepted, out_of_scope, address_not_allowed, throttled) \
         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM api_keys WHERE id = $1) \
         ON CONFLICT (key_id, hour) DO UPDATE SET \
         accepted = api_key_usage.accepted + excluded.accepted, \
         out_of_scope = api_key_usage.out_of_scope + excluded.out_of_scope, \
         address_not_allowed = api_key_usage.address_not_allowed + excluded.address_not_allowed, \
         throttled = api_key_usage.throttled + excluded.throttled",
    )
    .bind(key_id.to_string())
    .bind(hour)
    .bind(accepted)
    .bind(out_of_scope)
    .bind(address_not_allowed)
    .bind(throttled)
    .execute(conn)
    .await?;
    Ok(())
}

fn counts_from_row(row: &sqlx::any::AnyRow) -> StoreResult<Counts> {
    Ok(Counts([row.try_get("accepted")?, row.try_get("out_of_scope")?, row.try_get("address_not_allowed")?, row.try_get("throttled")?]))
}

/// `key_id`'s hours in `[from, to)` (Unix ms) that saw requests, oldest first.
pub(crate) async fn hours(conn: &mut AnyConnection, key_id: ApiKeyId, from: i64, to: i64) -> StoreResult<Vec<(i64, Counts)>> {
    let rows = sqlx::query(
        "SELECT hour, accepted, out_of_scope, address_not_allowed, throttled FROM api_key_usage \
         WHERE key_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour",
    )
    .bind(key_id.to_string())
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|row| Ok((row.try_get("hour")?, counts_from_row(row)?))).collect()
}

/// The hours in `[from, to)` of every key of `user_id`, by key, oldest first.
pub(crate) async fn hours_of_owner(conn: &mut AnyConnection, user_id: UserId, from: i64, to: i64) -> StoreResult<Vec<(ApiKeyId, i64, Counts)>> {
    let rows = sqlx::query(
        "SELECT u.key_id, u.hour, u.accepted, u.out_of_scope, u.address_not_allowed, u.throttled \
         FROM api_key_usage u JOIN api_keys k ON k.id = u.key_id \
         WHERE k.user_id = $1 AND u.hour >= $2 AND u.hour < $3 ORDER BY u.key_id, u.hour",
    )
    .bind(user_id.to_string())
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|row| Ok((super::parsed(row, "key_id")?, row.try_get("hour")?, counts_from_row(row)?))).collect()
}

/// Forgets the hours before `before` (Unix ms); how many.
pub(crate) async fn purge(conn: &mut AnyConnection, before: i64) -> StoreResult<u64> {
    Ok(sqlx::query("DELETE FROM api_key_usage WHERE hour < $1").bind(before).execute(conn).await?.rows_affected())
}
