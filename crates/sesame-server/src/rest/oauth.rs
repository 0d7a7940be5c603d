//! `POST /api/v1/oauth/token`: OAuth 2.0 Token Exchange (RFC 8693). A CI job with no secret
//! trades the OIDC token its platform signed for a key of a service account that lives
//! minutes. Answers and errors are OAuth's own shapes (RFC 6749 §5.1 and §5.2), not the rest
//! of the API's `{"data"}` / `{"errors"}`: OAuth clients read them.

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use sesame_core::{
    actor::Client,
    model::Permission,
    trust::ExchangeError,
};
use utoipa::ToSchema;

use super::auth::ClientOf;
use sesame_oidc::Rejected;

use crate::state::AppState;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// A form larger than this is refused unread.
const MAX_FORM_BYTES: usize = 20 * 1024;

/// The form's fields (`application/x-www-form-urlencoded`), for the API document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenExchangeForm {
    /// `urn:ietf:params:oauth:grant-type:token-exchange`.
    #[schema(example = "urn:ietf:params:oauth:grant-type:token-exchange", max_length = 100)]
    grant_type: String,
    /// The job's OIDC token (a JWT signed with RS256 or ES256).
    #[schema(min_length = 1, max_length = 16384)]
    subject_token: String,
    /// `urn:ietf:params:oauth:token-type:jwt` or `urn:ietf:params:oauth:token-type:id_token`.
    #[schema(example = "urn:ietf:params:oauth:token-type:jwt", max_length = 100)]
    subject_token_type: String,
    /// Space-separated permissions, only narrower than the rule's; absent: the rule's.
    #[schema(example = "api_keys:read", max_length = 200)]
    scope: Option<String>,
}

/// A key for the job (RFC 8693 §2.2.1).
#[derive(Serialize, ToSchema)]
pub struct TokenExchangeAnswer {
    /// A Sésame key: send it in `MC-Api-Key` or `Authorization: Bearer`.
    #[schema(max_length = 56)]
    access_token: String,
    /// `urn:ietf:params:oauth:token-type:access_token`.
    #[schema(max_length = 100)]
    issued_token_type: &'static str,
    /// `Bearer`.
    #[schema(max_length = 6)]
    token_type: &'static str,
    /// Seconds until the key expires.
    #[schema(minimum = 0, maximum = 3600)]
    expires_in: i64,
    /// The key's permissions, space-separated (`full` is not a scope: a key with all of
    /// them lists them all).
    #[schema(max_length = 200)]
    scope: String,
}

/// An OAuth error (RFC 6749 §5.2): the code only — which check failed is told to the
/// service account's activity, never to the caller.
#[derive(Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_grant`, `invalid_scope`, `unsupported_grant_type`, or
    /// `slow_down` (429, with `Retry-After`).
    #[schema(max_length = 30)]
    error: &'static str,
}

