//! The one error type of the server-function boundary. Serializable, so the browser can
//! match on it and show its own translated message; never carries internal details.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
pub use sesame_model::{
    fields::{PasswordPolicyError, UserFieldError},
    names::NameError,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("you are not signed in")]
    NotSignedIn,
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("cross-site request refused")]
    CrossSite,
    #[error("invalid key name")]
    InvalidName(NameError),
    #[error("a key with this name already exists")]
    NameTaken,
    /// The owner has `0` keys, the most one may have.
    #[error("you already have {0} keys, the most one may have")]
    TooManyKeys(u32),
    #[error("the expiry date must be in the future")]
    ExpiryInPast,
    #[error("a key needs at least one permission")]
    NoPermission,
    #[error("invalid allowed addresses: {0}")]
    InvalidAllowList(sesame_model::AddressListError),
    #[error("this key has expired")]
    KeyExpired,
    /// The organization's policy: keys live at most `max_days` days, so at the latest until
    /// `latest`.
    #[error("your organization allows keys to live at most {max_days} days")]
    ExpiryBeyondPolicy { max_days: u32, latest: chrono::DateTime<chrono::Utc> },
    #[error("no such API key")]
    NotFound,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("no such user")]
    UserNotFound,
    #[error("you cannot change your own role or status")]
    OwnAccount,
    #[error("the organization must keep an active administrator")]
    NoAdminLeft,
    #[error("nothing to change")]
    NothingToChange,
    #[error("the current password is not correct")]
    WrongCurrentPassword,
    #[error("no such session")]
    SessionNotFound,
    #[error("invalid field")]
    InvalidField(UserFieldError),
    #[error("this username is already taken")]
    UsernameTaken,
    #[error("setup is already done")]
    SetupAlreadyDone,
    #[error("the setup token is not correct")]
    InvalidSetupToken,
    #[error("the service is unavailable, try again")]
    Unavailable,
    /// Too many attempts: wait this many seconds.
    #[error("too many attempts; retry in {0} s")]
    TooManyAttempts(u64),
    /// Logged on the server under this id; shown generically.
    #[error("internal error {0}")]
    Internal(String),
    /// The arguments could not be read (malformed JSON, missing field): the caller's fault.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The call itself failed (network, encoding).
    #[error("request failed: {0}")]
    Transport(String),
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
                AppError::BadRequest(value.to_string())
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}
