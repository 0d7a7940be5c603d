//! Prometheus metrics at `/metrics`: requests by route and status, API authentication
//! outcomes, key verification latency, the last-use writer (pending, lag, drops) and the
//! database pool. Route labels are route templates (`/api/v1/api_keys/{id}`), never raw
//! paths, so their number stays bounded.
//!
//! Served on an address of its own (`--metrics-addr`, off by default), never on the public
//! one: what it tells (traffic, errors, pool use) is for the operator's scraper alone.

use std::{sync::OnceLock, time::Duration};

use axum::{
    extract::{MatchedPath, Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics::{counter, gauge, Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

/// Installs the process-wide recorder (once, also when tests start many servers). Called
/// when the router is built: a counter touched before the recorder exists counts nothing.
pub fn install() {
    handle();
}

fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("sesame_key_verification_seconds".into()),
                &[1e-6, 2e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.05],
            )
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        // Histogram samples are kept raw until folded into buckets; without a scrape they
        // would pile up (a soak run grew by ~200 MB). Fold them every few seconds.
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            })
            .expect("a thread for metrics upkeep");
        handle
    })
}

/// The API-authentication metrics, looked up once: they are touched on every API request.
pub struct AuthMetrics {
    pub accepted: Counter,
    pub refused: Counter,
    pub missing: Counter,
    pub throttled: Counter,
    pub verification: Histogram,
}

pub fn auth() -> &'static AuthMetrics {
    static AUTH: OnceLock<AuthMetrics> = OnceLock::new();
    AUTH.get_or_init(|| {
        handle();
        let outcome = |name: &'static str| counter!("sesame_api_authentications_total", "outcome" => name);
        AuthMetrics {
            accepted: outcome("accepted"),
            refused: outcome("refused"),
            missing: outcome("missing"),
            throttled: outcome("throttled"),
            verification: metrics::histogram!("sesame_key_verification_seconds"),
        }
    })
}

/// Middleware: counts every request by route template, method and status.
pub async fn count_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    counter!("sesame_http_requests_total", "route" => route, "method" => method, "status" => status).increment(1);
    response
}

/// The standard methods by name, anything else as `other`: a client inventing methods
/// must not create a series per invention.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// The router for the metrics address: `GET /metrics` and nothing else.
pub fn router(state: AppState) -> axum::Router {
    install();
    axum::Router::new().route("/metrics", axum::routing::get(render)).with_state(state)
}

/// `GET /metrics`, in Prometheus' text format.
pub async fn render(State(state): State<AppState>) -> Response {
    let services = &state.services;
    let stats = &services.last_use.stats;
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    gauge!("sesame_last_use_pending").set(services.last_use.pending() as f64);
    if let Some(lag) = services.last_use.flush_lag() {
        gauge!("sesame_last_use_flush_lag_seconds").set(lag.as_secs_f64());
    }
    gauge!("sesame_last_use_written").set(stats.written.load(relaxed) as f64);
    gauge!("sesame_last_use_dropped").set(stats.dropped.load(relaxed) as f64);
    gauge!("sesame_last_use_failed_flushes").set(stats.failed_flushes.load(relaxed) as f64);
    // 0 on a PostgreSQL node whose cluster lease lapsed: it reads every key from the database.
    gauge!("sesame_key_cache_usable").set(if services.serves_cached_keys() { 1.0 } else { 0.0 });
    let (open, idle) = services.pool_usage();
    gauge!("sesame_db_pool_connections", "state" => "idle").set(idle as f64);
    gauge!("sesame_db_pool_connections", "state" => "in_use").set(open.saturating_sub(idle as u32) as f64);
    gauge!("sesame_key_cache_entries").set(services.cached_keys() as f64);
    if let Some(skew) = services.clock_skew() {
        // Ahead of the database's clock when positive; `/readyz` fails beyond 2 s.
        gauge!("sesame_clock_skew_seconds").set(skew.num_milliseconds() as f64 / 1000.0);
    }
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}
