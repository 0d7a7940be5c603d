//! `/api/v1/api_keys`: the same operations as the console's panel, on the key's owner's
//! own keys and on the keys of the service accounts they manage.

use axum::{
    extract::{rejection::QueryRejection, Query, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sesame_core::{
    keys::{KeyChange, NewKey, Roll, UsageWindow},
    model::{ApiKeyId, Granularity, KeyRateLimit, Operation, Permission, Status, UserId},
};
use sesame_api::wire::{AllowedAddress, ApiKeyDetails, ApiKeyView, CreatedKey, KeyUsageView};
use utoipa::{IntoParams, ToSchema};

use super::{
    auth::{ApiActor, ClientOf, Id},
    body::JsonObject,
    envelope::{Data, List},
    page::{PageParams, Pagination},
    error::{ApiError, ErrorResponse},
};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateApiKeyRequest {
    /// Whose key it is: absent or null, the caller's own; a service account's id, that
    /// account's, when the caller manages it (an administrator: any of their
    /// organization's). Anyone else is answered 404, like an account that does not exist.
    owner_id: Option<UserId>,
    /// Up to 100 characters, no control characters nor any Unicode marks invisible, format,
    /// private use or unassigned (in any plane), unique among the owner's keys (ignoring case,
    /// compared in NFC); spaces around it are dropped. Absent or blank: a name like
    /// `api_key_3kq9x2ab`.
    #[schema(example = "ci-deploy", max_length = 256)]
    name: Option<String>,
    /// When the key stops working (RFC 3339, in the future, and within the organization's
    /// maximum key lifetime if it has one). Absent or null: never — or, under a maximum
    /// lifetime, that lifetime.
    #[schema(example = "2027-03-01T00:00:00Z", max_length = 40)]
    expires_at: Option<DateTime<Utc>>,
    /// What the key may do, within its owner's role: some of `me:read`, `api_keys:read`,
    /// `api_keys:write`, `users:read`, `users:write`, `activity:read`, `security:write`.
    /// Absent or null: full access — everything the owner may do (a key made by a scoped
    /// key gets that key's scopes). Never more than the key making it has: a scoped key
    /// cannot give full access, nor a permission it lacks (`scope_exceeds_key`).
    #[schema(min_items = 1, max_items = 7, example = json!(["me:read", "api_keys:read"]))]
    scopes: Option<Vec<Permission>>,
    /// Where the key may be used from: up to 50 IPv4 or IPv6 addresses and CIDR ranges
    /// (`192.0.2.7`, `198.51.100.0/24`, `2001:db8::/32`); a request from
    /// elsewhere gets 403 `address_not_allowed`. An empty list: anywhere. Absent or null:
    /// anywhere (a key made by a restricted key gets that key's list).
    #[schema(value_type = Option<Vec<AllowedAddress>>, max_items = 50)]
    allowed_addresses: Option<Vec<String>>,
    /// The key's own request limit: at most `requests` per `per`, a burst of `requests` at
    /// once, then evenly spread (on PostgreSQL, for the whole cluster). Over it: 429 with
    /// `Retry-After`. Absent or null: none (a key made by a restricted key gets that key's
    /// limit). A restricted key cannot make a key that may be used from more addresses, or
    /// faster, than itself (`restriction_exceeds_key`).
    rate_limit: Option<KeyRateLimit>,
}

impl CreateApiKeyRequest {
    /// Taken as sent: the core reads the lists and the name.
    fn new_key(&self) -> NewKey<'_> {
        NewKey {
            owner: self.owner_id,
            name: self.name.as_deref(),
            expires_at: self.expires_at,
            scopes: self.scopes.clone(),
            allowed_addresses: self.allowed_addresses.clone(),
            rate_limit: self.rate_limit,
        }
    }
}

/// What to change; at least one of these.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(min_properties = 1)]
pub struct UpdateApiKeyRequest {
    /// 1 to 100 characters, no control characters nor any Unicode marks invisible, format,
    /// private use or unassigned (in any plane), unique among the owner's keys (ignoring case,
    /// compared in NFC); spaces around it are dropped. Absent: unchanged.
    #[schema(example = "ci-deploy", max_length = 256, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    name: Option<String>,
    /// `disabled`: the key is refused like a deleted one, on every node, from the moment
    /// this answers; `active`: it works again. Absent: unchanged.
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    status: Option<Status>,
    /// The key's new scopes (see creating a key); null: full access. Applies to the key's
    /// next request, on every node. Absent: unchanged.
    #[schema(value_type = Option<Vec<Permission>>, min_items = 1, max_items = 7)]
    #[serde(default, deserialize_with = "super::body::present")]
    scopes: Option<Option<Vec<Permission>>>,
    /// The key's new allow-list (see creating a key); an empty list: anywhere. Applies to the
    /// key's next request, on every node. Absent: unchanged.
    #[schema(value_type = Vec<AllowedAddress>, max_items = 50)]
    #[serde(default, deserialize_with = "super::body::present")]
    allowed_addresses: Option<Vec<String>>,
    /// The key's new request limit (see creating a key); null: none. Absent: unchanged.
    #[schema(value_type = Option<KeyRateLimit>)]
    #[serde(default, deserialize_with = "super::body::present")]
    rate_limit: Option<Option<KeyRateLimit>>,
}

/// Whose keys to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct OwnerParams {
    /// A service account the caller manages (an administrator: any of their
    /// organization's). Absent: the caller's own keys.
    #[param(value_type = Option<UserId>)]
    owner_id: Option<String>,
}

