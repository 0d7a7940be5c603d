//! The one vocabulary of refusals and failures. Every error of the core names its
//! [`ErrorCode`] once (`sesame-core`); the REST API and the console only render it — the
//! status, the body's `code`, `message` and `context`, the `WWW-Authenticate` and
//! `Retry-After` headers — and the browser shows it in the reader's language by its code.
//! Serializable: the console receives it as it is. The English messages (`Display`) are the
//! REST API's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    trust::TrustRuleError,
    fields::{PasswordPolicyError, ServiceAccountFieldError, UserFieldError},
    names::NameError,
    AddressListError, NoPermission, Permission,
};

/// What went wrong, with what a person or a program needs to read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ErrorCode {
    /// 400: the request breaks the rules of the API; which input, and how.
    #[error("{0}")]
    InvalidRequest(Invalid),
    /// 401: no credential, or one that is malformed, unknown, revoked or ended — all alike.
    #[error("The API credentials are invalid.")]
    InvalidCredentials(Credential),
    /// 403 `forbidden`.
    #[error("{0}")]
    Forbidden(Forbidden),
    /// 403: the key's scopes lack this permission (its owner's role may allow it).
    #[error("This key's scopes do not include {0}.")]
    InsufficientScope(Permission),
    #[error("A key cannot make or manage a key with more permissions than its own.")]
    ScopeExceedsKey,
    #[error("A key cannot make or manage a key that may be used from more addresses, faster, or longer than itself.")]
    RestrictionExceedsKey,
    #[error("A key's previous secret (still valid after a roll) may use the API but not manage keys: use the key's current secret.")]
    PreviousSecretNotAllowed,
    #[error("Only a full-access key with no address or rate restriction (or the console) can create or promote an administrator, or enable an account.")]
    AccountExceedsKey,
    #[error("This API key may not be used from this address.")]
    AddressNotAllowed,
    /// 404: also for anything the caller may not see.
    #[error("{0}")]
    NotFound(Missing),
    /// 409.
    #[error("{0}")]
    Conflict(Conflict),
    /// 409: the owner has as many keys as one may have.
    #[error("You already have {max} keys, the most one may have: delete some first.")]
    TooManyKeys { max: u32 },
    /// 422: valid for the document, refused by the server (one of the most common
    /// passwords of known breaches).
    #[error("{}", PasswordPolicyError::Common)]
    CommonPassword { field: PasswordField },
    /// 422: a key's expiry that is not in the future.
    #[error("The expiry must be in the future.")]
    ExpiryInPast,
    /// 422: a key's expiry beyond the organization's maximum key lifetime.
    #[error("Your organization allows keys to live at most {max_days} days: choose an expiry up to {}.", latest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))]
    ExpiryBeyondPolicy { max_days: u32, latest: DateTime<Utc> },
    /// 413.
    #[error("The request body exceeds {limit_kib} KiB.")]
    PayloadTooLarge { limit_kib: u32 },
    /// 429, with how long to wait.
    #[error("Too many requests; retry in {retry_after_seconds} s.")]
    TooManyRequests { retry_after_seconds: u64 },
    /// 503: the database cannot be reached; retry shortly.
    #[error("The service is temporarily unavailable; try again shortly.")]
    ServiceUnavailable,
    /// 500: logged on the server under this id, shown generically.
    #[error("An unexpected error occurred.")]
    InternalError { error_id: String },
}

/// The credential that was not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credential {
    /// The one the request came with: an API key, or the console's session (none, ended,
    /// or revoked while the request was in flight).
    Presented,
    /// A username and password at login (which of the two is not said).
    Password,
}

