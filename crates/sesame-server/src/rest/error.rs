use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use serde_json::{json, Value};
use sesame_core::{
    accounts::{AccountError, PasswordPolicyError, UserFieldError},
    activity::ActivityError,
    api_access::ApiRefusal,
    model::Permission,
    rights::Refusal,
    keys::KeyError,
    organization::OrganizationError,
    throttle::RetryAfter,
    users::UserError,
    StoreError,
};
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

/// The longest wait a `Retry-After` says (seconds): what the document allows.
pub const MAX_RETRY_AFTER_SECONDS: u64 = 86_400;

/// The one error type of the REST boundary.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    context: Value,
    retry_after: Option<u64>,
    /// For `insufficient_scope`: the permission named in `WWW-Authenticate` (RFC 6750).
    missing_scope: Option<Permission>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        let mut message: String = message.into();
        // Parsers' messages may quote the input: never more than the document allows.
        if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS - 1) {
            message.truncate(cut);
            message.push('…');
        }
        Self { status, code, message, context: json!({}), retry_after: None, missing_scope: None }
    }

    fn with_context(mut self, context: Value) -> Self {
        self.context = context;
        self
    }

    /// Missing, malformed, unknown and revoked keys all get exactly this.
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "The API credentials are invalid.",
        )
    }

    /// Over a rate limit: 429 with `Retry-After`.
    pub fn too_many_requests(retry: RetryAfter) -> Self {
        let seconds = retry.seconds().min(MAX_RETRY_AFTER_SECONDS);
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            format!("Too many requests; retry in {seconds} s."),
        )
        .with_context(json!({ "retryAfter": seconds }));
        error.retry_after = Some(seconds);
        error
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Your role does not allow this.")
    }

    /// The key's scopes lack `permission` (its owner's role may allow it).
    pub fn insufficient_scope(permission: Permission) -> Self {
        let mut error = Self::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("This key's scopes do not include {permission}."),
        )
        .with_context(json!({ "required": [permission.as_str()] }));
        error.missing_scope = Some(permission);
        error
    }


    /// Changing a password: the current one given does not match (like a failed
    /// authentication, not a malformed request).
    pub fn wrong_current_password() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "The current password is not correct.")
            .with_context(json!({ "field": "currentPassword" }))
    }

    /// A body over `limit` bytes.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body exceeds {} KiB.", limit / 1024),
        )
    }

    /// A field the document allows but a server-side rule refuses: a password on the list of
    /// common breached passwords (the document cannot list them all).
    pub fn common_password(field: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "common_password",
            PasswordPolicyError::Common.to_string(),
        )
        .with_context(json!({ "field": field }))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn not_found(message: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn invalid_request(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
            .with_context(json!({ "field": field }))
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The service is temporarily unavailable; try again shortly.",
        )
    }

    /// Logged with an id; the client sees only the id.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        let id = sesame_core::new_error_id();
        tracing::error!(error_id = %id, %error, "REST request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "An unexpected error occurred.")
            .with_context(json!({ "errorId": id }))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorResponse {
            errors: vec![ErrorItem { code: self.code, message: self.message, context: self.context }],
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(permission) = self.missing_scope {
            let challenge = format!(r#"Bearer realm="sesame", error="insufficient_scope", scope="{permission}""#);
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"MC-Api-Key realm="sesame", Bearer realm="sesame""#),
            );
        }
        response
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Role => ApiError::forbidden(),
            Refusal::Scope(permission) => ApiError::insufficient_scope(permission),
            Refusal::BeyondKeyScopes => ApiError::new(
                StatusCode::FORBIDDEN,
                "scope_exceeds_key",
                "A key cannot make or manage a key with more permissions than its own.",
            ),
            Refusal::BeyondKeyRestrictions => ApiError::new(
                StatusCode::FORBIDDEN,
                "restriction_exceeds_key",
                "A key cannot make or manage a key that may be used from more addresses, faster, or longer than itself.",
            ),
            Refusal::PreviousSecret => ApiError::new(
                StatusCode::FORBIDDEN,
                "previous_secret_not_allowed",
                "A key's previous secret (still valid after a roll) may use the API but not manage keys: use the key's current secret.",
            ),
            Refusal::BeyondKeyAccount => ApiError::new(
                StatusCode::FORBIDDEN,
                "account_exceeds_key",
                "Only a full-access key with no address or rate restriction (or the console) can create or promote an \
                 administrator, or enable an account.",
            ),
        }
    }
}

impl From<ActivityError> for ApiError {
    fn from(error: ActivityError) -> Self {
        match error {
            ActivityError::Refused(refusal) => refusal.into(),
            ActivityError::Store(store) => store.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::not_found("not found"),
            unavailable if unavailable.is_unavailable() => ApiError::unavailable(),
            other => ApiError::internal(&other),
        }
    }
}

