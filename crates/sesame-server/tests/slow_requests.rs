//! A request whose key is checked when its headers arrive, and whose body comes later: if the
//! key is deleted (or its owner demoted) in between, the change is not made. Every write
//! checks its actor again inside its own transaction. On SQLite, and on two PostgreSQL nodes
//! (the key deleted through the other node while the body is pending).

mod support;

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use support::{api_call, api_get, TestServer, PASSWORD};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// A request sent up to the end of its headers; `finish` sends the body and reads the
/// status of the answer.
struct PendingRequest {
    stream: TcpStream,
    body: String,
}

impl PendingRequest {
    async fn start(server: &TestServer, method: &str, path: &str, key: &str, body: Value) -> Self {
        let address = server.base_url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).await.unwrap();
        let body = body.to_string();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nMC-Api-Key: {key}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // The headers are in: the server has checked the key and waits for the body.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Self { stream, body }
    }

    async fn finish(mut self) -> StatusCode {
        self.stream.write_all(self.body.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        self.stream.read_to_end(&mut answer).await.unwrap();
        let status_line = String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned();
        let code = status_line.split_whitespace().nth(1).unwrap_or_default();
        StatusCode::from_bytes(code.as_bytes()).unwrap_or_else(|_| panic!("no status in {status_line:?}"))
    }
}

async fn key_names(server: &TestServer, key: &str) -> Vec<String> {
    let keys: Value = api_get(server, "/api/v1/api_keys", key).await.json().await.unwrap();
    keys["data"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap().to_owned()).collect()
}

/// `writer` starts a key creation with a key that `deleter` deletes before the body arrives.
async fn a_deleted_key_creates_nothing(writer: &TestServer, deleter: &TestServer) {
    writer.create_user("alice", Role::User).await;
    let (leaked_id, leaked) = writer.console_key("alice").await;
    let (_, spare) = writer.console_key("alice").await;
    // Used once, so a caching node holds it.
    assert_eq!(api_get(writer, "/api/v1/me", &leaked).await.status(), StatusCode::OK);

    let pending = PendingRequest::start(writer, "POST", "/api/v1/api_keys", &leaked, json!({"name": "sneaky"})).await;
    let deleted = api_call(deleter, &spare, Method::DELETE, &format!("/api/v1/api_keys/{leaked_id}"), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(pending.finish().await, StatusCode::UNAUTHORIZED);
    assert!(!key_names(writer, &spare).await.contains(&"sneaky".to_owned()), "a deleted key made a new key");
}

#[tokio::test]
async fn a_key_deleted_while_its_request_body_is_pending_creates_nothing() {
    let server = TestServer::start().await;
    a_deleted_key_creates_nothing(&server, &server).await;
}

#[tokio::test]
async fn a_key_deleted_through_another_node_while_the_body_is_pending_creates_nothing() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a_deleted_key_creates_nothing(&a, &b).await;
}

#[tokio::test]
async fn an_administrator_demoted_while_the_body_is_pending_changes_nobody() {
    let server = TestServer::start().await;
    server.create_user("ada", Role::Admin).await;
    server.create_user("grace", Role::Admin).await;
    let bob = server.create_user("bob", Role::User).await;
    let (_, ada_key) = server.console_key("ada").await;
    let (_, grace_key) = server.console_key("grace").await;
    let ada = server.user("ada").await;

    let pending = PendingRequest::start(&server, "PATCH", &format!("/api/v1/users/{}", bob.id), &ada_key, json!({"role": "admin"})).await;
    let demoted = api_call(&server, &grace_key, Method::PATCH, &format!("/api/v1/users/{}", ada.id), Some(json!({"role": "user"}))).await;
    assert_eq!(demoted.status(), StatusCode::OK);
    assert_eq!(pending.finish().await, StatusCode::FORBIDDEN);
    let bob_now: Value = api_get(&server, &format!("/api/v1/users/{}", bob.id), &grace_key).await.json().await.unwrap();
    assert_eq!(bob_now["data"]["role"], "user", "a demoted administrator promoted someone");
}

#[tokio::test]
async fn a_password_change_with_a_key_deleted_while_the_body_is_pending_changes_nothing() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let (leaked_id, leaked) = server.console_key("alice").await;
    let (_, spare) = server.console_key("alice").await;

    let change = json!({"currentPassword": PASSWORD, "newPassword": "taken over by an attacker"});
    let pending = PendingRequest::start(&server, "POST", "/api/v1/me/password", &leaked, change).await;
    api_call(&server, &spare, Method::DELETE, &format!("/api/v1/api_keys/{leaked_id}"), None).await;
    assert_eq!(pending.finish().await, StatusCode::UNAUTHORIZED);
    // The password is the one it was.
    server.browser("alice").await;
}

/// `writer` starts a roll with a key's secret; before its body arrives, the owner rolls the
/// key through the console of `roller` (with `grace_seconds` of overlap) and, if `report`,
/// reports the old secret as leaked. The pending roll must hand out nothing: the old
/// secret's holder gets no fresh secret, and the owner's new one keeps working.
async fn a_rolled_away_secret_rolls_nothing(writer: &TestServer, roller: &TestServer, grace_seconds: u32, report: bool) {
    writer.create_user("alice", Role::User).await;
    let console = roller.browser("alice").await;
    let (id, old) = roller.key_for(&console).await;
    // Used once on the writer, so a caching node holds it.
    assert_eq!(api_get(writer, "/api/v1/me", &old).await.status(), StatusCode::OK);

    let path = format!("/api/v1/api_keys/{id}/roll");
    let pending = PendingRequest::start(writer, "POST", &path, &old, json!({"gracePeriodSeconds": 0})).await;
    let rolled = console.call::<sesame_api::functions::RollApiKey>(&json!({"id": id, "grace_seconds": grace_seconds})).await;
    assert_eq!(rolled.status(), StatusCode::OK);
    let new = rolled.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
    if report {
        let reported = Client::new().post(roller.url("/api/v1/api_keys/revoke")).json(&json!({"keys": [old]})).send().await.unwrap();
        assert_eq!(reported.status(), StatusCode::OK);
    }
    assert_eq!(pending.finish().await, StatusCode::UNAUTHORIZED, "the old secret's holder rolled the key");
    for node in [writer, roller] {
        assert_eq!(api_get(node, "/api/v1/me", &new).await.status(), StatusCode::OK, "the owner's new secret was killed");
        assert_eq!(api_get(node, "/api/v1/me", &old).await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_secret_rolled_away_while_the_body_is_pending_rolls_nothing() {
    let server = TestServer::start().await;
    a_rolled_away_secret_rolls_nothing(&server, &server, 0, false).await;
}

#[tokio::test]
async fn a_secret_reported_as_leaked_during_the_overlap_while_the_body_is_pending_rolls_nothing() {
    let server = TestServer::start().await;
    a_rolled_away_secret_rolls_nothing(&server, &server, 3600, true).await;
}

#[tokio::test]
async fn a_secret_rolled_away_through_another_node_while_the_body_is_pending_rolls_nothing() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a_rolled_away_secret_rolls_nothing(&a, &b, 0, false).await;
}

#[tokio::test]
async fn a_secret_reported_as_leaked_through_another_node_while_the_body_is_pending_rolls_nothing() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a_rolled_away_secret_rolls_nothing(&a, &b, 3600, true).await;
}
