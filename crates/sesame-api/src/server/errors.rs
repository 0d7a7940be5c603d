//! A server function's failure as the console receives it: the core error's code (decided
//! in `sesame_core::error_codes`), and the HTTP status that goes with it.

use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sesame_core::error_codes::{Credential, ErrorCode, Invalid};

use crate::error::AppError;

/// Sets the HTTP status that fits `code` (the REST API's for the same code) and hands the
/// error back, so callers write `Err(respond_with(code))`.
pub fn respond_with(code: ErrorCode) -> AppError {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
        if let ErrorCode::TooManyRequests { retry_after_seconds } = &code {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(*retry_after_seconds));
        }
    }
    AppError::Server(code)
}

/// The console's caller is signed out (or their session ended).
pub fn not_signed_in() -> AppError {
    respond_with(ErrorCode::InvalidCredentials(Credential::Presented))
}

/// `From` each error the core answers with, through its code, with its status set.
macro_rules! from_core_errors {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for AppError {
            fn from(error: $error) -> Self {
                respond_with(ErrorCode::from(error))
            }
        })*
    };
}

from_core_errors!(
    sesame_core::keys::KeyError,
    sesame_core::users::UserError,
    sesame_core::service_accounts::ServiceAccountError,
    sesame_core::accounts::AccountError,
    sesame_core::organization::OrganizationError,
    sesame_core::activity::ActivityError,
    sesame_core::trust::TrustError,
    sesame_core::StoreError,
);

/// A page of a list as asked by the console, or 400 when out of range.
pub fn page_request(page: u32, page_size: u32) -> Result<sesame_core::model::PageRequest, AppError> {
    sesame_core::model::PageRequest::new(page, page_size).ok_or_else(|| {
        let message = "page from 1, page size from 1 to 500".to_owned();
        respond_with(ErrorCode::InvalidRequest(Invalid::Malformed { field: "page".into(), message }))
    })
}
