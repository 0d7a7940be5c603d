//! Every server function and every mutating REST route refuses a cross-site request; every
//! route carries the security headers; the session cookie has the right attributes; bodies
//! are capped.

mod support;

use reqwest::{header, Client, Method, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_api::functions::{ListApiKeys, LogIn, UpdateApiKey};
use support::{api_get, TestServer, PASSWORD};

#[tokio::test]
async fn every_server_function_refuses_a_cross_site_call() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::Admin).await;
    let alice = server.browser("alice").await;
    let (_, key) = server.key_for(&alice).await;
    let keys_before = alice.keys().await;

    let paths: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(paths.len() >= 12, "{paths:?}");
    for (path, _) in &paths {
        for (origin, fetch_site) in [("https://evil.example", Some("cross-site")), ("https://evil.example", None), ("null", Some("same-site"))] {
            let mut request = alice
                .client
                .post(server.url(path))
                .header(header::CONTENT_TYPE, "application/json")
                .header("origin", origin)
                .body("{}");
            if let Some(site) = fetch_site {
                request = request.header("sec-fetch-site", site);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} from {origin} {fetch_site:?}");
        }
    }
    // Nothing happened: same keys, the key and the session still work.
    assert_eq!(alice.keys().await, keys_before);
    assert_eq!(api_get(&server, "/api/v1/me", &key).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn mutating_rest_routes_ignore_the_session_cookie() {
    // A cross-site page can make the browser send its cookies, never a key: REST routes
    // accept only keys, so the signed-in victim's cookie opens nothing.
    let server = TestServer::start().await;
    server.create_user("alice", Role::Admin).await;
    let alice = server.browser("alice").await;
    let (id, key) = server.key_for(&alice).await;
    let document: Value = Client::new().get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut mutating = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap().iter().filter(|(m, _)| *m != "get") {
            // Reporting leaked keys and a CI job's token exchange take neither a key nor a
            // cookie (revoking_leaked_keys.rs, keyless_ci.rs).
            if operation["security"] == json!([{}]) {
                continue;
            }
            mutating += 1;
            let url = server.url(&path.replace("{id}", &id));
            let response = alice
                .client
                .request(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), url)
                .header("origin", "https://evil.example")
                .header("sec-fetch-site", "cross-site")
                .json(&json!({"name": "planted", "role": "admin", "status": "disabled", "username": "mallory", "email": "m@example.com", "fullName": "M", "password": PASSWORD, "currentPassword": PASSWORD, "newPassword": "planted password"}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
    assert_eq!(mutating, 18, "every mutating route was tried");
    assert_eq!(alice.keys().await.len(), 1);
    assert_eq!(api_get(&server, "/api/v1/me", &key).await.status(), StatusCode::OK);
    let users: Value = api_get(&server, "/api/v1/users", &key).await.json().await.unwrap();
    assert_eq!(users["metadata"]["recordCount"], 1);
}

#[tokio::test]
async fn every_route_carries_the_security_headers() {
    let server = TestServer::start().await;
    let client = Client::new();
    let requests = [
        (Method::GET, "/"),
        (Method::GET, "/some/console/route"),
        (Method::GET, "/healthz"),
        (Method::GET, "/readyz"),
        (Method::GET, "/api-docs"),
        (Method::GET, "/api-docs.css"),
        (Method::GET, "/api/v1/openapi.json"),
        (Method::GET, "/api/v1/me"),
        (Method::POST, "/api/v1/api_keys"),
        (Method::GET, "/api/v1/no-such-thing"),
        (Method::POST, <ListApiKeys as leptos::server_fn::ServerFn>::PATH),
        (Method::DELETE, "/api/v1/me"),
    ];
    for (method, path) in requests {
        let response = client.request(method.clone(), server.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers.get(header::CONTENT_SECURITY_POLICY).map(|v| v.to_str().unwrap()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{method} {path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{method} {path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{method} {path}");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin", "{method} {path}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{method} {path}");
        assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over http");
    }
    let https = TestServer::start_with(|config| config.public_url = "https://sesame.example.com".into()).await;
    let response = client.get(https.url("/healthz")).send().await.unwrap();
    assert_eq!(response.headers()[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000; includeSubDomains");
}

#[tokio::test]
async fn pages_carry_the_page_policy_and_everything_else_the_short_one() {
    let server = TestServer::start().await;
    let client = Client::new();
    let policy = |response: &reqwest::Response| response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    let page = client.get(server.url("/api-docs")).send().await.unwrap();
    assert!(page.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(policy(&page).contains("style-src 'self'") && policy(&page).contains("frame-ancestors 'none'"), "{}", policy(&page));
    for path in ["/healthz", "/api/v1/me", "/api/v1/openapi.json", "/api-docs.css"] {
        let response = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(policy(&response), "default-src 'none'; frame-ancestors 'none'", "{path}");
    }
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_and_secure_with_the_host_prefix_over_https() {
    for (public_url, secure) in [(None, false), (Some("https://sesame.example.com"), true)] {
        let server = TestServer::start_with(|config| {
            if let Some(url) = public_url {
                config.public_url = url.into();
            }
        })
        .await;
        server.create_user("alice", Role::User).await;
        let host = public_url.map_or_else(|| server.base_url.trim_start_matches("http://").to_owned(), |url| url.trim_start_matches("https://").to_owned());
        let response = Client::new()
            .post(server.url(<LogIn as leptos::server_fn::ServerFn>::PATH))
            .header(header::HOST, host)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({"username": "alice", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookies: Vec<String> =
            response.headers().get_all(header::SET_COOKIE).iter().map(|value| value.to_str().unwrap().to_owned()).collect();
        // Over https the names carry the `__Host-` prefix: the browser then accepts them only
        // Secure, from this very host, for the whole site — no subdomain can plant one.
        let prefix = if secure { "__Host-" } else { "" };
        for name in ["sesame_session", "sesame_device"] {
            let cookie = cookies
                .iter()
                .find(|cookie| cookie.starts_with(&format!("{prefix}{name}=")))
                .unwrap_or_else(|| panic!("no {prefix}{name} in {cookies:?}"));
            assert!(cookie.contains("HttpOnly"), "{cookie}");
            assert!(cookie.contains("SameSite=Lax"), "{cookie}");
            assert!(cookie.contains("Path=/"), "{cookie}");
            assert!(!cookie.contains("Domain"), "{cookie}");
            assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        }
    }
}

#[tokio::test]
async fn bodies_over_64_kib_are_refused_on_both_boundaries() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (id, key) = server.key_for(&alice).await;
    let huge = "x".repeat(65 * 1024);
    let by_function = alice.call::<UpdateApiKey>(&json!({"id": id, "name": huge})).await;
    assert_eq!(by_function.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let by_rest = Client::new()
        .patch(server.url(&format!("/api/v1/api_keys/{id}")))
        .header("MC-Api-Key", &key)
        .json(&json!({"name": huge}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_rest.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = by_rest.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "payload_too_large");
    // Just under the cap, the name's own rule answers.
    let big = alice.call::<UpdateApiKey>(&json!({"id": id, "name": "x".repeat(60 * 1024)})).await;
    assert_eq!(big.json::<Value>().await.unwrap(), json!({"Server": {"InvalidRequest": {"Name": "TooLong"}}}));
    assert_eq!(alice.keys().await.len(), 1);
}

/// Answers that carry a key or session data must never be kept by a browser or a proxy.
#[tokio::test]
async fn api_and_server_function_answers_are_not_stored() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::Admin).await;
    let alice = server.browser("alice").await;
    let (_, key) = server.key_for(&alice).await;
    let created = Client::new().post(server.url("/api/v1/api_keys")).header("MC-Api-Key", &key).send().await.unwrap();
    let listed = api_get(&server, "/api/v1/api_keys", &key).await;
    let refused = api_get(&server, "/api/v1/me", "sesame_nope").await;
    let function = alice.call::<ListApiKeys>(&json!({})).await;
    for (what, response) in [("POST /api/v1/api_keys", created), ("GET /api/v1/api_keys", listed), ("401", refused), ("/rpc", function)] {
        assert_eq!(
            response.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{what}"
        );
    }
}
