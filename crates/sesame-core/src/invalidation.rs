//! What a change that affects key verification (a key deleted, disabled, rolled or reported
//! as leaked, a user's role or status changed) does before it is acknowledged: this node's cache forgets at once,
//! and with several nodes, every other node confirms it has forgotten too
//! ([`crate::cluster`]).

use std::{future::Future, sync::Arc};

use crate::{
    actor::Boundary,
    audit,
    cluster::Cluster,
    key::KeyHash,
    key_cache::KeyCache,
    model::{Event, UserId},
    store::{self, StoreResult, Tx},
};

#[derive(Clone)]
pub struct Invalidation {
    cache: Arc<KeyCache>,
    cluster: Option<Arc<Cluster>>,
}

impl Invalidation {
    pub fn new(cache: Arc<KeyCache>, cluster: Option<Arc<Cluster>>) -> Self {
        Self { cache, cluster }
    }

    /// After a change that stops secrets with these hashes from working (a key deleted,
    /// disabled, rolled, reported as leaked) committed: one confirmation round for all.
    pub async fn keys_revoked(&self, hashes: &[KeyHash]) -> StoreResult<()> {
        for hash in hashes {
            self.cache.invalidate_key(hash);
        }
        self.confirm().await
    }

    /// Commits a change with its events; then, if it stopped secrets from working (or
    /// changed what a cache holds of them), makes every node forget them before the change
    /// is acknowledged.
    pub(crate) async fn commit_and_forget(&self, tx: Tx, events: &[Event], via: Boundary, forgotten: &[KeyHash]) -> StoreResult<()> {
        audit::commit(tx, events, via).await?;
        if !forgotten.is_empty() {
            crate::testing::pause("change-committed").await;
            self.keys_revoked(forgotten).await?;
        }
        Ok(())
    }

    /// After a change to a user committed (or may have: called on failures too, which is
    /// harmless).
    pub async fn user_changed(&self, user: &UserId) -> StoreResult<()> {
        self.cache.invalidate_user(user);
        self.confirm().await
    }

    async fn confirm(&self) -> StoreResult<()> {
        match &self.cluster {
            Some(cluster) => cluster.confirm().await,
            None => Ok(()),
        }
    }
}

/// Runs a change that ends with an invalidation to its end on a task of its own, even if
/// the caller stops waiting (a client gone, a request timeout): dropped between its commit
/// and its invalidation, a change would leave this node's cache serving what it undid.
pub(crate) async fn run_to_completion<T: Send + 'static>(change: impl Future<Output = T> + Send + 'static) -> T {
    match tokio::spawn(change).await {
        Ok(result) => result,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            // Only when the runtime itself is shutting down.
            Err(error) => panic!("a change was cancelled with its runtime: {error}"),
        },
    }
}

/// Tells the other nodes, inside the change's transaction, to forget these secrets; the
/// hashes, for this node to forget once committed.
pub(crate) async fn announce<'a>(tx: &mut Tx, hashes: impl IntoIterator<Item = &'a KeyHash>) -> StoreResult<Vec<KeyHash>> {
    let mut announced = Vec::new();
    for hash in hashes {
        store::cluster::announce(tx, &store::cluster::Invalidated::Key(*hash)).await?;
        announced.push(*hash);
    }
    Ok(announced)
}

/// Attempts at a change that PostgreSQL chose as a deadlock's victim, at most.
const DEADLOCK_ATTEMPTS: usize = 3;

/// Runs a change again when PostgreSQL broke a deadlock by rolling it back: two changes
/// that lock some of the same rows in different orders (a policy change holding the
/// administrator's key while the last-use writer holds another, say) both complete. Safe
/// because the victim's transaction was rolled back whole.
pub(crate) async fn retrying_deadlocks<T, E, Fut>(deadlocked: fn(&E) -> bool, mut change: impl FnMut() -> Fut) -> Result<T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    for _ in 1..DEADLOCK_ATTEMPTS {
        match change().await {
            Err(error) if deadlocked(&error) => tracing::info!("a change was a deadlock's victim; running it again"),
            done => return done,
        }
    }
    change().await
}

/// A change, run to its end (see [`run_to_completion`]) and again if PostgreSQL broke a
/// deadlock (see [`retrying_deadlocks`]); `change` makes one attempt each time it is called.
pub(crate) async fn run_change<T, E, Fut>(deadlocked: fn(&E) -> bool, change: impl FnMut() -> Fut + Send + 'static) -> Result<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
{
    run_to_completion(retrying_deadlocks(deadlocked, change)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_deadlock_victim_runs_again_other_errors_do_not() {
        let attempts = std::sync::atomic::AtomicUsize::new(0);
        let deadlocked = |error: &&str| *error == "deadlock";
        let count = || attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let outcome = retrying_deadlocks(deadlocked, || {
            let attempt = count();
            async move { if attempt < 3 { Err("deadlock") } else { Ok(attempt) } }
        })
        .await;
        assert_eq!(outcome, Ok(3));
        attempts.store(0, std::sync::atomic::Ordering::SeqCst);
        let outcome: Result<usize, &str> = retrying_deadlocks(deadlocked, || async { count(); Err("deadlock") }).await;
        assert_eq!((outcome, attempts.load(std::sync::atomic::Ordering::SeqCst)), (Err("deadlock"), DEADLOCK_ATTEMPTS));
        attempts.store(0, std::sync::atomic::Ordering::SeqCst);
        let outcome: Result<usize, &str> = retrying_deadlocks(deadlocked, || async { count(); Err("not found") }).await;
        assert_eq!((outcome, attempts.load(std::sync::atomic::Ordering::SeqCst)), (Err("not found"), 1));
    }
}
