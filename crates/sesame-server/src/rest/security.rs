//! `/api/v1/me/password` and `/api/v1/me/sessions`: the console's Security section.

use axum::{
    extract::State,
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use sesame_core::{model::{Operation, SessionId}, password::Password};
use sesame_api::wire::SessionView;
use utoipa::ToSchema;

use super::{
    auth::{ApiActor, Id},
    body::JsonObject,
    error::{ApiError, ErrorResponse},
};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChangeRequest {
    #[schema(min_length = 1, max_length = 256)]
    current_password: String,
    /// 8 to 256 characters.
    #[schema(min_length = 8, max_length = 256)]
    new_password: String,
}

/// Changes the key owner's password; every console session of theirs ends.
#[utoipa::path(
    post, path = "/me/password", tag = "me", operation_id = Operation::ChangePassword.rest_id(),
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Changed; the owner's console sessions are ended"),
        (status = 400, description = "The new password is invalid (`context.field`)", body = ErrorResponse),
        (status = 403, description = "The current password is not correct", body = ErrorResponse),
        (status = 422, description = "The password is one of the most common ones (`common_password`)", body = ErrorResponse),
    )
)]
pub async fn change_password(
    state: State<AppState>,
    actor: ApiActor,
    JsonObject(body): JsonObject<PasswordChangeRequest>,
) -> Result<StatusCode, ApiError> {
    let (current, new) = (Password::new(body.current_password), Password::new(body.new_password));
    state.services.security.change_password(&actor, &current, &new).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The key owner's sessions.
#[derive(Serialize, ToSchema)]
pub struct Sessions {
    /// At most the 100 most recently seen.
    #[schema(max_items = 100)]
    data: Vec<SessionView>,
}

/// The key owner's live console sessions, most recently seen first.
#[utoipa::path(
    get, path = "/me/sessions", tag = "me", operation_id = Operation::ListSessions.rest_id(),
    responses((status = 200, description = "The sessions", body = Sessions))
)]
pub async fn list_sessions(state: State<AppState>, actor: ApiActor) -> Result<Json<Sessions>, ApiError> {
    let sessions = state.services.security.sessions(&actor).await?;
    Ok(Json(Sessions { data: sessions.into_iter().map(SessionView::from).collect() }))
}

/// Signs one of the key owner's console sessions out.
#[utoipa::path(
    delete, path = "/me/sessions/{id}", tag = "me", operation_id = Operation::EndSession.rest_id(),
    params(("id" = SessionId, Path, description = "The session's id")),
    responses(
        (status = 204, description = "The session is ended"),
        (status = 404, description = "No such session of the key's owner", body = ErrorResponse),
    )
)]
pub async fn end_session(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<SessionId>,
) -> Result<StatusCode, ApiError> {
    state.services.security.end_session(&actor, id.get()?).await?;
    Ok(StatusCode::NO_CONTENT)
}
