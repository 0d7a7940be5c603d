//! The browser app built by Trunk, gzip-compressed on the way out (the WASM shrinks to
//! about 40%). The console's own addresses (`sesame_shared::routes`) answer its
//! `index.html`, so a reload or a shared link opens the right screen; any other path that
//! is not a file answers 404 — with the app too, which shows its "page not found".

use std::{convert::Infallible, path::Path};

use axum::{
    body::Bytes,
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use sesame_shared::routes::is_console_path;
use tower_http::{compression::CompressionLayer, services::ServeDir};

/// The files of `site_dir`, and `index` (its `index.html`, read once at start-up: the
/// Content-Security-Policy is computed from it too, so a rebuilt app needs a restart) for
/// the console's addresses.
pub fn router<S: Clone + Send + Sync + 'static>(site_dir: &Path, index: Option<Bytes>) -> Router<S> {
    let app_page = tower::service_fn(move |request: Request| {
        let index = index.clone();
        async move { Ok::<_, Infallible>(app_page(index, request.uri().path())) }
    });
    let files = ServeDir::new(site_dir).fallback(app_page);
    Router::new().fallback_service(files).layer(CompressionLayer::new().gzip(true))
}

fn app_page(index: Option<Bytes>, path: &str) -> Response {
    let status = if is_console_path(path) { StatusCode::OK } else { StatusCode::NOT_FOUND };
    match index {
        Some(page) => (
            status,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
                // Always asked again: it names the current build's hashed files.
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            page,
        )
            .into_response(),
        None => (status, "the browser app is not built: run `trunk build --release`").into_response(),
    }
}
