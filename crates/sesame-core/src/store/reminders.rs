//! Which keys are due a reminder that they expire soon, and the claim that makes each
//! reminder go out once across every node.

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::AnyConnection;

use super::{parsed, to_millis, StoreResult};
use crate::model::ApiKeyId;

/// Reminders looked for in one pass, at most (the next pass takes the rest).
const BATCH: i64 = 500;

/// Enabled keys of enabled users that expire in `(now + after, now + before]`, existed
/// more than `before` ahead of their expiry (a key made to live 7 days or less gets no
/// 7-day reminder: its owner just chose that), and
/// were not yet reminded `days_before` ahead of this very expiry; in id order.
pub(crate) async fn due(
    conn: &mut AnyConnection,
    days_before: i64,
    now: DateTime<Utc>,
    after: TimeDelta,
    before: TimeDelta,
) -> StoreResult<Vec<ApiKeyId>> {
    let rows = sqlx::query(
        "SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id \
         LEFT JOIN key_expiry_reminders r ON r.key_id = k.id AND r.days_before = $1 AND r.expires_at = k.expires_at \
         WHERE r.key_id IS NULL AND k.disabled = 0 AND u.disabled = 0 \
         AND k.expires_at > $2 AND k.expires_at <= $3 AND k.created_at < k.expires_at - $4 \
         ORDER BY k.id LIMIT $5",
    )
    .bind(days_before)
    .bind(to_millis(now + after))
    .bind(to_millis(now + before))
    .bind(before.num_milliseconds())
    .bind(BATCH)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|row| parsed(row, "id")).collect()
}

/// Claims the reminder `days_before` ahead of `expires_at` for the key: true for the one
/// transaction that inserts it; false if another already did (it waits for that one to
/// commit or roll back first).
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    key: ApiKeyId,
    days_before: i64,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO key_expiry_reminders (key_id, days_before, expires_at, sent_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(key.to_string())
    .bind(days_before)
    .bind(to_millis(expires_at))
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
