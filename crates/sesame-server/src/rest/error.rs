//! The REST API's failures: an [`ErrorCode`] rendered as the CloudMC API renders errors —
//! its status, `{"errors": [{code, message, context}]}`, and the `WWW-Authenticate` and
//! `Retry-After` headers. What each error of the core answers is decided in
//! `sesame_core::error_codes`, not here.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sesame_core::error_codes::ErrorCode;
pub use sesame_core::error_codes::MAX_RETRY_AFTER_SECONDS;
use utoipa::ToSchema;

/// Every failure: `{"errors": [{code, message, context}]}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorResponse {
    /// One error (a list, as the CloudMC API's).
    #[schema(min_items = 1, max_items = 1)]
    errors: Vec<ErrorItem>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorItem {
    /// Stable, snake_case: `invalid_request`, `invalid_credentials`, `forbidden`,
    /// `insufficient_scope`, `scope_exceeds_key`, `address_not_allowed`,
    /// `restriction_exceeds_key`, `previous_secret_not_allowed`, `account_exceeds_key`,
    /// `not_found`, `conflict`, `too_many_keys`, `common_password`, `expiry_in_past`,
    /// `expiry_beyond_policy`, `payload_too_large`, `too_many_requests`,
    /// `service_unavailable`, `internal_error`.
    #[schema(example = "not_found", max_length = 32)]
    code: &'static str,
    /// For people; may change.
    #[schema(max_length = 500)]
    message: String,
    /// Details: `field` names the input at fault for `invalid_request` and `conflict`;
    /// `required` lists the permission a key lacks for `insufficient_scope`.
    #[schema(value_type = Object)]
    context: Value,
}

/// The longest `message` (characters).
const MAX_MESSAGE_CHARS: usize = 500;

/// The one error type of the REST boundary: a code, rendered.
#[derive(Debug)]
pub struct ApiError(ErrorCode);

impl ApiError {
    /// A request the API's own parsers refuse (its body's JSON, a query parameter), naming
    /// the input at fault.
    pub fn invalid_request(field: &str, message: impl Into<String>) -> Self {
        let invalid = sesame_core::error_codes::Invalid::Malformed { field: field.to_owned(), message: message.into() };
        Self(ErrorCode::InvalidRequest(invalid))
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self(code)
    }
}

/// `From` each error the core answers with, through its code.
macro_rules! from_core_errors {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for ApiError {
            fn from(error: $error) -> Self {
                Self(ErrorCode::from(error))
            }
        })*
    };
}

from_core_errors!(
    sesame_core::keys::KeyError,
    sesame_core::users::UserError,
    sesame_core::service_accounts::ServiceAccountError,
    sesame_core::trust::TrustError,
    sesame_core::accounts::AccountError,
    sesame_core::organization::OrganizationError,
    sesame_core::activity::ActivityError,
    sesame_core::api_access::ApiRefusal,
    sesame_core::rights::Refusal,
    sesame_core::StoreError,
);

/// The body's `context`: the input at fault, and each code's own details.
fn context(code: &ErrorCode) -> Value {
    let mut context = Map::new();
    if let Some(field) = code.field() {
        context.insert("field".into(), json!(field));
    }
    match code {
        ErrorCode::InsufficientScope(permission) => {
            context.insert("required".into(), json!([permission.as_str()]));
        }
        ErrorCode::TooManyKeys { max } => {
            context.insert("maxKeys".into(), json!(max));
        }
        ErrorCode::ExpiryBeyondPolicy { max_days, latest } => {
            context.insert("maxKeyLifetimeDays".into(), json!(max_days));
            context.insert("latest".into(), json!(latest));
        }
        ErrorCode::TooManyRequests { retry_after_seconds } => {
            context.insert("retryAfter".into(), json!(retry_after_seconds));
        }
        ErrorCode::InternalError { error_id } => {
            context.insert("errorId".into(), json!(error_id));
        }
        _ => {}
    }
    Value::Object(context)
}

/// The message, never longer than the document allows (a parser's may quote the input).
fn message(code: &ErrorCode) -> String {
    let mut message = code.to_string();
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS - 1) {
        message.truncate(cut);
        message.push('…');
    }
    message
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.0;
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorResponse { errors: vec![ErrorItem { code: code.code(), message: message(&code), context: context(&code) }] };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match &code {
            ErrorCode::TooManyRequests { retry_after_seconds } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
            }
            ErrorCode::InsufficientScope(permission) => {
                let challenge = format!(r#"Bearer realm="sesame", error="insufficient_scope", scope="{permission}""#);
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, value);
                }
            }
            ErrorCode::InvalidCredentials(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"MC-Api-Key realm="sesame", Bearer realm="sesame""#));
            }
            _ => {}
        }
        response
    }
}