/// Why a request breaks the API's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Invalid {
    #[error("{0}")]
    Name(NameError),
    #[error("{0}.")]
    AllowList(AddressListError),
    #[error("{0}: list each permission once, or null.")]
    Scopes(NoPermission),
    #[error("{0}")]
    UserField(UserFieldError),
    #[error("{0}")]
    ServiceAccountField(ServiceAccountFieldError),
    #[error("{0}")]
    NewPassword(PasswordPolicyError),
    #[error("The grace period is from 0 seconds to 7 days.")]
    GracePeriod,
    #[error("At most 1,000 keys per report.")]
    TooManyLeakedKeys,
    #[error("Nothing to change: give a name, a status, scopes, allowed addresses or a rate limit.")]
    NothingToChangeInKey,
    #[error("nothing to change: give a role or a status")]
    NothingToChangeInUser,
    #[error("Nothing to change: give a name, a description, a role or managers.")]
    NothingToChangeInServiceAccount,
    #[error("{0}")]
    TrustRule(TrustRuleError),
    #[error("Nothing to change: give an issuer, an audience, conditions, scopes, allowed addresses, a rate limit or a lifetime.")]
    NothingToChangeInTrustRule,
    /// Anything else the API's parsers refuse (the JSON of the body, a query parameter), as
    /// they said it.
    #[error("{message}")]
    Malformed { field: String, message: String },
}

impl Invalid {
    /// The input at fault, as the REST API names it.
    pub fn field(&self) -> &str {
        match self {
            Invalid::Name(_) => "name",
            Invalid::AllowList(_) => "allowedAddresses",
            Invalid::Scopes(_) => "scopes",
            Invalid::UserField(field) => field.field(),
            Invalid::ServiceAccountField(field) => field.field(),
            Invalid::NewPassword(_) => "newPassword",
            Invalid::GracePeriod => "gracePeriodSeconds",
            Invalid::TooManyLeakedKeys => "keys",
            Invalid::TrustRule(problem) => problem.field(),
            Invalid::NothingToChangeInKey | Invalid::NothingToChangeInUser | Invalid::NothingToChangeInServiceAccount | Invalid::NothingToChangeInTrustRule => "body",
            Invalid::Malformed { field, .. } => field,
        }
    }
}

/// Why something is forbidden, besides a key's scopes and restrictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Forbidden {
    #[error("Your role does not allow this.")]
    Role,
    /// Changing a password: the current one given does not match.
    #[error("The current password is not correct.")]
    WrongCurrentPassword,
    /// A console call the browser marked cross-site, or from another origin.
    #[error("Cross-site request refused.")]
    CrossSite,
    #[error("The setup token is not correct.")]
    SetupToken,
}

/// What was not found (or may not be seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Missing {
    #[error("No such API key.")]
    ApiKey,
    #[error("No such user.")]
    User,
    #[error("No such session.")]
    Session,
    #[error("No such service account.")]
    ServiceAccount,
    #[error("No such trust rule.")]
    TrustRule,
    /// A manager named for a service account is not a person of the caller's organization
    /// (unknown, elsewhere, or a service account): the answer is the same.
    #[error("No such person in your organization to manage it.")]
    Manager,
    /// No such endpoint under the API's base path.
    #[error("no such endpoint")]
    Endpoint,
    /// A record the request named is gone (a use case's own errors name what it was).
    #[error("not found")]
    Record,
}

/// What is in the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Conflict {
    #[error("You already have a key with this name.")]
    KeyName,
    /// Taken, in this organization or another: the answer is the same.
    #[error("this username is already taken")]
    Username,
    /// A service account's name is any account's username already (a person's or another
    /// service account's, in any organization: the answer is the same).
    #[error("This name is already taken.")]
    ServiceAccountName,
    #[error("you cannot change your own role or status")]
    OwnAccount,
    #[error("the organization must keep an active administrator")]
    NoAdminLeft,
    #[error("This key has expired: generate a new one.")]
    KeyExpired,
    #[error("the first administrator already exists")]
    SetupDone,
    #[error("A service account has at most 50 trust rules.")]
    TooManyTrustRules,
}

/// Which password field a refused password came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordField {
    Password,
    NewPassword,
}

impl PasswordField {
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordField::Password => "password",
            PasswordField::NewPassword => "newPassword",
        }
    }
}

