//! The 401 contract of the external API, and what a valid key gets.

mod support;

use reqwest::{header, Client, StatusCode};
use serde_json::Value;
use sesame_core::{key::ApiKeySecret, model::Role};
use support::{api_get, TestServer};

#[tokio::test]
async fn every_kind_of_bad_key_gets_the_same_401() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (_, valid) = server.key_for(&alice).await;
    let (deleted_id, deleted) = server.key_for(&alice).await;
    let response = alice
        .call::<sesame_api::functions::DeleteApiKey>(&serde_json::json!({"id": deleted_id}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let mut bad_checksum = valid.clone();
    let last = bad_checksum.pop().unwrap();
    bad_checksum.push(if last == 'a' { 'b' } else { 'a' });
    let unknown = ApiKeySecret::generate().expose().to_owned();

    let cases: Vec<(&str, Option<(&str, String)>)> = vec![
        ("no header", None),
        ("empty", Some(("MC-Api-Key", String::new()))),
        ("malformed", Some(("MC-Api-Key", "not-a-key".into()))),
        ("bad checksum", Some(("MC-Api-Key", bad_checksum))),
        ("unknown", Some(("MC-Api-Key", unknown.clone()))),
        ("deleted", Some(("MC-Api-Key", deleted.clone()))),
        ("bearer deleted", Some(("Authorization", format!("Bearer {deleted}")))),
        ("bearer malformed", Some(("Authorization", "Bearer x".into()))),
        ("basic scheme", Some(("Authorization", format!("Basic {valid}")))),
    ];
    let mut bodies = Vec::new();
    for (case, header) in cases {
        let mut request = Client::new().get(server.url("/api/v1/me"));
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE), "{case}");
        let body = response.text().await.unwrap();
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["errors"][0]["code"], "invalid_credentials", "{case}");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "401 bodies differ: {bodies:?}");

    // The valid key still works, with either header.
    assert_eq!(api_get(&server, "/api/v1/me", &valid).await.status(), StatusCode::OK);
    let bearer = Client::new()
        .get(server.url("/api/v1/me"))
        .bearer_auth(&valid)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_valid_key_acts_as_its_owner() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::Admin).await;
    let alice = server.browser("alice").await;
    let (_, key) = server.key_for(&alice).await;
    let response = api_get(&server, "/api/v1/me", &key).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["username"], "alice");
    assert_eq!(body["data"]["role"], "admin");
    assert_eq!(body["data"]["organization"]["name"], "Acme Corporation");
    assert!(body["data"].get("passwordHash").is_none());
}

#[tokio::test]
async fn last_ip_and_activity_change_after_a_call() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (id, key) = server.key_for(&alice).await;
    let before = alice.keys().await;
    assert!(before[0]["lastUsedAt"].is_null());
    assert!(before[0]["lastUsedIp"].is_null());

    let started = chrono::Utc::now() - chrono::Duration::seconds(1);
    assert_eq!(api_get(&server, "/api/v1/me", &key).await.status(), StatusCode::OK);
    // Uses are written in batches (every second in `sesame serve`); write this one now.
    assert_eq!(server.services.flush_last_use().await.unwrap(), 1);
    let after = alice.keys().await;
    let row = after.iter().find(|k| k["id"] == id.as_str()).unwrap();
    assert_eq!(row["lastUsedIp"], "127.0.0.1");
    let used: chrono::DateTime<chrono::Utc> = row["lastUsedAt"].as_str().unwrap().parse().unwrap();
    assert!(used >= started, "{used} < {started}");
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    // Not trusted: the header is ignored.
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (_, key) = server.key_for(&alice).await;
    let spoofed = Client::new()
        .get(server.url("/api/v1/me"))
        .header("MC-Api-Key", &key)
        .header("X-Forwarded-For", "203.0.113.5")
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::OK);
    server.services.flush_last_use().await.unwrap();
    assert_eq!(alice.keys().await[0]["lastUsedIp"], "127.0.0.1");

    // Trusted: the client address comes from the header.
    let proxied = TestServer::start_with(|config| config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    proxied.create_user("bob", Role::User).await;
    let bob = proxied.browser("bob").await;
    let (_, key) = proxied.key_for(&bob).await;
    Client::new()
        .get(proxied.url("/api/v1/me"))
        .header("MC-Api-Key", &key)
        .header("X-Forwarded-For", "198.51.100.7")
        .send()
        .await
        .unwrap();
    proxied.services.flush_last_use().await.unwrap();
    assert_eq!(bob.keys().await[0]["lastUsedIp"], "198.51.100.7");
}

/// A proxy that appends its own `X-Forwarded-For` line leaves the client's forged line
/// first: every line counts, in order, and the right-most untrusted address wins.
#[tokio::test]
async fn every_forwarded_for_line_is_read_in_order() {
    let proxied = TestServer::start_with(|config| config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    proxied.create_user("bob", Role::User).await;
    let bob = proxied.browser("bob").await;
    let (_, key) = proxied.key_for(&bob).await;
    let response = Client::new()
        .get(proxied.url("/api/v1/me"))
        .header("MC-Api-Key", &key)
        // What the client forged, then the line the proxy appended.
        .header("X-Forwarded-For", "203.0.113.66")
        .header("X-Forwarded-For", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    proxied.services.flush_last_use().await.unwrap();
    assert_eq!(bob.keys().await[0]["lastUsedIp"], "198.51.100.7");
}

#[tokio::test]
async fn health_and_readiness() {
    let server = TestServer::start().await;
    let health = Client::new().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = Client::new().get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
}
