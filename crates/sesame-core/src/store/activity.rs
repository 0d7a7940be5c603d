//! The `activity` table: one row per event, never a secret.

use chrono::{DateTime, Utc};
use sqlx::{any::AnyRow, AnyConnection, Row};

use super::{from_millis, parsed, parsed_optional, to_millis, StoreResult};
use crate::model::{Event, EventKind, KeyRef, OrganizationId, Page, PageRequest, Party, UserId};

const EVENT_COLUMNS: &str = "id, organization_id, at, event, actor_id, actor_username, subject_id, \
     subject_username, key_id, key_name, ip, user_agent, detail";

/// Which events a reader may see.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Visibility {
    Organization(OrganizationId),
    /// Those the user did or that concern them.
    User(UserId),
    /// A service account's: those it did (its keys' refusals and new addresses) or that
    /// concern it, and the events of the keys it holds now since each came to it (a key's
    /// events name the person who made the change as actor and subject; its owner is known
    /// from the key). A key's history under its previous owner stays theirs, and of a move's
    /// two events (one per side) the account's own is shown.
    ServiceAccount(UserId),
}

pub(crate) async fn insert(conn: &mut AnyConnection, event: &Event) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO activity ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(event.id.to_string())
    .bind(event.organization_id.to_string())
    .bind(to_millis(event.at))
    .bind(event.kind.as_str())
    .bind(event.actor.as_ref().map(|party| party.id.to_string()))
    .bind(event.actor.as_ref().map(|party| party.username.clone()))
    .bind(event.subject.as_ref().map(|party| party.id.to_string()))
    .bind(event.subject.as_ref().map(|party| party.username.clone()))
    .bind(event.key.as_ref().map(|key| key.id.to_string()))
    .bind(event.key.as_ref().map(|key| key.name.clone()))
    .bind(event.ip.map(|ip| ip.to_string()))
    .bind(event.user_agent.clone())
    .bind(event.detail.clone())
    .execute(conn)
    .await?;
    Ok(())
}

/// The events `visibility` allows, newest first.
pub(crate) async fn list(conn: &mut AnyConnection, visibility: Visibility, page: PageRequest) -> StoreResult<Page<Event>> {
    let (filter, owner) = match visibility {
        Visibility::Organization(id) => ("organization_id = $1", id.to_string()),
        Visibility::User(id) => ("(actor_id = $1 OR subject_id = $1)", id.to_string()),
        Visibility::ServiceAccount(id) => (
            "organization_id = (SELECT organization_id FROM users WHERE id = $1) AND (actor_id = $1 OR subject_id = $1 \
             OR (key_id IN (SELECT id FROM api_keys WHERE user_id = $1) AND at >= COALESCE((SELECT MAX(moved.at) FROM activity moved \
             WHERE moved.key_id = activity.key_id AND moved.event = 'key_transferred' AND moved.subject_id = $1), 0) \
             AND NOT (event = 'key_transferred' AND subject_id <> $1)))",
            id.to_string(),
        ),
    };
    let count = format!("SELECT COUNT(*) AS n FROM activity WHERE {filter}");
    let select = format!("SELECT {EVENT_COLUMNS} FROM activity WHERE {filter} ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3");
    super::fetch_page(conn, &count, &select, &owner, page, event_from_row).await
}

/// The events of one kind that concern `user` (as their subject) since `since`, newest
/// first, at most `limit`.
pub(crate) async fn of_kind_about(
    conn: &mut AnyConnection,
    user: UserId,
    kind: EventKind,
    since: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<Event>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM activity WHERE subject_id = $1 AND event = $2 AND at >= $3 ORDER BY at DESC, id DESC LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(user.to_string())
        .bind(kind.as_str())
        .bind(to_millis(since))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(event_from_row).collect()
}

fn party(row: &AnyRow, id: &str, username: &str) -> StoreResult<Option<Party>> {
    let id: Option<UserId> = parsed_optional(row, id)?;
    let username: Option<String> = row.try_get(username)?;
    Ok(id.zip(username).map(|(id, username)| Party { id, username }))
}

fn event_from_row(row: &AnyRow) -> StoreResult<Event> {
    let key_id = parsed_optional(row, "key_id")?;
    let key_name: Option<String> = row.try_get("key_name")?;
    Ok(Event {
        id: parsed(row, "id")?,
        organization_id: parsed(row, "organization_id")?,
        at: from_millis(row.try_get("at")?),
        kind: parsed(row, "event")?,
        actor: party(row, "actor_id", "actor_username")?,
        subject: party(row, "subject_id", "subject_username")?,
        key: key_id.zip(key_name).map(|(id, name)| KeyRef { id, name }),
        ip: parsed_optional(row, "ip")?,
        user_agent: row.try_get("user_agent")?,
        detail: row.try_get("detail")?,
    })
}
