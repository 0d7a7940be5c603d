//! The SQL behind [`crate::cluster`]: PostgreSQL only (notifications, the database clock).

use sqlx::Row;

use super::{Backend, Store, StoreResult, Tx};
use crate::{key::KeyHash, model::UserId};

/// The database's clock in Unix milliseconds: every node's heartbeat is judged by one clock.
const NOW_MS: &str = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

/// Notification channels.
pub(crate) const INVALIDATE_CHANNEL: &str = "sesame_invalidate";
pub(crate) const SYNC_CHANNEL: &str = "sesame_sync";
pub(crate) const PING_CHANNEL: &str = "sesame_ping";
/// A failed authentication counted for an address: `<address key, hex>:<its rate's
/// theoretical arrival time>:<refused until, 0 if not>` (Unix ms).
pub(crate) const FAILED_AUTH_CHANNEL: &str = "sesame_failed_auth";

/// What a committed change makes stale in the nodes' key caches.
#[derive(Clone)]
pub(crate) enum Invalidated {
    Key(KeyHash),
    /// A user's role or status changed: their keys carry the old one.
    User(UserId),
}

impl Invalidated {
    pub(crate) fn to_payload(&self) -> String {
        match self {
            Invalidated::Key(hash) => format!("key:{}", hash.to_hex()),
            Invalidated::User(id) => format!("user:{id}"),
        }
    }

    pub(crate) fn from_payload(payload: &str) -> Option<Self> {
        if let Some(hex) = payload.strip_prefix("key:") {
            return hex.parse().ok().map(Invalidated::Key);
        }
        payload.strip_prefix("user:").and_then(UserId::parse).map(Invalidated::User)
    }
}

/// On PostgreSQL, tells every node's key cache what `tx` invalidates, when (and only if)
/// it commits. Nothing to tell on SQLite: one node owns the file.
pub(crate) async fn announce(tx: &mut Tx, what: &Invalidated) -> StoreResult<()> {
    if tx.backend() == Backend::Postgres {
        notify(tx.conn(), INVALIDATE_CHANNEL, &what.to_payload()).await?;
    }
    Ok(())
}

impl Store {
    /// Takes the next sync number and announces it to every listening node, in one
    /// transaction: numbers are committed in increasing order.
    pub(crate) async fn next_sync(&self) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        let n: i64 = sqlx::query("UPDATE cluster_sync SET n = n + 1 WHERE id = 1 RETURNING n")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        notify(&mut *tx, SYNC_CHANNEL, &n.to_string()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Live nodes other than `node_id` that have not yet seen sync `n`.
    pub(crate) async fn nodes_behind(&self, node_id: &str, n: i64, lease_ms: i64) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) AS behind FROM cluster_nodes \
             WHERE node_id <> $1 AND synced < $2 AND heartbeat_ms > {NOW_MS} - $3"
        );
        let row = sqlx::query(&sql).bind(node_id).bind(n).bind(lease_ms).fetch_one(&self.pool).await?;
        Ok(row.try_get("behind")?)
    }

    /// Tells every node where an address stands after a failed authentication (and to
    /// refuse it until `penalized_until`, if that is not 0).
    pub(crate) async fn announce_failed_auth(&self, address: &str, tat: i64, penalized_until: i64) -> StoreResult<()> {
        notify(&self.pool, FAILED_AUTH_CHANNEL, &format!("{address}:{tat}:{penalized_until}")).await
    }

    pub(crate) async fn ping_node(&self, node_id: &str, counter: u64) -> StoreResult<()> {
        notify(&self.pool, PING_CHANNEL, &format!("{node_id}:{counter}")).await
    }

    /// Renews `node_id`'s heartbeat and records the syncs it has seen; the database's clock
    /// as it wrote the heartbeat (Unix ms), which each node compares with its own. A node
    /// `rejoining` (first heartbeat, or after losing its listener) counts as having seen
    /// every sync committed so far: it starts again from an empty cache.
    pub(crate) async fn heartbeat(&self, node_id: &str, seen_sync: i64, rejoining: bool) -> StoreResult<i64> {
        let sql = format!(
            "INSERT INTO cluster_nodes (node_id, heartbeat_ms, synced) \
             SELECT $1, {NOW_MS}, GREATEST(n, $2) FROM cluster_sync WHERE id = 1 \
             ON CONFLICT (node_id) DO UPDATE SET heartbeat_ms = EXCLUDED.heartbeat_ms, \
             synced = CASE WHEN $3 THEN EXCLUDED.synced ELSE GREATEST(cluster_nodes.synced, $2) END \
             RETURNING heartbeat_ms"
        );
        let row = sqlx::query(&sql).bind(node_id).bind(seen_sync).bind(rejoining).fetch_one(&self.pool).await?;
        Ok(row.try_get("heartbeat_ms")?)
    }

    /// Records that `node_id` has seen sync `n` (and everything before it).
    pub(crate) async fn acknowledge_sync(&self, node_id: &str, n: i64) -> StoreResult<()> {
        sqlx::query("UPDATE cluster_nodes SET synced = GREATEST(synced, $2) WHERE node_id = $1")
            .bind(node_id)
            .bind(n)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes a node that stops (and nodes gone silent for an hour: crashed ones).
    pub(crate) async fn remove_node(&self, node_id: &str) -> StoreResult<()> {
        let sql = format!("DELETE FROM cluster_nodes WHERE node_id = $1 OR heartbeat_ms < {NOW_MS} - 3600000");
        sqlx::query(&sql).bind(node_id).execute(&self.pool).await?;
        Ok(())
    }
}

/// Sends a notification; inside a transaction, it is delivered when (and only if) the
/// transaction commits. (`pg_notify` returns `void`, which the `Any` driver cannot
/// decode: hence the constant column.)
pub(crate) async fn notify<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    channel: &str,
    payload: &str,
) -> StoreResult<()> {
    sqlx::query("SELECT 1 AS sent FROM pg_notify($1, $2)")
        .bind(channel)
        .bind(payload)
        .execute(executor)
        .await?;
    Ok(())
}

/// A failed authentication as announced: the address key's bytes, its rate's state, and
/// until when it is refused (if it is).
pub(crate) fn parse_failed_auth(payload: &str) -> Option<([u8; 16], i64, Option<i64>)> {
    let mut parts = payload.split(':');
    let bytes: [u8; 16] = hex::decode(parts.next()?).ok()?.try_into().ok()?;
    let tat = parts.next()?.parse().ok()?;
    let until: i64 = parts.next()?.parse().ok()?;
    Some((bytes, tat, (until > 0).then_some(until)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ApiKeySecret;

    #[test]
    fn invalidations_survive_the_trip_through_a_notification() {
        let key = Invalidated::Key(ApiKeySecret::generate().hash());
        for what in [key, Invalidated::User(UserId::new_random())] {
            let payload = what.to_payload();
            assert_eq!(Invalidated::from_payload(&payload).map(|back| back.to_payload()), Some(payload));
        }
        assert!(Invalidated::from_payload("something else").is_none());
    }
}
