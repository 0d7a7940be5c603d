//! What each of the core's errors answers: its [`ErrorCode`], named once here for every
//! boundary (the REST API and the console render the code; they never look at the error).
//! An unexpected failure is logged here with an id, and only the id is answered.

pub use sesame_model::errors::{Conflict, Credential, ErrorCode, Forbidden, Invalid, Missing, PasswordField};

use crate::{
    accounts::{AccountError, PasswordPolicyError, UserFieldError},
    activity::ActivityError,
    api_access::ApiRefusal,
    keys::KeyError,
    organization::OrganizationError,
    rights::Refusal,
    service_accounts::ServiceAccountError,
    trust::TrustError,
    throttle::RetryAfter,
    users::UserError,
    StoreError,
};

/// The longest wait a `Retry-After` says (seconds): what the API's document allows.
pub const MAX_RETRY_AFTER_SECONDS: u64 = 86_400;

fn too_many_requests(retry: RetryAfter) -> ErrorCode {
    ErrorCode::TooManyRequests { retry_after_seconds: retry.seconds().min(MAX_RETRY_AFTER_SECONDS) }
}

/// A user field refused: 422 `common_password` for a common password (valid data, refused),
/// 400 naming the field for the rest.
fn user_field(problem: UserFieldError, password_field: PasswordField) -> ErrorCode {
    match problem {
        UserFieldError::Password(PasswordPolicyError::Common) => ErrorCode::CommonPassword { field: password_field },
        problem => ErrorCode::InvalidRequest(Invalid::UserField(problem)),
    }
}

/// Logged with an id; the caller sees only the id.
pub fn internal(error: &dyn std::fmt::Display) -> ErrorCode {
    let error_id = crate::new_error_id();
    tracing::error!(%error_id, %error, "request failed");
    ErrorCode::InternalError { error_id }
}

impl From<StoreError> for ErrorCode {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ErrorCode::NotFound(Missing::Record),
            unavailable if unavailable.is_unavailable() => {
                tracing::warn!(error = %unavailable, "database unavailable");
                ErrorCode::ServiceUnavailable
            }
            other => internal(&other),
        }
    }
}

impl From<Refusal> for ErrorCode {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Role => ErrorCode::Forbidden(Forbidden::Role),
            Refusal::Scope(permission) => ErrorCode::InsufficientScope(permission),
            Refusal::BeyondKeyScopes => ErrorCode::ScopeExceedsKey,
            Refusal::BeyondKeyRestrictions => ErrorCode::RestrictionExceedsKey,
            Refusal::PreviousSecret => ErrorCode::PreviousSecretNotAllowed,
            Refusal::BeyondKeyAccount => ErrorCode::AccountExceedsKey,
        }
    }
}

impl From<KeyError> for ErrorCode {
    fn from(error: KeyError) -> Self {
        match error {
            KeyError::InvalidName(problem) => ErrorCode::InvalidRequest(Invalid::Name(problem)),
            KeyError::InvalidScopes(problem) => ErrorCode::InvalidRequest(Invalid::Scopes(problem)),
            KeyError::InvalidAllowList(problem) => ErrorCode::InvalidRequest(Invalid::AllowList(problem)),
            KeyError::NameTaken => ErrorCode::Conflict(Conflict::KeyName),
            KeyError::ExpiryInPast => ErrorCode::ExpiryInPast,
            KeyError::NothingToChange => ErrorCode::InvalidRequest(Invalid::NothingToChangeInKey),
            KeyError::NotFound => ErrorCode::NotFound(Missing::ApiKey),
            KeyError::OwnerNotFound => ErrorCode::NotFound(Missing::ServiceAccount),
            KeyError::Unauthenticated => ErrorCode::InvalidCredentials(Credential::Presented),
            KeyError::TooManyLeakedKeys => ErrorCode::InvalidRequest(Invalid::TooManyLeakedKeys),
            KeyError::TooManyKeys { max } => ErrorCode::TooManyKeys { max },
            KeyError::InvalidGracePeriod => ErrorCode::InvalidRequest(Invalid::GracePeriod),
            KeyError::Expired => ErrorCode::Conflict(Conflict::KeyExpired),
            KeyError::BeyondPolicy(beyond) => ErrorCode::ExpiryBeyondPolicy { max_days: beyond.max.days(), latest: beyond.latest },
            KeyError::Throttled(retry) => too_many_requests(retry),
            KeyError::Refused(refusal) => refusal.into(),
            KeyError::Store(store) => store.into(),
        }
    }
}

impl From<UserError> for ErrorCode {
    fn from(error: UserError) -> Self {
        match error {
            UserError::Refused(refusal) => refusal.into(),
            UserError::NotFound => ErrorCode::NotFound(Missing::User),
            UserError::Invalid(problem) => user_field(problem, PasswordField::Password),
            UserError::NothingToChange => ErrorCode::InvalidRequest(Invalid::NothingToChangeInUser),
            UserError::UsernameTaken => ErrorCode::Conflict(Conflict::Username),
            UserError::Throttled(retry) => too_many_requests(retry),
            UserError::OwnAccount => ErrorCode::Conflict(Conflict::OwnAccount),
            UserError::NoAdminLeft => ErrorCode::Conflict(Conflict::NoAdminLeft),
            UserError::Unauthenticated => ErrorCode::InvalidCredentials(Credential::Presented),
            UserError::Store(store) => store.into(),
        }
    }
}

