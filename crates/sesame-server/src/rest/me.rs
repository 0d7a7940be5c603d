use axum::Json;

use super::{envelope::Data, users::UserBody, ApiPrincipal};

/// The user the key acts as.
#[utoipa::path(
    get, path = "/me", tag = "me", operation_id = "getMe",
    responses(
        (status = 200, description = "The key's owner", body = Data<UserBody>),
    )
)]
// Serialized straight from typed structs: this is the call scripts make most.
pub async fn show(ApiPrincipal(principal): ApiPrincipal) -> Json<Data<UserBody>> {
    Json(Data { data: UserBody::from(&principal.user) })
}
