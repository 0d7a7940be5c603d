//! Sésame's heart: users, sessions, API keys and their verification, on SQLite or
//! PostgreSQL. No web framework here, so all of it is tested with plain `cargo test`.
//!
//! Every action is one function of a service ([`Accounts`], [`Security`], [`Keys`],
//! [`Organizations`], [`Users`], [`ServiceAccounts`]) taking the [`Actor`](actor::Actor): it checks the rule, makes the change and
//! writes its activity event in one transaction, and logs the audit line. The REST API and
//! the console's server functions only decode a request, call that one function, and
//! encode its answer; nothing outside this crate reaches the store.

pub mod accounts;
pub mod activity;
pub mod actor;
pub mod api_access;
mod audit;
pub mod clock;
pub mod cluster;
pub mod credentials;
pub mod device;
pub mod error_codes;
mod door;
mod invalidation;
pub mod key;
mod key_cache;
pub mod keys;
pub mod last_use;
pub mod model;
pub mod net;
pub mod notices;
pub mod offboarding;
pub mod organization;
pub mod password;
mod password_attempts;
mod previous_secret;
mod refusal_log;
pub mod reminders;
pub mod rights;
pub mod principal;
pub mod security;
pub mod service_accounts;
mod store;
pub mod testing;
pub mod throttle;
pub mod trust;
pub mod usage;
pub mod users;
pub mod verifier;

pub use sesame_model::{fields, names};
pub use store::{sqlite_file, Backend, StoreError};

use std::sync::Arc;

use accounts::Accounts;
use activity::ActivityLog;
use api_access::ApiAccess;
use cluster::{Cluster, Membership};
use device::DeviceKeys;
use door::Door;
use invalidation::Invalidation;
use key_cache::KeyCache;
use keys::Keys;
use service_accounts::ServiceAccounts;
use trust::TrustRules;
use offboarding::OffboardingPreview;
use notices::Delivery;
use last_use::LastUseRecorder;
use organization::Organizations;
use password::PasswordHasher;
use password_attempts::PasswordAttempts;
use reminders::Reminders;
use security::Security;
use store::Store;
use throttle::{ThrottleSettings, Throttles};
use users::Users;
use verifier::Verifier;

/// Valid keys kept in memory at most (each entry under 200 bytes: see the benchmark's
/// memory per cached key).
const KEY_CACHE_CAPACITY: usize = 1_000_000;

/// How the services run; `Default` is what `sesame serve` uses unless told otherwise.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How many password hashes may run at once.
    pub argon2_permits: usize,
    pub throttles: ThrottleSettings,
    pub cluster: cluster::Settings,
    /// A console session unused this long ends (besides ending 12 hours after login).
    pub session_idle: std::time::Duration,
    /// What decides whether a key has expired.
    pub clock: clock::Clock,
    /// Keys one owner may have at most.
    pub max_keys_per_owner: u32,
    /// Trust rules may name `http://` issuers (the operator's `--allow-insecure-issuers`,
    /// for a test issuer on this machine).
    pub allow_insecure_issuers: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            argon2_permits: 1,
            throttles: ThrottleSettings::default(),
            cluster: cluster::Settings::default(),
            session_idle: std::time::Duration::from_secs(30 * 60),
            clock: clock::Clock::system(),
            max_keys_per_owner: keys::DEFAULT_MAX_KEYS_PER_OWNER,
            allow_insecure_issuers: false,
        }
    }
}

/// The services, built once at start-up over one shared store.
#[derive(Clone)]
pub struct Services {
    pub accounts: Accounts,
    pub security: Security,
    pub keys: Keys,
    pub organization: Organizations,
    pub reminders: Reminders,
    pub users: Users,
    pub service_accounts: ServiceAccounts,
    pub trust_rules: TrustRules,
    pub offboarding: OffboardingPreview,
    pub activity: ActivityLog,
    /// The REST API's authentication.
    pub api: ApiAccess,
    pub verifier: Verifier,
    pub last_use: Arc<LastUseRecorder>,
    throttles: Arc<Throttles>,
    key_cache: Arc<KeyCache>,
    /// PostgreSQL: the nodes sharing the database (see [`cluster`]).
    cluster: Option<Arc<Cluster>>,
    delivery: Delivery,
    store: Store,
}

