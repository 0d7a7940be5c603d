//! `GET /api/v1/me`: the user the key acts as.

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use sesame_core::{
    actor::Client,
    model::Permission,
    rights,
};
use sesame_api::wire::UserView;

use super::{auth::ApiPrincipal, envelope::Data, error::ApiError};
use crate::state::AppState;

/// The user the key acts as.
#[utoipa::path(
    get, path = "/me", tag = "me", operation_id = "getMe",
    responses(
        (status = 200, description = "The key's owner", body = Data<UserView>),
    )
)]
pub async fn show(State(state): State<AppState>, ApiPrincipal(authenticated, ip): ApiPrincipal) -> Response {
    let principal = &authenticated.principal;
    // Decided without building an actor unless the key is refused (the hot path).
    if rights::check(&principal.user, principal.scopes, Permission::MeRead).is_err() {
        let actor = authenticated.actor(Client::new(ip, None));
        if let Err(refusal) = state.services.api.require(&actor, Permission::MeRead) {
            return ApiError::from(refusal).into_response();
        }
    }
    let body = state.me_cache.answer(&principal.user, |user| {
        serde_json::to_vec(&Data { data: UserView::from(user) }).expect("serializing plain structs cannot fail").into()
    });
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}
