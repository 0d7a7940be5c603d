//! The browser app built by Trunk. Unknown paths get `index.html`, so the console's own
//! routes survive a reload.

use std::path::Path;

use tower_http::services::{ServeDir, ServeFile};

pub fn service(site_dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(site_dir)
        .precompressed_gzip()
        .fallback(ServeFile::new(site_dir.join("index.html")))
}
