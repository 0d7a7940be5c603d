//! The public REST API under `/api/v1`: JSON in camelCase, `{"data": …}` on success,
//! `{"errors": [{code, message, context}]}` on failure. Each handler carries its own
//! OpenAPI description, so the routes served and the document published cannot differ.

mod activity;
mod auth;
mod body;
mod envelope;
mod error;
mod keys;
mod me;
mod openapi;
mod page;
mod patterns;
mod security;
mod users;

use axum::{extract::DefaultBodyLimit, Router};
use utoipa::{Modify as _, OpenApi as _};
use utoipa_axum::{router::OpenApiRouter, routes};

pub use auth::ApiPrincipal;
pub use error::{ApiError, ErrorResponse};

use crate::app::AppState;

/// REST bodies are small JSON documents.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Where the API is mounted.
pub const BASE_PATH: &str = "/api/v1";

/// The API's routes (mounted at [`BASE_PATH`]) and the OpenAPI document describing them,
/// with paths as the client sees them.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let api = OpenApiRouter::new()
        .routes(routes!(me::show))
        .routes(routes!(security::change_password))
        .routes(routes!(security::list_sessions))
        .routes(routes!(security::end_session))
        .routes(routes!(activity::list))
        .routes(routes!(keys::list, keys::create))
        .routes(routes!(keys::rename, keys::delete))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::show, users::update))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    let (router, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(BASE_PATH, api)
        .split_for_parts();
    openapi::CommonResponses.modify(&mut document);
    patterns::apply(&mut document);
    (router, document)
}
