use axum::Json;
use serde::Serialize;
use sesame_core::model::User;

use super::ApiPrincipal;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserBody {
    id: String,
    username: String,
    full_name: String,
    email: String,
    organization: OrganizationBody,
    role: &'static str,
}

#[derive(Serialize)]
pub struct OrganizationBody {
    id: String,
    name: String,
}

impl From<&User> for UserBody {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.to_string(),
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            email: user.email.clone(),
            organization: OrganizationBody {
                id: user.organization_id.to_string(),
                name: user.organization_name.clone(),
            },
            role: user.role.as_str(),
        }
    }
}

#[derive(Serialize)]
pub struct Data<T> {
    data: T,
}

/// `GET /api/v1/me`: the user the key acts as. Serialized straight from typed structs:
/// this is the call scripts make most.
pub async fn show(ApiPrincipal(principal): ApiPrincipal) -> Json<Data<UserBody>> {
    Json(Data { data: UserBody::from(&principal.user) })
}