impl From<KeyError> for ApiError {
    fn from(error: KeyError) -> Self {
        match error {
            KeyError::InvalidName(problem) => ApiError::invalid_request("name", problem.to_string()),
            KeyError::NameTaken => ApiError::conflict("You already have a key with this name.")
                .with_context(json!({ "field": "name" })),
            // Valid for the document (which cannot say "after now"), refused by the server.
            KeyError::ExpiryInPast => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "expiry_in_past", "The expiry must be in the future.")
                    .with_context(json!({ "field": "expiresAt" }))
            }
            KeyError::NothingToChange => ApiError::invalid_request(
                "body",
                "Nothing to change: give a name, a status, scopes, allowed addresses or a rate limit.",
            ),

            KeyError::NotFound => ApiError::not_found("No such API key."),
            KeyError::Unauthenticated => ApiError::invalid_credentials(),
            KeyError::TooManyLeakedKeys => ApiError::invalid_request("keys", "At most 1,000 keys per report."),
            KeyError::TooManyKeys { max } => {
                ApiError::new(StatusCode::CONFLICT, "too_many_keys", format!("You already have {max} keys, the most one may have: delete some first."))
                    .with_context(json!({ "maxKeys": max }))
            }
            KeyError::InvalidGracePeriod => {
                ApiError::invalid_request("gracePeriodSeconds", "The grace period is from 0 seconds to 7 days.")
            }
            KeyError::BeyondPolicy(sesame_core::model::BeyondPolicy { max, latest }) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "expiry_beyond_policy",
                format!(
                    "Your organization allows keys to live at most {} days: choose an expiry up to {}.",
                    max.days(),
                    latest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            )
            .with_context(json!({ "field": "expiresAt", "maxKeyLifetimeDays": max.days(), "latest": latest })),
            KeyError::Expired => ApiError::conflict("This key has expired: generate a new one.").with_context(json!({ "field": "id" })),
            KeyError::Throttled(retry) => ApiError::too_many_requests(retry),
            KeyError::Refused(refusal) => refusal.into(),
            KeyError::Store(store) => store.into(),
        }
    }
}

impl From<OrganizationError> for ApiError {
    fn from(error: OrganizationError) -> Self {
        match error {
            OrganizationError::Refused(refusal) => refusal.into(),
            OrganizationError::Unauthenticated => ApiError::invalid_credentials(),
            OrganizationError::Store(store) => store.into(),
        }
    }
}

impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        let message = error.to_string();
        match error {
            UserError::Refused(refusal) => refusal.into(),
            UserError::NotFound => ApiError::not_found("No such user."),
            UserError::Invalid(problem) => invalid_field(field_name(problem), problem),
            UserError::NothingToChange => ApiError::invalid_request("body", message),
            UserError::UsernameTaken => {
                ApiError::conflict(message).with_context(json!({ "field": "username" }))
            }
            UserError::OwnAccount | UserError::NoAdminLeft => ApiError::conflict(message),
            UserError::Unauthenticated => ApiError::invalid_credentials(),
            UserError::Throttled(retry) => ApiError::too_many_requests(retry),
            UserError::Store(store) => store.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::WrongCurrentPassword => ApiError::wrong_current_password(),
            AccountError::Invalid(problem) => invalid_field("newPassword", problem),
            AccountError::TooManyAttempts(retry) => ApiError::too_many_requests(retry),
            AccountError::Unauthenticated | AccountError::InvalidCredentials => ApiError::invalid_credentials(),
            AccountError::SessionNotFound => ApiError::not_found("No such session."),
            AccountError::Refused(refusal) => refusal.into(),
            AccountError::Store(store) => store.into(),
            other => ApiError::internal(&other),
        }
    }
}

impl From<ApiRefusal> for ApiError {
    fn from(refusal: ApiRefusal) -> Self {
        match refusal {
            ApiRefusal::Missing | ApiRefusal::Invalid => ApiError::invalid_credentials(),
            ApiRefusal::Throttled(retry) => ApiError::too_many_requests(retry),
            ApiRefusal::AddressNotAllowed => {
                ApiError::new(StatusCode::FORBIDDEN, "address_not_allowed", "This API key may not be used from this address.")
            }
            ApiRefusal::Store(error) => error.into(),
        }
    }
}

/// The JSON field a refused user field travels in.
/// A field that breaks its rule: 422 `common_password` for a common password (valid data,
/// refused), 400 `invalid_request` naming the field for the rest.
fn invalid_field(json_field: &str, problem: UserFieldError) -> ApiError {
    match problem {
        UserFieldError::Password(PasswordPolicyError::Common) => ApiError::common_password(json_field),
        problem => ApiError::invalid_request(json_field, problem.to_string()),
    }
}

fn field_name(field: UserFieldError) -> &'static str {
    match field {
        UserFieldError::Organization => "organization",
        UserFieldError::FullName => "fullName",
        UserFieldError::Username => "username",
        UserFieldError::Email => "email",
        UserFieldError::Password(_) => "password",
    }
}
