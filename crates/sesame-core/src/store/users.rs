//! The `organizations` and `users` tables (and the one-row `first_admin_setup`); an
//! organization's key policy is in `organizations.rs`.

use chrono::{DateTime, Utc};
use sesame_model::Language;
use sqlx::{any::AnyRow, AnyConnection, Row};

use super::{from_millis, parsed, to_millis, StoreError, StoreResult};

use crate::model::{OrganizationId, Page, PageRequest, Role, Status, User, UserChange, UserId};

/// Everything needed to create a user; the password is already hashed.
#[derive(Debug, Clone)]
pub(crate) struct NewUser {
    pub username: String,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// The columns [`user_from_row`] reads, for a query over `users u JOIN organizations o`.
pub(crate) const USER_COLUMNS: &str = "u.id, u.organization_id, o.name AS organization_name, u.username, \
     u.email, u.full_name, u.role, u.disabled, u.created_at";

const FROM_USERS: &str = "FROM users u JOIN organizations o ON o.id = u.organization_id";

pub(crate) fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: parsed(row, "id")?,
        organization_id: parsed(row, "organization_id")?,
        organization_name: row.try_get("organization_name")?,
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        full_name: row.try_get("full_name")?,
        role: parsed(row, "role")?,
        status: match row.try_get::<i64, _>("disabled")? {
            0 => Status::Active,
            1 => Status::Disabled,
            other => return Err(StoreError::UnexpectedValue(format!("disabled = {other}"))),
        },
        created_at: from_millis(row.try_get("created_at")?),
    })
}

fn disabled_column(status: Status) -> i64 {
    i64::from(status == Status::Disabled)
}

pub(crate) async fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(conn).await?;
    Ok(row.try_get("n")?)
}

/// The one-time setup can happen once: two setup forms submitted at once both see no user,
/// and this one-row table lets only one of them commit.
pub(crate) async fn claim_first_setup(conn: &mut AnyConnection, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("INSERT INTO first_admin_setup (id, created_at) VALUES (1, $1)")
        .bind(to_millis(now))
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// The organization named `name`, created if it does not exist yet.
pub(crate) async fn organization_named(conn: &mut AnyConnection, name: &str, now: DateTime<Utc>) -> StoreResult<OrganizationId> {
    // One organization whichever way its accented letters were typed: found by its name as
    // given (one stored before names were normalized) or in NFC, and made in NFC.
    let given = name;
    let name = &*sesame_model::names::nfc(name);
    let existing = sqlx::query("SELECT id FROM organizations WHERE name = $1 OR name = $2 ORDER BY created_at, id LIMIT 1")
        .bind(given)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = existing {
        return parsed(&row, "id");
    }
    let id = OrganizationId::new_random();
    sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(id.to_string())
        .bind(name)
        .bind(to_millis(now))
        .execute(conn)
        .await?;
    Ok(id)
}

/// The oldest organization's name, if any: where the operator's new users go by default.
pub(crate) async fn first_organization(conn: &mut AnyConnection) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT name FROM organizations ORDER BY created_at, id LIMIT 1").fetch_optional(conn).await?;
    row.map(|row| Ok(row.try_get("name")?)).transpose()
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    organization_id: OrganizationId,
    user: &NewUser,
    now: DateTime<Utc>,
) -> StoreResult<User> {
    let id = UserId::new_random();
    sqlx::query(
        "INSERT INTO users (id, organization_id, username, username_key, email, full_name, \
         role, password_hash, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9)",
    )
    .bind(id.to_string())
    .bind(organization_id.to_string())
    .bind(&user.username)
    .bind(user.username.to_lowercase())
    .bind(&user.email)
    .bind(&user.full_name)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .bind(to_millis(now))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    by_id(conn, id).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn by_id(conn: &mut AnyConnection, id: UserId) -> StoreResult<Option<User>> {
    lock_user(conn, id, "").await
}

/// A person (not a service account) by id.
pub(crate) async fn person_by_id(conn: &mut AnyConnection, id: UserId) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} {FROM_USERS} WHERE u.id = $1 AND u.kind = 'user'");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(|row| user_from_row(&row)).transpose()
}