impl ErrorCode {
    /// The body's `code`: stable, snake_case.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest(_) => "invalid_request",
            ErrorCode::InvalidCredentials(_) => "invalid_credentials",
            ErrorCode::Forbidden(_) => "forbidden",
            ErrorCode::InsufficientScope(_) => "insufficient_scope",
            ErrorCode::ScopeExceedsKey => "scope_exceeds_key",
            ErrorCode::RestrictionExceedsKey => "restriction_exceeds_key",
            ErrorCode::PreviousSecretNotAllowed => "previous_secret_not_allowed",
            ErrorCode::AccountExceedsKey => "account_exceeds_key",
            ErrorCode::AddressNotAllowed => "address_not_allowed",
            ErrorCode::NotFound(_) => "not_found",
            ErrorCode::Conflict(_) => "conflict",
            ErrorCode::TooManyKeys { .. } => "too_many_keys",
            ErrorCode::CommonPassword { .. } => "common_password",
            ErrorCode::ExpiryInPast => "expiry_in_past",
            ErrorCode::ExpiryBeyondPolicy { .. } => "expiry_beyond_policy",
            ErrorCode::PayloadTooLarge { .. } => "payload_too_large",
            ErrorCode::TooManyRequests { .. } => "too_many_requests",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::InternalError { .. } => "internal_error",
        }
    }

    /// The HTTP status, the same through the REST API and the console.
    pub fn status(&self) -> u16 {
        match self {
            ErrorCode::InvalidRequest(_) => 400,
            ErrorCode::InvalidCredentials(_) => 401,
            ErrorCode::Forbidden(_)
            | ErrorCode::InsufficientScope(_)
            | ErrorCode::ScopeExceedsKey
            | ErrorCode::RestrictionExceedsKey
            | ErrorCode::PreviousSecretNotAllowed
            | ErrorCode::AccountExceedsKey
            | ErrorCode::AddressNotAllowed => 403,
            ErrorCode::NotFound(_) => 404,
            ErrorCode::Conflict(_) | ErrorCode::TooManyKeys { .. } => 409,
            ErrorCode::PayloadTooLarge { .. } => 413,
            ErrorCode::CommonPassword { .. } | ErrorCode::ExpiryInPast | ErrorCode::ExpiryBeyondPolicy { .. } => 422,
            ErrorCode::TooManyRequests { .. } => 429,
            ErrorCode::InternalError { .. } => 500,
            ErrorCode::ServiceUnavailable => 503,
        }
    }

    /// The input at fault, if one is: `context.field` in the REST API's body.
    pub fn field(&self) -> Option<&str> {
        match self {
            ErrorCode::InvalidRequest(invalid) => Some(invalid.field()),
            ErrorCode::Forbidden(Forbidden::WrongCurrentPassword) => Some("currentPassword"),
            ErrorCode::Conflict(Conflict::KeyName) => Some("name"),
            ErrorCode::Conflict(Conflict::Username) => Some("username"),
            ErrorCode::Conflict(Conflict::ServiceAccountName) => Some("name"),
            ErrorCode::NotFound(Missing::Manager) => Some("managers"),
            ErrorCode::Conflict(Conflict::KeyExpired) => Some("id"),
            ErrorCode::CommonPassword { field } => Some(field.as_str()),
            ErrorCode::ExpiryInPast | ErrorCode::ExpiryBeyondPolicy { .. } => Some("expiresAt"),
            _ => None,
        }
    }
}

impl UserFieldError {
    /// The field as the REST API names it.
    pub fn field(&self) -> &'static str {
        match self {
            UserFieldError::Organization => "organization",
            UserFieldError::FullName => "fullName",
            UserFieldError::Username => "username",
            UserFieldError::Email => "email",
            UserFieldError::Password(_) => "password",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_statuses_and_fields_are_the_documented_ones() {
        let name = ErrorCode::InvalidRequest(Invalid::Name(NameError::Empty));
        assert_eq!((name.code(), name.status(), name.field()), ("invalid_request", 400, Some("name")));
        let taken = ErrorCode::Conflict(Conflict::Username);
        assert_eq!((taken.code(), taken.status(), taken.field()), ("conflict", 409, Some("username")));
        let common = ErrorCode::CommonPassword { field: PasswordField::NewPassword };
        assert_eq!((common.code(), common.status(), common.field()), ("common_password", 422, Some("newPassword")));
        let scope = ErrorCode::InsufficientScope(Permission::UsersWrite);
        assert_eq!((scope.code(), scope.status(), scope.to_string().as_str()), ("insufficient_scope", 403, "This key's scopes do not include users:write."));
    }

    #[test]
    fn a_code_travels_to_the_console_and_back_unchanged() {
        let code = ErrorCode::ExpiryBeyondPolicy { max_days: 90, latest: DateTime::from_timestamp(1_800_000_000, 0).unwrap() };
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
    }
}
