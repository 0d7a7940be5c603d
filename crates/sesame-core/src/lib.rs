//! Sésame's heart: users, sessions, API keys and their verification, on SQLite or
//! PostgreSQL. No web framework here, so all of it is tested with plain `cargo test`.

pub mod accounts;
pub mod activity;
pub mod cluster;
pub mod credentials;
pub mod invalidation;
pub mod key;
pub mod key_cache;
pub mod keys;
pub mod last_use;
pub mod model;
pub mod names;
pub mod net;
pub mod password;
pub mod store;
pub mod throttle;
pub mod users;
pub mod verifier;

use std::sync::Arc;

use accounts::Accounts;
use activity::ActivityLog;
use cluster::{Cluster, Membership};
use invalidation::Invalidation;
use key_cache::KeyCache;
use last_use::LastUseRecorder;
use keys::Keys;
use password::PasswordHasher;
use store::{Backend, Store};
use throttle::{ThrottleSettings, Throttles};
use users::Users;
use verifier::Verifier;

/// Valid keys kept in memory at most (each entry is a few hundred bytes).
const KEY_CACHE_CAPACITY: usize = 1_000_000;

/// The services, built once at start-up over one shared store.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub accounts: Accounts,
    pub keys: Keys,
    pub users: Users,
    pub activity: ActivityLog,
    pub verifier: Verifier,
    pub last_use: Arc<LastUseRecorder>,
    pub throttles: Arc<Throttles>,
    key_cache: Arc<KeyCache>,
    /// PostgreSQL: the nodes sharing the database (see [`cluster`]).
    cluster: Option<Arc<Cluster>>,
}

impl Services {
    /// `argon2_permits` bounds how many password hashes run at once. Valid keys are cached
    /// in memory: on SQLite always (one node owns the file), on PostgreSQL once this
    /// process has joined the cluster ([`Services::join_cluster`]); until then, and in
    /// processes that never join (the command line), every verification reads the database.
    pub fn new(store: Store, argon2_permits: usize) -> Self {
        Self::with_throttles(store, argon2_permits, ThrottleSettings::default())
    }

    pub fn with_throttles(store: Store, argon2_permits: usize, throttles: ThrottleSettings) -> Self {
        Self::with_settings(store, argon2_permits, throttles, cluster::Settings::default())
    }

    pub fn with_settings(
        store: Store,
        argon2_permits: usize,
        throttles: ThrottleSettings,
        cluster_settings: cluster::Settings,
    ) -> Self {
        let last_use = Arc::new(LastUseRecorder::default());
        let (cache, cluster) = match store.backend() {
            Backend::Sqlite => (KeyCache::new(KEY_CACHE_CAPACITY), None),
            Backend::Postgres => (
                KeyCache::leased(KEY_CACHE_CAPACITY),
                Some(Arc::new(Cluster::new(store.clone(), cluster_settings))),
            ),
        };
        let cache = Arc::new(cache);
        let invalidation = Invalidation::new(cache.clone(), cluster.clone());
        let accounts = Accounts::new(store.clone(), PasswordHasher::new(argon2_permits));
        Self {
            users: Users::new(store.clone(), accounts.clone(), invalidation.clone()),
            activity: ActivityLog::new(store.clone()),
            accounts,
            keys: Keys::new(store.clone(), invalidation),
            verifier: Verifier::new(store.clone(), last_use.clone(), cache.clone()),
            last_use,
            throttles: Arc::new(Throttles::new(throttles)),
            key_cache: cache,
            cluster,
            store,
        }
    }

    /// PostgreSQL: starts taking part in the cluster, so this process may serve keys from
    /// its cache. None on SQLite. Needs a Tokio runtime; leave when the server stops.
    pub fn join_cluster(&self) -> Option<Membership> {
        self.cluster.as_ref().map(|cluster| cluster.join(self.key_cache.clone()))
    }

    /// Whether valid keys are served from memory now (on PostgreSQL: while this node's
    /// cluster lease runs).
    pub fn serves_cached_keys(&self) -> bool {
        self.key_cache.is_usable()
    }

    /// How many valid keys this process holds in memory.
    pub fn cached_keys(&self) -> usize {
        self.key_cache.len()
    }

    /// Writes the key uses noted since the last flush; see [`LastUseRecorder`].
    pub async fn flush_last_use(&self) -> Result<usize, store::StoreError> {
        self.last_use.flush(&self.store).await
    }
}

/// A short random id to log an unexpected failure under and show to the person instead of
/// its details.
pub fn new_error_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}
