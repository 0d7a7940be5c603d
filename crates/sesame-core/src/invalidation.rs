//! What a change that affects key verification (a key deleted, a user's role or status
//! changed) does before it is acknowledged: this node's cache forgets at once, and with
//! several nodes, every other node confirms it has forgotten too ([`crate::cluster`]).

use std::sync::Arc;

use crate::{cluster::Cluster, key::KeyHash, key_cache::KeyCache, model::UserId, store::StoreResult};

#[derive(Clone)]
pub struct Invalidation {
    cache: Arc<KeyCache>,
    cluster: Option<Arc<Cluster>>,
}

impl Invalidation {
    pub fn new(cache: Arc<KeyCache>, cluster: Option<Arc<Cluster>>) -> Self {
        Self { cache, cluster }
    }

    /// After the delete of the key with this hash committed.
    pub async fn key_deleted(&self, hash: &KeyHash) -> StoreResult<()> {
        self.cache.invalidate_key(hash);
        self.confirm().await
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
