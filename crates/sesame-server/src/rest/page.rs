//! `?page_number=&page_size=` on list endpoints, checked with a clear 400 per field.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::Deserialize;
use sesame_core::model::PageRequest;
use utoipa::IntoParams;

use super::error::ApiError;

/// The highest page number accepted; far beyond any real list, small enough that the
/// offset it makes stays an ordinary integer.
pub const MAX_PAGE_NUMBER: u32 = 1_000_000;

/// Read as text so that each bad value gets its own message naming the parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The page to return, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    page_number: Option<String>,
    /// How many items per page (default 100, at most 500).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    page_size: Option<String>,
}

/// The checked page a list handler receives.
pub struct Pagination(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(params) = Query::<PageParams>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::invalid_request("query", rejection.body_text()))?;
        let number = parse("page_number", params.page_number, 1, MAX_PAGE_NUMBER)?;
        let size = parse("page_size", params.page_size, PageRequest::DEFAULT_SIZE, PageRequest::MAX_SIZE)?;
        // Both are in range, so this cannot fail.
        PageRequest::new(number, size)
            .map(Pagination)
            .ok_or_else(|| ApiError::invalid_request("page_size", "invalid page"))
    }
}

fn parse(field: &str, value: Option<String>, default: u32, max: u32) -> Result<u32, ApiError> {
    let Some(value) = value else { return Ok(default) };
    match value.parse::<u32>() {
        Ok(number) if (1..=max).contains(&number) => Ok(number),
        _ => Err(ApiError::invalid_request(field, format!("{field} must be a whole number from 1 to {max}"))),
    }
}
