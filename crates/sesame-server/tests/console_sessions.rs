//! Console sessions end when idle, not only after their 12 hours, and a new login in a
//! browser ends the session it replaces.

mod support;

use std::time::Duration;

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use sesame_core::{model::Role, Settings};
use sesame_api::functions::{ListApiKeys, ListSessions, LogIn};
use support::{TestServer, PASSWORD};

#[tokio::test]
async fn an_idle_session_ends_and_a_used_one_lives_on() {
    let idle = Duration::from_millis(1200);
    let server = TestServer::start_with_settings(Settings { session_idle: idle, ..Default::default() }).await;
    server.create_user("alice", Role::User).await;
    server.create_user("bob", Role::User).await;
    let busy = server.browser("alice").await;
    let quiet = server.browser("bob").await;

    // Alice keeps using hers for more than the idle time; Bob leaves his alone.
    for _ in 0..8 {
        assert_eq!(busy.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::OK);
        tokio::time::sleep(idle / 4).await;
    }
    assert_eq!(busy.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::OK, "a session in use stays");
    assert_eq!(quiet.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::UNAUTHORIZED, "an idle session ended");
}

#[tokio::test]
async fn a_new_login_ends_the_session_it_replaces() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let browser = server.browser("alice").await;
    let first = browser.session_cookie();
    // The same browser logs in again (another tab, say).
    let again = browser.call::<LogIn>(&json!({"username": "alice", "password": PASSWORD})).await;
    assert_eq!(again.status(), StatusCode::OK);
    let sessions: Vec<Value> = browser.call::<ListSessions>(&json!({})).await.json().await.unwrap();
    assert_eq!(sessions.len(), 1, "the replaced session is gone: {sessions:?}");
    // The old cookie opens nothing any more.
    let replayed = reqwest::Client::new()
        .post(server.url(<ListApiKeys as leptos::server_fn::ServerFn>::PATH))
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, first)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
}
