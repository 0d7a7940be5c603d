//! `/api/v1/service_accounts/{id}/trust_rules`: which CI jobs may trade their OIDC token for a
//! short-lived key of the account (`sesame_core::trust`), and "Test a token".

use std::collections::BTreeMap;

use axum::{
    extract::{FromRequestParts, Path, State},
    http::{request::Parts, StatusCode},
    Json,
};
use chrono::TimeDelta;
use serde::Deserialize;
use sesame_api::wire::{TokenTestView, TrustRuleView};
use sesame_core::{
    error_codes::{ErrorCode, Missing},
    model::{KeyRateLimit, Operation, Permission, TrustRuleId, UserId},
    trust::Provider,
    trust::{NewTrustRule, TrustRuleChange},
};
use utoipa::ToSchema;

use super::{
    auth::ApiActor,
    body::JsonObject,
    envelope::{Data, List},
    error::{ApiError, ErrorResponse},
};
use crate::state::AppState;

/// A rule's path: the account's id and the rule's, each answered "no such …" when it names
/// nothing (read after the body, like every id).
pub struct RulePath {
    account: Option<UserId>,
    rule: Option<TrustRuleId>,
}

impl RulePath {
    fn get(&self) -> Result<(UserId, TrustRuleId), ApiError> {
        let account = self.account.ok_or_else(|| ApiError::from(ErrorCode::NotFound(Missing::ServiceAccount)))?;
        let rule = self.rule.ok_or_else(|| ApiError::from(ErrorCode::NotFound(Missing::TrustRule)))?;
        Ok((account, rule))
    }
}

impl FromRequestParts<AppState> for RulePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let found = Path::<(String, String)>::from_request_parts(parts, state).await.ok();
        let (account, rule) = found.map(|Path(ids)| ids).unwrap_or_default();
        Ok(RulePath { account: account.parse().ok(), rule: rule.parse().ok() })
    }
}

/// An account's path alone (the list and the creation).
pub struct AccountPath(Option<UserId>);

impl AccountPath {
    fn get(&self) -> Result<UserId, ApiError> {
        self.0.ok_or_else(|| ApiError::from(ErrorCode::NotFound(Missing::ServiceAccount)))
    }
}

impl FromRequestParts<AppState> for AccountPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let found = Path::<String>::from_request_parts(parts, state).await.ok();
        Ok(AccountPath(found.and_then(|Path(id)| id.parse().ok())))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTrustRuleRequest {
    /// Absent: `github_actions` for GitHub's issuer, `gitlab` for gitlab.com, `other` for
    /// any other (say `github_actions` for a GitHub Enterprise Server, `gitlab` for a
    /// self-managed GitLab, `kubernetes` for a cluster).
    provider: Option<Provider>,
    /// The token's `iss`, exactly: `https://token.actions.githubusercontent.com`,
    /// `https://gitlab.com`, a self-managed GitLab's or a cluster's URL.
    #[schema(example = "https://token.actions.githubusercontent.com", min_length = 1, max_length = 200)]
    issuer: String,
    /// The token's one `aud`. Absent: this instance's public URL.
    #[schema(min_length = 1, max_length = 200)]
    audience: Option<String>,
    /// Claim name → exact value, 1 to 20 of them. One must pin an immutable id of the
    /// provider: GitHub `repository_id` or `repository_owner_id`; GitLab `project_id` or
    /// `namespace_id`; any other issuer `sub`. Without it, anyone on the issuer could use
    /// the rule (400).
    #[schema(example = json!({"repository_id": "123456789", "ref": "refs/heads/main"}), value_type = sesame_api::wire::ClaimConditions)]
    conditions: BTreeMap<String, String>,
    /// What the minted keys may do (within the account's role); absent or null: all of it.
    #[schema(min_items = 1, max_items = 7)]
    scopes: Option<Vec<Permission>>,
    /// Where the minted keys may be used from; absent or empty: anywhere.
    #[schema(max_items = 50, value_type = Option<Vec<sesame_api::wire::AllowedAddress>>)]
    allowed_addresses: Option<Vec<String>>,
    /// The minted keys' own request limit; absent or null: none.
    rate_limit: Option<KeyRateLimit>,
    /// How long a minted key lives: 60 to 3600 seconds, 900 if absent; never beyond the
    /// token's own expiry.
    #[schema(minimum = 60, maximum = 3600, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present_whole_u32")]
    lifetime_seconds: Option<u32>,
}

