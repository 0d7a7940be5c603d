use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use super::{envelope::Data, users::UserBody, ApiPrincipal};

/// The user the key acts as.
#[utoipa::path(
    get, path = "/me", tag = "me", operation_id = "getMe",
    responses(
        (status = 200, description = "The key's owner", body = Data<UserBody>),
    )
)]
// The call scripts make most: rendered once per cached principal, then served as is.
pub async fn show(ApiPrincipal(principal): ApiPrincipal) -> Response {
    let body = principal.rendered_me.get_or_init(|| {
        let me = Data { data: UserBody::from(&principal.user) };
        serde_json::to_vec(&me).expect("serializing plain structs cannot fail").into()
    });
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.clone()).into_response()
}
