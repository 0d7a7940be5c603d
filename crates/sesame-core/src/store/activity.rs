//! The activity table.

use sqlx::{any::AnyRow, Row};

use super::{Store, StoreResult};
use crate::{
    activity::{Event, EventKind, KeyRef, Party, Visibility},
    model::{from_millis, to_millis, ApiKeyId, OrganizationId, Page, PageRequest, UserId},
};

const EVENT_COLUMNS: &str = "id, organization_id, at, event, actor_id, actor_username, subject_id, \
     subject_username, key_id, key_name, ip, user_agent, detail";

impl Store {
    pub async fn insert_event(&self, event: &Event) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO activity ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(&event.id)
        .bind(event.organization_id.as_str())
        .bind(to_millis(event.at))
        .bind(event.kind.as_str())
        .bind(event.actor.as_ref().map(|p| p.id.as_str().to_owned()))
        .bind(event.actor.as_ref().map(|p| p.username.clone()))
        .bind(event.subject.as_ref().map(|p| p.id.as_str().to_owned()))
        .bind(event.subject.as_ref().map(|p| p.username.clone()))
        .bind(event.key.as_ref().map(|k| k.id.as_str().to_owned()))
        .bind(event.key.as_ref().map(|k| k.name.clone()))
        .bind(event.ip.clone())
        .bind(event.user_agent.clone())
        .bind(event.detail.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The events `visibility` allows, newest first.
    pub async fn list_events(&self, visibility: &Visibility, page: PageRequest) -> StoreResult<Page<Event>> {
        let (filter, owner) = match visibility {
            Visibility::Organization(id) => ("organization_id = $1", id.as_str()),
            Visibility::User(id) => ("(actor_id = $1 OR subject_id = $1)", id.as_str()),
        };
        let count = format!("SELECT COUNT(*) AS n FROM activity WHERE {filter}");
        let select = format!(
            "SELECT {EVENT_COLUMNS} FROM activity WHERE {filter} ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3"
        );
        self.fetch_page(&count, &select, owner, page, event_from_row).await
    }
}

fn party(row: &AnyRow, id: &str, username: &str) -> StoreResult<Option<Party>> {
    let id: Option<String> = row.try_get(id)?;
    let username: Option<String> = row.try_get(username)?;
    Ok(id.zip(username).map(|(id, username)| Party { id: UserId::from_db(id), username }))
}

fn event_from_row(row: &AnyRow) -> StoreResult<Event> {
    let kind: String = row.try_get("event")?;
    let key_id: Option<String> = row.try_get("key_id")?;
    let key_name: Option<String> = row.try_get("key_name")?;
    Ok(Event {
        id: row.try_get("id")?,
        organization_id: OrganizationId::from_db(row.try_get("organization_id")?),
        at: from_millis(row.try_get("at")?),
        // Only this code writes the column.
        kind: EventKind::parse(&kind).unwrap_or(EventKind::Logout),
        actor: party(row, "actor_id", "actor_username")?,
        subject: party(row, "subject_id", "subject_username")?,
        key: key_id.zip(key_name).map(|(id, name)| KeyRef { id: ApiKeyId::from_db(id), name }),
        ip: row.try_get("ip")?,
        user_agent: row.try_get("user_agent")?,
        detail: row.try_get("detail")?,
    })
}