/// What to change; at least one. Any change ends the keys the rule minted.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateTrustRuleRequest {
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    provider: Option<Provider>,
    #[schema(min_length = 1, max_length = 200, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    issuer: Option<String>,
    #[schema(min_length = 1, max_length = 200, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    audience: Option<String>,
    /// The whole new set.
    #[schema(value_type = Option<sesame_api::wire::ClaimConditions>, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    conditions: Option<BTreeMap<String, String>>,
    /// null: everything the account's role allows.
    #[schema(value_type = Option<Vec<Permission>>, min_items = 1, max_items = 7)]
    #[serde(default, deserialize_with = "super::body::present")]
    scopes: Option<Option<Vec<Permission>>>,
    #[schema(max_items = 50, value_type = Option<Vec<sesame_api::wire::AllowedAddress>>, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present")]
    allowed_addresses: Option<Vec<String>>,
    /// null: no limit of their own.
    #[schema(value_type = Option<KeyRateLimit>)]
    #[serde(default, deserialize_with = "super::body::present")]
    rate_limit: Option<Option<KeyRateLimit>>,
    #[schema(minimum = 60, maximum = 3600, nullable = false)]
    #[serde(default, deserialize_with = "super::body::present_whole_u32")]
    lifetime_seconds: Option<u32>,
}

fn lifetime(seconds: u32) -> TimeDelta {
    TimeDelta::seconds(i64::from(seconds))
}

/// The rules of a service account the key's owner manages, oldest first.
#[utoipa::path(
    get, path = "/service_accounts/{id}/trust_rules", tag = "trust_rules", operation_id = Operation::ListTrustRules.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id")),
    responses(
        (status = 200, description = "Its trust rules, oldest first (at most 50)", body = List<TrustRuleView>),
        (status = 404, description = "No such service account that the key's owner manages", body = ErrorResponse),
    )
)]
pub async fn list(state: State<AppState>, actor: ApiActor, account: AccountPath) -> Result<Json<List<TrustRuleView>>, ApiError> {
    let rules = state.services.trust_rules.list(&actor, account.get()?).await?;
    Ok(Json(List::whole(rules.iter().map(TrustRuleView::from).collect())))
}

/// Trusts a CI provider: jobs whose tokens satisfy the rule get a key of the account that
/// lives minutes (`POST /oauth/token`).
#[utoipa::path(
    post, path = "/service_accounts/{id}/trust_rules", tag = "trust_rules", operation_id = Operation::CreateTrustRule.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id")),
    request_body = CreateTrustRuleRequest,
    responses(
        (status = 201, description = "The rule was made", body = Data<TrustRuleView>),
        (status = 400, description = "A field is invalid (named in `context.field`), such as no condition on an immutable id", body = ErrorResponse),
        (status = 403, description = "The rule would grant more than the key making it may (`scope_exceeds_key`, `restriction_exceeds_key`)", body = ErrorResponse),
        (status = 404, description = "No such service account that the key's owner manages", body = ErrorResponse),
        (status = 409, description = "The account has 50 rules already", body = ErrorResponse),
    )
)]
pub async fn create(
    state: State<AppState>,
    actor: ApiActor,
    account: AccountPath,
    JsonObject(body): JsonObject<CreateTrustRuleRequest>,
) -> Result<(StatusCode, Json<Data<TrustRuleView>>), ApiError> {
    let new = NewTrustRule {
        provider: body.provider,
        issuer: body.issuer,
        audience: body.audience.unwrap_or_else(|| state.config.public_url.clone()),
        conditions: body.conditions,
        scopes: body.scopes,
        allowed_addresses: body.allowed_addresses,
        rate_limit: body.rate_limit,
        lifetime: body.lifetime_seconds.map(lifetime),
    };
    let rule = state.services.trust_rules.create(&actor, account.get()?, new).await?;
    Ok((StatusCode::CREATED, Json(Data { data: TrustRuleView::from(&rule) })))
}

