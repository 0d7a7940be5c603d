//! When and from where each key was last used, and the distinct addresses it was used
//! from, kept in memory and written in batches, so an API call never waits for a database
//! write.
//!
//! Per key the newest use is kept, and each address's first and last use in the batch (at
//! most [`RECENT_ADDRESSES`] per batch); the store's updates are forward-only, so a batch
//! from a slow node never overwrites a newer use written by another. A key used from an
//! address it never used before (having been used from elsewhere) gets an activity event,
//! written with the batch. Uses not yet written when a flush fails are kept for the next
//! one; past `MAX_PENDING` distinct keys new ones are dropped, counted and logged rather
//! than growing memory without bound.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Mutex,
    },
};

use chrono::{DateTime, Utc};
use smallvec::{smallvec, SmallVec};

use crate::{
    actor::{Boundary, Client},
    audit::{self, About},
    model::{ApiKeyId, EventKind, KeyAddress, KeyUse},
    store::{self, key_addresses::RECENT_ADDRESSES, Store, StoreError},
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

/// One key's uses in the batch being gathered.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PendingUses {
    newest: KeyUse,
    /// The first inline: most keys are used from one address, and noting it must not
    /// allocate on the request path (the benchmark's verification p99 showed it).
    addresses: SmallVec<[KeyAddress; 1]>,
}

impl PendingUses {
    fn new(ip: IpAddr, at: DateTime<Utc>) -> Self {
        Self { newest: KeyUse { ip, at }, addresses: smallvec![KeyAddress { ip, first_seen: at, last_seen: at }] }
    }

    fn add(&mut self, ip: IpAddr, first_seen: DateTime<Utc>, last_seen: DateTime<Utc>) {
        if last_seen >= self.newest.at {
            self.newest = KeyUse { ip, at: last_seen };
        }
        if let Some(known) = self.addresses.iter_mut().find(|known| known.ip == ip) {
            known.first_seen = known.first_seen.min(first_seen);
            known.last_seen = known.last_seen.max(last_seen);
            return;
        }
        let address = KeyAddress { ip, first_seen, last_seen };
        if self.addresses.len() < RECENT_ADDRESSES {
            self.addresses.push(address);
            return;
        }
        // Full: the most recently seen are kept, as the store keeps them.
        if let Some(oldest) = self.addresses.iter_mut().min_by_key(|known| known.last_seen) {
            if oldest.last_seen < last_seen {
                *oldest = address;
            }
        }
    }

    /// Adds a batch of uses that could not be written back into this one.
    fn merge(&mut self, other: PendingUses) {
        for address in other.addresses {
            self.add(address.ip, address.first_seen, address.last_seen);
        }
        if other.newest.at >= self.newest.at {
            self.newest = other.newest;
        }
    }
}

#[derive(Debug, Default)]
pub struct LastUseRecorder {
    pending: Mutex<HashMap<ApiKeyId, PendingUses>>,
    pub stats: LastUseStats,
}

impl LastUseRecorder {
    /// Called on every API request: no allocation unless the key, or the address for this
    /// key, is new to this batch.
    pub fn record(&self, key_id: ApiKeyId, ip: IpAddr, at: DateTime<Utc>) {
        let mut pending = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(existing) = pending.get_mut(&key_id) {
            existing.add(ip, at, at);
            return;
        }
        if pending.len() >= MAX_PENDING {
            let dropped = self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(dropped, "last-use buffer full: uses are being dropped");
            }
            return;
        }
        pending.insert(key_id, PendingUses::new(ip, at));
    }

    pub fn pending(&self) -> usize {
        self.pending.lock().map(|pending| pending.len()).unwrap_or_default()
    }

    /// How long ago the last batch was written (none before the first).
    pub fn flush_lag(&self) -> Option<std::time::Duration> {
        let last = self.stats.last_flushed_ms.load(Ordering::Relaxed);
        (last > 0).then(|| std::time::Duration::from_millis(u64::try_from(crate::clock::system_millis() - last).unwrap_or(0)))
    }

    /// Writes every pending use in one transaction. On failure they are merged back with
    /// the uses noted meanwhile, for the next flush.
    pub(crate) async fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        let batch: Vec<(ApiKeyId, PendingUses)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut batch: Vec<_> = std::mem::take(&mut *pending).into_iter().collect();
            // Rows locked in one order by every writer: two batches never deadlock.
            batch.sort_by_key(|(key_id, _)| *key_id);
            batch
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
                let mut pending = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                for (key_id, uses) in batch {
                    let room = pending.len() < MAX_PENDING;
                    match pending.get_mut(&key_id) {
                        Some(newer) => newer.merge(uses),
                        None if room => {
                            pending.insert(key_id, uses);
                        }
                        None => {
                            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Err(error)
            }
        }
    }
}

/// The whole batch in one transaction, with an event for each key used from a new address.
async fn write_batch(store: &Store, batch: &[(ApiKeyId, PendingUses)]) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    let newest: Vec<(ApiKeyId, KeyUse)> = batch.iter().map(|(key_id, uses)| (*key_id, uses.newest.clone())).collect();
    store::last_use::record(tx.conn(), &newest).await?;
    let mut events = Vec::new();
    for (key_id, uses) in batch {
        for address in &uses.addresses {
            if !store::key_addresses::record(tx.conn(), *key_id, address).await? {
                continue;
            }
            // Deleted meanwhile (or its owner): nobody to tell.
            let Some(key) = store::keys::find(tx.conn(), *key_id).await? else { continue };
            let Some(owner) = store::users::by_id(tx.conn(), key.user_id).await? else { continue };
            let client = Client { ip: Some(address.ip), ..Client::default() };
            let event = audit::event_in(owner.organization_id, EventKind::KeyUsedFromNewAddress, Some((&owner).into()), &client, About::key(&key));
            events.push(event);
        }
    }
    audit::commit(tx, &events, Boundary::Api).await
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
        assert_eq!(pending[&key].newest.ip, ip("192.0.2.3"));
    }

    #[test]
    fn keeps_each_address_first_and_last_use_up_to_the_limit() {
        let recorder = LastUseRecorder::default();
        let key = ApiKeyId::new_random();
        let now = Utc::now();
        let ip = |n: u8| IpAddr::from([192, 0, 2, n]);
        recorder.record(key, ip(1), now);
        recorder.record(key, ip(2), now + Duration::seconds(1));
        recorder.record(key, ip(1), now + Duration::seconds(2));
        recorder.record(key, ip(1), now - Duration::seconds(3));
        for n in 3..30 {
            recorder.record(key, ip(n), now);
        }
        let pending = recorder.pending.lock().unwrap();
        let addresses = &pending[&key].addresses;
        assert_eq!(addresses.len(), RECENT_ADDRESSES);
        assert_eq!(addresses[0], KeyAddress { ip: ip(1), first_seen: now - Duration::seconds(3), last_seen: now + Duration::seconds(2) });
        assert_eq!((addresses[1].ip, addresses[1].first_seen), (ip(2), now + Duration::seconds(1)));
        drop(pending);
        // A newer address takes the place of the least recently seen one.
        recorder.record(key, ip(40), now + Duration::seconds(10));
        let pending = recorder.pending.lock().unwrap();
        let kept: Vec<IpAddr> = pending[&key].addresses.iter().map(|address| address.ip).collect();
        assert!(kept.contains(&ip(40)) && kept.contains(&ip(1)) && kept.len() == RECENT_ADDRESSES, "{kept:?}");
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
