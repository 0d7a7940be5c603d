//! `/api/v1/api_keys`: the same operations as the console's panel, on the key's owner.

use axum::{
    extract::{rejection::JsonRejection, Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sesame_core::model::ApiKey;

use super::{ApiError, ApiPrincipal};
use crate::app::AppState;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyBody {
    id: String,
    name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    last_used_ip: Option<String>,
}

impl From<&ApiKey> for KeyBody {
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenameBody {
    name: String,
}

pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
) -> Result<Response, ApiError> {
    let keys = state.services.keys.list(&principal.user).await?;
    let body: Vec<KeyBody> = keys.iter().map(KeyBody::from).collect();
    Ok(Json(json!({ "data": body })).into_response())
}

/// 201 with the secret, the only time it is ever returned.
pub async fn create(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    body: Result<Option<Json<CreateBody>>, JsonRejection>,
) -> Result<Response, ApiError> {
    let name = body?.and_then(|Json(body)| body.name);
    let (key, secret) = state.services.keys.generate(&principal.user, name.as_deref()).await?;
    tracing::info!(target: "sesame::audit", user = %principal.user.username, key_id = %key.id, "API key created through the API");
    let mut data = serde_json::to_value(KeyBody::from(&key)).map_err(|e| ApiError::internal(&e))?;
    data["secret"] = json!(secret.expose());
    Ok((StatusCode::CREATED, Json(json!({ "data": data }))).into_response())
}

pub async fn rename(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(id): Path<String>,
    body: Result<Json<RenameBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let key = state.services.keys.rename(&principal.user, &id, &body.name).await?;
    tracing::info!(target: "sesame::audit", user = %principal.user.username, key_id = %key.id, "API key renamed through the API");
    Ok(Json(json!({ "data": KeyBody::from(&key) })).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let key = state.services.keys.delete(&principal.user, &id).await?;
    tracing::info!(target: "sesame::audit", user = %principal.user.username, key_id = %key.id, "API key deleted through the API");
    Ok(StatusCode::NO_CONTENT)
}
