//! An organization's key policy.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult};
use crate::model::OrganizationId;
use sesame_model::MaxKeyLifetime;

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