impl OwnerParams {
    fn owner(&self) -> Result<Option<UserId>, ApiError> {
        let Some(text) = self.owner_id.as_deref() else { return Ok(None) };
        text.parse().map(Some).map_err(|_| ApiError::invalid_request("ownerId", "ownerId must be an account's id"))
    }
}

/// The key owner's keys, or a service account's they manage (`ownerId`), oldest first.
#[utoipa::path(
    get, path = "/api_keys", tag = "api_keys", operation_id = Operation::ListApiKeys.rest_id(),
    params(PageParams, OwnerParams),
    responses(
        (status = 200, description = "One page of keys", body = List<ApiKeyView>),
        (status = 400, description = "Bad page parameters, or an `ownerId` that is not an id", body = ErrorResponse),
        (status = 404, description = "`ownerId` names no service account the caller manages", body = ErrorResponse),
    )
)]
pub async fn list(
    state: State<AppState>,
    actor: ApiActor,
    Pagination(page): Pagination,
    params: Result<Query<OwnerParams>, QueryRejection>,
) -> Result<Json<List<ApiKeyView>>, ApiError> {
    let Query(params) = params.map_err(|rejection| ApiError::invalid_request("query", rejection.body_text()))?;
    let page = state.services.keys.list_page(&actor, params.owner()?, page).await?;
    Ok(Json(List::from_page(page, |key| ApiKeyView::from(key))))
}

/// Generates a key for the key's owner, or for a service account they manage (`ownerId`).
/// The body is optional.
#[utoipa::path(
    post, path = "/api_keys", tag = "api_keys", operation_id = Operation::CreateApiKey.rest_id(),
    request_body(content = Option<CreateApiKeyRequest>, description = "Optional: the new key's name, expiry, scopes and restrictions"),
    responses(
        (status = 201, description = "The key, with its secret (shown this once)", body = Data<CreatedKey>),
        (status = 400, description = "Invalid name, expiry, scopes, allowed addresses, rate limit or body", body = ErrorResponse),
        (status = 422, description = "`expiry_in_past`: the expiry is not in the future; `expiry_beyond_policy`: it is beyond the organization's maximum key lifetime", body = ErrorResponse),
        (status = 404, description = "`ownerId` names no service account the caller manages", body = ErrorResponse),
        (status = 409, description = "The owner already has a key with this name", body = ErrorResponse),
    )
)]
pub async fn create(
    state: State<AppState>,
    actor: ApiActor,
    // No body, or a JSON `null`, asks for a default name.
    body: Option<JsonObject<Option<CreateApiKeyRequest>>>,
) -> Result<(StatusCode, Json<Data<CreatedKey>>), ApiError> {
    let body = body.and_then(|JsonObject(body)| body);
    let Some(body) = body else {
        let created = state.services.keys.create(&actor, NewKey::default()).await?;
        return Ok((StatusCode::CREATED, Json(Data { data: CreatedKey::from(&created) })));
    };
    let created = state.services.keys.create(&actor, body.new_key()).await?;
    Ok((StatusCode::CREATED, Json(Data { data: CreatedKey::from(&created) })))
}

