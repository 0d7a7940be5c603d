//! The `throttle_state` table: the limits' states, shared by all nodes.

use sqlx::{AnyConnection, Row};

use super::{StoreResult, Tx};

/// One limit's state for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LimitState {
    pub a: i64,
    pub b: i64,
    pub expires_ms: i64,
}

/// Reads `(kind, key)`'s state and holds its row until commit, so that nodes updating the
/// same limit at once take turns. One statement makes the row if there is none and locks
/// it: two nodes making it at once would otherwise both count from zero, and a row deleted
/// (forgotten, swept) between a separate insert and select would not be found.
pub(crate) async fn lock(tx: &mut Tx, kind: &str, key: &str) -> StoreResult<Option<LimitState>> {
    let row = sqlx::query(
        "INSERT INTO throttle_state (kind, key, a, b, expires_ms) VALUES ($1, $2, 0, 0, 0) \
         ON CONFLICT (kind, key) DO UPDATE SET a = throttle_state.a RETURNING a, b, expires_ms",
    )
    .bind(kind)
    .bind(key)
    .fetch_one(tx.conn())
    .await?;
    let state = LimitState { a: row.try_get("a")?, b: row.try_get("b")?, expires_ms: row.try_get("expires_ms")? };
    Ok(Some(state).filter(|state| state.expires_ms > 0))
}

pub(crate) async fn put(tx: &mut Tx, kind: &str, key: &str, state: LimitState) -> StoreResult<()> {
    sqlx::query("UPDATE throttle_state SET a = $3, b = $4, expires_ms = $5 WHERE kind = $1 AND key = $2")
        .bind(kind)
        .bind(key)
        .bind(state.a)
        .bind(state.b)
        .bind(state.expires_ms)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub(crate) async fn remove(conn: &mut AnyConnection, kind: &str, key: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM throttle_state WHERE kind = $1 AND key = $2").bind(kind).bind(key).execute(conn).await?;
    Ok(())
}

/// Forgets the states that no longer matter.
pub(crate) async fn delete_expired(conn: &mut AnyConnection, now_ms: i64) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM throttle_state WHERE expires_ms < $1").bind(now_ms).execute(conn).await?;
    Ok(done.rows_affected())
}
