//! The console's server functions: sessions, ownership, and cross-site refusal.

mod support;

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_api::functions::{
    DeleteApiKey, GenerateApiKey, ListApiKeys, LoadSession, LogIn, UpdateApiKey, SetupFirstAdmin,
};
use support::{api_get, Browser, TestServer, PASSWORD};

#[tokio::test]
async fn another_users_key_is_not_found_and_unchanged() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    server.create_user("bob", Role::Admin).await;
    let alice = server.browser("alice").await;
    let bob = server.browser("bob").await;
    let (alice_key_id, alice_key) = server.key_for(&alice).await;
    let name_before = alice.keys().await[0]["name"].clone();

    let rename = bob.call::<UpdateApiKey>(&json!({"id": alice_key_id, "name": "stolen"})).await;
    assert_eq!(rename.status(), StatusCode::NOT_FOUND);
    assert_eq!(rename.json::<Value>().await.unwrap(), json!({"Server": {"NotFound": "ApiKey"}}));
    let delete = bob.call::<DeleteApiKey>(&json!({"id": alice_key_id})).await;
    assert_eq!(delete.status(), StatusCode::NOT_FOUND);

    // Not even an administrator of the same organization can touch it from the console.
    assert_eq!(alice.keys().await[0]["name"], name_before);
    assert_eq!(api_get(&server, "/api/v1/me", &alice_key).await.status(), StatusCode::OK);
    assert!(bob.keys().await.is_empty());
}

#[tokio::test]
async fn cross_site_calls_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (id, key) = server.key_for(&alice).await;

    // A page on another site posting with the victim's cookie.
    let forged = alice
        .client
        .post(server.url(<DeleteApiKey as leptos::server_fn::ServerFn>::PATH))
        .header(header::CONTENT_TYPE, "application/json")
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .body(json!({"id": id}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(forged.json::<Value>().await.unwrap(), json!({"Server": {"Forbidden": "CrossSite"}}));

    // An older browser without Fetch Metadata: the Origin header decides.
    let forged = alice
        .client
        .post(server.url(<GenerateApiKey as leptos::server_fn::ServerFn>::PATH))
        .header(header::CONTENT_TYPE, "application/json")
        .header("origin", "https://evil.example")
        .body(json!({"name": "planted"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    assert_eq!(alice.keys().await.len(), 1);
    assert_eq!(api_get(&server, "/api/v1/me", &key).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn key_functions_require_a_session() {
    let server = TestServer::start().await;
    let stranger = Browser::new(&server);
    for response in [
        stranger.call::<ListApiKeys>(&json!({})).await,
        stranger.call::<GenerateApiKey>(&json!({"name": "x"})).await,
        stranger.call::<UpdateApiKey>(&json!({"id": "00000000-0000-0000-0000-000000000000", "name": "x"})).await,
        stranger.call::<DeleteApiKey>(&json!({"id": "00000000-0000-0000-0000-000000000000"})).await,
    ] {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.json::<Value>().await.unwrap(), json!({"Server": {"InvalidCredentials": "Presented"}}));
    }
}

#[tokio::test]
async fn login_failures_do_not_say_whether_the_user_exists() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let anyone = Browser::new(&server);
    let wrong_password = anyone.call::<LogIn>(&json!({"username": "alice", "password": "nope nope nope"})).await;
    let (status_a, body_a) = (wrong_password.status(), wrong_password.text().await.unwrap());
    let no_such_user = anyone.call::<LogIn>(&json!({"username": "mallory", "password": "nope nope nope"})).await;
    assert_eq!(status_a, StatusCode::UNAUTHORIZED);
    assert_eq!(no_such_user.status(), status_a);
    assert_eq!(no_such_user.text().await.unwrap(), body_a);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let response = Browser::new(&server)
        .call::<LogIn>(&json!({"username": "alice", "password": PASSWORD}))
        .await;
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("sesame_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http must not set Secure: {cookie}");

    let https = TestServer::start_with(|config| config.public_url = "https://console.example.com".into()).await;
    https.create_user("alice", Role::User).await;
    // Addressed as a browser behind the TLS proxy would: to the public URL's host.
    let response = Browser::new(&https)
        .client
        .post(https.url(<LogIn as leptos::server_fn::ServerFn>::PATH))
        .header(header::HOST, "console.example.com")
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn setup_creates_the_first_admin_once() {
    let server = TestServer::start().await;
    let visitor = Browser::new(&server);
    let state: Value = visitor.call::<LoadSession>(&json!({})).await.json().await.unwrap();
    assert_eq!(state["needs_setup"], true);
    assert!(state["me"].is_null());
    assert_eq!(state["endpoint_url"], format!("{}/api/v1", server.base_url));

    let token = server.services.accounts.setup_token().await.unwrap().unwrap();
    let form = json!({"form": {
        "setup_token": token,
        "organization": "Acme Corporation", "full_name": "Rupert Walker",
        "username": "rwalker", "email": "rwalker@example.com", "password": PASSWORD
    }});
    let created = visitor.call::<SetupFirstAdmin>(&form).await;
    assert_eq!(created.status(), StatusCode::OK);
    let me: Value = created.json().await.unwrap();
    assert_eq!(me["role"], "admin");
    let state: Value = visitor.call::<LoadSession>(&json!({})).await.json().await.unwrap();
    assert_eq!(state["needs_setup"], false);
    assert_eq!(state["me"]["username"], "rwalker");

    // A second setup is refused, even with another username.
    let mut again = form.clone();
    again["form"]["username"] = json!("intruder");
    let replay = Browser::new(&server).call::<SetupFirstAdmin>(&again).await;
    assert_eq!(replay.status(), StatusCode::CONFLICT);
    assert_eq!(replay.json::<Value>().await.unwrap(), json!({"Server": {"Conflict": "SetupDone"}}));
}

/// Every server function answers at the prefix and its own name, with no hash of the
/// directory it was built in: a browser app and a server built from copies of one commit
/// in two directories agree (`end2end/tests/server_function_urls.test.mjs` checks the
/// addresses in the built app).
#[tokio::test]
async fn every_server_function_has_a_fixed_address() {
    let _registers_them = TestServer::start().await;
    let paths: Vec<&str> = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path).collect();
    assert!(paths.len() >= 28, "{paths:?}");
    for path in &paths {
        let name = path.strip_prefix(&format!("{}/", sesame_api::SERVER_FN_PREFIX)).unwrap_or_default();
        assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{path}");
    }
    assert!(paths.contains(&"/rpc/load_session") && paths.contains(&"/rpc/generate_api_key"), "{paths:?}");
}
