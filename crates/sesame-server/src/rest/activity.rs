//! `/api/v1/activity`: the log the console's Activity list shows, with the same rule — a
//! user sees their own events, an administrator the organization's.

use axum::{extract::State, Json};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sesame_core::activity::Event;
use utoipa::ToSchema;

use super::{
    envelope::List,
    page::{PageParams, Pagination},
    ApiError, ApiPrincipal, ErrorResponse,
};
use crate::app::AppState;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityBody {
    id: String,
    at: DateTime<Utc>,
    /// `login_succeeded`, `login_failed`, `logout`, `key_created`, `key_renamed`,
    /// `key_deleted`, `password_changed`, `user_created`, `user_disabled`, `user_enabled`,
    /// `user_role_changed`.
    #[schema(example = "key_created")]
    event: String,
    /// Who did it (username); null for a failed login.
    actor: Option<String>,
    /// Whom it concerns (username).
    subject: Option<String>,
    key: Option<KeyRefBody>,
    ip: Option<String>,
    user_agent: Option<String>,
    /// The new role for `user_role_changed`.
    detail: Option<String>,
}

/// A key by id and name (never its secret).
#[derive(Serialize, ToSchema)]
pub struct KeyRefBody {
    #[schema(format = Uuid)]
    id: String,
    name: String,
}

impl From<&Event> for ActivityBody {
    fn from(event: &Event) -> Self {
        Self {
            id: event.id.clone(),
            at: event.at,
            event: event.kind.as_str().to_owned(),
            actor: event.actor.as_ref().map(|party| party.username.clone()),
            subject: event.subject.as_ref().map(|party| party.username.clone()),
            key: event.key.as_ref().map(|key| KeyRefBody { id: key.id.to_string(), name: key.name.clone() }),
            ip: event.ip.clone(),
            user_agent: event.user_agent.clone(),
            detail: event.detail.clone(),
        }
    }
}

/// The activity the key's owner may see, newest first.
#[utoipa::path(
    get, path = "/activity", tag = "activity", operation_id = "listActivity",
    params(PageParams),
    responses(
        (status = 200, description = "One page of events, newest first", body = List<ActivityBody>),
        (status = 400, description = "Bad page parameters", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Pagination(page): Pagination,
) -> Result<Json<List<ActivityBody>>, ApiError> {
    let page = state.services.activity.list(&principal.user, page).await?;
    Ok(Json(List::from_page(page, |event| ActivityBody::from(event))))
}
