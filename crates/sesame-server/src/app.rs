//! The router, apart from `main`, so tests can serve it on an ephemeral port.

use std::time::Duration;

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Query, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use sesame_api::{
    error::{AppError, ErrorCode},
    server::ServerContext,
    SERVER_FN_PREFIX,
};
use tower::ServiceBuilder;
use tower_http::{limit::RequestBodyLimitLayer, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer};

use crate::{
    api_docs::{self, ApiDocument},
    metrics,
    origin_check::{self, PublicOrigin},
    rest, security_headers, static_site,
};

pub use crate::state::{AppConfig, AppState};


/// A request (body included) that takes longer gets 408: slow clients cannot hold
/// connections and database permits for ever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn router(state: AppState) -> Router {
    sesame_api::functions::register_server_functions();
    metrics::install();
    // Built once: every server function call gets a clone of it.
    let context = state.config.server_context(&state.services, &state.tokens);
    let public = PublicOrigin::of(&state.config.public_url);
    let server_fns = Router::new()
        .route(&format!("{SERVER_FN_PREFIX}/{{*fn_name}}"), post(move |request: Request| handle_server_fn(context.clone(), request)))
        .layer(middleware::from_fn_with_state(public.clone(), origin_check::refuse_cross_site))
        .layer(middleware::from_fn_with_state(public.clone(), origin_check::refuse_other_hosts))
        .layer(RequestBodyLimitLayer::new(rest::BODY_LIMIT))
        .layer(never_stored());
    let index_html = std::fs::read(state.config.site_dir.join("index.html")).ok().map(Bytes::from);
    let console = static_site::router(&state.config.site_dir, index_html.clone())
        .layer(middleware::from_fn_with_state(public, origin_check::refuse_other_hosts));

    let (api, openapi) = rest::router();
    let rate_limit_fields = rest::rate_limit::RateLimitFields::new(state.services.clone(), &state.config.trusted_proxies);
    // One layer made of three: each layer of its own would be one more boxed service that
    // every API request clones (it showed in the API's profile).
    let api = api.layer(
        ServiceBuilder::new()
            .layer(never_stored())
            .layer(middleware::from_fn_with_state(rate_limit_fields, rest::rate_limit::add_fields))
            .layer(DefaultBodyLimit::max(rest::BODY_LIMIT)),
    );
    let document = ApiDocument::new(openapi, &state.config.public_url);
    let for_page = document.clone();

    let https = state.config.is_https();
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/api/v1/openapi.json", get(move || api_docs::openapi_json(document.clone())))
        .route("/api-docs.css", get(api_docs::style_sheet))
        .route(
            "/api-docs",
            get(move |query: Query<api_docs::PageQuery>, headers: HeaderMap| {
                api_docs::docs_page(for_page.clone(), query, headers)
            }),
        )
        .merge(api)
        .merge(server_fns)
        .merge(console)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .route_layer(middleware::from_fn(metrics::count_requests))
        .with_state(state);
    security_headers::apply(routes, index_html.as_deref().unwrap_or_default(), https)
}

/// Answers that may carry a key or session data: no browser or proxy keeps them.
fn never_stored() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

async fn handle_server_fn(context: ServerContext, request: Request) -> Response {
    let response = leptos_axum::handle_server_fns_with_context(
        move || leptos::prelude::provide_context(context.clone()),
        request,
    )
    .await
    .into_response();
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return arguments_error_as_400(response).await;
    }
    response
}

/// server_fn answers 500 when it cannot decode a call's arguments (malformed JSON). That
/// is the caller's mistake: answer 400, keeping the body the browser decodes.
async fn arguments_error_as_400(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if matches!(serde_json::from_slice(&bytes), Ok(AppError::Server(ErrorCode::InvalidRequest(_)))) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

async fn readyz(State(state): State<AppState>) -> Response {
    // A node whose clock is off the database's would let keys expire at another instant than
    // the other nodes do: it is not ready (its log and `/metrics` say by how much).
    if !state.services.clock_in_step() {
        return rest::ApiError::from(sesame_core::error_codes::ErrorCode::ServiceUnavailable).into_response();
    }
    match state.services.ping().await {
        Ok(()) => Json(serde_json::json!({"data": {"status": "ready"}})).into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            rest::ApiError::from(sesame_core::error_codes::ErrorCode::ServiceUnavailable).into_response()
        }
    }
}