/// One of the owner's keys, with the last 10 distinct client addresses it was used from
/// (first and last use from each), most recent first.
#[utoipa::path(
    get, path = "/api_keys/{id}", tag = "api_keys", operation_id = Operation::GetApiKey.rest_id(),
    params(("id" = ApiKeyId, Path, description = "The key's id")),
    responses(
        (status = 200, description = "The key and its recent addresses", body = Data<ApiKeyDetails>),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
    )
)]
pub async fn show(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<ApiKeyId>,
) -> Result<Json<Data<ApiKeyDetails>>, ApiError> {
    Ok(Json(Data { data: ApiKeyDetails::from(&state.services.keys.get(&actor, id.get()?).await?) }))
}

/// Renames, disables or enables one of the owner's keys, or changes its scopes, allowed
/// addresses or request limit (any of them at once).
#[utoipa::path(
    patch, path = "/api_keys/{id}", tag = "api_keys", operation_id = Operation::UpdateApiKey.rest_id(),
    params(("id" = ApiKeyId, Path, description = "The key's id")),
    request_body = UpdateApiKeyRequest,
    responses(
        (status = 200, description = "The key as changed", body = Data<ApiKeyView>),
        (status = 400, description = "Invalid name, status, scopes, allowed addresses, rate limit or body, or nothing to change", body = ErrorResponse),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
        (status = 409, description = "The owner already has a key with this name", body = ErrorResponse),
    )
)]
pub async fn update(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<ApiKeyId>,
    JsonObject(body): JsonObject<UpdateApiKeyRequest>,
) -> Result<Json<Data<ApiKeyView>>, ApiError> {
    let change = KeyChange { name: body.name, status: body.status, scopes: body.scopes, allowed_addresses: body.allowed_addresses, rate_limit: body.rate_limit };
    let key = state.services.keys.update(&actor, id.get()?, change).await?;
    Ok(Json(Data { data: ApiKeyView::from(&key) }))
}

/// `?from=&to=&granularity=` on a key's usage, read as text so each bad value gets its own
/// message naming the parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageParams {
    /// The start (RFC 3339), rounded down to a whole hour or day. Default: the last 24 hours
    /// by hour, the last 30 days by day (the current one included).
    #[param(value_type = Option<String>, format = DateTime, max_length = 40)]
    from: Option<String>,
    /// The end (RFC 3339), rounded up. Default: now.
    #[param(value_type = Option<String>, format = DateTime, max_length = 40)]
    to: Option<String>,
    /// `hour` (the default; a range of at most 31 days) or `day` (UTC; at most 90 days, as
    /// long as usage is kept). A longer range is cut to its last 31 or 90 days; one where
    /// `from` is not before `to` has no buckets.
    #[param(value_type = Option<Granularity>)]
    granularity: Option<String>,
}

impl UsageParams {
    /// The window asked for, each bad value refused with a message naming its parameter.
    fn window(&self) -> Result<UsageWindow, ApiError> {
        let granularity = match self.granularity.as_deref() {
            None => Granularity::Hour,
            Some(text) => text.parse().map_err(|_| ApiError::invalid_request("granularity", "granularity must be hour or day"))?,
        };
        // `to` first: with both bad, the API has always named `to`.
        let to = instant("to", self.to.as_deref())?;
        Ok(UsageWindow { granularity, from: instant("from", self.from.as_deref())?, to, buckets: None })
    }
}

fn instant(field: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    value
        .map(|text| DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)))
        .transpose()
        .map_err(|_| ApiError::invalid_request(field, format!("{field} must be an RFC 3339 date and time")))
}

