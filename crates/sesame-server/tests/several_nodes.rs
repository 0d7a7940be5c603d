//! Several `sesame serve` nodes on one PostgreSQL database behave as one. Several nodes
//! need PostgreSQL (on SQLite one node owns the file and caches keys), so these tests use
//! the server in `SESAME_TEST_POSTGRES_URL`, or start a throwaway cluster of their own.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_shared::functions::{DeleteApiKey, GenerateApiKey, ListApiKeys};
use sesame_server::app::AppConfig;
use support::{api_get, fresh_postgres_database, postgres::PgCluster, Browser, TestServer, PASSWORD};

/// Two nodes on one fresh PostgreSQL database (and the cluster, if this test started one).
async fn two_nodes(adjust: impl Fn(&mut AppConfig)) -> (Option<PgCluster>, TestServer, TestServer) {
    let (cluster, server_url) = match std::env::var("SESAME_TEST_POSTGRES_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let cluster = PgCluster::start();
            let url = cluster.url();
            (Some(cluster), url)
        }
    };
    let database = fresh_postgres_database(&server_url).await;
    let a = TestServer::start_on_database(database, &adjust).await;
    let b = a.another_node_with(&adjust).await;
    assert_eq!(a.services.store.backend(), sesame_core::store::Backend::Postgres);
    (cluster, a, b)
}

#[tokio::test]
async fn keys_and_sessions_are_shared_between_nodes() {
    let (_cluster, a, b) = two_nodes(|_| {}).await;
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
    // Behind a trusted proxy, so each node's use carries a client address of its own.
    let (_cluster, a, b) = two_nodes(|config: &mut AppConfig| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    a.create_user("alice", Role::User).await;
    let alice = a.browser("alice").await;
    let (_, key) = a.key_for(&alice).await;
    let call = |server: &TestServer, client: &'static str| {
        Client::new()
            .get(server.url("/api/v1/me"))
            .header("MC-Api-Key", key.clone())
            .header("X-Forwarded-For", client)
            .send()
    };

    assert_eq!(call(&a, "198.51.100.1").await.unwrap().status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(call(&b, "198.51.100.2").await.unwrap().status(), StatusCode::OK);

    // B's newer use is written first; A's older batch arrives late and must not win.
    b.services.flush_last_use().await.unwrap();
    let after_b = alice.keys().await[0].clone();
    assert_eq!(after_b["last_used_ip"], "198.51.100.2");
    a.services.flush_last_use().await.unwrap();
    let after_both = alice.keys().await[0].clone();
    assert_eq!(after_both["last_used_ip"], "198.51.100.2");
    assert_eq!(after_both["last_used_at"], after_b["last_used_at"]);
}

async fn session_cookie(server: &TestServer, username: &str) -> String {
    let response = Browser::new(server)
        .call::<sesame_shared::functions::LogIn>(&json!({"username": username, "password": PASSWORD}))
        .await;
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}