/// Trades a CI job's OIDC token for a key of the service account whose trust rule the token
/// satisfies, living 15 minutes unless the rule says otherwise and never beyond the token's
/// own expiry. Needs no key. Each token is accepted once (its `jti`), on whichever node.
/// Refusals count as failed authentications from the address.
#[utoipa::path(
    post, path = "/oauth/token", tag = "oauth", operation_id = "exchangeToken",
    security(()),
    request_body(content = TokenExchangeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A key for the job, answered with `Cache-Control: no-store`", body = TokenExchangeAnswer),
        (status = 400, description = "Refused: `invalid_request`, `invalid_grant`, `invalid_scope` or `unsupported_grant_type`", body = OAuthError),
        (status = 429, description = "Too many refused exchanges or failed authentications from this address: `slow_down`", body = OAuthError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn exchange(state: State<AppState>, ClientOf(client): ClientOf, headers: HeaderMap, body: Body) -> Response {
    let ip = client.ip.unwrap_or(std::net::Ipv4Addr::LOCALHOST.into());
    if let Err(wait) = state.services.check_exchange_client(ip) {
        return slow_down(wait.seconds());
    }
    // Read here, so that a body too large is answered in OAuth's shape too.
    let body = axum::body::to_bytes(body, MAX_FORM_BYTES).await.unwrap_or_default();
    match exchange_form(&state, &client, &headers, &body).await {
        Ok(answer) => no_store(StatusCode::OK, Json(answer).into_response()),
        Err(error) => {
            if let Ok(Some(wait)) = state.services.exchange_failed(ip).await {
                return slow_down(wait.seconds());
            }
            no_store(StatusCode::BAD_REQUEST, Json(OAuthError { error }).into_response())
        }
    }
}

async fn exchange_form(state: &AppState, client: &Client, headers: &HeaderMap, body: &[u8]) -> Result<TokenExchangeAnswer, &'static str> {
    let form_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).is_some_and(|value| {
        value.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    });
    if !form_type || body.is_empty() {
        return Err("invalid_request");
    }
    let form = Form::parse(body)?;
    if form.subject_token_type != JWT_TYPE && form.subject_token_type != ID_TOKEN_TYPE {
        return Err("invalid_request");
    }
    let scope = form.scope.as_deref().map(parse_scope).transpose()?;
    let rules = &state.services.trust_rules;
    let token = match state.tokens.check(rules, &form.subject_token).await {
        Ok(token) => token,
        Err((rejected, claimed)) => {
            if let Some(claimed) = claimed.filter(|_| rejected != Rejected::UnknownIssuer) {
                if let Err(error) = rules.refused(client, &claimed, rejected.as_str()).await {
                    tracing::warn!(%error, "a refused token exchange could not be recorded");
                }
            }
            return Err("invalid_grant");
        }
    };
    let minted = rules.exchange(client, token, scope).await.map_err(|error| match error {
        ExchangeError::InvalidGrant => "invalid_grant",
        ExchangeError::InvalidScope => "invalid_scope",
        ExchangeError::Store(error) => {
            tracing::error!(%error, "a token exchange failed");
            "invalid_grant"
        }
    })?;
    let now = chrono::Utc::now();
    let expires_in = minted.key.expires_at.map_or(0, |at| (at - now).num_seconds().max(0));
    let scope = minted.key.scopes.to_list().unwrap_or_else(|| Permission::ALL.to_vec());
    Ok(TokenExchangeAnswer {
        access_token: minted.secret.expose().to_owned(),
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: "Bearer",
        expires_in,
        scope: scope.iter().map(|permission| permission.as_str()).collect::<Vec<_>>().join(" "),
    })
}

/// The form, each field once (RFC 6749 §3.2: a repeated parameter is an invalid request).
struct Form {
    subject_token: String,
    subject_token_type: String,
    scope: Option<String>,
}

impl Form {
    fn parse(body: &[u8]) -> Result<Self, &'static str> {
        let (mut grant_type, mut subject_token, mut subject_token_type, mut scope) = (None, None, None, None);
        for (name, value) in url::form_urlencoded::parse(body) {
            let field = match name.as_ref() {
                "grant_type" => &mut grant_type,
                "subject_token" => &mut subject_token,
                "subject_token_type" => &mut subject_token_type,
                "scope" => &mut scope,
                // Other RFC 8693 parameters (resource, audience, actor_token…) are not used.
                _ => continue,
            };
            if field.replace(value.into_owned()).is_some() {
                return Err("invalid_request");
            }
        }
        if grant_type.ok_or("invalid_request")? != GRANT_TYPE {
            return Err("unsupported_grant_type");
        }
        Ok(Self {
            subject_token: subject_token.filter(|token| !token.is_empty()).ok_or("invalid_request")?,
            subject_token_type: subject_token_type.ok_or("invalid_request")?,
            scope,
        })
    }
}

/// `scope`: permissions separated by spaces, each once.
fn parse_scope(scope: &str) -> Result<Vec<Permission>, &'static str> {
    let mut permissions = Vec::new();
    for word in scope.split(' ').filter(|word| !word.is_empty()) {
        let permission: Permission = word.parse().map_err(|_| "invalid_scope")?;
        if permissions.contains(&permission) {
            return Err("invalid_scope");
        }
        permissions.push(permission);
    }
    if permissions.is_empty() {
        return Err("invalid_scope");
    }
    Ok(permissions)
}

fn no_store(status: StatusCode, mut response: Response) -> Response {
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn slow_down(seconds: u64) -> Response {
    let mut response = no_store(StatusCode::TOO_MANY_REQUESTS, Json(OAuthError { error: "slow_down" }).into_response());
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}
