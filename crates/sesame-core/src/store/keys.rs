//! The `api_keys` table: names, hashes, status, expiry, scopes, restrictions and last use. Never a key
//! itself.

use chrono::{DateTime, Utc};
use sqlx::{any::AnyRow, AnyConnection, Row};

use super::{
    from_millis, parsed, parsed_optional, to_millis,
    StoreError, StoreResult,
};
use crate::{
    key::KeyHash,
    model::{AllowedAddresses, ApiKey, ApiKeyId, KeyRateLimit, LimitFamily, Minted, Page, PageRequest, Restrictions, Scopes, Status, UserId},
    names::KeyName,
};

pub(super) const KEY_COLUMNS: &str =
    "id, user_id, (SELECT kind FROM users WHERE users.id = api_keys.user_id) AS owner_kind, name, created_at, last_used_at, \
     last_used_ip, disabled, expires_at, previous_valid_until, scopes, allowed_addresses, rate_limit, minted_by_rule, minted_for";

/// The hashes a key answers to, for the caches to forget them all.
pub(super) const HASH_COLUMNS: &str = "key_hash, previous_key_hash";

fn key_from_row(row: &AnyRow) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        id: parsed(row, "id")?,
        user_id: parsed(row, "user_id")?,
        owner_kind: parsed(row, "owner_kind")?,
        name: row.try_get("name")?,
        created_at: from_millis(row.try_get("created_at")?),
        last_used_at: row.try_get::<Option<i64>, _>("last_used_at")?.map(from_millis),
        last_used_ip: parsed_optional(row, "last_used_ip")?,
        status: if row.try_get::<i64, _>("disabled")? == 0 { Status::Active } else { Status::Disabled },
        expires_at: row.try_get::<Option<i64>, _>("expires_at")?.map(from_millis),
        previous_secret_valid_until: row.try_get::<Option<i64>, _>("previous_valid_until")?.map(from_millis),
        scopes: scopes_from_row(row, "scopes")?,
        restrictions: restrictions_from_row(row, "")?,
        minted: minted_from_row(row)?,
    })
}

fn minted_from_row(row: &AnyRow) -> StoreResult<Option<Minted>> {
    let Some(rule) = parsed_optional(row, "minted_by_rule")? else { return Ok(None) };
    Ok(Some(Minted { rule, subject: row.try_get::<Option<String>, _>("minted_for")?.unwrap_or_default() }))
}

pub(super) fn scopes_from_row(row: &AnyRow, column: &str) -> StoreResult<Scopes> {
    let stored: Option<String> = row.try_get(column)?;
    Scopes::from_stored(stored.as_deref()).map_err(|error| StoreError::UnexpectedValue(format!("{column}: {error}")))
}

/// `{prefix}allowed_addresses` and `{prefix}rate_limit`.
pub(super) fn restrictions_from_row(row: &AnyRow, prefix: &str) -> StoreResult<Restrictions> {
    let unexpected = |column: &str, error: sesame_model::UnknownValue| StoreError::UnexpectedValue(format!("{column}: {error}"));
    let addresses_column = format!("{prefix}allowed_addresses");
    let stored: Option<String> = row.try_get(addresses_column.as_str())?;
    let allowed_addresses = AllowedAddresses::from_stored(stored.as_deref()).map_err(|error| unexpected(&addresses_column, error))?;
    let limit_column = format!("{prefix}rate_limit");
    let stored: Option<String> = row.try_get(limit_column.as_str())?;
    let rate_limit = stored.as_deref().map(KeyRateLimit::from_stored).transpose().map_err(|error| unexpected(&limit_column, error))?;
    Ok(Restrictions { allowed_addresses, rate_limit })
}

/// A key with the hashes it answers to: its secret's, and its previous secret's during the
/// overlap after a roll.
pub(crate) struct StoredKey {
    pub key: ApiKey,
    pub hash: KeyHash,
    pub previous_hash: Option<KeyHash>,
}

impl StoredKey {
    /// Every hash a cache may hold for this key.
    pub fn hashes(&self) -> impl Iterator<Item = &KeyHash> {
        std::iter::once(&self.hash).chain(self.previous_hash.as_ref())
    }
}

pub(super) fn stored_key_from_row(row: &AnyRow) -> StoreResult<StoredKey> {
    Ok(StoredKey {
        key: key_from_row(row)?,
        hash: parsed(row, "key_hash")?,
        previous_hash: parsed_optional(row, "previous_key_hash")?,
    })
}

/// Which rule minted the key `id`, and for whom (none: no rule did).
pub(crate) async fn minted_of(conn: &mut AnyConnection, id: ApiKeyId) -> StoreResult<Option<Minted>> {
    let row = sqlx::query("SELECT minted_by_rule, minted_for FROM api_keys WHERE id = $1").bind(id.to_string()).fetch_optional(conn).await?;
    row.as_ref().map(minted_from_row).transpose().map(Option::flatten)
}

