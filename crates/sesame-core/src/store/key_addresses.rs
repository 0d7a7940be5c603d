//! The `api_key_addresses` table: the last distinct client addresses of each key.

use std::net::IpAddr;

use sqlx::{AnyConnection, Row};

use super::{from_millis, parsed, to_millis, StoreResult};
use crate::model::{ApiKeyId, KeyAddress};

/// Addresses kept per key.
pub(crate) const RECENT_ADDRESSES: usize = 10;

/// Notes that `key_id` was used from `address` between its first and last use; true when
/// the address is new among the key's recent ones and the key had been used from elsewhere
/// (news for its owner). A key deleted since its use is skipped: nothing to note, and no
/// failing write to hold the rest of the batch back.
pub(crate) async fn record(conn: &mut AnyConnection, key_id: ApiKeyId, address: &KeyAddress) -> StoreResult<bool> {
    let (key, ip) = (key_id.to_string(), address.ip.to_string());
    let inserted = sqlx::query(
        "INSERT INTO api_key_addresses (key_id, ip, first_seen, last_seen) \
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM api_keys WHERE id = $1) \
         ON CONFLICT (key_id, ip) DO NOTHING",
    )
    .bind(&key)
    .bind(&ip)
    .bind(to_millis(address.first_seen))
    .bind(to_millis(address.last_seen))
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        // Forward-only, as the key's last use: a slow node's older batch changes nothing.
        sqlx::query("UPDATE api_key_addresses SET last_seen = $1 WHERE key_id = $2 AND ip = $3 AND last_seen < $1")
            .bind(to_millis(address.last_seen))
            .bind(&key)
            .bind(&ip)
            .execute(&mut *conn)
            .await?;
        return Ok(false);
    }
    let known = sqlx::query("SELECT COUNT(*) AS n FROM api_key_addresses WHERE key_id = $1")
        .bind(&key)
        .fetch_one(&mut *conn)
        .await?
        .try_get::<i64, _>("n")?;
    if known > RECENT_ADDRESSES as i64 {
        forget_oldest(conn, &key).await?;
        // An older use (a slow node's batch) may be the one forgotten at once: no news then.
        let kept = sqlx::query("SELECT 1 AS kept FROM api_key_addresses WHERE key_id = $1 AND ip = $2")
            .bind(&key)
            .bind(&ip)
            .fetch_optional(&mut *conn)
            .await?;
        return Ok(kept.is_some());
    }
    Ok(known > 1)
}

/// Keeps the key's [`RECENT_ADDRESSES`] most recently seen addresses.
async fn forget_oldest(conn: &mut AnyConnection, key: &str) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM api_key_addresses WHERE key_id = $1 AND ip NOT IN \
         (SELECT ip FROM api_key_addresses WHERE key_id = $1 ORDER BY last_seen DESC, ip LIMIT $2)",
    )
    .bind(key)
    .bind(RECENT_ADDRESSES as i64)
    .execute(conn)
    .await?;
    Ok(())
}

/// The key's recent addresses, most recently seen first.
pub(crate) async fn list(conn: &mut AnyConnection, key_id: ApiKeyId) -> StoreResult<Vec<KeyAddress>> {
    let rows = sqlx::query(
        "SELECT ip, first_seen, last_seen FROM api_key_addresses WHERE key_id = $1 ORDER BY last_seen DESC, ip LIMIT $2",
    )
    .bind(key_id.to_string())
    .bind(RECENT_ADDRESSES as i64)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(KeyAddress {
                ip: parsed::<IpAddr>(row, "ip")?,
                first_seen: from_millis(row.try_get("first_seen")?),
                last_seen: from_millis(row.try_get("last_seen")?),
            })
        })
        .collect()
}
