//! `GET /api/v1/me`: the user the key acts as — the call scripts make most, so its answer
//! is rendered once per version of the user and then served as is.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use quick_cache::sync::Cache;
use sesame_core::model::{User, UserId};
use sesame_shared::wire::UserView;

use super::{auth::ApiPrincipal, envelope::Data};
use crate::state::AppState;

/// Users whose `/me` answer is kept at most.
const RENDERED_USERS: usize = 100_000;

/// The rendered answer per user, with the very `User` it was rendered from. The key cache
/// builds a new `User` whenever the user changes, so an answer is reused only while the
/// principal still holds that same one (the entry keeps it alive, so its address cannot be
/// reused by another).
pub struct MeCache {
    rendered: Cache<UserId, (Arc<User>, Bytes)>,
}

impl Default for MeCache {
    fn default() -> Self {
        Self { rendered: Cache::new(RENDERED_USERS) }
    }
}

impl MeCache {
    fn answer(&self, user: &Arc<User>) -> Bytes {
        if let Some((rendered_from, body)) = self.rendered.get(&user.id) {
            if Arc::ptr_eq(&rendered_from, user) {
                return body;
            }
        }
        let body: Bytes = serde_json::to_vec(&Data { data: UserView::from(&**user) })
            .expect("serializing plain structs cannot fail")
            .into();
        self.rendered.insert(user.id, (user.clone(), body.clone()));
        body
    }
}

/// The user the key acts as.
#[utoipa::path(
    get, path = "/me", tag = "me", operation_id = "getMe",
    responses(
        (status = 200, description = "The key's owner", body = Data<UserView>),
    )
)]
pub async fn show(State(state): State<AppState>, ApiPrincipal(principal): ApiPrincipal) -> Response {
    let body = state.me_cache.answer(&principal.user);
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}