#[utoipa::path(
    get, path = "/service_accounts/{id}/trust_rules/{ruleId}", tag = "trust_rules", operation_id = Operation::GetTrustRule.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id"), ("ruleId" = TrustRuleId, Path, description = "The rule's id")),
    responses(
        (status = 200, description = "The rule", body = Data<TrustRuleView>),
        (status = 404, description = "No such service account that the key's owner manages, or no such rule of it", body = ErrorResponse),
    )
)]
pub async fn show(state: State<AppState>, actor: ApiActor, path: RulePath) -> Result<Json<Data<TrustRuleView>>, ApiError> {
    let (account, id) = path.get()?;
    let rule = state.services.trust_rules.get(&actor, account, id).await?;
    Ok(Json(Data { data: TrustRuleView::from(&rule) }))
}

/// Changes a rule. Every key it minted ends, on every node, before this answers.
#[utoipa::path(
    patch, path = "/service_accounts/{id}/trust_rules/{ruleId}", tag = "trust_rules", operation_id = Operation::UpdateTrustRule.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id"), ("ruleId" = TrustRuleId, Path, description = "The rule's id")),
    request_body = UpdateTrustRuleRequest,
    responses(
        (status = 200, description = "The rule as changed", body = Data<TrustRuleView>),
        (status = 400, description = "Nothing to change, or an invalid value (named in `context.field`)", body = ErrorResponse),
        (status = 403, description = "The rule would grant more than the key changing it may", body = ErrorResponse),
        (status = 404, description = "No such service account that the key's owner manages, or no such rule of it", body = ErrorResponse),
    )
)]
pub async fn update(
    state: State<AppState>,
    actor: ApiActor,
    path: RulePath,
    JsonObject(body): JsonObject<UpdateTrustRuleRequest>,
) -> Result<Json<Data<TrustRuleView>>, ApiError> {
    let change = TrustRuleChange {
        provider: body.provider,
        issuer: body.issuer,
        audience: body.audience,
        conditions: body.conditions,
        scopes: body.scopes,
        allowed_addresses: body.allowed_addresses,
        rate_limit: body.rate_limit,
        lifetime: body.lifetime_seconds.map(lifetime),
    };
    let (account, id) = path.get()?;
    let rule = state.services.trust_rules.update(&actor, account, id, change).await?;
    Ok(Json(Data { data: TrustRuleView::from(&rule) }))
}

/// Deletes a rule. Every key it minted ends, on every node, before this answers.
#[utoipa::path(
    delete, path = "/service_accounts/{id}/trust_rules/{ruleId}", tag = "trust_rules", operation_id = Operation::DeleteTrustRule.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id"), ("ruleId" = TrustRuleId, Path, description = "The rule's id")),
    responses(
        (status = 204, description = "Deleted, with the keys it minted"),
        (status = 404, description = "No such service account that the key's owner manages, or no such rule of it", body = ErrorResponse),
    )
)]
pub async fn delete(state: State<AppState>, actor: ApiActor, path: RulePath) -> Result<StatusCode, ApiError> {
    let (account, id) = path.get()?;
    state.services.trust_rules.delete(&actor, account, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestTokenRequest {
    /// A job's OIDC token (a JWT).
    #[schema(max_length = 16384)]
    token: String,
}

/// Holds a pasted token against the rule, to see why a job is refused: its claims, whether
/// its signature, issuer, times and audience pass, and each condition. Nothing is minted,
/// and the token stays usable.
#[utoipa::path(
    post, path = "/service_accounts/{id}/trust_rules/{ruleId}/test", tag = "trust_rules", operation_id = Operation::TestTrustRule.rest_id(),
    params(("id" = UserId, Path, description = "The service account's id"), ("ruleId" = TrustRuleId, Path, description = "The rule's id")),
    request_body = TestTokenRequest,
    responses(
        (status = 200, description = "What the rule makes of the token", body = Data<TokenTestView>),
        (status = 400, description = "Invalid body", body = ErrorResponse),
        (status = 404, description = "No such service account that the key's owner manages, or no such rule of it", body = ErrorResponse),
    )
)]
pub async fn test(
    state: State<AppState>,
    actor: ApiActor,
    path: RulePath,
    JsonObject(body): JsonObject<TestTokenRequest>,
) -> Result<Json<Data<TokenTestView>>, ApiError> {
    let (account, id) = path.get()?;
    let rule = state.services.trust_rules.to_test(&actor, account, id).await?;
    let tested = state.tokens.test(&state.services.trust_rules, &rule, &body.token).await;
    Ok(Json(Data { data: TokenTestView::from(tested) }))
}