/// The person and their password hash, for login (a service account never logs in).
/// Usernames match case-insensitively.
pub(crate) async fn for_login(conn: &mut AnyConnection, username: &str) -> StoreResult<Option<(User, String)>> {
    let sql = format!("SELECT {USER_COLUMNS}, u.password_hash {FROM_USERS} WHERE u.username_key = $1 AND u.kind = 'user'");
    let row = sqlx::query(&sql).bind(username.to_lowercase()).fetch_optional(conn).await?;
    row.map(|row| Ok((user_from_row(&row)?, row.try_get("password_hash")?))).transpose()
}

/// One page of an organization's people (not its service accounts), in the order they were
/// created.
pub(crate) async fn list(conn: &mut AnyConnection, organization_id: OrganizationId, page: PageRequest) -> StoreResult<Page<User>> {
    let select = format!("SELECT {USER_COLUMNS} {FROM_USERS} WHERE u.organization_id = $1 AND u.kind = 'user' ORDER BY u.created_at, u.id LIMIT $2 OFFSET $3");
    let count = "SELECT COUNT(*) AS n FROM users WHERE organization_id = $1 AND kind = 'user'";
    super::fetch_page(conn, count, &select, &organization_id.to_string(), page, user_from_row).await
}

/// The user as they are now, their row held until commit (`lock` is the backend's share
/// clause, see `Tx::reauthorize`).
pub(crate) async fn lock_user(conn: &mut AnyConnection, id: UserId, lock: &str) -> StoreResult<Option<User>> {
    // Only the user's row is locked (`OF u`), never the organization's: a role change holds
    // that one first, then the user's, so taking both here could deadlock with it.
    let lock = if lock.is_empty() { String::new() } else { format!("{lock} OF u") };
    let sql = format!("SELECT {USER_COLUMNS} {FROM_USERS} WHERE u.id = $1{lock}");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(|row| user_from_row(&row)).transpose()
}

/// Serializes changes to an organization's users: a no-op write takes the organization's
/// row lock (PostgreSQL; SQLite's write transactions are serial already), so two
/// administrators demoting each other at once cannot both succeed.
pub(crate) async fn lock_organization(conn: &mut AnyConnection, organization_id: OrganizationId) -> StoreResult<()> {
    sqlx::query("UPDATE organizations SET name = name WHERE id = $1").bind(organization_id.to_string()).execute(conn).await?;
    Ok(())
}

/// Changes a person's role and/or status within their organization; false if there is no
/// such person there (a service account is changed as one).
pub(crate) async fn update(
    conn: &mut AnyConnection,
    organization_id: OrganizationId,
    id: UserId,
    change: &UserChange,
) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE users SET role = COALESCE($1, role), disabled = COALESCE($2, disabled) \
         WHERE id = $3 AND organization_id = $4 AND kind = 'user'",
    )
    .bind(change.role.map(Role::as_str))
    .bind(change.status.map(disabled_column))
    .bind(id.to_string())
    .bind(organization_id.to_string())
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// How many active administrators the organization has (people: a service account never
/// logs in to administer anything).
pub(crate) async fn active_admins(conn: &mut AnyConnection, organization_id: OrganizationId) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE organization_id = $1 AND role = 'admin' AND disabled = 0 AND kind = 'user'")
        .bind(organization_id.to_string())
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("n")?)
}

pub(crate) async fn password_hash(conn: &mut AnyConnection, id: UserId) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1").bind(id.to_string()).fetch_optional(conn).await?;
    row.map(|row| Ok(row.try_get("password_hash")?)).transpose()
}

pub(crate) async fn set_password_hash(conn: &mut AnyConnection, id: UserId, hash: &str) -> StoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(id.to_string()).execute(conn).await?;
    Ok(())
}

/// The language the user last read the console in (English until they chose one; 'es' too,
/// since migration 0008's comment was written).
pub(crate) async fn language(conn: &mut AnyConnection, user: UserId) -> StoreResult<Language> {
    let row = sqlx::query("SELECT language FROM users WHERE id = $1").bind(user.to_string()).fetch_optional(conn).await?;
    let tag: Option<String> = row.map(|row| row.try_get("language")).transpose()?.flatten();
    // A tag this version does not speak (written by a newer one) reads as the default.
    Ok(tag.and_then(|tag| tag.parse().ok()).unwrap_or_default())
}

pub(crate) async fn set_language(conn: &mut AnyConnection, user: UserId, language: Language) -> StoreResult<()> {
    sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
        .bind(language.as_str())
        .bind(user.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
