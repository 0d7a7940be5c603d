//! The one error type of the server-function boundary. Serializable, so the browser can
//! match on it and show its own translated message; never carries internal details.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
pub use sesame_model::{
    errors::{Conflict, Credential, ErrorCode, Forbidden, Invalid, Missing, PasswordField},
    fields::{PasswordPolicyError, ServiceAccountFieldError, UserFieldError},
    names::NameError,
};

/// A console call's failure: refused or failed on the server, with the very code the REST
/// API answers with (the browser shows it in the reader's language), or failed on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Server(ErrorCode),
    /// The call itself failed on the way (network, an answer the browser cannot read).
    #[error("request failed: {0}")]
    Transport(String),
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError::Server(code)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server, server_fn reports undecodable JSON arguments as
            // `Deserialization`; on the client that variant means an unreadable answer,
            // which the console shows as the same "request failed" either way.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => {
                AppError::Server(ErrorCode::InvalidRequest(Invalid::Malformed { field: "body".into(), message: value.to_string() }))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}
