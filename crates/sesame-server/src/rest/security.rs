//! `/api/v1/me/password` and `/api/v1/me/sessions`: the console's Security section.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sesame_core::{
    accounts::{AccountError, SessionInfo},
    activity::{About, EventKind},
    password::Password,
};
use utoipa::ToSchema;

use super::{
    body::JsonObject,auth::RequestClient, envelope::Data, ApiError, ApiPrincipal, ErrorResponse};
use crate::app::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChangeRequest {
    #[schema(min_length = 1, max_length = 256)]
    current_password: String,
    /// 8 to 256 characters.
    #[schema(min_length = 8, max_length = 256)]
    new_password: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    #[schema(format = Uuid)]
    id: String,
    created_at: DateTime<Utc>,
    /// Within about a minute.
    last_seen_at: DateTime<Utc>,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl From<&SessionInfo> for SessionBody {
    fn from(session: &SessionInfo) -> Self {
        Self {
            id: session.id.clone(),
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            ip: session.ip.clone(),
            user_agent: session.user_agent.clone(),
        }
    }
}

fn account_error(error: AccountError) -> ApiError {
    match error {
        AccountError::WrongCurrentPassword => ApiError::wrong_current_password(),
        AccountError::Invalid(problem) => ApiError::invalid_request("newPassword", problem.to_string()),
        AccountError::Store(store) => store.into(),
        other => ApiError::internal(&other),
    }
}

/// Changes the key owner's password; every console session of theirs ends.
#[utoipa::path(
    post, path = "/me/password", tag = "me", operation_id = "changePassword",
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Changed; the owner's console sessions are ended"),
        (status = 400, description = "The new password is invalid (`context.field`)", body = ErrorResponse),
        (status = 403, description = "The current password is not correct", body = ErrorResponse),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    RequestClient(client): RequestClient,
    JsonObject(body): JsonObject<PasswordChangeRequest>,
) -> Result<StatusCode, ApiError> {
    let user = &principal.user;
    state
        .services
        .accounts
        .change_password(user, &Password::new(body.current_password), &Password::new(body.new_password), None)
        .await
        .map_err(account_error)?;
    tracing::info!(target: "sesame::audit", user = %user.username, "password changed through the API");
    state.services.activity.record(EventKind::PasswordChanged, user, &client, About::default()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The key owner's live console sessions, most recently seen first.
#[utoipa::path(
    get, path = "/me/sessions", tag = "me", operation_id = "listSessions",
    responses((status = 200, description = "The sessions", body = Data<Vec<SessionBody>>))
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
) -> Result<Json<Data<Vec<SessionBody>>>, ApiError> {
    let sessions = state.services.accounts.sessions(&principal.user, None).await.map_err(account_error)?;
    Ok(Json(Data { data: sessions.iter().map(SessionBody::from).collect() }))
}

/// Signs one of the key owner's console sessions out.
#[utoipa::path(
    delete, path = "/me/sessions/{id}", tag = "me", operation_id = "endSession",
    params(("id" = String, Path, description = "The session's id")),
    responses(
        (status = 204, description = "The session is ended"),
        (status = 404, description = "No such session of the key's owner", body = ErrorResponse),
    )
)]
pub async fn end_session(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match state.services.accounts.end_session(&principal.user, &id).await.map_err(account_error)? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found("No such session.")),
    }
}
