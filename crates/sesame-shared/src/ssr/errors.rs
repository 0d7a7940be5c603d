use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sesame_core::{
    accounts::{AccountError, UserFieldError},
    keys::KeyError,
    names::NameError,
    password::PasswordPolicyError,
    store::StoreError,
};

use crate::error::{AppError, FieldProblem, NameProblem};

/// Sets the HTTP status that fits `error` and hands it back, so callers write
/// `Err(respond_with(error))`.
pub fn respond_with(error: AppError) -> AppError {
    let status = match &error {
        AppError::NotSignedIn | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::CrossSite => StatusCode::FORBIDDEN,
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::InvalidName(_) | AppError::InvalidField(_) | AppError::Transport(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::NameTaken | AppError::UsernameTaken | AppError::SetupAlreadyDone => {
            StatusCode::CONFLICT
        }
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
    }
    error
}

/// Logs an unexpected failure with an id and returns only the id to the caller.
pub fn internal(error: &dyn std::fmt::Display) -> AppError {
    let id = sesame_core::new_error_id();
    tracing::error!(error_id = %id, %error, "server function failed");
    respond_with(AppError::Internal(id))
}

fn from_store(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => respond_with(AppError::NotFound),
        unavailable if unavailable.is_unavailable() => {
            tracing::warn!(error = %unavailable, "database unavailable");
            respond_with(AppError::Unavailable)
        }
        other => internal(&other),
    }
}

impl From<NameError> for NameProblem {
    fn from(error: NameError) -> Self {
        match error {
            NameError::Empty => NameProblem::Empty,
            NameError::TooLong => NameProblem::TooLong,
            NameError::ControlCharacter => NameProblem::ControlCharacter,
        }
    }
}

impl From<KeyError> for AppError {
    fn from(error: KeyError) -> Self {
        match error {
            KeyError::InvalidName(problem) => respond_with(AppError::InvalidName(problem.into())),
            KeyError::NameTaken => respond_with(AppError::NameTaken),
            KeyError::NotFound => respond_with(AppError::NotFound),
            KeyError::Store(store) => from_store(store),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(error: AccountError) -> Self {
        let field = |problem| respond_with(AppError::InvalidField(problem));
        match error {
            AccountError::InvalidCredentials => respond_with(AppError::InvalidCredentials),
            AccountError::Invalid(UserFieldError::Organization) => field(FieldProblem::Organization),
            AccountError::Invalid(UserFieldError::FullName) => field(FieldProblem::FullName),
            AccountError::Invalid(UserFieldError::Username) => field(FieldProblem::Username),
            AccountError::Invalid(UserFieldError::Email) => field(FieldProblem::Email),
            AccountError::Invalid(UserFieldError::Password(PasswordPolicyError::TooShort)) => {
                field(FieldProblem::PasswordTooShort)
            }
            AccountError::Invalid(UserFieldError::Password(PasswordPolicyError::TooLong)) => {
                field(FieldProblem::PasswordTooLong)
            }
            AccountError::UsernameTaken => respond_with(AppError::UsernameTaken),
            AccountError::SetupAlreadyDone => respond_with(AppError::SetupAlreadyDone),
            AccountError::Store(store) => from_store(store),
        }
    }
}
