//! Where the limits keep their state: in memory on a single node (SQLite), in one table all
//! nodes share on PostgreSQL — so behind a load balancer the limits hold for the cluster, not
//! per node. Either way a state is two numbers and an expiry under a fixed-size key, updated
//! atomically.

use std::time::Duration;

use moka::{ops::compute::Op, sync::Cache};

use crate::store::{
    throttles::{self, LimitState},
    Store, StoreResult,
};

/// Which limit a state belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// Failed API authentications per address: a rate.
    FailedAuth,
    /// Login attempts per address: a rate.
    LoginAddress,
    /// One account from one address: failures in a row, and the time before which the next
    /// attempt waits.
    LoginBackoff,
    /// One account: failures in a row, and when the last one was.
    Account,
    /// Calls to revoke leaked keys per address: a rate.
    RevokeAddress,
    /// Requests with one key that has a limit of its own: a rate.
    KeyRate,
    /// Keys made for one owner: a rate.
    KeyCreation,
    /// Usernames an administrator tried that were taken: a rate.
    UsernameConflict,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::FailedAuth => "failed_auth",
            Kind::LoginAddress => "login_address",
            Kind::LoginBackoff => "login_backoff",
            Kind::Account => "account",
            Kind::RevokeAddress => "revoke_address",
            Kind::KeyRate => "key_rate",
            Kind::KeyCreation => "key_creation",
            Kind::UsernameConflict => "username_conflict",
        }
    }
}

/// States kept in memory at most. Keys and values are fixed-size (17 + 24 bytes), so with
/// the cache's own bookkeeping this bounds the limits' memory to some 40 MB however many
/// addresses and usernames an attacker makes up.
const MEMORY_ENTRIES: u64 = 200_000;

pub(crate) enum Counters {
    Memory(Cache<(Kind, [u8; 16]), LimitState>),
    Shared(Store),
}

impl Counters {
    /// In memory; nothing outlives `longest` (a backstop: each state carries its expiry).
    pub fn in_memory(longest: Duration) -> Self {
        Counters::Memory(Cache::builder().max_capacity(MEMORY_ENTRIES).time_to_live(longest).build())
    }

    pub fn shared(store: Store) -> Self {
        Counters::Shared(store)
    }

    /// Replaces `(kind, key)`'s live state at `now` with what `change` makes of it (`None`
    /// forgets it), atomically, and returns `change`'s verdict.
    pub async fn update<R>(
        &self,
        kind: Kind,
        key: [u8; 16],
        now: i64,
        change: impl FnOnce(Option<LimitState>) -> (Option<LimitState>, R),
    ) -> StoreResult<R> {
        match self {
            Counters::Memory(cache) => {
                let mut verdict = None;
                cache.entry((kind, key)).and_compute_with(|entry| {
                    let current = entry.map(|entry| entry.into_value()).filter(|state| state.expires_ms > now);
                    let (next, result) = change(current);
                    verdict = Some(result);
                    match next {
                        Some(state) => Op::Put(state),
                        None => Op::Remove,
                    }
                });
                Ok(verdict.expect("the computation always runs"))
            }
            Counters::Shared(store) => {
                let key = hex::encode(key);
                let mut tx = store.write().await?;
                let current = throttles::lock(&mut tx, kind.as_str(), &key).await?.filter(|state| state.expires_ms > now);
                let (next, verdict) = change(current);
                // A forgotten state is kept as an expired one: the row stays for the next.
                throttles::put(&mut tx, kind.as_str(), &key, next.unwrap_or(LimitState { a: 0, b: 0, expires_ms: 0 })).await?;
                tx.commit().await?;
                Ok(verdict)
            }
        }
    }

    /// Forgets `(kind, key)`.
    pub async fn forget(&self, kind: Kind, key: [u8; 16]) -> StoreResult<()> {
        match self {
            Counters::Memory(cache) => {
                cache.invalidate(&(kind, key));
                Ok(())
            }
            Counters::Shared(store) => throttles::remove(&mut *store.read().await?, kind.as_str(), &hex::encode(key)).await,
        }
    }

    /// Drops the states that no longer matter (the shared table's rows; memory expires by
    /// itself).
    pub async fn housekeeping(&self, now: i64) -> StoreResult<()> {
        if let Counters::Shared(store) = self {
            throttles::delete_expired(&mut *store.read().await?, now).await?;
        }
        Ok(())
    }
}
