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
        store::cluster::announce(tx, &store::cluster::Invalidated::Key(hash.clone())).await?;
        announced.push(hash.clone());
    }
    Ok(announced)
}