/// One of the owner's keys' requests per hour or day, by outcome (accepted, refused for its
/// scopes, refused for its address, over a rate limit), with totals: every bucket of the
/// range, empty ones included. Counted in memory and written every second, so the last
/// second may be missing; kept 90 days.
#[utoipa::path(
    get, path = "/api_keys/{id}/usage", tag = "api_keys", operation_id = Operation::GetApiKeyUsage.rest_id(),
    params(("id" = ApiKeyId, Path, description = "The key's id"), UsageParams),
    responses(
        (status = 200, description = "The key's usage", body = Data<KeyUsageView>),
        (status = 400, description = "A parameter is not a date and time, or not a granularity", body = ErrorResponse),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
    )
)]
pub async fn usage(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<ApiKeyId>,
    params: Result<Query<UsageParams>, QueryRejection>,
) -> Result<Json<Data<KeyUsageView>>, ApiError> {
    let Query(params) = params.map_err(|rejection| ApiError::invalid_request("query", rejection.body_text()))?;
    let series = state.services.keys.usage(&actor, id.get()?, params.window()?).await?;
    Ok(Json(Data { data: KeyUsageView::from(&series) }))
}

/// Deletes one of the owner's keys. From the moment this answers, every request with the
/// key gets 401, on every node.
#[utoipa::path(
    delete, path = "/api_keys/{id}", tag = "api_keys", operation_id = Operation::DeleteApiKey.rest_id(),
    params(("id" = ApiKeyId, Path, description = "The key's id")),
    responses(
        (status = 204, description = "The key is deleted"),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
    )
)]
pub async fn delete(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<ApiKeyId>,
) -> Result<StatusCode, ApiError> {
    state.services.keys.remove(&actor, id.get()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RollApiKeyRequest {
    /// How long the previous secret keeps working: 0 (it stops at once) to 604800 (7 days).
    #[schema(minimum = 0, maximum = 604800, example = 3600)]
    #[serde(deserialize_with = "super::body::whole_u32")]
    grace_period_seconds: u32,
    /// A new expiry for the key, within the organization's maximum lifetime; left out, the
    /// key keeps its expiry.
    #[schema(nullable = false, max_length = 40)]
    #[serde(default, deserialize_with = "super::body::present")]
    expires_at: Option<DateTime<Utc>>,
}

/// Gives one of the owner's keys a new secret, returned this once; the key keeps its id,
/// name, history and (unless `expiresAt` gives a new one) its expiry. The previous secret
/// keeps working for the grace period, then
/// is refused like a deleted key, on every node; each address still using it is recorded
/// in the activity (`key_used_with_previous_secret`). A key may roll itself, with its current
/// secret only. Rolling again during an overlap stops the older secret at once.
#[utoipa::path(
    post, path = "/api_keys/{id}/roll", tag = "api_keys", operation_id = Operation::RollApiKey.rest_id(),
    params(("id" = ApiKeyId, Path, description = "The key's id")),
    request_body = RollApiKeyRequest,
    responses(
        (status = 200, description = "The key, with its new secret (shown this once)", body = Data<CreatedKey>),
        (status = 400, description = "Invalid grace period or body", body = ErrorResponse),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
        (status = 409, description = "The key has expired", body = ErrorResponse),
        (status = 422, description = "The new expiry is past, or beyond the organization's maximum key lifetime", body = ErrorResponse),
    )
)]
pub async fn roll(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<ApiKeyId>,
    JsonObject(body): JsonObject<RollApiKeyRequest>,
) -> Result<Json<Data<CreatedKey>>, ApiError> {
    let grace = chrono::TimeDelta::seconds(i64::from(body.grace_period_seconds));
    let rolled = state.services.keys.roll(&actor, id.get()?, Roll { grace, expires_at: body.expires_at }).await?;
    Ok(Json(Data { data: CreatedKey::from(&rolled) }))
}

/// Where to hand a key over.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TransferApiKeyRequest {
    /// The service account that will own the key: one the caller manages (an administrator:
    /// any of their organization's).
    owner_id: UserId,
}