impl From<ServiceAccountError> for ErrorCode {
    fn from(error: ServiceAccountError) -> Self {
        match error {
            ServiceAccountError::Refused(refusal) => refusal.into(),
            ServiceAccountError::NotFound => ErrorCode::NotFound(Missing::ServiceAccount),
            ServiceAccountError::Invalid(problem) => ErrorCode::InvalidRequest(Invalid::ServiceAccountField(problem)),
            // Well-formed, but naming no one the caller may name: like any id that names
            // nothing (the document's bounds hold; the reference does not).
            ServiceAccountError::UnknownManager => ErrorCode::NotFound(Missing::Manager),
            ServiceAccountError::NothingToChange => ErrorCode::InvalidRequest(Invalid::NothingToChangeInServiceAccount),
            ServiceAccountError::NameTaken => ErrorCode::Conflict(Conflict::ServiceAccountName),
            ServiceAccountError::Unauthenticated => ErrorCode::InvalidCredentials(Credential::Presented),
            ServiceAccountError::Store(store) => store.into(),
        }
    }
}

impl From<TrustError> for ErrorCode {
    fn from(error: TrustError) -> Self {
        match error {
            TrustError::Refused(refusal) => refusal.into(),
            TrustError::AccountNotFound => ErrorCode::NotFound(Missing::ServiceAccount),
            TrustError::NotFound => ErrorCode::NotFound(Missing::TrustRule),
            TrustError::Invalid(problem) => ErrorCode::InvalidRequest(Invalid::TrustRule(problem)),
            TrustError::InvalidScopes(problem) => ErrorCode::InvalidRequest(Invalid::Scopes(problem)),
            TrustError::InvalidAllowList(problem) => ErrorCode::InvalidRequest(Invalid::AllowList(problem)),
            TrustError::NothingToChange => ErrorCode::InvalidRequest(Invalid::NothingToChangeInTrustRule),
            TrustError::TooManyRules => ErrorCode::Conflict(Conflict::TooManyTrustRules),
            TrustError::Unauthenticated => ErrorCode::InvalidCredentials(Credential::Presented),
            TrustError::Store(store) => store.into(),
        }
    }
}

impl From<AccountError> for ErrorCode {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::InvalidCredentials => ErrorCode::InvalidCredentials(Credential::Password),
            AccountError::Invalid(problem) => user_field(problem, PasswordField::Password),
            AccountError::InvalidNewPassword(PasswordPolicyError::Common) => ErrorCode::CommonPassword { field: PasswordField::NewPassword },
            AccountError::InvalidNewPassword(problem) => ErrorCode::InvalidRequest(Invalid::NewPassword(problem)),
            AccountError::UsernameTaken => ErrorCode::Conflict(Conflict::Username),
            AccountError::SetupAlreadyDone => ErrorCode::Conflict(Conflict::SetupDone),
            AccountError::InvalidSetupToken => ErrorCode::Forbidden(Forbidden::SetupToken),
            AccountError::WrongCurrentPassword => ErrorCode::Forbidden(Forbidden::WrongCurrentPassword),
            AccountError::TooManyAttempts(retry) => too_many_requests(retry),
            AccountError::Unauthenticated => ErrorCode::InvalidCredentials(Credential::Presented),
            AccountError::SessionNotFound => ErrorCode::NotFound(Missing::Session),
            AccountError::Refused(refusal) => refusal.into(),
            AccountError::Store(store) => store.into(),
        }
    }
}

impl From<OrganizationError> for ErrorCode {
    fn from(error: OrganizationError) -> Self {
        match error {
            OrganizationError::Refused(refusal) => refusal.into(),
            OrganizationError::Unauthenticated => ErrorCode::InvalidCredentials(Credential::Presented),
            OrganizationError::Store(store) => store.into(),
        }
    }
}

impl From<ActivityError> for ErrorCode {
    fn from(error: ActivityError) -> Self {
        match error {
            ActivityError::Refused(refusal) => refusal.into(),
            ActivityError::Store(store) => store.into(),
        }
    }
}

impl From<ApiRefusal> for ErrorCode {
    fn from(refusal: ApiRefusal) -> Self {
        match refusal {
            ApiRefusal::Missing | ApiRefusal::Invalid => ErrorCode::InvalidCredentials(Credential::Presented),
            ApiRefusal::Throttled(retry) => too_many_requests(retry),
            ApiRefusal::AddressNotAllowed => ErrorCode::AddressNotAllowed,
            ApiRefusal::Store(error) => error.into(),
        }
    }
}
