//! `/api/v1/api_keys`: the same operations as the console's panel, on the key's owner's
//! own keys.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sesame_core::model::ApiKey;
use utoipa::ToSchema;

use super::{
    body::JsonObject,
    auth::RequestClient,
    envelope::{Data, List},
    page::{PageParams, Pagination},
    ApiError, ApiPrincipal, ErrorResponse,
};
use sesame_core::activity::{About, EventKind};
use crate::app::AppState;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyBody {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    created_at: DateTime<Utc>,
    /// When the key was last used (within about a second); null if never.
    last_used_at: Option<DateTime<Utc>>,
    /// The client address of that last use; null if never.
    last_used_ip: Option<String>,
}

impl From<&ApiKey> for ApiKeyBody {
    fn from(key: &ApiKey) -> Self {
        Self {
            id: key.id.to_string(),
            name: key.name.clone(),
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            last_used_ip: key.last_used_ip.clone(),
        }
    }
}

/// A key just created: the only answer that ever contains its secret.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewApiKeyBody {
    #[serde(flatten)]
    key: ApiKeyBody,
    /// The key itself, to send as `MC-Api-Key`. Shown once: store it now.
    secret: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// Up to 100 characters, no control characters, unique among the owner's keys
    /// (ignoring case); spaces around it are dropped. Absent or blank: a name like
    /// `api_key_3kq9x2ab`.
    #[schema(example = "ci-deploy")]
    name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameApiKeyRequest {
    /// 1 to 100 characters, no control characters, unique among the owner's keys
    /// (ignoring case); spaces around it are dropped.
    #[schema(example = "ci-deploy")]
    name: String,
}

/// The key owner's keys, oldest first.
#[utoipa::path(
    get, path = "/api_keys", tag = "api_keys", operation_id = "listApiKeys",
    params(PageParams),
    responses(
        (status = 200, description = "One page of keys", body = List<ApiKeyBody>),
        (status = 400, description = "Bad page parameters", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Pagination(page): Pagination,
) -> Result<Json<List<ApiKeyBody>>, ApiError> {
    let page = state.services.keys.list_page(&principal.user, page).await?;
    Ok(Json(List::from_page(page, |key| ApiKeyBody::from(key))))
}

/// Generates a key for the key's owner. The body is optional.
#[utoipa::path(
    post, path = "/api_keys", tag = "api_keys", operation_id = "createApiKey",
    request_body(content = Option<CreateApiKeyRequest>, description = "Optional: the new key's name"),
    responses(
        (status = 201, description = "The key, with its secret (shown this once)", body = Data<NewApiKeyBody>),
        (status = 400, description = "Invalid name or body", body = ErrorResponse),
        (status = 409, description = "The owner already has a key with this name", body = ErrorResponse),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    RequestClient(client): RequestClient,
    // No body, or a JSON `null`, asks for a default name.
    body: Option<JsonObject<Option<CreateApiKeyRequest>>>,
) -> Result<(StatusCode, Json<Data<NewApiKeyBody>>), ApiError> {
    let name = body.and_then(|JsonObject(body)| body).and_then(|body| body.name);
    let (key, secret) = state.services.keys.generate(&principal.user, name.as_deref()).await?;
    tracing::info!(target: "sesame::audit", user = %principal.user.username, key_id = %key.id, "API key created through the API");
    state.services.activity.record(EventKind::KeyCreated, &principal.user, &client, About::key(&key)).await;
    let data = NewApiKeyBody { key: ApiKeyBody::from(&key), secret: secret.expose().to_owned() };
    Ok((StatusCode::CREATED, Json(Data { data })))
}

/// Renames one of the owner's keys.
#[utoipa::path(
    patch, path = "/api_keys/{id}", tag = "api_keys", operation_id = "renameApiKey",
    params(("id" = String, Path, format = Uuid, description = "The key's id")),
    request_body = RenameApiKeyRequest,
    responses(
        (status = 200, description = "The renamed key", body = Data<ApiKeyBody>),
        (status = 400, description = "Invalid name or body", body = ErrorResponse),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
        (status = 409, description = "The owner already has a key with this name", body = ErrorResponse),
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    RequestClient(client): RequestClient,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<RenameApiKeyRequest>,
) -> Result<Json<Data<ApiKeyBody>>, ApiError> {
    let key = state.services.keys.rename(&principal.user, &id, &body.name).await?;
    tracing::info!(target: "sesame::audit", user = %principal.user.username, key_id = %key.id, "API key renamed through the API");
    state.services.activity.record(EventKind::KeyRenamed, &principal.user, &client, About::key(&key)).await;
    Ok(Json(Data { data: ApiKeyBody::from(&key) }))
}

/// Deletes one of the owner's keys. From the moment this answers, every request with the
/// key gets 401, on every node.
#[utoipa::path(
    delete, path = "/api_keys/{id}", tag = "api_keys", operation_id = "deleteApiKey",
    params(("id" = String, Path, format = Uuid, description = "The key's id")),
    responses(
        (status = 204, description = "The key is deleted"),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    RequestClient(client): RequestClient,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let key = state.services.keys.delete(&principal.user, &id).await?;
    tracing::info!(target: "sesame::audit", user = %principal.user.username, key_id = %key.id, "API key deleted through the API");
    state.services.activity.record(EventKind::KeyDeleted, &principal.user, &client, About::key(&key)).await;
    Ok(StatusCode::NO_CONTENT)
}
