//! `/api/v1/api_keys`: the same operations as the console's panel, on the key's owner's
//! own keys.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use sesame_core::{keys::KeyError, model::ApiKeyId};
use sesame_shared::wire::{ApiKeyView, CreatedKey};
use utoipa::ToSchema;

use super::{
    auth::ApiActor,
    body::JsonObject,
    envelope::{Data, List},
    page::{PageParams, Pagination},
    error::{ApiError, ErrorResponse},
};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// Up to 100 characters, no control characters, unique among the owner's keys
    /// (ignoring case); spaces around it are dropped. Absent or blank: a name like
    /// `api_key_3kq9x2ab`.
    #[schema(example = "ci-deploy", max_length = 256)]
    name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameApiKeyRequest {
    /// 1 to 100 characters, no control characters, unique among the owner's keys
    /// (ignoring case); spaces around it are dropped.
    #[schema(example = "ci-deploy", max_length = 256)]
    name: String,
}

/// The key owner's keys, oldest first.
#[utoipa::path(
    get, path = "/api_keys", tag = "api_keys", operation_id = "listApiKeys",
    params(PageParams),
    responses(
        (status = 200, description = "One page of keys", body = List<ApiKeyView>),
        (status = 400, description = "Bad page parameters", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Pagination(page): Pagination,
) -> Result<Json<List<ApiKeyView>>, ApiError> {
    let page = state.services.keys.list_page(&actor, page).await?;
    Ok(Json(List::from_page(page, |key| ApiKeyView::from(key))))
}

/// Generates a key for the key's owner. The body is optional.
#[utoipa::path(
    post, path = "/api_keys", tag = "api_keys", operation_id = "createApiKey",
    request_body(content = Option<CreateApiKeyRequest>, description = "Optional: the new key's name"),
    responses(
        (status = 201, description = "The key, with its secret (shown this once)", body = Data<CreatedKey>),
        (status = 400, description = "Invalid name or body", body = ErrorResponse),
        (status = 409, description = "The owner already has a key with this name", body = ErrorResponse),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    // No body, or a JSON `null`, asks for a default name.
    body: Option<JsonObject<Option<CreateApiKeyRequest>>>,
) -> Result<(StatusCode, Json<Data<CreatedKey>>), ApiError> {
    let name = body.and_then(|JsonObject(body)| body).and_then(|body| body.name);
    let created = state.services.keys.create(&actor, name.as_deref()).await?;
    let data = CreatedKey { key: ApiKeyView::from(&created.key), secret: created.secret.expose().to_owned() };
    Ok((StatusCode::CREATED, Json(Data { data })))
}

/// Renames one of the owner's keys.
#[utoipa::path(
    patch, path = "/api_keys/{id}", tag = "api_keys", operation_id = "renameApiKey",
    params(("id" = ApiKeyId, Path, description = "The key's id")),
    request_body = RenameApiKeyRequest,
    responses(
        (status = 200, description = "The renamed key", body = Data<ApiKeyView>),
        (status = 400, description = "Invalid name or body", body = ErrorResponse),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
        (status = 409, description = "The owner already has a key with this name", body = ErrorResponse),
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<RenameApiKeyRequest>,
) -> Result<Json<Data<ApiKeyView>>, ApiError> {
    let id = ApiKeyId::parse(&id).ok_or(KeyError::NotFound)?;
    let key = state.services.keys.rename(&actor, id, &body.name).await?;
    Ok(Json(Data { data: ApiKeyView::from(&key) }))
}

/// Deletes one of the owner's keys. From the moment this answers, every request with the
/// key gets 401, on every node.
#[utoipa::path(
    delete, path = "/api_keys/{id}", tag = "api_keys", operation_id = "deleteApiKey",
    params(("id" = ApiKeyId, Path, description = "The key's id")),
    responses(
        (status = 204, description = "The key is deleted"),
        (status = 404, description = "No such key among the owner's", body = ErrorResponse),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = ApiKeyId::parse(&id).ok_or(KeyError::NotFound)?;
    state.services.keys.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
