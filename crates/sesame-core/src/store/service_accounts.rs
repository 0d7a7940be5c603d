//! Service accounts: rows of `users` of kind 'service_account' (migration 0013), and their
//! managers. Who manages whose keys is decided here, in SQL, for every key query that
//! reads or changes someone's keys ([`managed_by`]).

use chrono::{DateTime, Utc};
use sqlx::{any::AnyRow, AnyConnection, Row};

use super::{
    from_millis, parsed, to_millis,
    users::{user_from_row, USER_COLUMNS},
    StoreError, StoreResult,
};
use crate::model::{ApiKeyId, OrganizationId, Page, PageRequest, Role, ServiceAccount, User, UserId};

/// SQL that holds when the account in `owner` (a column or a parameter) is `actor` (a
/// parameter) or a service account `actor` manages: whose keys `actor` may manage.
pub(crate) fn managed_by(owner: &str, actor: &str) -> String {
    format!("({owner} = {actor} OR {})", service_account_managed_by(owner, actor))
}

/// SQL that holds when the account in `account` is a service account `actor` manages: one of
/// their organization's if they are an administrator, or one they are a manager of whose
/// role is no higher than theirs (a manager who is no administrator does not manage an
/// `admin` account: its full-access key would make them one). Only a person manages service
/// accounts: a service account's own key manages its own keys, and no account.
fn service_account_managed_by(account: &str, actor: &str) -> String {
    format!(
        "{account} IN (SELECT s.id FROM users s JOIN users m ON m.id = {actor} \
         AND m.organization_id = s.organization_id AND m.kind = 'user' \
         WHERE s.kind = 'service_account' AND (m.role = 'admin' OR (s.role = 'user' AND EXISTS (SELECT 1 FROM service_account_managers sm \
         WHERE sm.service_account_id = s.id AND sm.user_id = m.id))))"
    )
}

const ACCOUNT_COLUMNS: &str = "u.id, u.organization_id, u.username, u.description, u.role, u.created_at";

/// The accounts of these rows (of [`ACCOUNT_COLUMNS`]), with their managers read in one
/// query for all of them.
async fn accounts_from_rows(conn: &mut AnyConnection, rows: &[AnyRow]) -> StoreResult<Vec<ServiceAccount>> {
    let mut accounts = rows
        .iter()
        .map(|row| {
            Ok(ServiceAccount {
                id: parsed(row, "id")?,
                organization_id: parsed(row, "organization_id")?,
                name: row.try_get("username")?,
                description: row.try_get("description")?,
                role: parsed(row, "role")?,
                managers: Vec::new(),
                created_at: from_millis(row.try_get("created_at")?),
            })
        })
        .collect::<StoreResult<Vec<ServiceAccount>>>()?;
    if accounts.is_empty() {
        return Ok(accounts);
    }
    let placeholders: Vec<String> = (1..=accounts.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT service_account_id, user_id FROM service_account_managers WHERE service_account_id IN ({}) ORDER BY user_id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for account in &accounts {
        query = query.bind(account.id.to_string());
    }
    for row in query.fetch_all(conn).await? {
        let account: UserId = parsed(&row, "service_account_id")?;
        if let Some(found) = accounts.iter_mut().find(|candidate| candidate.id == account) {
            found.managers.push(parsed(&row, "user_id")?);
        }
    }
    Ok(accounts)
}

/// A new service account in `organization`; [`StoreError::Conflict`] if its name is any
/// account's username (ignoring case).
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    organization: OrganizationId,
    name: &str,
    description: &str,
    role: Role,
    now: DateTime<Utc>,
) -> StoreResult<UserId> {
    let id = UserId::new_random();
    // No email and the empty password hash, which no password matches; `for_login` does
    // not even look at service accounts.
    sqlx::query(
        "INSERT INTO users (id, organization_id, username, username_key, email, full_name, role, password_hash, \
         disabled, created_at, kind, description) VALUES ($1, $2, $3, $4, '', $3, $5, '', 0, $6, 'service_account', $7)",
    )
    .bind(id.to_string())
    .bind(organization.to_string())
    .bind(name)
    .bind(name.to_lowercase())
    .bind(role.as_str())
    .bind(to_millis(now))
    .bind(description)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(id)
}