impl Services {
    /// Opens the database at `url` (`sqlite://PATH`, created on first run, or
    /// `postgres://…`), runs its migrations, and builds the services over it. Valid keys are
    /// cached in memory: on SQLite always (one node owns the file), on PostgreSQL once this
    /// process has joined the cluster ([`Services::join_cluster`]); until then, and in
    /// processes that never join (the command line), every verification reads the database.
    pub async fn connect(url: &str, settings: Settings) -> Result<Self, StoreError> {
        let store = Store::connect(url).await?;
        let devices = device_keys(&store).await?;
        Ok(Self::over(store, settings, devices))
    }

    fn over(store: Store, settings: Settings, devices: DeviceKeys) -> Self {
        let store = store.with_clock(settings.clock.clone());
        let last_use = Arc::new(LastUseRecorder::default());
        let (cache, cluster) = match store.backend() {
            Backend::Sqlite => (KeyCache::new(KEY_CACHE_CAPACITY), None),
            Backend::Postgres => (
                KeyCache::leased(KEY_CACHE_CAPACITY),
                Some(Arc::new(Cluster::new(store.clone(), settings.cluster))),
            ),
        };
        let cache = Arc::new(cache);
        let invalidation = Invalidation::new(cache.clone(), cluster.clone());
        let hasher = PasswordHasher::new(settings.argon2_permits);
        let throttles = Arc::new(Throttles::new(settings.throttles, &store));
        let attempts = PasswordAttempts::new(throttles.clone(), devices);
        let accounts = Accounts::new(store.clone(), hasher.clone(), attempts.clone(), settings.session_idle);
        let verifier = Verifier::new(store.clone(), last_use.clone(), cache.clone());
        let door = Door::new(store.clone());
        let delivery = Delivery::default();
        Self {
            users: Users::new(store.clone(), door.clone(), hasher.clone(), invalidation.clone(), throttles.clone()),
            service_accounts: ServiceAccounts::new(store.clone(), door.clone(), invalidation.clone()),
            trust_rules: TrustRules::new(store.clone(), door.clone(), invalidation.clone(), settings.allow_insecure_issuers),
            offboarding: OffboardingPreview::new(store.clone(), door.clone()),
            security: Security::new(store.clone(), door.clone(), hasher.clone(), attempts),
            activity: ActivityLog::new(store.clone(), door.clone()),
            accounts,
            keys: Keys::new(store.clone(), door.clone(), invalidation.clone(), throttles.clone(), settings.max_keys_per_owner, delivery.clone()),
            organization: Organizations::new(store.clone(), door.clone(), invalidation),
            reminders: Reminders::new(store.clone()),
            api: ApiAccess::new(verifier.clone(), throttles.clone(), store.clone(), door),
            verifier,
            last_use,
            throttles,
            key_cache: cache,
            cluster,
            delivery,
            store,
        }
    }

