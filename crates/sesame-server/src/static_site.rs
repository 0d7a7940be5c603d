//! The browser app built by Trunk. Its WASM, JS and CSS are sent as the brotli or gzip
//! copies made once at build time (`scripts/precompress.mjs`), whichever the browser
//! accepts, and the files whose names carry Trunk's content hash are cached for a year: a
//! second visit downloads nothing until a new build names new files. The console's own
//! addresses (`sesame_api::routes`) answer its `index.html`, so a reload or a shared
//! link opens the right screen; any other path that is not a file answers 404 — with the
//! app too, which shows its "page not found".

use std::{convert::Infallible, path::Path};

use axum::{
    body::Bytes,
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use sesame_api::routes::is_console_path;
use tower_http::services::ServeDir;

/// The files of `site_dir`, and `index` (its `index.html`, read once at start-up: the
/// Content-Security-Policy is computed from it too, so a rebuilt app needs a restart) for
/// the console's addresses.
pub fn router<S: Clone + Send + Sync + 'static>(site_dir: &Path, index: Option<Bytes>) -> Router<S> {
    let app_page = tower::service_fn(move |request: Request| {
        let index = index.clone();
        async move { Ok::<_, Infallible>(app_page(index, request.uri().path())) }
    });
    let files = ServeDir::new(site_dir).precompressed_br().precompressed_gzip().fallback(app_page);
    Router::new().fallback_service(files).layer(middleware::from_fn(cache_policy))
}

/// A year for a file whose name carries its content hash, otherwise (and for an error)
/// asked again each time; and `Vary: Accept-Encoding` on every file, since the same address
/// answers brotli, gzip or plain bytes (a shared cache must not give one browser another's
/// encoding).
async fn cache_policy(request: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    // An error (a file missing from this build, a read failure) is never kept.
    let keep_a_year = hashed && response.status().is_success();
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if keep_a_year { "public, max-age=31536000, immutable" } else { "no-cache" };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether `path` names a file Trunk wrote with its content hash:
/// `name-<hash>[_bg].<extension>`, as `sesame-web-814e6661777ae6e3_bg.wasm`. The hash is a
/// 64-bit number in hex without leading zeros: 16 digits, 15 in one build of sixteen, fewer
/// ever more rarely; 12 is the shortest taken (one build in 65,536 has a shorter one and is
/// served as an ordinary file: slower, never stale).
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _extension)) = file.split_once('.') else { return false };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(name, hash)| {
        !name.is_empty() && (MIN_HASH_DIGITS..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// The fewest hex digits a Trunk hash is recognised with (see [`is_hashed_asset`]).
const MIN_HASH_DIGITS: usize = 12;

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

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn trunk_hashed_names_are_recognised_and_nothing_else() {
        // Trunk writes its 64-bit hash without leading zeros: one build in sixteen has 15 digits
    // (seen: sesame-web-71cc330d0e82d4b.js, which got the short cache policy).
    for hashed in ["/sesame-web-814e6661777ae6e3_bg.wasm", "/sesame-web-814e6661777ae6e3.js", "/style-bfd3f98716f42c3f.css", "/sesame-web-71cc330d0e82d4b.js"] {
            assert!(is_hashed_asset(hashed), "{hashed}");
        }
        for plain in ["/", "/index.html", "/favicon.svg", "/settings/api-credentials", "/style-bfd3f98.css", "/-bfd3f98716f42c3f.css", "/style-1bfd3f98716f42c3f.css", "/x-bfd3f98716f42c3g.css"] {
            assert!(!is_hashed_asset(plain), "{plain}");
        }
    }
}
