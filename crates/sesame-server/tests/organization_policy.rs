//! The organization's maximum key lifetime through both boundaries: set by an administrator
//! (`PATCH /api/v1/organization`, the Users page's server function), refused to a user,
//! and obeyed when keys are made and rolled, with a clear message on refusal.

mod support;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_api::functions::{GenerateApiKey, GetOrganizationPolicy, RollApiKey, SetKeyLifetimePolicy};
use support::TestServer;

async fn patch(server: &TestServer, key: &str, body: Value) -> reqwest::Response {
    Client::new().patch(server.url("/api/v1/organization")).header("MC-Api-Key", key).json(&body).send().await.unwrap()
}

async fn post(server: &TestServer, path: &str, key: &str, body: Value) -> reqwest::Response {
    Client::new().post(server.url(path)).header("MC-Api-Key", key).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn an_administrator_sets_the_maximum_lifetime_and_longer_keys_are_shortened() {
    let server = TestServer::start().await;
    server.clock.set(server.clock.now());
    let admin = server.create_user("ada", Role::Admin).await;
    let bob = server.create_user("bob", Role::User).await;
    let (_, admin_key) = server.generate_key(&admin, Some("admin")).await;
    let (_, bob_key) = server.generate_key(&bob, Some("bob")).await;

    let response = patch(&server, bob_key.expose(), json!({"maxKeyLifetimeDays": 90})).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let response = patch(&server, admin_key.expose(), json!({"maxKeyLifetimeDays": 90})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["maxKeyLifetimeDays"], 90);
    assert_eq!(body["data"]["shortenedKeys"], 2);
    assert_eq!(body["data"]["name"], "Acme Corporation");

    let seen: Value = support::api_get(&server, "/api/v1/organization", bob_key.expose()).await.json().await.unwrap();
    assert_eq!(seen["data"]["maxKeyLifetimeDays"], 90);
    let keys: Value = support::api_get(&server, "/api/v1/api_keys", bob_key.expose()).await.json().await.unwrap();
    let expires_at: DateTime<Utc> = keys["data"][0]["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires_at, server.clock.now() + TimeDelta::days(90));
}

#[tokio::test]
async fn a_lifetime_that_is_not_offered_or_missing_is_refused_and_changes_nothing() {
    let server = TestServer::start().await;
    let admin = server.create_user("ada", Role::Admin).await;
    let (_, key) = server.generate_key(&admin, None).await;
    for body in [json!({"maxKeyLifetimeDays": 45}), json!({"maxKeyLifetimeDays": -30}), json!({}), json!({"maxKeyLifetimeDays": "90"})] {
        let response = patch(&server, key.expose(), body.clone()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["errors"][0]["code"], "invalid_request", "{body}");
    }
    let message = patch(&server, key.expose(), json!({"maxKeyLifetimeDays": 45})).await.json::<Value>().await.unwrap();
    assert!(message["errors"][0]["message"].as_str().unwrap().contains("30, 90, 180 or 365"), "{message}");
    let seen: Value = support::api_get(&server, "/api/v1/organization", key.expose()).await.json().await.unwrap();
    assert_eq!(seen["data"]["maxKeyLifetimeDays"], Value::Null);
    // Lifting a policy that is not there is fine.
    assert_eq!(patch(&server, key.expose(), json!({"maxKeyLifetimeDays": null})).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn keys_beyond_the_policy_are_refused_with_the_latest_allowed_expiry_on_both_boundaries() {
    let server = TestServer::start().await;
    server.clock.set(server.clock.now());
    let admin = server.create_user("ada", Role::Admin).await;
    let (key_id, admin_key) = server.generate_key(&admin, Some("ops")).await;
    assert_eq!(patch(&server, admin_key.expose(), json!({"maxKeyLifetimeDays": 30})).await.status(), StatusCode::OK);
    let latest = server.clock.now() + TimeDelta::days(30);
    let beyond = (latest + TimeDelta::days(1)).to_rfc3339();

    // REST: made, rolled.
    let response = post(&server, "/api/v1/api_keys", admin_key.expose(), json!({"name": "long", "expiresAt": beyond})).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["errors"][0]["code"], "expiry_beyond_policy");
    assert_eq!(error["errors"][0]["context"]["maxKeyLifetimeDays"], 30);
    let said: DateTime<Utc> = error["errors"][0]["context"]["latest"].as_str().unwrap().parse().unwrap();
    assert_eq!(said, latest);
    assert!(error["errors"][0]["message"].as_str().unwrap().starts_with("Your organization allows keys to live at most 30 days"));
    let path = format!("/api/v1/api_keys/{}/roll", key_id.id);
    let response = post(&server, &path, admin_key.expose(), json!({"gracePeriodSeconds": 0, "expiresAt": beyond})).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The refused roll changed nothing: the key still works.
    assert_eq!(support::api_get(&server, "/api/v1/me", admin_key.expose()).await.status(), StatusCode::OK);
    // With no expiry asked for, the key gets the longest allowed.
    let response = post(&server, "/api/v1/api_keys", admin_key.expose(), json!({"name": "default"})).await;
    let made: Value = response.json().await.unwrap();
    let expires_at: DateTime<Utc> = made["data"]["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires_at, latest);

    // Console: the same refusal, as the panel reads it.
    let browser = server.browser("ada").await;
    let policy: Value = browser.call::<GetOrganizationPolicy>(&json!({})).await.json().await.unwrap();
    assert_eq!(policy["maxKeyLifetimeDays"], 30);
    let response = browser.call::<GenerateApiKey>(&json!({"name": "console-long", "expires_at": beyond})).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["Server"]["ExpiryBeyondPolicy"]["max_days"], 30);
    let id = key_id.id.to_string();
    let response = browser.call::<RollApiKey>(&json!({"id": id, "grace_seconds": 0, "expires_at": beyond})).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = browser.call::<SetKeyLifetimePolicy>(&json!({"max_key_lifetime_days": 45})).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
