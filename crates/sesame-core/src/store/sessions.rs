//! The `sessions` table: console sessions, by the SHA-256 of their token.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::{
    from_millis, parsed, parsed_optional, to_millis,
    users::{user_from_row, USER_COLUMNS},
    StoreResult,
};
use crate::model::{SessionId, SessionInfo, User, UserId};

/// A session to store.
#[derive(Debug, Clone)]
pub(crate) struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<&'a str>,
}

/// How stale `last_seen_at` may get before a request writes it again: one write a minute
/// per session at most, or a tenth of the idle time if that is shorter.
fn last_seen_resolution_ms(idle_ms: i64) -> i64 {
    (idle_ms / 10).clamp(1, 60_000)
}

pub(crate) async fn insert(conn: &mut AnyConnection, session: &NewSession<'_>) -> StoreResult<SessionId> {
    let id = SessionId::new_random();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, \
         user_agent, public_id) VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
    )
    .bind(session.token_hash)
    .bind(session.user_id.to_string())
    .bind(to_millis(session.now))
    .bind(to_millis(session.expires_at))
    .bind(session.ip.map(|ip| ip.to_string()))
    .bind(session.user_agent)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Forgets sessions that ran out.
pub(crate) async fn delete_expired(conn: &mut AnyConnection, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(to_millis(now)).execute(conn).await?;
    Ok(())
}

/// The active user behind a live session: not expired, used within `idle_ms`, its user
/// not disabled.
pub(crate) async fn user_for(conn: &mut AnyConnection, token_hash: &str, now: DateTime<Utc>, idle_ms: i64) -> StoreResult<Option<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
         JOIN organizations o ON o.id = u.organization_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled = 0"
    );
    let now = to_millis(now);
    let row = sqlx::query(&sql).bind(token_hash).bind(now).bind(now - idle_ms).fetch_optional(conn).await?;
    row.map(|row| user_from_row(&row)).transpose()
}

/// Notes that the session was used now (not on every request: see
/// `last_seen_resolution_ms`).
pub(crate) async fn touch(conn: &mut AnyConnection, token_hash: &str, now: DateTime<Utc>, idle_ms: i64) -> StoreResult<()> {
    let now = to_millis(now);
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3")
        .bind(now)
        .bind(token_hash)
        .bind(now - last_seen_resolution_ms(idle_ms))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether `user_id`'s session with this token hash is still live; its row is held until
/// commit (`lock`: see `Tx::reauthorize`).
pub(crate) async fn lock_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: UserId,
    now: DateTime<Utc>,
    lock: &str,
) -> StoreResult<bool> {
    let sql = format!("SELECT public_id FROM sessions WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3{lock}");
    let row = sqlx::query(&sql).bind(token_hash).bind(user_id.to_string()).bind(to_millis(now)).fetch_optional(conn).await?;
    Ok(row.is_some())
}

/// Ends the session with this token hash; false if there was none.
pub(crate) async fn delete(conn: &mut AnyConnection, token_hash: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(done.rows_affected() > 0)
}

/// The most sessions listed: the most recently seen.
pub const LISTED_SESSIONS: i64 = 100;

/// The user's live sessions, most recently seen first (at most [`LISTED_SESSIONS`]);
/// `current`: the hash of the session asking, which is marked.
pub(crate) async fn list(
    conn: &mut AnyConnection,
    user_id: UserId,
    now: DateTime<Utc>,
    current: Option<&str>,
) -> StoreResult<Vec<SessionInfo>> {
    let rows = sqlx::query(&format!(
        "SELECT public_id, token_hash, created_at, last_seen_at, ip, user_agent FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, public_id LIMIT {LISTED_SESSIONS}"
    ))
    .bind(user_id.to_string())
    .bind(to_millis(now))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let token_hash: String = row.try_get("token_hash")?;
            Ok(SessionInfo {
                id: parsed(row, "public_id")?,
                created_at: from_millis(row.try_get("created_at")?),
                last_seen_at: from_millis(row.try_get("last_seen_at")?),
                ip: parsed_optional(row, "ip")?,
                user_agent: row.try_get("user_agent")?,
                current: current == Some(token_hash.as_str()),
            })
        })
        .collect()
}

/// Ends one of the user's sessions; false if there is no such session of theirs.
pub(crate) async fn delete_one_of(conn: &mut AnyConnection, user_id: UserId, id: SessionId) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2")
        .bind(user_id.to_string())
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends all the user's sessions but the one with `keep` (its token's hash), if given.
pub(crate) async fn delete_all_except(conn: &mut AnyConnection, user_id: UserId, keep: Option<&str>) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id.to_string())
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
