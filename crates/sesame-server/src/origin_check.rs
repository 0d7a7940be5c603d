//! Leptos server functions have no CSRF protection of their own, and they act on the
//! session cookie: refuse any call a browser marks as coming from another site.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sesame_shared::error::AppError;

use crate::state::AppState;

pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_same_origin(request.headers(), &state.config.public_url) {
        return next.run(request).await;
    }
    tracing::warn!(target: "sesame::auth", path = %request.uri().path(), "cross-site server function call refused");
    // Encoded as the server functions encode their errors, so the browser can read it.
    let body = serde_json::to_string(&AppError::CrossSite).unwrap_or_default();
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Same-origin when the browser says so (`Sec-Fetch-Site`), or when `Origin` is this
/// server (its public URL or the Host it was reached at). Requests with neither header do
/// not come from a browser page, so no cookie was forged into them.
fn is_same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = text("origin") else { return true };
    if origin.eq_ignore_ascii_case(public_url) {
        return true;
    }
    let origin_host = origin.split_once("://").map(|(_, host)| host);
    match (origin_host, text("host")) {
        (Some(origin_host), Some(host)) => origin_host.eq_ignore_ascii_case(host),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const PUBLIC: &str = "https://console.example.com";

    #[test]
    fn browser_fetch_metadata_decides_first() {
        assert!(is_same_origin(&headers(&[("sec-fetch-site", "same-origin")]), PUBLIC));
        assert!(!is_same_origin(&headers(&[("sec-fetch-site", "cross-site")]), PUBLIC));
        assert!(!is_same_origin(&headers(&[("sec-fetch-site", "same-site")]), PUBLIC));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site"), ("origin", PUBLIC)]),
            PUBLIC
        ));
    }

    #[test]
    fn origin_must_be_this_server() {
        assert!(is_same_origin(&headers(&[("origin", PUBLIC)]), PUBLIC));
        assert!(is_same_origin(
            &headers(&[("origin", "http://127.0.0.1:4000"), ("host", "127.0.0.1:4000")]),
            PUBLIC
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "https://evil.example"), ("host", "console.example.com")]),
            PUBLIC
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), PUBLIC));
    }

    #[test]
    fn non_browser_clients_pass() {
        assert!(is_same_origin(&headers(&[]), PUBLIC));
    }
}
