//! `/api/v1/users`: the organization's users, with the same rules as the console's Users
//! page (see `sesame_core::users`).

use axum::{
    extract::State,
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use sesame_core::{
    model::{Operation, Role, Status, UserChange, UserId},
    password::Password,
    users::NewColleague,
};
use sesame_api::wire::{OffboardingView, UserView};
use utoipa::ToSchema;

use super::{
    auth::{ApiActor, Id},
    body::JsonObject,
    envelope::{Data, List},
    page::{PageParams, Pagination},
    error::{ApiError, ErrorResponse},
};
use crate::state::AppState;

/// A new user in the administrator's organization.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 1 to 64 letters, digits, `.`, `_` or `-`; unique, ignoring case.
    #[schema(example = "rwalker", min_length = 1, max_length = 64)]
    username: String,
    #[schema(example = "rwalker@example.com", format = Email, max_length = 254)]
    email: String,
    /// 1 to 100 characters, no control characters.
    #[schema(example = "Rupert Walker", min_length = 1, max_length = 100)]
    full_name: String,
    role: Role,
    /// The initial password: 8 to 256 characters.
    #[schema(example = "correct horse battery staple", min_length = 8, max_length = 256)]
    password: String,
}

/// Taken as sent: the document's patterns say exactly what is accepted (the console's form
/// trims for people; an API client sends what it means).
impl From<CreateUserRequest> for NewColleague {
    fn from(body: CreateUserRequest) -> Self {
        NewColleague {
            full_name: body.full_name,
            username: body.username,
            email: body.email,
            role: body.role,
            password: Password::new(body.password),
        }
    }
}

/// What to change; at least one of the two.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateUserRequest {
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    role: Option<Role>,
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    status: Option<Status>,
}

/// The users the key's owner may see: an administrator, the organization's; a user, only
/// themself.
#[utoipa::path(
    get, path = "/users", tag = "users", operation_id = Operation::ListUsers.rest_id(),
    params(PageParams),
    responses(
        (status = 200, description = "One page of users, oldest first", body = List<UserView>),
        (status = 400, description = "Bad page parameters", body = ErrorResponse),
    )
)]
pub async fn list(
    state: State<AppState>,
    actor: ApiActor,
    Pagination(page): Pagination,
) -> Result<Json<List<UserView>>, ApiError> {
    let page = state.services.users.list(&actor, page).await?;
    Ok(Json(List::from_page(page, |user| UserView::from(user))))
}

/// Creates a user in the administrator's organization (administrators only).
#[utoipa::path(
    post, path = "/users", tag = "users", operation_id = Operation::CreateUser.rest_id(),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "The user was created", body = Data<UserView>),
        (status = 400, description = "A field is invalid (named in `context.field`)", body = ErrorResponse),
        (status = 403, description = "The key's owner is not an administrator", body = ErrorResponse),
        (status = 409, description = "The username is taken", body = ErrorResponse),
        (status = 422, description = "The password is one of the most common ones (`common_password`)", body = ErrorResponse),
    )
)]
pub async fn create(
    state: State<AppState>,
    actor: ApiActor,
    JsonObject(body): JsonObject<CreateUserRequest>,
) -> Result<(StatusCode, Json<Data<UserView>>), ApiError> {
    let user = state.services.users.create(&actor, body.into()).await?;
    Ok((StatusCode::CREATED, Json(Data { data: UserView::from(&user) })))
}

/// One user: an administrator may read anyone in their organization; a user, themself.
#[utoipa::path(
    get, path = "/users/{id}", tag = "users", operation_id = Operation::GetUser.rest_id(),
    params(("id" = UserId, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = Data<UserView>),
        (status = 404, description = "No such user visible to the key's owner", body = ErrorResponse),
    )
)]
pub async fn show(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<UserId>,
) -> Result<Json<Data<UserView>>, ApiError> {
    let user = state.services.users.get(&actor, id.get()?).await?;
    Ok(Json(Data { data: UserView::from(&user) }))
}

/// Changes a user's role or status (administrators only, not on themselves). Takes effect
/// at once: the user's keys act with the new role on their next request; disabling ends
/// the user's sessions and refuses their keys until they are enabled again.
#[utoipa::path(
    patch, path = "/users/{id}", tag = "users", operation_id = Operation::UpdateUser.rest_id(),
    params(("id" = UserId, Path, description = "The user's id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The user as changed", body = Data<UserView>),
        (status = 400, description = "Nothing to change, or an invalid value", body = ErrorResponse),
        (status = 403, description = "The key's owner is not an administrator", body = ErrorResponse),
        (status = 404, description = "No such user in the administrator's organization", body = ErrorResponse),
        (status = 409, description = "One's own account, or the organization's last active administrator", body = ErrorResponse),
    )
)]
pub async fn update(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<UserId>,
    JsonObject(body): JsonObject<UpdateUserRequest>,
) -> Result<Json<Data<UserView>>, ApiError> {
    let change = UserChange { role: body.role, status: body.status };
    let user = state.services.users.update(&actor, id.get()?, change).await?;
    Ok(Json(Data { data: UserView::from(&user) }))
}

/// What disabling or deleting a person would break (administrators, about the people of
/// their organization): their keys, the most used first, each with its requests in the last
/// 30 days and the addresses it came from, and the service accounts they are the only
/// active manager of. Each key in use can be handed over first
/// (`POST /api/v1/api_keys/{id}/transfer`).
#[utoipa::path(
    get, path = "/users/{id}/offboarding", tag = "users", operation_id = Operation::GetUserOffboarding.rest_id(),
    params(("id" = UserId, Path, description = "The user's id")),
    responses(
        (status = 200, description = "What disabling or deleting them would break", body = Data<OffboardingView>),
        (status = 404, description = "No such person in the administrator's organization", body = ErrorResponse),
    )
)]
pub async fn offboarding(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<UserId>,
) -> Result<Json<Data<OffboardingView>>, ApiError> {
    let preview = state.services.offboarding.preview(&actor, id.get()?).await?;
    Ok(Json(Data { data: OffboardingView::from(&preview) }))
}
