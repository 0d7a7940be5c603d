//! When and from where each key was last used, kept in memory and written in batches, so
//! an API call never waits for a database write.
//!
//! Per key only the newest use is kept; the store's update is forward-only, so a batch
//! from a slow node never overwrites a newer use written by another. Uses not yet written
//! when a flush fails are kept for the next one; past `MAX_PENDING` distinct keys new ones
//! are dropped, counted and logged rather than growing memory without bound.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Mutex,
    },
};

use chrono::{DateTime, Utc};

use crate::{
    model::{ApiKeyId, KeyUse},
    store::{self, Store, StoreError},
};

/// Distinct keys waiting to be written, at most.
pub const MAX_PENDING: usize = 100_000;

#[derive(Debug, Default)]
pub struct LastUseStats {
    pub written: AtomicU64,
    pub dropped: AtomicU64,
    pub failed_flushes: AtomicU64,
    /// When the pending uses were last all written (Unix ms; 0: not yet).
    pub last_flushed_ms: AtomicI64,
}

#[derive(Debug, Default)]
pub struct LastUseRecorder {
    pending: Mutex<HashMap<ApiKeyId, KeyUse>>,
    pub stats: LastUseStats,
}

impl LastUseRecorder {
    /// Called on every API request: no allocation unless the key is new to this batch.
    pub fn record(&self, key_id: ApiKeyId, ip: IpAddr, at: DateTime<Utc>) {
        let mut pending = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(existing) = pending.get_mut(&key_id) {
            if at >= existing.at {
                *existing = KeyUse { ip, at };
            }
            return;
        }
        if pending.len() >= MAX_PENDING {
            let dropped = self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(dropped, "last-use buffer full: uses are being dropped");
            }
            return;
        }
        pending.insert(key_id, KeyUse { ip, at });
    }

    pub fn pending(&self) -> usize {
        self.pending.lock().map(|pending| pending.len()).unwrap_or_default()
    }

    /// Writes every pending use in one transaction. On failure they are put back (unless
    /// newer ones arrived meanwhile) for the next flush.
    pub(crate) async fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        let batch: Vec<(ApiKeyId, KeyUse)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            std::mem::take(&mut *pending).into_iter().collect()
        };
        if batch.is_empty() {
            self.stats.last_flushed_ms.store(Utc::now().timestamp_millis(), Ordering::Relaxed);
            return Ok(0);
        }
        match write_batch(store, &batch).await {
            Ok(()) => {
                self.stats.written.fetch_add(batch.len() as u64, Ordering::Relaxed);
                self.stats.last_flushed_ms.store(Utc::now().timestamp_millis(), Ordering::Relaxed);
                Ok(batch.len())
            }
            Err(error) => {
                self.stats.failed_flushes.fetch_add(1, Ordering::Relaxed);
                for (key_id, used) in batch {
                    self.record(key_id, used.ip, used.at);
                }
                Err(error)
            }
        }
    }
}

/// The whole batch in one transaction.
async fn write_batch(store: &Store, batch: &[(ApiKeyId, KeyUse)]) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    store::last_use::record(tx.conn(), batch).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn keeps_only_the_newest_use_per_key() {
        let recorder = LastUseRecorder::default();
        let key = ApiKeyId::new_random();
        let now = Utc::now();
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        recorder.record(key, ip("192.0.2.1"), now);
        recorder.record(key, ip("192.0.2.2"), now - Duration::seconds(5));
        recorder.record(key, ip("192.0.2.3"), now + Duration::seconds(1));
        let pending = recorder.pending.lock().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[&key].ip, ip("192.0.2.3"));
    }

    #[test]
    fn a_full_buffer_drops_and_counts() {
        let recorder = LastUseRecorder::default();
        let now = Utc::now();
        for _ in 0..MAX_PENDING + 3 {
            recorder.record(ApiKeyId::new_random(), IpAddr::from([192, 0, 2, 1]), now);
        }
        assert_eq!(recorder.pending(), MAX_PENDING);
        assert_eq!(recorder.stats.dropped.load(Ordering::Relaxed), 3);
    }
}
