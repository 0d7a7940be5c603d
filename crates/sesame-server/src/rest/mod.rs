//! The public REST API under `/api/v1`: JSON in camelCase, `{"data": …}` on success,
//! `{"errors": [{code, message, context}]}` on failure.

mod auth;
mod error;
mod keys;
mod me;

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, patch},
    Router,
};

pub use auth::ApiPrincipal;
pub use error::ApiError;

use crate::app::AppState;

/// REST bodies are small JSON documents.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me::show))
        .route("/api_keys", get(keys::list).post(keys::create))
        .route("/api_keys/{id}", patch(keys::rename).delete(keys::delete))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}
