//! `/api/v1/organization`: the organization's rules for keys (see
//! `sesame_core::organization`). Any member reads them; administrators change them.

use sesame_core::model::Operation;
use axum::{extract::State, Json};
use serde::Deserialize;
use sesame_api::wire::{MaxKeyLifetime, OrganizationPolicy, OrganizationPolicyChange};
use utoipa::ToSchema;

use super::{
    auth::ApiActor,
    body::JsonObject,
    envelope::Data,
    error::{ApiError, ErrorResponse},
};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateOrganizationRequest {
    /// The longest a key may live, in days: 30, 90, 180 or 365; null: no limit. Every key
    /// that would outlive it from now is shortened to it at once (its owner finds
    /// `key_shortened_by_policy` in their activity), and keys are then made and rolled
    /// within it.
    #[schema(schema_with = sesame_api::wire::max_key_lifetime_schema, required = true)]
    #[serde(deserialize_with = "lifetime")]
    max_key_lifetime_days: Option<MaxKeyLifetime>,
}

/// Required, and null or one of the offered values (a whole number, also written `90.0`).
fn lifetime<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<MaxKeyLifetime>, D::Error> {
    let Some(days) = Option::<serde_json::Number>::deserialize(deserializer)? else { return Ok(None) };
    // Not a whole number in range: no lifetime either, with the same message.
    let days = super::body::as_whole_u32(&days).unwrap_or(u32::MAX);
    MaxKeyLifetime::from_days(days).map(Some).map_err(serde::de::Error::custom)
}

/// The organization of the key's owner, with its rules for keys.
#[utoipa::path(
    get, path = "/organization", tag = "organization", operation_id = Operation::GetOrganization.rest_id(),
    responses(
        (status = 200, description = "The organization", body = Data<OrganizationPolicy>),
    )
)]
pub async fn show(state: State<AppState>, actor: ApiActor) -> Result<Json<Data<OrganizationPolicy>>, ApiError> {
    let organization = state.services.organization.get(&actor).await?;
    Ok(Json(Data { data: OrganizationPolicy::from(&organization) }))
}

/// Sets the organization's maximum key lifetime (administrators only). Keys that would
/// outlive it are shortened before this answers, on every node.
#[utoipa::path(
    patch, path = "/organization", tag = "organization", operation_id = Operation::UpdateOrganization.rest_id(),
    request_body = UpdateOrganizationRequest,
    responses(
        (status = 200, description = "The organization, and how many keys were shortened", body = Data<OrganizationPolicyChange>),
        (status = 400, description = "Not an offered lifetime, or invalid body", body = ErrorResponse),
        (status = 403, description = "The key's owner is not an administrator", body = ErrorResponse),
    )
)]
pub async fn update(
    state: State<AppState>,
    actor: ApiActor,
    JsonObject(body): JsonObject<UpdateOrganizationRequest>,
) -> Result<Json<Data<OrganizationPolicyChange>>, ApiError> {
    let change = state.services.organization.set_max_key_lifetime(&actor, body.max_key_lifetime_days).await?;
    Ok(Json(Data { data: OrganizationPolicyChange::from(&change) }))
}