/// Hands a key over to a service account: it keeps its secret, id, name, expiry, scopes,
/// restrictions, usage and history, so the job using it never notices; only its owner
/// changes. A person moves their own keys to a service account they manage; an
/// administrator, any key of the organization to any of its service accounts. A key that
/// would do less or more under the new owner's role is refused (`scope_exceeds_key`), not
/// changed; a disabled person's key does not move.
#[utoipa::path(
    post, path = "/api_keys/{id}/transfer", tag = "api_keys", operation_id = Operation::TransferApiKey.rest_id(),
    params(("id" = ApiKeyId, Path, description = "The key's id")),
    request_body = TransferApiKeyRequest,
    responses(
        (status = 200, description = "The key, now the service account's", body = Data<ApiKeyView>),
        (status = 400, description = "Invalid body", body = ErrorResponse),
        (status = 404, description = "No such key the caller may hand over, or no such service account the caller manages", body = ErrorResponse),
        (status = 409, description = "The service account has a key of this name already, or as many keys as one may have", body = ErrorResponse),
    )
)]
pub async fn transfer(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<ApiKeyId>,
    JsonObject(body): JsonObject<TransferApiKeyRequest>,
) -> Result<Json<Data<ApiKeyView>>, ApiError> {
    let key = state.services.keys.transfer(&actor, id.get()?, body.owner_id).await?;
    Ok(Json(Data { data: ApiKeyView::from(&key) }))
}

/// Ends the overlap after a roll now: from the moment this answers, the previous secret is
/// refused on every node. Answers 204 too when there is no overlap.
#[utoipa::path(
    delete, path = "/api_keys/{id}/previous_secret", tag = "api_keys", operation_id = Operation::EndApiKeyOverlap.rest_id(),
    params(("id" = ApiKeyId, Path, description = "The key's id")),
    responses(
        (status = 204, description = "The previous secret no longer works"),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
    )
)]
pub async fn end_overlap(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<ApiKeyId>,
) -> Result<StatusCode, ApiError> {
    state.services.keys.end_overlap(&actor, id.get()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A key as reported: any text of up to 256 characters (malformed entries are skipped,
/// not refused).
#[derive(ToSchema)]
#[schema(example = "sesame_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg0AbCdE", max_length = 256)]
pub struct ReportedKey(String);

impl<'de> Deserialize<'de> for ReportedKey {
    /// As the document says: longer text is no key, and breaks the request (400).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.chars().count() > 256 {
            return Err(serde::de::Error::custom("a reported key has at most 256 characters"));
        }
        Ok(Self(text))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeKeysRequest {
    /// Up to 1,000 keys, of anyone. A Sésame key matches `sesame_[0-9A-Za-z]{49}`.
    #[schema(max_items = 1000)]
    keys: Vec<ReportedKey>,
}

/// What a report is answered, whatever it found.
#[derive(Serialize, ToSchema)]
pub struct RevokeKeysAnswer {
    /// How many entries the request carried (not how many keys existed).
    #[schema(minimum = 0, maximum = 1000)]
    received: u32,
}

/// Reports keys as leaked: every one that exists is deleted at once, on every node, and its
/// owner finds *key revoked as leaked* in their activity. Needs no key — for secret
/// scanners (keys match `sesame_[0-9A-Za-z]{49}`), security teams, or whoever pasted a key
/// somewhere public. The answer is the same whether or not any key existed (RFC 7009), so
/// it reveals nothing; malformed entries are skipped. Limited per client address.
#[utoipa::path(
    post, path = "/api_keys/revoke", tag = "api_keys", operation_id = "revokeLeakedApiKeys",
    security(()),
    request_body = RevokeKeysRequest,
    responses(
        (status = 200, description = "The report was handled (whatever it held)", body = Data<RevokeKeysAnswer>),
        (status = 400, description = "Invalid body, or more than 1,000 keys", body = ErrorResponse),
    )
)]
pub async fn revoke_leaked(
    state: State<AppState>,
    ClientOf(client): ClientOf,
    JsonObject(body): JsonObject<RevokeKeysRequest>,
) -> Result<Json<Data<RevokeKeysAnswer>>, ApiError> {
    let keys: Vec<String> = body.keys.into_iter().map(|ReportedKey(key)| key).collect();
    state.services.keys.revoke_leaked(&keys, &client).await?;
    // At most 1,000: more were refused.
    Ok(Json(Data { data: RevokeKeysAnswer { received: u32::try_from(keys.len()).unwrap_or(u32::MAX) } }))
}
