//! `GET /api/v1/me`: the user the key acts as.

use sesame_core::model::Operation;
use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use sesame_api::wire::UserView;

use super::{auth::ApiActor, envelope::Data, error::ApiError};
use crate::state::AppState;

/// The user the key acts as.
#[utoipa::path(
    get, path = "/me", tag = "me", operation_id = Operation::GetMe.rest_id(),
    responses(
        (status = 200, description = "The key's owner", body = Data<UserView>),
    )
)]
pub async fn show(state: State<AppState>, caller: ApiActor) -> Result<Response, ApiError> {
    let user = state.services.api.me(caller.authenticated(), || caller.client())?;
    let body = state.me_cache.answer(user, |user| {
        serde_json::to_vec(&Data { data: UserView::from(user) }).expect("serializing plain structs cannot fail").into()
    });
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response())
}