/// When a new key is made, until when it works, and, for a key a trust rule minted, which
/// rule and for whom.
pub(crate) struct Lifetime<'a> {
    pub now: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub minted: Option<&'a Minted>,
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    user_id: UserId,
    name: &KeyName,
    hash: &KeyHash,
    lifetime: Lifetime<'_>,
    restricted: Restricted,
) -> StoreResult<ApiKey> {
    let Lifetime { now, expires_at, minted } = lifetime;
    let kind = sqlx::query("SELECT kind FROM users WHERE id = $1").bind(user_id.to_string()).fetch_one(&mut *conn).await?;
    let key = ApiKey {
        id: ApiKeyId::new_random(),
        user_id,
        owner_kind: parsed(&kind, "kind")?,
        name: name.as_str().to_owned(),
        created_at: now,
        last_used_at: None,
        last_used_ip: None,
        status: Status::Active,
        expires_at,
        previous_secret_valid_until: None,
        scopes: restricted.scopes,
        restrictions: restricted.restrictions,
        minted: minted.cloned(),
    };
    sqlx::query(
        "INSERT INTO api_keys (id, user_id, name, name_key, key_hash, created_at, expires_at, scopes, allowed_addresses, rate_limit, \
         limit_family, family_rate_limit, minted_by_rule, minted_for) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(key.id.to_string())
    .bind(user_id.to_string())
    .bind(name.as_str())
    .bind(name.uniqueness_key())
    .bind(hash.to_hex())
    .bind(to_millis(now))
    .bind(expires_at.map(to_millis))
    .bind(key.scopes.to_stored())
    .bind(key.restrictions.allowed_addresses.to_stored())
    .bind(key.restrictions.rate_limit.map(KeyRateLimit::to_stored))
    .bind(restricted.family.map(|family| family.root.to_string()))
    .bind(restricted.family.map(|family| family.limit.to_stored()))
    .bind(minted.map(|minted| minted.rule.to_string()))
    .bind(minted.map(|minted| minted.subject.clone()))
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(key)
}

/// The user's keys, oldest first (the order they were made in).
pub(crate) async fn list(conn: &mut AnyConnection, user_id: UserId) -> StoreResult<Vec<ApiKey>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id");
    let rows = sqlx::query(&sql).bind(user_id.to_string()).fetch_all(conn).await?;
    rows.iter().map(key_from_row).collect()
}

/// The user's enabled keys that expire in `(after, until]`, soonest first.
pub(crate) async fn expiring(conn: &mut AnyConnection, user_id: UserId, after: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<Vec<ApiKey>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 AND disabled = 0 \
         AND expires_at > $2 AND expires_at <= $3 ORDER BY expires_at, id"
    );
    let rows = sqlx::query(&sql).bind(user_id.to_string()).bind(to_millis(after)).bind(to_millis(until)).fetch_all(conn).await?;
    rows.iter().map(key_from_row).collect()
}

/// One page of the user's keys, oldest first.
pub(crate) async fn list_page(conn: &mut AnyConnection, user_id: UserId, page: PageRequest) -> StoreResult<Page<ApiKey>> {
    let select = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3");
    let count = "SELECT COUNT(*) AS n FROM api_keys WHERE user_id = $1";
    super::fetch_page(conn, count, &select, &user_id.to_string(), page, key_from_row).await
}

