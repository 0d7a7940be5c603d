//! Managing one's sessions and password.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreResult};
use crate::model::{from_millis, to_millis, UserId};

/// A live session as stored (the token's hash stays inside the crate).
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: String,
    pub(crate) token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// How stale `last_seen_at` may get before a request writes it again: one write a minute
/// per session at most.
const LAST_SEEN_RESOLUTION_MS: i64 = 60_000;

impl Store {
    /// The user's live sessions, most recently seen first.
    pub async fn list_sessions(&self, user_id: &UserId, now: DateTime<Utc>) -> StoreResult<Vec<SessionRecord>> {
        let rows = sqlx::query(
            "SELECT public_id, token_hash, created_at, last_seen_at, ip, user_agent FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, public_id",
        )
        .bind(user_id.as_str())
        .bind(to_millis(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SessionRecord {
                    id: row.try_get("public_id")?,
                    token_hash: row.try_get("token_hash")?,
                    created_at: from_millis(row.try_get("created_at")?),
                    last_seen_at: from_millis(row.try_get("last_seen_at")?),
                    ip: row.try_get("ip")?,
                    user_agent: row.try_get("user_agent")?,
                })
            })
            .collect()
    }

    /// Ends one of the user's sessions; false if there is no such session of theirs.
    pub async fn delete_user_session(&self, user_id: &UserId, public_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2")
            .bind(user_id.as_str())
            .bind(public_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends all the user's sessions but the one with `keep` (its token's hash), if given.
    pub async fn delete_sessions_except(&self, user_id: &UserId, keep: Option<&str>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id.as_str())
            .bind(keep.unwrap_or(""))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Notes that the session was used now (at most once a minute).
    pub async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let now = to_millis(now);
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3")
            .bind(now)
            .bind(token_hash)
            .bind(now - LAST_SEEN_RESOLUTION_MS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn password_hash(&self, user_id: &UserId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok(row.try_get("password_hash")?)).transpose()
    }

    pub async fn set_password_hash(&self, user_id: &UserId, hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
