//! `/api/v1/service_accounts`: accounts that own keys and never log in, with the rules of
//! `sesame_core::service_accounts`. Their keys go through `/api/v1/api_keys` with an
//! `ownerId`.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use sesame_core::{
    error_codes::Missing,
    model::{Operation, Role, UserId},
    service_accounts::{NewServiceAccount, ServiceAccountChange},
};
use sesame_api::wire::ServiceAccountView;
use utoipa::ToSchema;

use super::{
    auth::{ApiActor, Id, PathId},
    body::JsonObject,
    envelope::{Data, List},
    error::{ApiError, ErrorResponse},
    page::{PageParams, Pagination},
};
use crate::state::AppState;

/// A service account's id in a path: one that names nothing is answered "no such service
/// account".
#[derive(Clone, Copy)]
pub struct AccountId(UserId);

impl std::str::FromStr for AccountId {
    type Err = <UserId as std::str::FromStr>::Err;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse().map(AccountId)
    }
}

impl PathId for AccountId {
    const MISSING: Missing = Missing::ServiceAccount;
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateServiceAccountRequest {
    /// 1 to 64 letters, digits, `.`, `_` or `-`; no account (person or service account) may
    /// have it already, ignoring case.
    #[schema(example = "ci-deploy", min_length = 1, max_length = 64)]
    name: String,
    /// At most 500 characters; line breaks allowed, but no other control character nor any
    /// Unicode mark invisible, format, private use or unassigned (in any plane). Absent:
    /// empty.
    #[schema(example = "Deploys main to production", max_length = 500)]
    #[serde(default)]
    description: String,
    /// The ceiling of its keys' power. `admin` takes what creating an administrator takes
    /// (`account_exceeds_key`).
    role: Role,
    /// The people who manage its keys: 1 to 20 ids of people of the organization.
    #[schema(min_items = 1, max_items = 20)]
    managers: Vec<UserId>,
}

/// What to change; at least one of these.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateServiceAccountRequest {
    #[schema(example = "ci-deploy", min_length = 1, max_length = 64, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    name: Option<String>,
    /// As when creating one. Absent: unchanged.
    #[schema(max_length = 500, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    description: Option<String>,
    /// Applies to its keys' next request, on every node.
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    role: Option<Role>,
    /// The whole new list: 1 to 20 people of the organization.
    #[schema(min_items = 1, max_items = 20, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    managers: Option<Vec<UserId>>,
}

/// The service accounts the key's owner may manage: an administrator, every one of the
/// organization's; anyone else, the ones they manage.
#[utoipa::path(
    get, path = "/service_accounts", tag = "service_accounts", operation_id = Operation::ListServiceAccounts.rest_id(),
    params(PageParams),
    responses(
        (status = 200, description = "One page of service accounts, oldest first", body = List<ServiceAccountView>),
        (status = 400, description = "Bad page parameters", body = ErrorResponse),
    )
)]
pub async fn list(
    state: State<AppState>,
    actor: ApiActor,
    Pagination(page): Pagination,
) -> Result<Json<List<ServiceAccountView>>, ApiError> {
    let page = state.services.service_accounts.list(&actor, page).await?;
    Ok(Json(List::from_page(page, |account| ServiceAccountView::from(account))))
}

/// Creates a service account in the administrator's organization (administrators only).
#[utoipa::path(
    post, path = "/service_accounts", tag = "service_accounts", operation_id = Operation::CreateServiceAccount.rest_id(),
    request_body = CreateServiceAccountRequest,
    responses(
        (status = 201, description = "The service account was created", body = Data<ServiceAccountView>),
        (status = 400, description = "A field is invalid (named in `context.field`)", body = ErrorResponse),
        (status = 403, description = "The key's owner is not an administrator, or an `admin` role beyond the key (`account_exceeds_key`)", body = ErrorResponse),
        (status = 404, description = "A manager is not a person of the organization (`context.field`: `managers`)", body = ErrorResponse),
        (status = 409, description = "The name is an account's username already", body = ErrorResponse),
    )
)]
pub async fn create(
    state: State<AppState>,
    actor: ApiActor,
    JsonObject(body): JsonObject<CreateServiceAccountRequest>,
) -> Result<(StatusCode, Json<Data<ServiceAccountView>>), ApiError> {
    let new = NewServiceAccount { name: body.name, description: body.description, role: body.role, managers: body.managers };
    let account = state.services.service_accounts.create(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(Data { data: ServiceAccountView::from(&account) })))
}

/// One service account the key's owner may manage.
#[utoipa::path(
    get, path = "/service_accounts/{id}", tag = "service_accounts", operation_id = Operation::GetServiceAccount.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id")),
    responses(
        (status = 200, description = "The service account", body = Data<ServiceAccountView>),
        (status = 404, description = "No such service account that the key's owner manages", body = ErrorResponse),
    )
)]
pub async fn show(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<AccountId>,
) -> Result<Json<Data<ServiceAccountView>>, ApiError> {
    let account = state.services.service_accounts.get(&actor, id.get()?.0).await?;
    Ok(Json(Data { data: ServiceAccountView::from(&account) }))
}

/// Renames a service account, describes it again, changes its role or its managers
/// (administrators only). A new role applies to its keys' next request, on every node.
#[utoipa::path(
    patch, path = "/service_accounts/{id}", tag = "service_accounts", operation_id = Operation::UpdateServiceAccount.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id")),
    request_body = UpdateServiceAccountRequest,
    responses(
        (status = 200, description = "The service account as changed", body = Data<ServiceAccountView>),
        (status = 400, description = "Nothing to change, or an invalid value (named in `context.field`)", body = ErrorResponse),
        (status = 403, description = "The key's owner is not an administrator, or an `admin` role beyond the key (`account_exceeds_key`)", body = ErrorResponse),
        (status = 404, description = "No such service account in the administrator's organization, or a manager who is not a person of it (`context.field`: `managers`)", body = ErrorResponse),
        (status = 409, description = "The new name is an account's username already", body = ErrorResponse),
    )
)]
pub async fn update(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<AccountId>,
    JsonObject(body): JsonObject<UpdateServiceAccountRequest>,
) -> Result<Json<Data<ServiceAccountView>>, ApiError> {
    let change = ServiceAccountChange { name: body.name, description: body.description, role: body.role, managers: body.managers };
    let account = state.services.service_accounts.update(&actor, id.get()?.0, change).await?;
    Ok(Json(Data { data: ServiceAccountView::from(&account) }))
}

/// Deletes a service account and its keys (administrators only): when this answers, no
/// request with one of its keys is accepted any more, on any node.
#[utoipa::path(
    delete, path = "/service_accounts/{id}", tag = "service_accounts", operation_id = Operation::DeleteServiceAccount.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id")),
    responses(
        (status = 204, description = "Deleted, with its keys"),
        (status = 403, description = "The key's owner is not an administrator", body = ErrorResponse),
        (status = 404, description = "No such service account in the administrator's organization", body = ErrorResponse),
    )
)]
pub async fn delete(
    state: State<AppState>,
    actor: ApiActor,
    id: Id<AccountId>,
) -> Result<StatusCode, ApiError> {
    state.services.service_accounts.delete(&actor, id.get()?.0).await?;
    Ok(StatusCode::NO_CONTENT)
}
