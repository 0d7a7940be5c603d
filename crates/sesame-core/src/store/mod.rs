//! Persistence on SQLite or PostgreSQL through one pool and one set of portable queries,
//! split by table. Private to the core: only the services reach it.
//!
//! sqlx's `Any` driver lets the same SQL (with `$n` placeholders, which both backends
//! accept) run on either database, so every behaviour is written — and tested — once.
//! Times are Unix milliseconds; ids, roles, statuses, event kinds and addresses are stored
//! as text and read back through their types, so an unknown stored value is an error, not
//! a default.

use std::{str::FromStr, time::Duration};

use chrono::{DateTime, Utc};
use sqlx::{
    any::{AnyPoolOptions, AnyRow},
    pool::PoolConnection,
    Any, AnyConnection, AnyPool, Row,
};

use crate::{clock::Clock, model::PageRequest};

pub(crate) mod activity;
pub(crate) mod cluster;
pub(crate) mod key_addresses;
pub(crate) mod key_access;
pub(crate) mod keys;
pub(crate) mod last_use;
pub(crate) mod organizations;
pub(crate) mod reminders;
pub(crate) mod secrets;
pub(crate) mod service_accounts;
pub(crate) mod sessions;
pub(crate) mod throttles;
pub(crate) mod trust_rules;
mod tx;
pub(crate) mod usage;
pub(crate) mod users;

pub(crate) use tx::Tx;
use tx::HoldTimer;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a SQLite writer waits for its turn (as long as for a pooled connection).
const WRITER_TURN_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    #[error("unsupported database URL (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database directory: {0}")]
    Directory(#[from] std::io::Error),
    /// A stored value this version does not know: the database was changed by something
    /// else, or by a newer version.
    #[error("unexpected stored value: {0}")]
    UnexpectedValue(String),
}