/// Writes a key's status, scopes and restrictions as `key` has them, and its name when it is
/// `renamed` (otherwise the stored name is left as it is).
pub(crate) async fn save(conn: &mut AnyConnection, key: &ApiKey, renamed: Option<&KeyName>) -> StoreResult<()> {
    sqlx::query(
        "UPDATE api_keys SET name = COALESCE($1, name), name_key = COALESCE($2, name_key), disabled = $3, scopes = $4, \
         allowed_addresses = $5, rate_limit = $6 WHERE id = $7",
    )
        .bind(renamed.map(KeyName::as_str))
        .bind(renamed.map(KeyName::uniqueness_key))
        .bind(i64::from(!key.status.is_active()))
        .bind(key.scopes.to_stored())
        .bind(key.restrictions.allowed_addresses.to_stored())
        .bind(key.restrictions.rate_limit.map(KeyRateLimit::to_stored))
        .bind(key.id.to_string())
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Sets the family whose allowance a key's requests count in (none: a bucket of its own).
pub(crate) async fn set_family(conn: &mut AnyConnection, id: ApiKeyId, family: Option<LimitFamily>) -> StoreResult<()> {
    sqlx::query("UPDATE api_keys SET limit_family = $1, family_rate_limit = $2 WHERE id = $3")
        .bind(family.map(|family| family.root.to_string()))
        .bind(family.map(|family| family.limit.to_stored()))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A key by its id, whoever owns it.
pub(crate) async fn find(conn: &mut AnyConnection, id: ApiKeyId) -> StoreResult<Option<ApiKey>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await?;
    row.as_ref().map(key_from_row).transpose()
}

/// Gives a key a new secret; its previous one keeps working until `until` (none: the
/// previous secret stops at once), and it expires at `expires_at`. Any older previous
/// secret is dropped.
pub(crate) async fn roll(
    conn: &mut AnyConnection,
    id: ApiKeyId,
    new_hash: &KeyHash,
    previous: Option<(&KeyHash, DateTime<Utc>)>,
    expires_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    sqlx::query("UPDATE api_keys SET key_hash = $1, previous_key_hash = $2, previous_valid_until = $3, expires_at = $4 WHERE id = $5")
        .bind(new_hash.to_hex())
        .bind(previous.map(|(hash, _)| hash.to_hex()))
        .bind(previous.map(|(_, until)| to_millis(until)))
        .bind(expires_at.map(to_millis))
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Sets when a key expires (none: never).
pub(crate) async fn set_expiry(conn: &mut AnyConnection, id: ApiKeyId, expires_at: Option<DateTime<Utc>>) -> StoreResult<()> {
    sqlx::query("UPDATE api_keys SET expires_at = $1 WHERE id = $2")
        .bind(expires_at.map(to_millis))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Stops a key's previous secret now (the overlap after a roll ends early).
pub(crate) async fn end_overlap(conn: &mut AnyConnection, id: ApiKeyId) -> StoreResult<()> {
    sqlx::query("UPDATE api_keys SET previous_key_hash = NULL, previous_valid_until = NULL WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives the key to another owner; [`StoreError::Conflict`] if they have a key of its name.
pub(crate) async fn set_owner(conn: &mut AnyConnection, id: ApiKeyId, owner: UserId) -> StoreResult<()> {
    sqlx::query("UPDATE api_keys SET user_id = $1 WHERE id = $2")
        .bind(owner.to_string())
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Deletes a key, whoever owns it.
pub(crate) async fn delete_any(conn: &mut AnyConnection, id: ApiKeyId) -> StoreResult<()> {
    sqlx::query("DELETE FROM api_keys WHERE id = $1").bind(id.to_string()).execute(conn).await?;
    Ok(())
}

/// What limits a key within its owner's rights: its scopes, where it may be used from, how
/// fast, and whose allowance that pace counts in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Restricted {
    pub scopes: Scopes,
    pub restrictions: Restrictions,
    pub family: Option<LimitFamily>,
}

impl Restricted {
    pub(super) fn from_row(row: &AnyRow, prefix: &str) -> StoreResult<Self> {
        Ok(Self {
            scopes: scopes_from_row(row, &format!("{prefix}scopes"))?,
            restrictions: restrictions_from_row(row, prefix)?,
            family: family_from_row(row, prefix)?,
        })
    }
}

/// `{prefix}limit_family` and `{prefix}family_rate_limit`.
fn family_from_row(row: &AnyRow, prefix: &str) -> StoreResult<Option<LimitFamily>> {
    let Some(root) = parsed_optional::<ApiKeyId>(row, &format!("{prefix}limit_family"))? else { return Ok(None) };
    let column = format!("{prefix}family_rate_limit");
    let stored: Option<String> = row.try_get(column.as_str())?;
    let limit = KeyRateLimit::from_stored(stored.as_deref().unwrap_or_default())
        .map_err(|error| StoreError::UnexpectedValue(format!("{column}: {error}")))?;
    Ok(Some(LimitFamily { root, limit }))
}

/// Deletes the keys that expired before `before`; how many.
pub(crate) async fn purge_expired(conn: &mut AnyConnection, before: DateTime<Utc>, minted_before: DateTime<Utc>) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM api_keys WHERE expires_at < $1 OR (minted_by_rule IS NOT NULL AND expires_at < $2)")
        .bind(to_millis(before))
        .bind(to_millis(minted_before))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Inserts many keys for one user, a few hundred rows per statement (benchmarks and tests
/// that need a million keys).
#[cfg(feature = "testing")]
pub(crate) async fn insert_many(conn: &mut AnyConnection, user_id: UserId, keys: &[(KeyName, KeyHash)]) -> StoreResult<Vec<ApiKeyId>> {
    const ROWS_PER_STATEMENT: usize = 500;
    let now = to_millis(Utc::now());
    let ids: Vec<ApiKeyId> = keys.iter().map(|_| ApiKeyId::new_random()).collect();
    for (chunk, chunk_ids) in keys.chunks(ROWS_PER_STATEMENT).zip(ids.chunks(ROWS_PER_STATEMENT)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|row| {
                let first = row * 6;
                format!("(${}, ${}, ${}, ${}, ${}, ${})", first + 1, first + 2, first + 3, first + 4, first + 5, first + 6)
            })
            .collect();
        let sql = format!(
            "INSERT INTO api_keys (id, user_id, name, name_key, key_hash, created_at) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for ((name, hash), id) in chunk.iter().zip(chunk_ids) {
            query = query
                .bind(id.to_string())
                .bind(user_id.to_string())
                .bind(name.as_str())
                .bind(name.uniqueness_key())
                .bind(hash.to_hex())
                .bind(now);
        }
        query.execute(&mut *conn).await.map_err(StoreError::from_write)?;
    }
    Ok(ids)
}
