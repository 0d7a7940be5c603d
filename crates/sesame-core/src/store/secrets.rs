//! The `server_secrets` table: values every node must share (the device cookies' signing
//! key, the one-time setup token).

use sqlx::{AnyConnection, Row};

use super::{to_millis, StoreError, StoreResult};

/// The secret named `name`, made from `fresh` the first time it is asked for (every node
/// then reads the same one). Read first, so that a database that cannot be written (read
/// only after a remount, a full disk) still starts once the secret exists.
pub(crate) async fn get_or_make(conn: &mut AnyConnection, name: &str, fresh: &str) -> StoreResult<String> {
    if let Some(existing) = get(&mut *conn, name).await? {
        return Ok(existing);
    }
    sqlx::query("INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(fresh)
        .bind(to_millis(chrono::Utc::now()))
        .execute(&mut *conn)
        .await?;
    // Another node may have made it first: what is stored wins.
    get(conn, name).await?.ok_or(StoreError::Database(sqlx::Error::RowNotFound))
}

/// The secret named `name`, if there is one.
pub(crate) async fn get(conn: &mut AnyConnection, name: &str) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT value FROM server_secrets WHERE name = $1").bind(name).fetch_optional(conn).await?;
    row.map(|row| Ok(row.try_get("value")?)).transpose()
}

pub(crate) async fn delete(conn: &mut AnyConnection, name: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM server_secrets WHERE name = $1").bind(name).execute(conn).await?;
    Ok(done.rows_affected() > 0)
}