impl StoreError {
    /// The database could not be reached (pool exhausted or closed, connection lost): a
    /// 503 to retry, not a bug. Also when SQLite cannot write its file (read-only, disk
    /// full, I/O error): the data is intact, the operator has to act, and the client should
    /// retry later.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) => true,
            StoreError::Database(sqlx::Error::Database(error)) => {
                error.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
                    && error.code().and_then(|code| code.parse::<i32>().ok()).is_some_and(is_sqlite_storage_failure)
            }
            _ => false,
        }
    }

    /// A write refused by a unique constraint is a conflict (409), not a failure.
    /// PostgreSQL chose this transaction as a deadlock's victim (SQLSTATE 40P01) and rolled
    /// it back whole: doing it again is safe.
    pub fn is_deadlock(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(error)) if error.code().as_deref() == Some("40P01"))
    }

    pub(crate) fn from_write(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Database(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// SQLite's primary result codes for "cannot write the file": SQLITE_READONLY (8),
/// SQLITE_IOERR (10), SQLITE_FULL (13), SQLITE_CANTOPEN (14). Extended codes carry the
/// primary one in their low byte.
fn is_sqlite_storage_failure(code: i32) -> bool {
    matches!(code & 0xff, 8 | 10 | 13 | 14)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub(crate) struct Store {
    pool: AnyPool,
    backend: Backend,
    /// PostgreSQL only: the cluster's notification listener opens its own connection.
    postgres_url: Option<std::sync::Arc<str>>,
    /// What decides whether a key has expired.
    clock: Clock,
    /// Key usage counted in memory, for the next batch (see [`usage`]).
    usage: std::sync::Arc<usage::UsageBuffer>,
    /// SQLite: writers take their turn here, first come first served, before `BEGIN
    /// IMMEDIATE` — SQLite's own busy handler wakes waiters by polling with growing sleeps, so
    /// under a burst of writes some waited hundreds of milliseconds (the token exchange's
    /// p99). None on PostgreSQL, whose writers do not wait for each other.
    writers: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
}

impl Store {
    /// Opens the database (creating a SQLite file and its directory if needed), with one
    /// shared pool, and runs the embedded migrations. A failed migration is an error.
    pub(crate) async fn connect(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let postgres_url = (backend == Backend::Postgres).then(|| url.as_str().into());
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                // SQLite allows one writer at a time; a few readers are plenty.
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(5))
            .connect(&url)
            .await?;
        if backend == Backend::Sqlite {
            // Readers never block the writer. The mode is kept in the file itself.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        MIGRATOR.run(&pool).await?;
        let writers = (backend == Backend::Sqlite).then(Default::default);
        Ok(Self { pool, backend, postgres_url, clock: Clock::system(), usage: Default::default(), writers })
    }

    /// The same store, telling the time by `clock`.
    pub(crate) fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Key usage counted in memory, waiting for the next batch.
    pub(crate) fn usage(&self) -> &usage::UsageBuffer {
        &self.usage
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Connections open in the pool, and how many of them are idle.
    pub(crate) fn pool_usage(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// A connection for reads.
    pub(crate) async fn read(&self) -> StoreResult<PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// A transaction for a change. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads before it writes waits its turn instead of
    /// failing when another writer commits in between.
    #[track_caller]
    pub(crate) fn write(&self) -> impl std::future::Future<Output = StoreResult<Tx>> + Send + '_ {
        let caller = std::panic::Location::caller();
        async move {
            let begin = match self.backend {
                Backend::Sqlite => "BEGIN IMMEDIATE",
                Backend::Postgres => "BEGIN",
            };
            let turn = match &self.writers {
                // Waiting longer is a database too busy to answer: a 503 to retry, as a pool
                // with no free connection is.
                Some(writers) => Some(
                    tokio::time::timeout(WRITER_TURN_TIMEOUT, writers.clone().lock_owned())
                        .await
                        .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?,
                ),
                None => None,
            };
            let tx = self.pool.begin_with(begin).await?;
            // Read once the transaction has its turn: a change waiting for SQLite's lock
            // happens when it runs, not when it asked.
            let held = HoldTimer { begun: std::time::Instant::now(), caller };
            Ok(Tx { tx, backend: self.backend, now: self.now(), _held: held, _turn: turn })
        }
    }

    pub(crate) async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// SQLite's own consistency check (`PRAGMA integrity_check`); PostgreSQL: always true.
    pub(crate) async fn integrity_ok(&self) -> StoreResult<bool> {
        if self.backend == Backend::Postgres {
            return Ok(true);
        }
        let row = sqlx::query("PRAGMA integrity_check").fetch_one(&self.pool).await?;
        Ok(row.try_get::<String, _>(0)? == "ok")
    }

    /// The PostgreSQL URL, for a listener's own connection; none on SQLite.
    pub(crate) fn postgres_url(&self) -> Option<&str> {
        self.postgres_url.as_deref()
    }
}

/// Counts all of a list and reads one page of it: `count_sql` takes `$1 = owner`;
/// `select_sql` takes `$1 = owner, $2 = limit, $3 = offset`.
pub(crate) async fn fetch_page<T>(
    conn: &mut AnyConnection,
    count_sql: &str,
    select_sql: &str,
    owner: &str,
    page: PageRequest,
    from_row: fn(&AnyRow) -> StoreResult<T>,
) -> StoreResult<crate::model::Page<T>> {
    let total = sqlx::query(count_sql).bind(owner).fetch_one(&mut *conn).await?.try_get::<i64, _>("n")?;
    let rows = sqlx::query(select_sql)
        .bind(owner)
        .bind(i64::from(page.size()))
        .bind(page.offset())
        .fetch_all(&mut *conn)
        .await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<_>>()?;
    Ok(crate::model::Page { items, request: page, total: total.try_into().unwrap_or_default() })
}

/// A text column read through its type (`UserId`, `Role`, `IpAddr`…).
pub(crate) fn parsed<T: FromStr>(row: &AnyRow, column: &str) -> StoreResult<T> {
    let text: String = row.try_get(column)?;
    text.parse().map_err(|_| StoreError::UnexpectedValue(format!("{column} = {:?}", text.chars().take(40).collect::<String>())))
}

/// A nullable text column read through its type.
pub(crate) fn parsed_optional<T: FromStr>(row: &AnyRow, column: &str) -> StoreResult<Option<T>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| text.parse().map_err(|_| StoreError::UnexpectedValue(format!("{column} = {:?}", text.chars().take(40).collect::<String>()))))
        .transpose()
}

/// Store times are Unix milliseconds.
pub(crate) fn to_millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

pub(crate) fn from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

/// Now, to the millisecond the store keeps: values returned equal what is read back.
pub(crate) fn now_millis() -> DateTime<Utc> {
    from_millis(to_millis(Utc::now()))
}

/// The SQLite file behind `url`, if it names one (not `:memory:`, not PostgreSQL).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

/// Makes sure the SQLite file's directory exists and the file is created on first run.
fn prepare_sqlite_url(url: &str) -> StoreResult<String> {
    let Some(path) = sqlite_file(url) else {
        return Ok(url.to_owned());
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // Validate the URL here so a typo is reported as such, not as a driver error.
    sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
    Ok(if url.contains('?') { url.to_owned() } else { format!("{url}?mode=rwc") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_file_and_directories_are_created_and_run_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/sesame.db");
        let store = Store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        let row = sqlx::query("PRAGMA journal_mode").fetch_one(&store.pool).await.unwrap();
        assert_eq!(row.try_get::<String, _>(0).unwrap(), "wal");
        assert!(path.exists());
    }

    #[tokio::test]
    async fn unsupported_urls_are_refused() {
        assert!(matches!(Store::connect("mysql://x").await, Err(StoreError::UnsupportedUrl)));
    }
}
