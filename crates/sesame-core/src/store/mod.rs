//! Persistence on SQLite or PostgreSQL through one pool and one set of portable queries.
//!
//! sqlx's `Any` driver lets the same SQL (with `$n` placeholders, which both backends
//! accept) run on either database, so every behaviour is written — and tested — once.

use std::{str::FromStr, time::Duration};

use chrono::{DateTime, Utc};
use sqlx::{
    any::{AnyPoolOptions, AnyRow},
    AnyPool, Row,
};

use crate::{
    key::KeyHash,
    model::{
        from_millis, to_millis, ApiKey, ApiKeyId, OrganizationId, Page, PageRequest, Role, User,
        UserId,
    },
    names::KeyName,
};

pub use sqlx::Error as SqlxError;

mod activity;
mod cluster;
mod sessions;

pub(crate) use cluster::{Invalidated, INVALIDATE_CHANNEL, PING_CHANNEL, SYNC_CHANNEL};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    #[error("the organization would have no active administrator left")]
    NoAdminLeft,
    #[error("unsupported database URL (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database directory: {0}")]
    Directory(#[from] std::io::Error),
}

impl StoreError {
    /// The database could not be reached (pool exhausted or closed, connection lost): a
    /// 503 to retry, not a bug.
    /// Also when SQLite cannot write its file (read-only, disk full, I/O error): the data
    /// is intact, the operator has to act, and the client should retry later.
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

    fn from_write(error: sqlx::Error) -> Self {
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

/// Everything needed to create a user; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// A change to a user's role and/or status; `None` leaves that part as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// One server-side session, as stored.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a UserId,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// PostgreSQL only: the cluster's notification listener opens its own connection.
    postgres_url: Option<std::sync::Arc<str>>,
}

const USER_COLUMNS: &str = "u.id, u.organization_id, o.name AS organization_name, u.username, \
     u.email, u.full_name, u.role, u.disabled, u.created_at";
/// Forward-only: a use older than the one stored (from a slow node, say) changes nothing.
const RECORD_KEY_USE: &str = "UPDATE api_keys SET last_used_at = $1, last_used_ip = $2 \
     WHERE id = $3 AND (last_used_at IS NULL OR last_used_at <= $1)";
const KEY_COLUMNS: &str = "id, user_id, name, created_at, last_used_at, last_used_ip";

impl Store {
    /// Opens the database (creating a SQLite file and its directory if needed), with one
    /// shared pool, and runs the embedded migrations. A failed migration is an error.
    pub async fn connect(url: &str) -> StoreResult<Self> {
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
        Ok(Self { pool, backend, postgres_url })
    }

    /// Creates an empty PostgreSQL database on the server `server_url` points at (used by
    /// tests and tools that need a database of their own). `name` must be a plain identifier.
    pub async fn create_postgres_database(server_url: &str, name: &str) -> StoreResult<()> {
        use sqlx::Connection;
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StoreError::UnsupportedUrl);
        }
        let mut connection = sqlx::PgConnection::connect(server_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await?;
        connection.close().await?;
        Ok(())
    }

    /// The SQLite file behind `url`, if it names one (not `:memory:`, not PostgreSQL).
    pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
        let path = path.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Connections open in the pool, and how many of them are idle.
    pub fn pool_usage(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// SQLite's own consistency check (`PRAGMA integrity_check`); PostgreSQL: always true.
    pub async fn integrity_ok(&self) -> StoreResult<bool> {
        if self.backend == Backend::Postgres {
            return Ok(true);
        }
        let row = sqlx::query("PRAGMA integrity_check").fetch_one(&self.pool).await?;
        Ok(row.try_get::<String, _>(0)? == "ok")
    }

    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    // ---- users ----

    pub async fn user_count(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.pool).await?;
        Ok(row.try_get("n")?)
    }

