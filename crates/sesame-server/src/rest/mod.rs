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
mod oauth;
mod openapi;
mod organization;
mod page;
mod patterns;
pub(crate) mod rate_limit;
mod security;
mod service_accounts;
mod trust_rules;
mod users;

use axum::{routing::any, Router};
use sesame_core::error_codes::{ErrorCode, Missing};
use utoipa::{Modify as _, OpenApi as _};
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouter},
    routes,
};

pub use body::BODY_LIMIT;
pub use error::{ApiError, ErrorResponse};

use crate::state::AppState;

/// Where the API is mounted.
pub const BASE_PATH: &str = "/api/v1";

/// The API's routes (under [`BASE_PATH`]) and the OpenAPI document describing them, with
/// paths as the client sees them.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let not_found = || async { ApiError::from(ErrorCode::NotFound(Missing::Endpoint)) };
    let (router, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(under_base(routes!(me::show)))
        .routes(under_base(routes!(security::change_password)))
        .routes(under_base(routes!(security::list_sessions)))
        .routes(under_base(routes!(security::end_session)))
        .routes(under_base(routes!(activity::list)))
        .routes(under_base(routes!(keys::list, keys::create)))
        .routes(under_base(routes!(keys::show, keys::update, keys::delete)))
        .routes(under_base(routes!(keys::roll)))
        .routes(under_base(routes!(keys::usage)))
        .routes(under_base(routes!(keys::end_overlap)))
        .routes(under_base(routes!(keys::transfer)))
        .routes(under_base(routes!(keys::revoke_leaked)))
        .routes(under_base(routes!(organization::show, organization::update)))
        .routes(under_base(routes!(users::list, users::create)))
        .routes(under_base(routes!(users::show, users::update)))
        .routes(under_base(routes!(users::offboarding)))
        .routes(under_base(routes!(service_accounts::list, service_accounts::create)))
        .routes(under_base(routes!(service_accounts::show, service_accounts::update, service_accounts::delete)))
        .routes(under_base(routes!(trust_rules::list, trust_rules::create)))
        .routes(under_base(routes!(trust_rules::show, trust_rules::update, trust_rules::delete)))
        .routes(under_base(routes!(trust_rules::test)))
        .routes(under_base(routes!(oauth::exchange)))
        // Anything else under the base path answers in the API's errors format.
        .route(BASE_PATH, any(not_found))
        .route(&format!("{BASE_PATH}/{{*rest}}"), any(not_found))
        .split_for_parts();
    openapi::CommonResponses.modify(&mut document);
    patterns::apply(&mut document);
    (router, document)
}

/// Puts an operation's path (relative in its `#[utoipa::path]`) under [`BASE_PATH`]. The
/// API is merged into the app's router this way rather than nested: a nested router costs
/// every API call a second routing pass, which showed in the authenticated/unauthenticated
/// throughput ratio.
fn under_base(
    (schemas, mut paths, method_router): UtoipaMethodRouter<AppState>,
) -> UtoipaMethodRouter<AppState> {
    paths.paths = std::mem::take(&mut paths.paths)
        .into_iter()
        .map(|(path, item)| (format!("{BASE_PATH}{path}"), item))
        .collect();
    (schemas, paths, method_router)
}
