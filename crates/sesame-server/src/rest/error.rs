use axum::{
    extract::rejection::JsonRejection,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};
use sesame_core::{keys::KeyError, store::StoreError};

/// The one error type of the REST boundary.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    context: Value,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), context: json!({}) }
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
        let body = json!({
            "errors": [{ "code": self.code, "message": self.message, "context": self.context }]
        });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"MC-Api-Key realm="sesame", Bearer realm="sesame""#),
            );
        }
        response
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
            KeyError::NameTaken => {
                ApiError::new(StatusCode::CONFLICT, "conflict", "You already have a key with this name.")
                    .with_context(json!({ "field": "name" }))
            }
            KeyError::NotFound => ApiError::not_found("No such API key."),
            KeyError::Store(store) => store.into(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("The request body exceeds {} KiB.", super::BODY_LIMIT / 1024),
            );
        }
        ApiError::invalid_request("body", rejection.body_text())
    }
}