/// Replaces the account's managers.
pub(crate) async fn set_managers(conn: &mut AnyConnection, id: UserId, managers: &[UserId]) -> StoreResult<()> {
    sqlx::query("DELETE FROM service_account_managers WHERE service_account_id = $1").bind(id.to_string()).execute(&mut *conn).await?;
    for manager in managers {
        sqlx::query("INSERT INTO service_account_managers (service_account_id, user_id) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(manager.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The first of `people` who is not a person of `organization` (unknown, elsewhere, or a
/// service account); none if all are. Their rows are held until commit (`lock`), so none
/// is deleted under the change.
pub(crate) async fn first_stranger(conn: &mut AnyConnection, organization: OrganizationId, people: &[UserId], lock: &str) -> StoreResult<Option<UserId>> {
    for person in people {
        let sql = format!("SELECT id FROM users WHERE id = $1 AND organization_id = $2 AND kind = 'user'{lock}");
        let found = sqlx::query(&sql).bind(person.to_string()).bind(organization.to_string()).fetch_optional(&mut *conn).await?;
        if found.is_none() {
            return Ok(Some(*person));
        }
    }
    Ok(None)
}

/// The service account `id` if `actor` may manage it, its row held until commit (`lock`).
pub(crate) async fn find_managed(conn: &mut AnyConnection, actor: UserId, id: UserId, lock: &str) -> StoreResult<Option<ServiceAccount>> {
    let lock = if lock.is_empty() { String::new() } else { format!("{lock} OF u") };
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.id = $2 AND u.kind = 'service_account' AND {}{lock}",
        service_account_managed_by("u.id", "$1")
    );
    let row = sqlx::query(&sql).bind(actor.to_string()).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    Ok(accounts_from_rows(conn, &[row]).await?.pop())
}

/// The service account `id` as an owner of keys, if `actor` may manage it, its row held
/// until commit (`lock`).
pub(crate) async fn owner_managed(conn: &mut AnyConnection, actor: UserId, id: UserId, lock: &str) -> StoreResult<Option<User>> {
    let lock = if lock.is_empty() { String::new() } else { format!("{lock} OF u") };
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id \
         WHERE u.id = $2 AND u.kind = 'service_account' AND {}{lock}",
        service_account_managed_by("u.id", "$1")
    );
    let row = sqlx::query(&sql).bind(actor.to_string()).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(|row| user_from_row(&row)).transpose()
}

/// One page of the service accounts `actor` may manage, in the order they were made.
pub(crate) async fn list_managed(conn: &mut AnyConnection, actor: UserId, page: PageRequest) -> StoreResult<Page<ServiceAccount>> {
    let managed = service_account_managed_by("u.id", "$1");
    let count = format!("SELECT COUNT(*) AS n FROM users u WHERE u.kind = 'service_account' AND {managed}");
    let total = sqlx::query(&count).bind(actor.to_string()).fetch_one(&mut *conn).await?.try_get::<i64, _>("n")?;
    let select = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.kind = 'service_account' AND {managed} \
         ORDER BY u.created_at, u.id LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query(&select)
        .bind(actor.to_string())
        .bind(i64::from(page.size()))
        .bind(page.offset())
        .fetch_all(&mut *conn)
        .await?;
    let items = accounts_from_rows(conn, &rows).await?;
    Ok(Page { items, request: page, total: total.try_into().unwrap_or_default() })
}

/// Changes what is given of the account's name, description and role.
pub(crate) async fn update(conn: &mut AnyConnection, id: UserId, name: Option<&str>, description: Option<&str>, role: Option<Role>) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET username = COALESCE($1, username), username_key = COALESCE($2, username_key), \
         full_name = COALESCE($1, full_name), description = COALESCE($3, description), role = COALESCE($4, role) \
         WHERE id = $5 AND kind = 'service_account'",
    )
    .bind(name)
    .bind(name.map(str::to_lowercase))
    .bind(description)
    .bind(role.map(Role::as_str))
    .bind(id.to_string())
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// The account's managers who are active, in id order: who hears about its keys.
pub(crate) async fn active_managers(conn: &mut AnyConnection, id: UserId) -> StoreResult<Vec<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id \
         JOIN service_account_managers sm ON sm.user_id = u.id WHERE sm.service_account_id = $1 AND u.disabled = 0 ORDER BY u.id"
    );
    let rows = sqlx::query(&sql).bind(id.to_string()).fetch_all(conn).await?;
    rows.iter().map(user_from_row).collect()
}