    /// Where the notices the services make go from now on (the server's mailer); once.
    pub fn deliver_notices_with(&self, deliverer: Arc<dyn notices::Deliver>) {
        if !self.delivery.set(deliverer) {
            tracing::warn!("notices already had somewhere to go; kept it");
        }
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// PostgreSQL: starts taking part in the cluster, so this process may serve keys from
    /// its cache. None on SQLite. Needs a Tokio runtime; leave when the server stops.
    pub fn join_cluster(&self) -> Option<Membership> {
        self.cluster.as_ref().map(|cluster| cluster.join(self.key_cache.clone(), self.throttles.clone()))
    }

    /// How far this node's clock is ahead of the shared database's (negative: behind), as
    /// last measured (PostgreSQL, once the node has joined the cluster; none on SQLite,
    /// whose database is this machine's).
    pub fn clock_skew(&self) -> Option<chrono::TimeDelta> {
        self.cluster.as_ref().and_then(|cluster| cluster.clock_skew())
    }

    /// Whether this node's clock is within [`cluster::MAX_CLOCK_SKEW`] of the database's (or
    /// not measured): beyond it, the node must not be sent requests (`/readyz` fails).
    pub fn clock_in_step(&self) -> bool {
        let bound = chrono::TimeDelta::from_std(cluster::MAX_CLOCK_SKEW).unwrap_or(chrono::TimeDelta::MAX);
        self.clock_skew().is_none_or(|skew| skew.abs() <= bound)
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
    /// Writes the key uses and the usage counts noted since the last call (the batched
    /// writer's tick, and once more at shutdown); how many keys' last use were written.
    pub async fn flush_last_use(&self) -> Result<usize, StoreError> {
        let written = self.last_use.flush(&self.store).await;
        let counted = usage::flush(&self.store).await;
        counted.and(written)
    }

    /// Usage counts not yet written.
    pub fn pending_usage(&self) -> usize {
        self.store.usage().pending()
    }

    /// Usage counts dropped because their buffer was full (since start).
    pub fn usage_dropped(&self) -> u64 {
        self.store.usage().dropped.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Before a token exchange (it needs no key): refused while the address is waiting
    /// after too many failed authentications, exchanges included.
    pub fn check_exchange_client(&self, ip: std::net::IpAddr) -> Result<(), throttle::RetryAfter> {
        self.throttles.check_api_client(ip)
    }

    /// A token exchange from `ip` was refused: it counts as a failed authentication (a job
    /// guessing at rules waits like one guessing at keys).
    pub async fn exchange_failed(&self, ip: std::net::IpAddr) -> Result<Option<throttle::RetryAfter>, StoreError> {
        self.throttles.api_authentication_failed(ip).await
    }

    /// Where `ip` stands with the failed-authentication limit (from memory).
    pub fn failed_auth_status(&self, ip: std::net::IpAddr) -> throttle::FailedAuthStatus {
        self.throttles.failed_auth_status(ip)
    }

    /// The failed-authentication limit every client is under.
    pub fn failed_auth_policy(&self) -> throttle::FailedAuthPolicy {
        self.throttles.failed_auth_policy()
    }

    /// Forgets rate-limiter state that no longer matters and keys expired long ago (call
    /// now and then).
    pub async fn housekeeping(&self) -> Result<(), StoreError> {
        self.throttles.housekeeping().await?;
        self.keys.purge_expired().await?;
        self.keys.purge_old_usage().await?;
        self.trust_rules.forget_spent_tokens().await?;
        Ok(())
    }

    /// Whether the database answers (the readiness check).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    /// Connections open in the database pool, and how many of them are idle.
    pub fn pool_usage(&self) -> (u32, usize) {
        self.store.pool_usage()
    }

    /// SQLite's own consistency check; always true on PostgreSQL.
    pub async fn integrity_ok(&self) -> Result<bool, StoreError> {
        self.store.integrity_ok().await
    }
}

#[cfg(feature = "testing")]
impl Services {
    /// Stores keys for one user directly, with no rule checked and no event (benchmarks
    /// and tests that need a million keys, or a key for a disabled user); their ids.
    pub async fn import_keys(
        &self,
        owner: &model::User,
        keys: &[(names::KeyName, key::KeyHash)],
    ) -> Result<Vec<model::ApiKeyId>, StoreError> {
        let mut tx = self.store.write().await?;
        let ids = store::keys::insert_many(tx.conn(), owner.id, keys).await?;
        tx.commit().await?;
        Ok(ids)
    }
}

/// The key that signs device cookies: made once, shared by every node through the database.
async fn device_keys(store: &Store) -> Result<DeviceKeys, StoreError> {
    let fresh = hex::encode(rand::random::<[u8; 32]>());
    let stored = store::secrets::get_or_make(&mut *store.read().await?, "device_key", &fresh).await?;
    let key = hex::decode(&stored).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
    key.map(DeviceKeys::new).ok_or_else(|| StoreError::UnexpectedValue("server_secrets.device_key".to_owned()))
}

/// A short random id to log an unexpected failure under and show to the person instead of
/// its details.
pub fn new_error_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}
