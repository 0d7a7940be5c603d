//! `/api/v1/users`: the organization's users, with the same rules as the console's Users
//! page (see `sesame_core::users`).

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sesame_core::{
    model::{Role, User},
    password::Password,
    store::UserChange,
    users::NewColleague,
};
use utoipa::ToSchema;

use super::{
    body::JsonObject,
    auth::RequestClient,
    envelope::{Data, List},
    page::{PageParams, Pagination},
    ApiError, ApiPrincipal, ErrorResponse,
};
use sesame_core::activity::{About, EventKind};
use crate::app::AppState;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleBody {
    Admin,
    User,
}

impl From<Role> for RoleBody {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => RoleBody::Admin,
            Role::User => RoleBody::User,
        }
    }
}

impl From<RoleBody> for Role {
    fn from(role: RoleBody) -> Self {
        match role {
            RoleBody::Admin => Role::Admin,
            RoleBody::User => Role::User,
        }
    }
}

/// A disabled user cannot sign in, and their keys are refused, until enabled again.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusBody {
    Active,
    Disabled,
}

#[derive(Serialize, ToSchema)]
pub struct OrganizationBody {
    #[schema(format = Uuid)]
    id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserBody {
    #[schema(format = Uuid)]
    id: String,
    username: String,
    full_name: String,
    email: String,
    organization: OrganizationBody,
    role: RoleBody,
    status: StatusBody,
    created_at: DateTime<Utc>,
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
            role: user.role.into(),
            status: if user.disabled { StatusBody::Disabled } else { StatusBody::Active },
            created_at: user.created_at,
        }
    }
}

/// A new user in the administrator's organization.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 1 to 64 letters, digits, `.`, `_` or `-`; unique, ignoring case.
    #[schema(example = "rwalker")]
    username: String,
    #[schema(example = "rwalker@example.com", format = Email, max_length = 254)]
    email: String,
    /// 1 to 100 characters, no control characters.
    #[schema(example = "Rupert Walker", min_length = 1, max_length = 100)]
    full_name: String,
    role: RoleBody,
    /// The initial password: 8 to 256 characters.
    #[schema(example = "correct horse battery staple", min_length = 8, max_length = 256)]
    password: String,
}

/// What to change; at least one of the two.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateUserRequest {
    #[schema(nullable = false)]
    role: Option<RoleBody>,
    #[schema(nullable = false)]
    status: Option<StatusBody>,
}

/// The users the key's owner may see: an administrator, the organization's; a user, only
/// themself.
#[utoipa::path(
    get, path = "/users", tag = "users", operation_id = "listUsers",
    params(PageParams),
    responses(
        (status = 200, description = "One page of users, oldest first", body = List<UserBody>),
        (status = 400, description = "Bad page parameters", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Pagination(page): Pagination,
) -> Result<Json<List<UserBody>>, ApiError> {
    let page = state.services.users.list(&principal.user, page).await?;
    Ok(Json(List::from_page(page, |user| UserBody::from(user))))
}

/// Creates a user in the administrator's organization (administrators only).
#[utoipa::path(
    post, path = "/users", tag = "users", operation_id = "createUser",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "The user was created", body = Data<UserBody>),
        (status = 400, description = "A field is invalid (named in `context.field`)", body = ErrorResponse),
        (status = 403, description = "The key's owner is not an administrator", body = ErrorResponse),
        (status = 409, description = "The username is taken", body = ErrorResponse),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    RequestClient(client): RequestClient,
    JsonObject(body): JsonObject<CreateUserRequest>,
) -> Result<(StatusCode, Json<Data<UserBody>>), ApiError> {
    // Taken as sent: the document's patterns say exactly what is accepted (the console's
    // form trims for people; an API client sends what it means).
    let colleague = NewColleague {
        full_name: body.full_name,
        username: body.username,
        email: body.email,
        role: body.role.into(),
        password: Password::new(body.password),
    };
    let user = state.services.users.create(&principal.user, colleague).await?;
    tracing::info!(target: "sesame::audit", actor = %principal.user.username, user = %user.username, "user created through the API");
    state.services.activity.record(EventKind::UserCreated, &principal.user, &client, About::user(&user)).await;
    Ok((StatusCode::CREATED, Json(Data { data: UserBody::from(&user) })))
}

/// One user: an administrator may read anyone in their organization; a user, themself.
#[utoipa::path(
    get, path = "/users/{id}", tag = "users", operation_id = "getUser",
    params(("id" = String, Path, format = Uuid, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = Data<UserBody>),
        (status = 404, description = "No such user visible to the key's owner", body = ErrorResponse),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    Path(id): Path<String>,
) -> Result<Json<Data<UserBody>>, ApiError> {
    let user = state.services.users.get(&principal.user, &id).await?;
    Ok(Json(Data { data: UserBody::from(&user) }))
}

/// Changes a user's role or status (administrators only, not on themselves). Takes effect
/// at once: the user's keys act with the new role on their next request; disabling ends
/// the user's sessions and refuses their keys until they are enabled again.
#[utoipa::path(
    patch, path = "/users/{id}", tag = "users", operation_id = "updateUser",
    params(("id" = String, Path, format = Uuid, description = "The user's id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The user as changed", body = Data<UserBody>),
        (status = 400, description = "Nothing to change, or an invalid value", body = ErrorResponse),
        (status = 403, description = "The key's owner is not an administrator", body = ErrorResponse),
        (status = 404, description = "No such user in the administrator's organization", body = ErrorResponse),
        (status = 409, description = "One's own account, or the organization's last active administrator", body = ErrorResponse),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    ApiPrincipal(principal): ApiPrincipal,
    RequestClient(client): RequestClient,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<UpdateUserRequest>,
) -> Result<Json<Data<UserBody>>, ApiError> {
    let change = UserChange {
        role: body.role.map(Role::from),
        disabled: body.status.map(|status| matches!(status, StatusBody::Disabled)),
    };
    let user = state.services.users.update(&principal.user, &id, change).await?;
    tracing::info!(target: "sesame::audit", actor = %principal.user.username, user = %user.username, role = user.role.as_str(), disabled = user.disabled, "user changed through the API");
    state.services.activity.record_user_change(&principal.user, &client, &user, &change).await;
    Ok(Json(Data { data: UserBody::from(&user) }))
}
