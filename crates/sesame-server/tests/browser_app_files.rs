//! The browser app's files as a browser gets them: the brotli or gzip copy made at build
//! time, whichever it accepts, with `Vary: Accept-Encoding`; a year of caching for the
//! files named by their content hash, none for the rest.

mod support;

use reqwest::{header, Client, StatusCode};
use support::TestServer;

const WASM: &str = "sesame-web-0123456789abcdef_bg.wasm";

/// A site directory like Trunk's release build: each copy has different bytes, so the test
/// knows which one was sent.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("index.html", b"<!DOCTYPE html><html><head></head><body></body></html>");
    write(WASM, b"\0asm plain");
    write(&format!("{WASM}.br"), b"brotli copy");
    write(&format!("{WASM}.gz"), b"gzip copy");
    write("favicon.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    dir
}

async fn get(server: &TestServer, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = Client::new().get(server.url(path));
    if let Some(encodings) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encodings);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response
}

fn header_of(response: &reqwest::Response, name: header::HeaderName) -> &str {
    response.headers().get(&name).map_or("", |value| value.to_str().unwrap())
}

#[tokio::test]
async fn each_browser_gets_the_copy_it_accepts_and_keeps_hashed_files_a_year() {
    let site = site();
    let site_dir = site.path().to_owned();
    let server = TestServer::start_with(move |config| config.site_dir = site_dir).await;
    let path = format!("/{WASM}");

    for (accepted, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), "br", "brotli copy"),
        (Some("gzip"), "gzip", "gzip copy"),
        (None, "", "\0asm plain"),
    ] {
        let response = get(&server, &path, accepted).await;
        assert_eq!(header_of(&response, header::CONTENT_ENCODING), encoding, "{accepted:?}");
        assert_eq!(header_of(&response, header::CONTENT_TYPE), "application/wasm", "{accepted:?}");
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
        assert!(header_of(&response, header::VARY).to_ascii_lowercase().contains("accept-encoding"), "{accepted:?}");
        assert_eq!(response.text().await.unwrap(), body, "{accepted:?}");
    }

    // A hashed name this build does not have, with and without an app: an error, never kept.
    let no_app = tempfile::tempdir().unwrap();
    let no_app_dir = no_app.path().to_owned();
    let without_app = TestServer::start_with(move |config| config.site_dir = no_app_dir).await;
    for server in [&server, &without_app] {
        let missing = Client::new().get(server.url("/sesame-web-fedcba9876543210_bg.wasm")).send().await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(header_of(&missing, header::CACHE_CONTROL), "no-cache");
    }

    // Named without a hash: asked again every time (a new build may change them).
    for path in ["/favicon.svg", "/", "/settings/api-credentials"] {
        let response = get(&server, path, Some("br")).await;
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-cache", "{path}");
    }
}

#[tokio::test]
async fn a_revalidated_page_keeps_the_policy_it_was_stored_with() {
    // A second visit asks again for the page (no-cache); the server answers 304, and the
    // headers of a 304 replace the stored ones: it must not bring the short policy of
    // answers that are not pages, which would stop the app from starting.
    let site = site();
    let site_dir = site.path().to_owned();
    let server = TestServer::start_with(move |config| config.site_dir = site_dir).await;
    let first = get(&server, "/", None).await;
    assert!(header_of(&first, header::CONTENT_SECURITY_POLICY).contains("script-src"));
    let last_modified = header_of(&first, header::LAST_MODIFIED).to_owned();
    let again = Client::new().get(server.url("/")).header(header::IF_MODIFIED_SINCE, last_modified).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.headers().get(header::CONTENT_SECURITY_POLICY).is_none(), "{:?}", again.headers());
    assert_eq!(header_of(&again, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
}