/// All the account's managers, active or not, in id order: who the console lists.
pub(crate) async fn managers(conn: &mut AnyConnection, id: UserId) -> StoreResult<Vec<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id \
         JOIN service_account_managers sm ON sm.user_id = u.id WHERE sm.service_account_id = $1 ORDER BY u.id"
    );
    let rows = sqlx::query(&sql).bind(id.to_string()).fetch_all(conn).await?;
    rows.iter().map(user_from_row).collect()
}

/// The organization's service accounts that no active manager may manage (every manager
/// disabled, or an `admin` account left with managers who are no administrators), oldest
/// first: only the administrators still manage their keys.
pub(crate) async fn without_active_manager(conn: &mut AnyConnection, organization: OrganizationId) -> StoreResult<Vec<ServiceAccount>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.organization_id = $1 AND u.kind = 'service_account' \
         AND NOT EXISTS (SELECT 1 FROM service_account_managers sm JOIN users p ON p.id = sm.user_id \
         WHERE sm.service_account_id = u.id AND p.disabled = 0 AND (u.role = 'user' OR p.role = 'admin')) ORDER BY u.created_at, u.id"
    );
    let rows = sqlx::query(&sql).bind(organization.to_string()).fetch_all(&mut *conn).await?;
    accounts_from_rows(conn, &rows).await
}

/// The service accounts `person` manages with no other active manager, oldest first:
/// disabling or deleting them would leave these with no one but the administrators.
pub(crate) async fn solely_managed_by(conn: &mut AnyConnection, person: UserId) -> StoreResult<Vec<ServiceAccount>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users u JOIN service_account_managers mine ON mine.service_account_id = u.id AND mine.user_id = $1 \
         WHERE NOT EXISTS (SELECT 1 FROM service_account_managers other JOIN users p ON p.id = other.user_id \
         WHERE other.service_account_id = u.id AND other.user_id <> $1 AND p.disabled = 0) ORDER BY u.created_at, u.id"
    );
    let rows = sqlx::query(&sql).bind(person.to_string()).fetch_all(&mut *conn).await?;
    accounts_from_rows(conn, &rows).await
}

/// The ids of the account's keys, in id order.
pub(crate) async fn key_ids(conn: &mut AnyConnection, id: UserId) -> StoreResult<Vec<ApiKeyId>> {
    let rows = sqlx::query("SELECT id FROM api_keys WHERE user_id = $1 ORDER BY id").bind(id.to_string()).fetch_all(conn).await?;
    rows.iter().map(|row| parsed(row, "id")).collect()
}

/// Deletes the account; its keys (and their usage and addresses) go with it.
pub(crate) async fn delete(conn: &mut AnyConnection, id: UserId) -> StoreResult<()> {
    sqlx::query("DELETE FROM users WHERE id = $1 AND kind = 'service_account'").bind(id.to_string()).execute(conn).await?;
    Ok(())
}
