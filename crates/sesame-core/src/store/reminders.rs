//! Which keys are due a reminder that they expire soon, and the claim that makes each
//! reminder go out once across every node.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::{from_millis, parsed, to_millis, StoreResult};
use crate::model::ApiKeyId;

/// Reminders looked for in one pass, at most (the next pass takes the rest).
const BATCH: i64 = 500;

/// When one reminder is due: for enabled keys of enabled users that expire in
/// `(after, before]`, and were made more than `days_before` days ahead of their expiry (a
/// key made to live 7 days or less gets no 7-day reminder: its owner just chose that).
pub(crate) struct Window {
    pub days_before: i64,
    pub after: DateTime<Utc>,
    pub before: DateTime<Utc>,
}

/// The conditions of [`Window`] on `api_keys k JOIN users u`, as [`bound`] binds them:
/// `$1` days before, `$2` after, `$3` before, `$4` days before in milliseconds.
const DUE: &str = "k.disabled = 0 AND u.disabled = 0 AND k.expires_at > $2 AND k.expires_at <= $3 \
     AND k.created_at < k.expires_at - $4";

/// The keys due this reminder and not yet reminded of their present expiry, in id order.
pub(crate) async fn due(conn: &mut AnyConnection, window: &Window) -> StoreResult<Vec<ApiKeyId>> {
    let sql = format!(
        "SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id \
         LEFT JOIN key_expiry_reminders r ON r.key_id = k.id AND r.days_before = $1 AND r.expires_at = k.expires_at \
         WHERE r.key_id IS NULL AND {DUE} ORDER BY k.id LIMIT $5"
    );
    let rows = bound(&sql, window).bind(BATCH).fetch_all(conn).await?;
    rows.iter().map(|row| parsed(row, "id")).collect()
}

/// Claims the key's reminder if it is still due as the key stands now, in one statement:
/// the expiry claimed, for the one transaction that inserts the row; none if it is no
/// longer due, or another transaction already claimed it (PostgreSQL makes this one wait
/// for that one to commit or roll back first).
pub(crate) async fn claim(conn: &mut AnyConnection, key: ApiKeyId, window: &Window, now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
    let sql = format!(
        "INSERT INTO key_expiry_reminders (key_id, days_before, expires_at, sent_at) \
         SELECT k.id, $1, k.expires_at, $6 FROM api_keys k JOIN users u ON u.id = k.user_id \
         WHERE k.id = $5 AND {DUE} \
         ON CONFLICT DO NOTHING RETURNING expires_at"
    );
    let row = bound(&sql, window).bind(key.to_string()).bind(to_millis(now)).fetch_optional(conn).await?;
    row.map(|row| Ok(from_millis(row.try_get("expires_at")?))).transpose()
}

/// `sql` with the window bound as `$1` to `$4`.
fn bound<'q>(sql: &'q str, window: &Window) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(window.days_before)
        .bind(to_millis(window.after))
        .bind(to_millis(window.before))
        .bind(chrono::TimeDelta::days(window.days_before).num_milliseconds())
}
