//! The `trust_rules` table and its conditions (migration 0015), the keys the rules minted,
//! and the `jti`s of the tokens already exchanged.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::{any::AnyRow, AnyConnection, Row};

use super::{
    from_millis,
    keys::{restrictions_from_row, scopes_from_row, stored_key_from_row, StoredKey, HASH_COLUMNS, KEY_COLUMNS},
    parsed, to_millis, Backend, StoreResult, Tx,
};
use crate::model::{ApiKeyId, TrustRule, TrustRuleId, UserId};

const RULE_COLUMNS: &str =
    "r.id, r.service_account_id, r.provider, r.issuer, r.audience, r.scopes, r.allowed_addresses, r.rate_limit, r.lifetime_seconds, r.created_at";

fn rule_from_row(row: &AnyRow) -> StoreResult<TrustRule> {
    Ok(TrustRule {
        id: parsed(row, "id")?,
        service_account_id: parsed(row, "service_account_id")?,
        provider: parsed(row, "provider")?,
        issuer: row.try_get("issuer")?,
        audience: row.try_get("audience")?,
        conditions: BTreeMap::new(),
        scopes: scopes_from_row(row, "scopes")?,
        restrictions: restrictions_from_row(row, "")?,
        lifetime: TimeDelta::seconds(row.try_get("lifetime_seconds")?),
        created_at: from_millis(row.try_get("created_at")?),
    })
}

/// The rules of these rows, with their conditions read in one query for all of them.
async fn rules_from_rows(conn: &mut AnyConnection, rows: &[AnyRow]) -> StoreResult<Vec<TrustRule>> {
    let mut rules = rows.iter().map(rule_from_row).collect::<StoreResult<Vec<TrustRule>>>()?;
    if rules.is_empty() {
        return Ok(rules);
    }
    let placeholders: Vec<String> = (1..=rules.len()).map(|n| format!("${n}")).collect();
    let sql = format!("SELECT rule_id, claim, value FROM trust_rule_conditions WHERE rule_id IN ({})", placeholders.join(", "));
    let mut query = sqlx::query(&sql);
    for rule in &rules {
        query = query.bind(rule.id.to_string());
    }
    for row in query.fetch_all(conn).await? {
        let id: TrustRuleId = parsed(&row, "rule_id")?;
        if let Some(rule) = rules.iter_mut().find(|rule| rule.id == id) {
            rule.conditions.insert(row.try_get("claim")?, row.try_get("value")?);
        }
    }
    Ok(rules)
}

pub(crate) async fn insert(conn: &mut AnyConnection, rule: &TrustRule) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO trust_rules (id, service_account_id, provider, issuer, audience, scopes, allowed_addresses, rate_limit, \
         lifetime_seconds, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(rule.id.to_string())
    .bind(rule.service_account_id.to_string())
    .bind(rule.provider.as_str())
    .bind(&rule.issuer)
    .bind(&rule.audience)
    .bind(rule.scopes.to_stored())
    .bind(rule.restrictions.allowed_addresses.to_stored())
    .bind(rule.restrictions.rate_limit.map(|limit| limit.to_stored()))
    .bind(rule.lifetime.num_seconds())
    .bind(to_millis(rule.created_at))
    .execute(&mut *conn)
    .await?;
    set_conditions(conn, rule.id, &rule.conditions).await
}

/// Writes the rule as it now is (its id and account stay).
pub(crate) async fn save(conn: &mut AnyConnection, rule: &TrustRule) -> StoreResult<()> {
    sqlx::query(
        "UPDATE trust_rules SET provider = $2, issuer = $3, audience = $4, scopes = $5, allowed_addresses = $6, rate_limit = $7, \
         lifetime_seconds = $8 WHERE id = $1",
    )
    .bind(rule.id.to_string())
    .bind(rule.provider.as_str())
    .bind(&rule.issuer)
    .bind(&rule.audience)
    .bind(rule.scopes.to_stored())
    .bind(rule.restrictions.allowed_addresses.to_stored())
    .bind(rule.restrictions.rate_limit.map(|limit| limit.to_stored()))
    .bind(rule.lifetime.num_seconds())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM trust_rule_conditions WHERE rule_id = $1").bind(rule.id.to_string()).execute(&mut *conn).await?;
    set_conditions(conn, rule.id, &rule.conditions).await
}

