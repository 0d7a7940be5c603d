//! The headers every response carries, whatever route it comes from.
//!
//! The page Content-Security-Policy allows no inline script but the one Trunk writes into
//! `index.html` to start the app: that one is allowed by its SHA-256, computed here from the
//! page being served, read once at start-up (rebuild the app → restart the server). WebAssembly needs
//! `'wasm-unsafe-eval'` to compile; nothing else is loosened. A browser applies a policy to
//! documents only: every answer that is not HTML (the API's JSON, health checks, the app's
//! files) carries the short policy OWASP gives for APIs, `default-src 'none';
//! frame-ancestors 'none'` — loading nothing, framed nowhere — rather than the page's 300 bytes.

use std::sync::Arc;

use axum::{
    extract::Request,
    http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode},
    middleware::{self, Next},
    Router,
};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use sha2::{Digest, Sha256};

/// The policy of every answer that is not a page.
const NOT_A_PAGE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// `'sha256-…'` for each inline `<script>` of the page (none if the file is missing).
pub fn inline_script_hashes(index_html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = index_html;
    while let Some(start) = rest.find("<script") {
        let after_tag = &rest[start..];
        let Some(open_end) = after_tag.find('>') else { break };
        let opening = &after_tag[..open_end];
        let body_and_more = &after_tag[open_end + 1..];
        let Some(close) = body_and_more.find("</script>") else { break };
        if !opening.contains("src=") {
            let digest = Sha256::digest(&body_and_more.as_bytes()[..close]);
            hashes.push(format!("'sha256-{}'", STANDARD.encode(digest)));
        }
        rest = &body_and_more[close..];
    }
    hashes
}

/// The policy for the app page `index_html` (empty when there is no app).
pub fn content_security_policy(index_html: &[u8]) -> String {
    let scripts = inline_script_hashes(std::str::from_utf8(index_html).unwrap_or_default()).join(" ");
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' {scripts}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )
    .replace("  ", " ")
}

/// Adds the security headers to every response of `router`, in one layer (each layer of its
/// own is one more boxed service every request clones). HSTS only when the public URL is
/// https: over plain http the browser would ignore it anyway.
pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, index_html: &[u8], https: bool) -> Router<S> {
    let page_policy = HeaderValue::from_str(&content_security_policy(index_html))
        .unwrap_or_else(|_| HeaderValue::from_static(NOT_A_PAGE_POLICY));
    let headers = Arc::new(SecurityHeaders { page_policy, https });
    router.layer(middleware::from_fn(move |request: Request, next: Next| {
        let headers = headers.clone();
        async move {
            let mut response = next.run(request).await;
            let revalidated = response.status() == StatusCode::NOT_MODIFIED;
            headers.add_to(response.headers_mut(), revalidated);
            response
        }
    }))
}

struct SecurityHeaders {
    page_policy: HeaderValue,
    https: bool,
}

impl SecurityHeaders {
    /// `revalidated`: a 304 Not Modified, which has no Content-Type to tell a page by. It
    /// gets no policy at all: the browser keeps the one stored with the answer it revalidated
    /// (headers a 304 carries replace the stored ones, so the short policy would break the
    /// page on every second visit).
    fn add_to(&self, headers: &mut HeaderMap, revalidated: bool) {
        if !revalidated {
            let is_page = headers
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .is_some_and(|content_type| content_type.starts_with("text/html"));
            let policy = if is_page { self.page_policy.clone() } else { HeaderValue::from_static(NOT_A_PAGE_POLICY) };
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
        if self.https {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let page = r#"<head><script type="module">go()</script><script src="/x.js"></script></head>"#;
        let hashes = inline_script_hashes(page);
        assert_eq!(hashes.len(), 1);
        let expected = STANDARD.encode(Sha256::digest(b"go()"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
        assert!(inline_script_hashes("<p>no script</p>").is_empty());
    }
}
