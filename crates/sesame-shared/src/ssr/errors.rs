use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sesame_core::{
    accounts::AccountError, activity::ActivityError, keys::KeyError, organization::OrganizationError, users::UserError, StoreError,
};

use crate::error::AppError;

/// Sets the HTTP status that fits `error` and hands it back, so callers write
/// `Err(respond_with(error))`.
pub fn respond_with(error: AppError) -> AppError {
    let status = match &error {
        AppError::NotSignedIn | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        // A wrong current password is refused like the REST API refuses it.
        AppError::CrossSite | AppError::Forbidden | AppError::WrongCurrentPassword | AppError::InvalidSetupToken => {
            StatusCode::FORBIDDEN
        }
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::InvalidName(_)
        | AppError::InvalidField(_)
        | AppError::ExpiryInPast
        | AppError::NoPermission
        | AppError::InvalidAllowList(_)
        | AppError::ExpiryBeyondPolicy { .. }
        | AppError::NothingToChange
        | AppError::Transport(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::NameTaken
        | AppError::TooManyKeys(_)
        | AppError::KeyExpired
        | AppError::UsernameTaken
        | AppError::SetupAlreadyDone
        | AppError::OwnAccount
        | AppError::NoAdminLeft => StatusCode::CONFLICT,
        AppError::NotFound | AppError::UserNotFound | AppError::SessionNotFound => StatusCode::NOT_FOUND,
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
        if let AppError::TooManyAttempts(seconds) = &error {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(*seconds));
        }
    }
    error
}

/// Logs an unexpected failure with an id and returns only the id to the caller.
pub fn internal(error: &dyn std::fmt::Display) -> AppError {
    let id = sesame_core::new_error_id();
    tracing::error!(error_id = %id, %error, "server function failed");
    respond_with(AppError::Internal(id))
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => respond_with(AppError::NotFound),
            unavailable if unavailable.is_unavailable() => {
                tracing::warn!(error = %unavailable, "database unavailable");
                respond_with(AppError::Unavailable)
            }
            other => internal(&other),
        }
    }
}

impl From<KeyError> for AppError {
    fn from(error: KeyError) -> Self {
        match error {
            KeyError::InvalidName(problem) => respond_with(AppError::InvalidName(problem)),
            KeyError::NameTaken => respond_with(AppError::NameTaken),
            KeyError::ExpiryInPast => respond_with(AppError::ExpiryInPast),
            KeyError::NothingToChange => respond_with(AppError::NothingToChange),
            KeyError::NotFound => respond_with(AppError::NotFound),
            KeyError::Unauthenticated => respond_with(AppError::NotSignedIn),
            KeyError::Throttled(retry) => respond_with(AppError::TooManyAttempts(retry.seconds())),
            KeyError::Expired => respond_with(AppError::KeyExpired),
            KeyError::BeyondPolicy(sesame_core::model::BeyondPolicy { max, latest }) => respond_with(AppError::ExpiryBeyondPolicy { max_days: max.days(), latest }),
            KeyError::TooManyKeys { max } => respond_with(AppError::TooManyKeys(max)),
            // The console never reports leaked keys, and offers only valid grace periods.
            KeyError::TooManyLeakedKeys | KeyError::InvalidGracePeriod => respond_with(AppError::BadRequest(error.to_string())),
            // A console session has every scope: only a role can refuse it.
            KeyError::Refused(_) => respond_with(AppError::Forbidden),
            KeyError::Store(store) => store.into(),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::InvalidCredentials => respond_with(AppError::InvalidCredentials),
            AccountError::Invalid(field) => respond_with(AppError::InvalidField(field)),
            AccountError::UsernameTaken => respond_with(AppError::UsernameTaken),
            AccountError::WrongCurrentPassword => respond_with(AppError::WrongCurrentPassword),
            AccountError::SetupAlreadyDone => respond_with(AppError::SetupAlreadyDone),
            AccountError::InvalidSetupToken => respond_with(AppError::InvalidSetupToken),
            AccountError::TooManyAttempts(retry) => respond_with(AppError::TooManyAttempts(retry.seconds())),
            AccountError::Unauthenticated => respond_with(AppError::NotSignedIn),
            AccountError::SessionNotFound => respond_with(AppError::SessionNotFound),
            AccountError::Refused(_) => respond_with(AppError::Forbidden),
            AccountError::Store(store) => store.into(),
        }
    }
}

impl From<ActivityError> for AppError {
    fn from(error: ActivityError) -> Self {
        match error {
            ActivityError::Refused(_) => respond_with(AppError::Forbidden),
            ActivityError::Store(store) => store.into(),
        }
    }
}

impl From<OrganizationError> for AppError {
    fn from(error: OrganizationError) -> Self {
        match error {
            OrganizationError::Refused(_) => respond_with(AppError::Forbidden),
            OrganizationError::Unauthenticated => respond_with(AppError::NotSignedIn),
            OrganizationError::Store(store) => store.into(),
        }
    }
}

impl From<UserError> for AppError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::Refused(_) => respond_with(AppError::Forbidden),
            UserError::NotFound => respond_with(AppError::UserNotFound),
            UserError::Invalid(field) => respond_with(AppError::InvalidField(field)),
            UserError::NothingToChange => respond_with(AppError::NothingToChange),
            UserError::UsernameTaken => respond_with(AppError::UsernameTaken),
            UserError::OwnAccount => respond_with(AppError::OwnAccount),
            UserError::NoAdminLeft => respond_with(AppError::NoAdminLeft),
            UserError::Unauthenticated => respond_with(AppError::NotSignedIn),
            UserError::Throttled(retry) => respond_with(AppError::TooManyAttempts(retry.seconds())),
            UserError::Store(store) => store.into(),
        }
    }
}

/// A key's scopes as the console sends them (absent: full access), or 422 for an empty list.
pub fn scopes_of(list: Option<&[sesame_core::model::Permission]>) -> Result<sesame_core::model::Scopes, AppError> {
    sesame_core::model::Scopes::from_list(list).map_err(|_| respond_with(AppError::NoPermission))
}

/// A page of a list as asked by the console, or 400 when out of range.
pub fn page_request(page: u32, page_size: u32) -> Result<sesame_core::model::PageRequest, AppError> {
    sesame_core::model::PageRequest::new(page, page_size)
        .ok_or_else(|| respond_with(AppError::BadRequest("page from 1, page size from 1 to 500".into())))
}
