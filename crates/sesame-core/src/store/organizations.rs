//! An organization's key policy, and the language each of its users reads Sésame in.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult};
use crate::model::{OrganizationId, UserId};
use sesame_model::{Language, MaxKeyLifetime};

/// The organization's maximum key lifetime (none: keys may never expire). `lock`: see
/// `Tx::share_lock`, so a policy being set waits for, or is seen by, the key being made.
pub(crate) async fn max_key_lifetime(conn: &mut AnyConnection, organization: OrganizationId, lock: &str) -> StoreResult<Option<MaxKeyLifetime>> {
    let sql = format!("SELECT max_key_lifetime_days FROM organizations WHERE id = $1{lock}");
    let row = sqlx::query(&sql).bind(organization.to_string()).fetch_one(conn).await?;
    let days: Option<i64> = row.try_get("max_key_lifetime_days")?;
    days.map(|days| {
        u32::try_from(days)
            .ok()
            .and_then(|days| MaxKeyLifetime::from_days(days).ok())
            .ok_or_else(|| StoreError::UnexpectedValue(format!("max_key_lifetime_days = {days}")))
    })
    .transpose()
}

pub(crate) async fn set_max_key_lifetime(conn: &mut AnyConnection, organization: OrganizationId, max: Option<MaxKeyLifetime>) -> StoreResult<()> {
    sqlx::query("UPDATE organizations SET max_key_lifetime_days = $1 WHERE id = $2")
        .bind(max.map(|max| i64::from(max.days())))
        .bind(organization.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The language the user last read the console in (English until they chose one).
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
