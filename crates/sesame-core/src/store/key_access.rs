//! Reading keys to decide: the key and owner behind a presented secret (verification), the
//! key a request's change is made with, and the rows a change holds until it commits —
//! always in id order when there are several (see [`lock_in_id_order`]).

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::{
    from_millis,
    keys::{stored_key_from_row, Restricted, StoredKey, HASH_COLUMNS, KEY_COLUMNS},
    parsed,
    service_accounts::managed_by,
    to_millis,
    users::{user_from_row, USER_COLUMNS},
    Backend, StoreResult, Tx,
};
use crate::{
    key::KeyHash,
    model::{ApiKey, ApiKeyId, OrganizationId, User, UserId},
};

/// What verifying a key needs to know about it.
pub(crate) struct KeyOwner {
    pub id: ApiKeyId,
    pub expires_at: Option<DateTime<Utc>>,
    /// The hash was the key's previous secret's, which works until then (none: the
    /// current secret's).
    pub previous_until: Option<DateTime<Utc>>,
    pub restricted: Restricted,
    pub user: User,
}

/// The key and its active owner for a secret's hash, current or previous; none if unknown,
/// deleted, disabled, or its owner is disabled. An expired key (or previous secret) is
/// found: the verifier refuses it by the clock.
pub(crate) async fn owner(conn: &mut AnyConnection, hash: &KeyHash) -> StoreResult<Option<KeyOwner>> {
    let sql = format!(
        "SELECT k.id AS key_id, k.expires_at AS key_expires_at, k.key_hash AS key_current_hash, \
         k.previous_valid_until AS key_previous_until, k.scopes AS key_scopes, \
         k.allowed_addresses AS key_allowed_addresses, k.rate_limit AS key_rate_limit, k.limit_family AS key_limit_family, \
         k.family_rate_limit AS key_family_rate_limit, {USER_COLUMNS} FROM api_keys k \
         JOIN users u ON u.id = k.user_id JOIN organizations o ON o.id = u.organization_id \
         WHERE (k.key_hash = $1 OR k.previous_key_hash = $1) AND k.disabled = 0 AND u.disabled = 0"
    );
    let Some(row) = sqlx::query(&sql).bind(hash.to_hex()).fetch_optional(conn).await? else {
        return Ok(None);
    };
    let is_previous = parsed::<KeyHash>(&row, "key_current_hash")? != *hash;
    // A previous secret with no end cannot be stored; if it were, it would be refused.
    let previous_until = is_previous.then(|| row.try_get::<Option<i64>, _>("key_previous_until")).transpose()?;
    Ok(Some(KeyOwner {
        id: parsed(&row, "key_id")?,
        expires_at: row.try_get::<Option<i64>, _>("key_expires_at")?.map(from_millis),
        previous_until: previous_until.map(|until| until.map_or(DateTime::<Utc>::MIN_UTC, from_millis)),
        restricted: Restricted::from_row(&row, "key_")?,
        user: user_from_row(&row)?,
    }))
}

/// A key as the request that presented one of its secrets may still use it.
pub(crate) struct UsableKey {
    pub restricted: Restricted,
    pub expires_at: Option<DateTime<Utc>>,
    /// The secret presented is now the key's previous one, which works until then (none:
    /// it is the current secret).
    pub previous_until: Option<DateTime<Utc>>,
}

/// The key `id` if `user_id` still has it, enabled and unexpired at `now`, and the secret
/// whose hash is `secret` still works for it — as its current secret, or as its previous one
/// within the overlap after a roll. Its row is held until commit (`lock`: see
/// `Tx::reauthorize`), so a delete, a disable, a change of restrictions or a roll waits for
/// this transaction.
pub(crate) async fn lock_usable_key(
    conn: &mut AnyConnection,
    id: ApiKeyId,
    user_id: UserId,
    secret: &KeyHash,
    now: DateTime<Utc>,
    lock: &str,
) -> StoreResult<Option<UsableKey>> {
    let sql = format!(
        "SELECT key_hash, expires_at, previous_valid_until, scopes, allowed_addresses, rate_limit, limit_family, family_rate_limit \
         FROM api_keys \
         WHERE id = $1 AND user_id = $2 AND disabled = 0 AND (expires_at IS NULL OR expires_at > $3) \
         AND (key_hash = $4 OR (previous_key_hash = $4 AND previous_valid_until > $3)){lock}"
    );
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .bind(user_id.to_string())
        .bind(to_millis(now))
        .bind(secret.to_hex())
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let is_previous = parsed::<KeyHash>(&row, "key_hash")? != *secret;
    let previous_until = if is_previous { row.try_get::<Option<i64>, _>("previous_valid_until")?.map(from_millis) } else { None };
    Ok(Some(UsableKey {
        restricted: Restricted::from_row(&row, "")?,
        expires_at: row.try_get::<Option<i64>, _>("expires_at")?.map(from_millis),
        previous_until,
    }))
}

/// Holds the rows of these keys until commit, taken in id order: the one order in which
/// every change locks several keys (its actor's key and the key it changes, the keys a
/// leak report names, the keys a policy shortens), so that no two changes wait for each
/// other in a circle. Nothing to do on SQLite (`lock` empty: the transaction holds the
/// database's write lock).
pub(crate) async fn lock_in_id_order(conn: &mut AnyConnection, ids: &[ApiKeyId], lock: &str) -> StoreResult<()> {
    if lock.is_empty() || ids.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!("SELECT id FROM api_keys WHERE id IN ({}) ORDER BY id{lock}", placeholders.join(", "));
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.to_string());
    }
    query.fetch_all(conn).await?;
    Ok(())
}

