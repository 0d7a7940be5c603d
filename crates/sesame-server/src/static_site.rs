//! The browser app built by Trunk, gzip-compressed on the way out (the WASM shrinks to
//! about 40%). Unknown paths get `index.html`, so the console's own routes survive a reload.

use std::path::Path;

use axum::Router;
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
};

pub fn router<S: Clone + Send + Sync + 'static>(site_dir: &Path) -> Router<S> {
    let files = ServeDir::new(site_dir).fallback(ServeFile::new(site_dir.join("index.html")));
    Router::new().fallback_service(files).layer(CompressionLayer::new().gzip(true))
}