async fn set_conditions(conn: &mut AnyConnection, id: TrustRuleId, conditions: &BTreeMap<String, String>) -> StoreResult<()> {
    for (claim, value) in conditions {
        sqlx::query("INSERT INTO trust_rule_conditions (rule_id, claim, value) VALUES ($1, $2, $3)")
            .bind(id.to_string())
            .bind(claim)
            .bind(value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The account's rules, oldest first.
pub(crate) async fn of_account(conn: &mut AnyConnection, account: UserId) -> StoreResult<Vec<TrustRule>> {
    let sql = format!("SELECT {RULE_COLUMNS} FROM trust_rules r WHERE r.service_account_id = $1 ORDER BY r.created_at, r.id");
    let rows = sqlx::query(&sql).bind(account.to_string()).fetch_all(&mut *conn).await?;
    rules_from_rows(conn, &rows).await
}

pub(crate) async fn count_of_account(conn: &mut AnyConnection, account: UserId) -> StoreResult<u64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM trust_rules WHERE service_account_id = $1").bind(account.to_string()).fetch_one(conn).await?;
    Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default())
}

/// The rule `id` of `account`, held until commit (`lock`).
pub(crate) async fn find(conn: &mut AnyConnection, account: UserId, id: TrustRuleId, lock: &str) -> StoreResult<Option<TrustRule>> {
    let sql = format!("SELECT {RULE_COLUMNS} FROM trust_rules r WHERE r.id = $1 AND r.service_account_id = $2{lock}");
    let row = sqlx::query(&sql).bind(id.to_string()).bind(account.to_string()).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    Ok(rules_from_rows(conn, &[row]).await?.pop())
}

/// The rule `id`, whichever account's, held until commit (`lock`): the exchange holds the
/// rule it mints for, so that a change or deletion of the rule waits for the key, then
/// ends it.
pub(crate) async fn find_any(conn: &mut AnyConnection, id: TrustRuleId, lock: &str) -> StoreResult<Option<TrustRule>> {
    let sql = format!("SELECT {RULE_COLUMNS} FROM trust_rules r WHERE r.id = $1{lock}");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    Ok(rules_from_rows(conn, &[row]).await?.pop())
}

/// Every rule that trusts `issuer`, oldest first (the exchange's candidates).
pub(crate) async fn of_issuer(conn: &mut AnyConnection, issuer: &str) -> StoreResult<Vec<TrustRule>> {
    let sql = format!("SELECT {RULE_COLUMNS} FROM trust_rules r WHERE r.issuer = $1 ORDER BY r.created_at, r.id");
    let rows = sqlx::query(&sql).bind(issuer).fetch_all(&mut *conn).await?;
    rules_from_rows(conn, &rows).await
}

/// Whether any rule trusts `issuer`: the only issuers Sésame fetches signing keys from.
pub(crate) async fn is_trusted_issuer(conn: &mut AnyConnection, issuer: &str) -> StoreResult<bool> {
    Ok(sqlx::query("SELECT 1 AS one FROM trust_rules WHERE issuer = $1 LIMIT 1").bind(issuer).fetch_optional(conn).await?.is_some())
}

pub(crate) async fn delete(conn: &mut AnyConnection, id: TrustRuleId) -> StoreResult<()> {
    sqlx::query("DELETE FROM trust_rules WHERE id = $1").bind(id.to_string()).execute(conn).await?;
    Ok(())
}

/// The ids of the keys the rule minted, in id order.
pub(crate) async fn minted_key_ids(conn: &mut AnyConnection, rule: TrustRuleId) -> StoreResult<Vec<ApiKeyId>> {
    let rows = sqlx::query("SELECT id FROM api_keys WHERE minted_by_rule = $1 ORDER BY id").bind(rule.to_string()).fetch_all(conn).await?;
    rows.iter().map(|row| parsed(row, "id")).collect()
}

/// The keys the rule minted with their hashes, held until commit, in id order.
pub(crate) async fn lock_minted(conn: &mut AnyConnection, rule: TrustRuleId, lock: &str) -> StoreResult<Vec<StoredKey>> {
    let sql = format!("SELECT {KEY_COLUMNS}, {HASH_COLUMNS} FROM api_keys WHERE minted_by_rule = $1 ORDER BY id{lock}");
    sqlx::query(&sql).bind(rule.to_string()).fetch_all(conn).await?.iter().map(stored_key_from_row).collect()
}

/// How many keys minted for `account` have not expired yet; on PostgreSQL held until commit
/// (a lock on the account's minted keys taken only by exchanges), so that exchanges at once
/// cannot all be the last one allowed.
pub(crate) async fn hold_live_minted_count(tx: &mut Tx, account: UserId, now: DateTime<Utc>) -> StoreResult<u64> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(format!("minted keys of {account}")).execute(tx.conn()).await?;
    }
    let row = sqlx::query("SELECT COUNT(*) AS n FROM api_keys WHERE user_id = $1 AND minted_by_rule IS NOT NULL AND expires_at > $2")
        .bind(account.to_string())
        .bind(to_millis(now))
        .fetch_one(tx.conn())
        .await?;
    Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default())
}

/// Spends a token (`issuer`, `jti`) until `keep_until`; false if it was spent already, on
/// any node (the primary key decides).
pub(crate) async fn spend_token(conn: &mut AnyConnection, issuer: &str, jti: &str, keep_until: DateTime<Utc>) -> StoreResult<bool> {
    let done = sqlx::query("INSERT INTO oidc_token_uses (issuer, jti, kept_until) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(issuer)
        .bind(jti)
        .bind(to_millis(keep_until))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets the spent tokens kept until before `now`.
pub(crate) async fn forget_spent_tokens(conn: &mut AnyConnection, now: DateTime<Utc>) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM oidc_token_uses WHERE kept_until < $1").bind(to_millis(now)).execute(conn).await?;
    Ok(done.rows_affected())
}