/// The key `id` and its hashes if `user_id` may manage it (theirs, or a service account's
/// they manage: see [`managed_by`]), held until commit (`lock`: `FOR UPDATE` on PostgreSQL)
/// so the change about to be made is based on what it replaces; none otherwise (another
/// user's key looks exactly like a key that does not exist).
pub(crate) async fn lock_manageable(conn: &mut AnyConnection, user_id: UserId, id: ApiKeyId, lock: &str) -> StoreResult<Option<StoredKey>> {
    let sql = format!("SELECT {KEY_COLUMNS}, {HASH_COLUMNS} FROM api_keys WHERE id = $1 AND {}{lock}", managed_by("user_id", "$2"));
    let row = sqlx::query(&sql).bind(id.to_string()).bind(user_id.to_string()).fetch_optional(conn).await?;
    row.as_ref().map(stored_key_from_row).transpose()
}

/// The key `id` and its hashes if `user_id` may hand it over: one they may manage, or, for
/// an administrator, any key of a person of their organization — never a key of a disabled
/// person, whose secret must not work again under a new owner. Held until commit (`lock`).
pub(crate) async fn lock_movable(conn: &mut AnyConnection, user_id: UserId, id: ApiKeyId, lock: &str) -> StoreResult<Option<StoredKey>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS}, {HASH_COLUMNS} FROM api_keys WHERE id = $1 AND ({} OR user_id IN (SELECT p.id FROM users p \
         JOIN users a ON a.id = $2 AND a.kind = 'user' AND a.role = 'admin' AND a.organization_id = p.organization_id)) \
         AND user_id IN (SELECT id FROM users WHERE disabled = 0){lock}",
        managed_by("user_id", "$2")
    );
    let row = sqlx::query(&sql).bind(id.to_string()).bind(user_id.to_string()).fetch_optional(conn).await?;
    row.as_ref().map(stored_key_from_row).transpose()
}

/// The key `id` if `user_id` may manage it (see [`lock_manageable`]), for reading.
pub(crate) async fn find_manageable(conn: &mut AnyConnection, user_id: UserId, id: ApiKeyId) -> StoreResult<Option<ApiKey>> {
    Ok(lock_manageable(conn, user_id, id, "").await?.map(|stored| stored.key))
}

/// The organization's keys that never expire or expire after `limit`, held until commit
/// together with the key `also` (the acting key, whatever its expiry), all in id order: the
/// one order every change takes (see [`lock_in_id_order`]).
pub(crate) async fn lock_longer_than(
    conn: &mut AnyConnection,
    organization: OrganizationId,
    limit: DateTime<Utc>,
    also: Option<ApiKeyId>,
    lock: &str,
) -> StoreResult<Vec<StoredKey>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS}, {HASH_COLUMNS} FROM api_keys \
         WHERE (user_id IN (SELECT id FROM users WHERE organization_id = $1) AND (expires_at IS NULL OR expires_at > $2)) \
         OR id = $3 ORDER BY id{lock}"
    );
    let also = also.map(|id| id.to_string()).unwrap_or_default();
    let rows = sqlx::query(&sql).bind(organization.to_string()).bind(to_millis(limit)).bind(also).fetch_all(conn).await?;
    let keys = rows.iter().map(stored_key_from_row).collect::<StoreResult<Vec<StoredKey>>>()?;
    let longer = |key: &StoredKey| key.key.expires_at.is_none_or(|at| at > limit);
    Ok(keys.into_iter().filter(longer).collect())
}

/// The keys whose secret or previous secret has one of these hashes, whoever owns them,
/// held until commit (keys reported as leaked) — locked in id order, as every writer
/// locks several keys, so that two such changes never deadlock.
pub(crate) async fn lock_by_hashes(conn: &mut AnyConnection, hashes: &[KeyHash], lock: &str) -> StoreResult<Vec<StoredKey>> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=hashes.len()).map(|n| format!("${n}")).collect();
    let list = placeholders.join(", ");
    let sql = format!(
        "SELECT {KEY_COLUMNS}, {HASH_COLUMNS} FROM api_keys \
         WHERE key_hash IN ({list}) OR previous_key_hash IN ({list}) ORDER BY id{lock}"
    );
    let mut query = sqlx::query(&sql);
    for hash in hashes {
        query = query.bind(hash.to_hex());
    }
    query.fetch_all(conn).await?.iter().map(stored_key_from_row).collect()
}

/// How many keys `owner` has; held until commit, so that two keys made at once for one owner
/// cannot both be the last one allowed (PostgreSQL: a lock on the owner's key count taken
/// only by key creations; SQLite: the transaction holds the write lock).
pub(crate) async fn hold_count_of_owner(tx: &mut Tx, owner: UserId) -> StoreResult<u64> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(format!("api_keys of {owner}")).execute(tx.conn()).await?;
    }
    // Keys minted by trust rules are not counted: they end within the hour, and each rule
    // bounds its own ([`crate::trust::MAX_LIVE_MINTED_KEYS`]).
    let row = sqlx::query("SELECT COUNT(*) AS n FROM api_keys WHERE user_id = $1 AND minted_by_rule IS NULL")
        .bind(owner.to_string())
        .fetch_one(tx.conn())
        .await?;
    Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default())
}
