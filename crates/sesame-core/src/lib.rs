//! Sésame's heart: users, sessions, API keys and their verification, on SQLite or
//! PostgreSQL. No web framework here, so all of it is tested with plain `cargo test`.

pub mod accounts;
pub mod activity;
pub mod credentials;
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
use key_cache::KeyCache;
use last_use::LastUseRecorder;
use keys::Keys;
use password::PasswordHasher;
use store::{Backend, Store};
use throttle::{ThrottleSettings, Throttles};
use users::Users;
use verifier::Verifier;

/// Valid keys kept in memory at most (each entry is a few hundred bytes).
const KEY_CACHE_CAPACITY: u64 = 1_000_000;

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
}

impl Services {
    /// `argon2_permits` bounds how many password hashes run at once. On SQLite, valid keys
    /// are cached in memory (one node owns the file: see [`key_cache`]); on PostgreSQL,
    /// where several nodes share the database, every verification reads it.
    pub fn new(store: Store, argon2_permits: usize) -> Self {
        Self::with_throttles(store, argon2_permits, ThrottleSettings::default())
    }

    pub fn with_throttles(store: Store, argon2_permits: usize, throttles: ThrottleSettings) -> Self {
        let last_use = Arc::new(LastUseRecorder::default());
        let cache = match store.backend() {
            Backend::Sqlite => Some(Arc::new(KeyCache::new(KEY_CACHE_CAPACITY))),
            Backend::Postgres => None,
        };
        let accounts = Accounts::new(store.clone(), PasswordHasher::new(argon2_permits));
        Self {
            users: Users::new(store.clone(), accounts.clone(), cache.clone()),
            activity: ActivityLog::new(store.clone()),
            accounts,
            keys: Keys::new(store.clone(), cache.clone()),
            verifier: Verifier::new(store.clone(), last_use.clone(), cache),
            last_use,
            throttles: Arc::new(Throttles::new(throttles)),
            store,
        }
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
