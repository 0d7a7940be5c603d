//! Which requests the console answers: those addressed to its public URL, and — for the
//! server functions, which act on the session cookie and have no CSRF protection of their
//! own — only from its own pages.
//!
//! - `Host` must be the public URL's host (and port): a page on another name that resolves to
//!   this server (DNS rebinding) gets 421 Misdirected Request, so it can neither read the
//!   console nor call its functions — not even on a fresh instance listening on 127.0.0.1.
//! - A server-function call a browser marks as coming from another site (`Sec-Fetch-Site`),
//!   or whose `Origin` is not the public URL, gets 403.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sesame_api::error::{AppError, ErrorCode, Forbidden};

/// The public URL's scheme and `host[:port]`, read once when the router is built: every
/// console request (static files included) is compared with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin {
    scheme: String,
    authority: String,
}

impl PublicOrigin {
    /// `None` for a URL with no host: then no request is the public URL's.
    pub fn of(public_url: &str) -> Option<Arc<Self>> {
        let scheme = public_url.split_once("://").map_or("http", |(scheme, _)| scheme).to_ascii_lowercase();
        Some(Arc::new(Self { authority: authority(public_url)?, scheme }))
    }

    /// Whether the request is addressed to the public URL's host and port (the `Host`
    /// header, or the URI's authority in HTTP/2).
    fn is_host_of(&self, headers: &HeaderMap, uri: &Uri) -> bool {
        let asked = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
            .or_else(|| uri.authority().map(|authority| authority.as_str().to_owned()));
        asked.and_then(|host| authority(&format!("{}://{host}", self.scheme))).is_some_and(|asked| asked == self.authority)
    }

    /// Same-origin when the browser says so (`Sec-Fetch-Site`), or when `Origin` is the
    /// public URL. Requests with neither header do not come from a browser page, so no
    /// cookie was forged into them.
    fn is_origin_of(&self, headers: &HeaderMap) -> bool {
        let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        if let Some(site) = text("sec-fetch-site") {
            return site == "same-origin" || site == "none";
        }
        let Some(origin) = text("origin") else { return true };
        let scheme = origin.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        scheme.as_deref() == Some(self.scheme.as_str()) && authority(origin).is_some_and(|asked| asked == self.authority)
    }
}

/// Middleware for the console's pages and functions: 421 unless addressed to the public URL.
pub async fn refuse_other_hosts(State(public): State<Option<Arc<PublicOrigin>>>, request: Request, next: Next) -> Response {
    if public.is_some_and(|public| public.is_host_of(request.headers(), request.uri())) {
        return next.run(request).await;
    }
    tracing::warn!(target: "sesame::auth", path = %request.uri().path(), "request for another host refused");
    (StatusCode::MISDIRECTED_REQUEST, "This server answers only at its public URL.").into_response()
}

/// Middleware for the server functions: 403 for anything cross-site.
pub async fn refuse_cross_site(State(public): State<Option<Arc<PublicOrigin>>>, request: Request, next: Next) -> Response {
    if public.is_some_and(|public| public.is_origin_of(request.headers())) {
        return next.run(request).await;
    }
    tracing::warn!(target: "sesame::auth", path = %request.uri().path(), "cross-site server function call refused");
    // Encoded as the server functions encode their errors, so the browser can read it.
    let body = serde_json::to_string(&AppError::Server(ErrorCode::Forbidden(Forbidden::CrossSite))).unwrap_or_default();
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `host[:port]` of a URL, lowercase, without the scheme's default port.
fn authority(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    let host = uri.host()?.to_ascii_lowercase();
    let default_port = match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    Some(match uri.port_u16() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn is_public_host(headers: &HeaderMap, uri: &Uri, public_url: &str) -> bool {
        PublicOrigin::of(public_url).is_some_and(|public| public.is_host_of(headers, uri))
    }

    fn is_same_origin(headers: &HeaderMap, public_url: &str) -> bool {
        PublicOrigin::of(public_url).is_some_and(|public| public.is_origin_of(headers))
    }

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
        assert!(!is_same_origin(&headers(&[("sec-fetch-site", "cross-site"), ("origin", PUBLIC)]), PUBLIC));
    }

    #[test]
    fn origin_must_be_the_public_url() {
        assert!(is_same_origin(&headers(&[("origin", PUBLIC)]), PUBLIC));
        assert!(is_same_origin(&headers(&[("origin", "https://Console.Example.com:443")]), PUBLIC));
        // Matching the Host it was reached at is not enough any more (DNS rebinding).
        assert!(!is_same_origin(
            &headers(&[("origin", "http://127.0.0.1:4000"), ("host", "127.0.0.1:4000")]),
            PUBLIC
        ));
        assert!(!is_same_origin(&headers(&[("origin", "http://console.example.com")]), PUBLIC), "another scheme");
        assert!(!is_same_origin(&headers(&[("origin", "https://evil.example")]), PUBLIC));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), PUBLIC));
    }

    #[test]
    fn non_browser_clients_pass() {
        assert!(is_same_origin(&headers(&[]), PUBLIC));
    }

    #[test]
    fn the_host_must_be_the_public_urls() {
        let uri = Uri::from_static("/");
        assert!(is_public_host(&headers(&[("host", "console.example.com")]), &uri, PUBLIC));
        assert!(is_public_host(&headers(&[("host", "Console.Example.com:443")]), &uri, PUBLIC));
        assert!(!is_public_host(&headers(&[("host", "console.example.com:8443")]), &uri, PUBLIC));
        assert!(!is_public_host(&headers(&[("host", "rebound.example")]), &uri, PUBLIC));
        assert!(!is_public_host(&headers(&[]), &uri, PUBLIC));
        let local = "http://127.0.0.1:3000";
        assert!(is_public_host(&headers(&[("host", "127.0.0.1:3000")]), &uri, local));
        assert!(!is_public_host(&headers(&[("host", "localhost:3000")]), &uri, local));
        assert!(is_public_host(&headers(&[]), &Uri::from_static("http://127.0.0.1:3000/"), local), "HTTP/2 authority");
    }
}
