//! Several `sesame serve` nodes on one database behave as one (run on SQLite, and on
//! PostgreSQL — the multi-node backend — by the README's test command).

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_shared::functions::{DeleteApiKey, GenerateApiKey, ListApiKeys};
use support::{api_get, Browser, TestServer, PASSWORD};

#[tokio::test]
async fn keys_and_sessions_are_shared_between_nodes() {
    let a = TestServer::start().await;
    let b = a.another_node().await;
    a.create_user("alice", Role::User).await;

    // Log in on A, act on B with the same session cookie (a load balancer in front).
    let cookie = session_cookie(&a, "alice").await;
    let created = Client::new()
        .post(b.url(<GenerateApiKey as leptos::server_fn::ServerFn>::PATH))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"name": "shared"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let created: Value = created.json().await.unwrap();
    let key = created["secret"].as_str().unwrap().to_owned();
    let id = created["key"]["id"].as_str().unwrap().to_owned();

    // Created through B, works on A.
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::OK);
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::OK);

    // Deleted through B: refused by A on the very next request.
    let deleted = Client::new()
        .post(b.url(<DeleteApiKey as leptos::server_fn::ServerFn>::PATH))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"id": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);

    let listed: Value = Client::new()
        .post(a.url(<ListApiKeys as leptos::server_fn::ServerFn>::PATH))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn last_use_from_both_nodes_ends_up_as_the_newest() {
    let a = TestServer::start().await;
    let b = a.another_node().await;
    a.create_user("alice", Role::User).await;
    let alice = a.browser("alice").await;
    let (_, key) = a.key_for(&alice).await;

    // Through a trusted proxy each node sees a different client; B's call is the later one.
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::OK);
    let first = alice.keys().await[0]["last_used_at"].clone();

    // A late, older report from node A must not win.
    let older = chrono::Utc::now() - chrono::Duration::minutes(1);
    let id = sesame_core::model::ApiKeyId::parse(alice.keys().await[0]["id"].as_str().unwrap()).unwrap();
    a.services.store.record_key_use(&id, "203.0.113.99", older).await.unwrap();
    let after = alice.keys().await;
    assert_eq!(after[0]["last_used_at"], first);
    assert_ne!(after[0]["last_used_ip"], "203.0.113.99");
}

async fn session_cookie(server: &TestServer, username: &str) -> String {
    let response = Browser::new(server)
        .call::<sesame_shared::functions::LogIn>(&json!({"username": username, "password": PASSWORD}))
        .await;
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}
