//! Writing key uses (last use time and client address) in batches.

use sqlx::AnyConnection;

use super::{to_millis, StoreResult};
use crate::model::{ApiKeyId, KeyUse};

/// Forward-only: a use older than the one stored (from a slow node, say) changes nothing.
const RECORD_KEY_USE: &str = "UPDATE api_keys SET last_used_at = $1, last_used_ip = $2 \
     WHERE id = $3 AND (last_used_at IS NULL OR last_used_at <= $1)";

/// Records a batch of key uses (call inside one transaction).
pub(crate) async fn record(conn: &mut AnyConnection, uses: &[(ApiKeyId, KeyUse)]) -> StoreResult<()> {
    for (key_id, used) in uses {
        sqlx::query(RECORD_KEY_USE)
            .bind(to_millis(used.at))
            .bind(used.ip.to_string())
            .bind(key_id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