    /// Creates a user in the organization named `organization` (created if it does not
    /// exist yet). With `only_if_first`, refuses with `Conflict` once any user exists: the
    /// one-time setup form cannot be replayed.
    pub async fn create_user(
        &self,
        organization: &str,
        user: &NewUser,
        only_if_first: bool,
    ) -> StoreResult<User> {
        let now = to_millis(Utc::now());
        let mut tx = self.pool.begin().await?;
        if only_if_first {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&mut *tx).await?;
            if row.try_get::<i64, _>("n")? > 0 {
                return Err(StoreError::Conflict);
            }
            // Two setup forms submitted at once both see no user; the one-row table lets
            // only one of them commit.
            sqlx::query("INSERT INTO first_admin_setup (id, created_at) VALUES (1, $1)")
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_write)?;
        }
        let existing = sqlx::query("SELECT id FROM organizations WHERE name = $1")
            .bind(organization)
            .fetch_optional(&mut *tx)
            .await?;
        let organization_id = match existing {
            Some(row) => row.try_get::<String, _>("id")?,
            None => {
                let id = OrganizationId::new_random();
                sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
                    .bind(id.as_str())
                    .bind(organization)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                id.as_str().to_owned()
            }
        };
        let id = insert_user(&mut tx, &OrganizationId::from_db(organization_id), user, now).await?;
        tx.commit().await?;
        self.user_by_id(&id).await?.ok_or(StoreError::NotFound)
    }

    /// Creates a user in an existing organization (an administrator adding a colleague).
    pub async fn create_user_in(
        &self,
        organization_id: &OrganizationId,
        user: &NewUser,
    ) -> StoreResult<User> {
        let mut tx = self.pool.begin().await?;
        let id = insert_user(&mut tx, organization_id, user, to_millis(Utc::now())).await?;
        tx.commit().await?;
        self.user_by_id(&id).await?.ok_or(StoreError::NotFound)
    }

    /// One page of an organization's users, in the order they were created.
    pub async fn list_users(
        &self,
        organization_id: &OrganizationId,
        page: PageRequest,
    ) -> StoreResult<Page<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id \
             WHERE u.organization_id = $1 ORDER BY u.created_at, u.id LIMIT $2 OFFSET $3"
        );
        let count = "SELECT COUNT(*) AS n FROM users WHERE organization_id = $1";
        self.fetch_page(count, &sql, organization_id.as_str(), page, user_from_row).await
    }

    /// One page of rows: `count_sql` counts them all for `$1 = owner`; `select_sql` takes
    /// `$1 = owner, $2 = limit, $3 = offset`.
    async fn fetch_page<T>(
        &self,
        count_sql: &str,
        select_sql: &str,
        owner: &str,
        page: PageRequest,
        from_row: fn(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Page<T>> {
        let total = sqlx::query(count_sql).bind(owner).fetch_one(&self.pool).await?.try_get::<i64, _>("n")?;
        let rows = sqlx::query(select_sql)
            .bind(owner)
            .bind(i64::from(page.size()))
            .bind(page.offset())
            .fetch_all(&self.pool)
            .await?;
        let items = rows.iter().map(from_row).collect::<StoreResult<_>>()?;
        Ok(Page { items, request: page, total: total.try_into().unwrap_or_default() })
    }

    /// Changes a user's role and/or status within their organization. Refused with
    /// `NoAdminLeft` (and nothing changed) if the organization would be left without an
    /// active administrator; concurrent changes in one organization are serialized, so two
    /// administrators demoting each other at once cannot both succeed.
    pub async fn update_user(
        &self,
        organization_id: &OrganizationId,
        user_id: &UserId,
        change: &UserChange,
    ) -> StoreResult<User> {
        let mut tx = self.pool.begin().await?;
        // A no-op write takes the organization's row lock (PostgreSQL) or the database's
        // write lock (SQLite) before anything is read.
        sqlx::query("UPDATE organizations SET name = name WHERE id = $1")
            .bind(organization_id.as_str())
            .execute(&mut *tx)
            .await?;
        let changed = sqlx::query(
            "UPDATE users SET role = COALESCE($1, role), disabled = COALESCE($2, disabled) \
             WHERE id = $3 AND organization_id = $4",
        )
        .bind(change.role.map(Role::as_str))
        .bind(change.disabled.map(i64::from))
        .bind(user_id.as_str())
        .bind(organization_id.as_str())
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let admins = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE organization_id = $1 AND role = 'admin' \
             AND disabled = 0",
        )
        .bind(organization_id.as_str())
        .fetch_one(&mut *tx)
        .await?
        .try_get::<i64, _>("n")?;
        if admins == 0 {
            return Err(StoreError::NoAdminLeft);
        }
        if change.disabled == Some(true) {
            // A disabled user's sessions end now, and stay ended if they are re-enabled.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        self.announce_invalidation(&mut tx, &Invalidated::User(user_id.clone())).await?;
        tx.commit().await?;
        self.user_by_id(user_id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn user_by_id(&self, id: &UserId) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id \
             WHERE u.id = $1"
        );
        let row = sqlx::query(&sql).bind(id.as_str()).fetch_optional(&self.pool).await?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    pub async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        Ok(self.user_for_login(username).await?.map(|(user, _)| user))
    }

    /// The oldest organization's name, if any: where new users go by default.
    pub async fn first_organization(&self) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT name FROM organizations ORDER BY created_at, id LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok(row.try_get("name")?)).transpose()
    }

    /// The user and their password hash, for login. Usernames match case-insensitively.
    pub async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u \
             JOIN organizations o ON o.id = u.organization_id WHERE u.username_key = $1"
        );
        let row = sqlx::query(&sql)
            .bind(username.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok((user_from_row(&row)?, row.try_get("password_hash")?))).transpose()
    }

    // ---- sessions ----

    pub async fn create_session(&self, session: &NewSession<'_>) -> StoreResult<()> {
        // Logins are rare next to API calls: a fine moment to forget expired sessions.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(to_millis(session.now))
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, \
             user_agent, public_id) VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
        )
        .bind(session.token_hash)
        .bind(session.user_id.as_str())
        .bind(to_millis(session.now))
        .bind(to_millis(session.expires_at))
        .bind(session.ip)
        .bind(session.user_agent)
        .bind(uuid::Uuid::new_v4().to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The active user behind a live session; none if expired, unknown or disabled.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN organizations o ON o.id = u.organization_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(to_millis(now))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- API keys ----

    pub async fn insert_key(
        &self,
        user_id: &UserId,
        name: &KeyName,
        hash: &KeyHash,
    ) -> StoreResult<ApiKey> {
        let key = ApiKey {
            id: ApiKeyId::new_random(),
            user_id: user_id.clone(),
            name: name.as_str().to_owned(),
            // Stored to the millisecond: keep the returned value equal to what is read back.
            created_at: from_millis(to_millis(Utc::now())),
            last_used_at: None,
            last_used_ip: None,
        };
        sqlx::query(
            "INSERT INTO api_keys (id, user_id, name, name_key, key_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key.id.as_str())
        .bind(user_id.as_str())
        .bind(name.as_str())
        .bind(name.uniqueness_key())
        .bind(hash.as_str())
        .bind(to_millis(key.created_at))
        .execute(&self.pool)
        .await
        .map_err(StoreError::from_write)?;
        Ok(key)
    }

    /// Inserts many keys for one user in a single transaction (imports, benchmarks), a few
    /// hundred rows per statement.
    pub async fn insert_keys(&self, user_id: &UserId, keys: &[(KeyName, KeyHash)]) -> StoreResult<()> {
        const ROWS_PER_STATEMENT: usize = 500;
        let now = to_millis(Utc::now());
        let mut tx = self.pool.begin().await?;
        for chunk in keys.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|row| {
                    let first = row * 6;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${})",
                        first + 1, first + 2, first + 3, first + 4, first + 5, first + 6
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO api_keys (id, user_id, name, name_key, key_hash, created_at) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (name, hash) in chunk {
                query = query
                    .bind(ApiKeyId::new_random().as_str().to_owned())
                    .bind(user_id.as_str())
                    .bind(name.as_str())
                    .bind(name.uniqueness_key())
                    .bind(hash.as_str())
                    .bind(now);
            }
            query.execute(&mut *tx).await.map_err(StoreError::from_write)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The user's keys, oldest first (the order they were made in).
    pub async fn list_keys(&self, user_id: &UserId) -> StoreResult<Vec<ApiKey>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql).bind(user_id.as_str()).fetch_all(&self.pool).await?;
        rows.iter().map(key_from_row).collect()
    }

    /// One page of the user's keys, oldest first.
    pub async fn list_keys_page(&self, user_id: &UserId, page: PageRequest) -> StoreResult<Page<ApiKey>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id \
             LIMIT $2 OFFSET $3"
        );
        let count = "SELECT COUNT(*) AS n FROM api_keys WHERE user_id = $1";
        self.fetch_page(count, &sql, user_id.as_str(), page, key_from_row).await
    }

    /// Renames one of `user_id`'s keys. Another user's key is `NotFound`, exactly like a
    /// key that does not exist.
    pub async fn rename_key(
        &self,
        user_id: &UserId,
        key_id: &ApiKeyId,
        name: &KeyName,
    ) -> StoreResult<ApiKey> {
        let changed = sqlx::query(
            "UPDATE api_keys SET name = $1, name_key = $2 WHERE id = $3 AND user_id = $4",
        )
        .bind(name.as_str())
        .bind(name.uniqueness_key())
        .bind(key_id.as_str())
        .bind(user_id.as_str())
        .execute(&self.pool)
        .await
        .map_err(StoreError::from_write)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1");
        let row = sqlx::query(&sql).bind(key_id.as_str()).fetch_one(&self.pool).await?;
        key_from_row(&row)
    }

    /// Deletes one of `user_id`'s keys; once this returns, lookups no longer find it.
    /// Returns the key and its hash (for caches to forget it); on PostgreSQL, every node's
    /// cache is told when the delete commits.
    pub async fn delete_key(
        &self,
        user_id: &UserId,
        key_id: &ApiKeyId,
    ) -> StoreResult<(ApiKey, KeyHash)> {
        let sql = format!(
            "DELETE FROM api_keys WHERE id = $1 AND user_id = $2 RETURNING {KEY_COLUMNS}, key_hash"
        );
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&sql)
            .bind(key_id.as_str())
            .bind(user_id.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let hash = KeyHash::from_stored(row.try_get("key_hash")?);
        self.announce_invalidation(&mut tx, &Invalidated::Key(hash.clone())).await?;
        tx.commit().await?;
        Ok((key_from_row(&row)?, hash))
    }

    /// On PostgreSQL, tells every node's key cache what `tx` invalidates, when it commits.
    async fn announce_invalidation(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        what: &Invalidated,
    ) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            cluster::notify(&mut **tx, INVALIDATE_CHANNEL, &what.to_payload()).await?;
        }
        Ok(())
    }

    /// The key id and its active owner for a key hash; none if unknown, deleted, or its
    /// owner is disabled.
    pub async fn key_owner(&self, hash: &KeyHash) -> StoreResult<Option<(ApiKeyId, User)>> {
        let sql = format!(
            "SELECT k.id AS key_id, {USER_COLUMNS} FROM api_keys k \
             JOIN users u ON u.id = k.user_id JOIN organizations o ON o.id = u.organization_id \
             WHERE k.key_hash = $1 AND u.disabled = 0"
        );
        let row = sqlx::query(&sql).bind(hash.as_str()).fetch_optional(&self.pool).await?;
        row.map(|row| Ok((ApiKeyId::from_db(row.try_get("key_id")?), user_from_row(&row)?)))
            .transpose()
    }

    /// Records a batch of key uses in one transaction (see `record_key_use`).
    pub async fn record_key_uses(
        &self,
        uses: &[(ApiKeyId, crate::last_use::KeyUse)],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for (key_id, used) in uses {
            sqlx::query(RECORD_KEY_USE)
                .bind(to_millis(used.at))
                .bind(used.ip.to_string())
                .bind(key_id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a use of a key. Forward-only: an older time never overwrites a newer one.
    pub async fn record_key_use(
        &self,
        key_id: &ApiKeyId,
        ip: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(RECORD_KEY_USE)
        .bind(to_millis(at))
        .bind(ip)
        .bind(key_id.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

async fn insert_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    organization_id: &OrganizationId,
    user: &NewUser,
    now: i64,
) -> StoreResult<UserId> {
    let id = UserId::new_random();
    sqlx::query(
        "INSERT INTO users (id, organization_id, username, username_key, email, full_name, \
         role, password_hash, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9)",
    )
    .bind(id.as_str())
    .bind(organization_id.as_str())
    .bind(&user.username)
    .bind(user.username.to_lowercase())
    .bind(&user.email)
    .bind(&user.full_name)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from_write)?;
    Ok(id)
}

fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: UserId::from_db(row.try_get("id")?),
        organization_id: OrganizationId::from_db(row.try_get("organization_id")?),
        organization_name: row.try_get("organization_name")?,
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        full_name: row.try_get("full_name")?,
        // The CHECK constraint makes anything else impossible.
        role: Role::parse(&role).unwrap_or(Role::User),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: from_millis(row.try_get("created_at")?),
    })
}

fn key_from_row(row: &AnyRow) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        id: ApiKeyId::from_db(row.try_get("id")?),
        user_id: UserId::from_db(row.try_get("user_id")?),
        name: row.try_get("name")?,
        created_at: from_millis(row.try_get("created_at")?),
        last_used_at: row.try_get::<Option<i64>, _>("last_used_at")?.map(from_millis),
        last_used_ip: row.try_get("last_used_ip")?,
    })
}

/// Makes sure the SQLite file's directory exists and the file is created on first run.
fn prepare_sqlite_url(url: &str) -> StoreResult<String> {
    let Some(path) = Store::sqlite_file(url) else {
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
