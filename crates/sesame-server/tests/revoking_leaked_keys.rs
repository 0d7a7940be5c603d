//! `POST /api/v1/api_keys/revoke`: anyone holding leaked keys can have them deleted, with no
//! key of their own; the answer never tells whether a key existed.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_core::{model::Role, throttle::ThrottleSettings};
use support::{api_get, TestServer};

/// An event as the activity lists it: kind, actor, key name, client address.
type EventFields = (String, Option<String>, Option<String>, Option<String>);

const REPORTER_IP: &str = "203.0.113.40";

async fn report(server: &TestServer, body: Value) -> (StatusCode, Value) {
    let response = Client::new()
        .post(server.url("/api/v1/api_keys/revoke"))
        .header("X-Forwarded-For", REPORTER_IP)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The events `key`'s owner sees: (event, actor, key name, ip).
async fn activity(server: &TestServer, key: &str) -> Vec<EventFields> {
    let body: Value = api_get(server, "/api/v1/activity", key).await.json().await.unwrap();
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |value: &Value| value.as_str().map(str::to_owned);
            (text(&e["event"]).unwrap(), text(&e["actor"]), text(&e["key"]["name"]), text(&e["ip"]))
        })
        .collect()
}

#[tokio::test]
async fn reported_keys_are_deleted_whoever_owns_them_and_the_answer_says_nothing() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let alice = server.create_user("alice", Role::User).await;
    let stranger = server.create_user_in("stranger", "Globex", Role::Admin).await;
    let (_, leaked) = server.generate_key(&alice, Some("pasted-in-chat")).await;
    let (_, kept) = server.generate_key(&alice, Some("kept")).await;
    let (_, strangers) = server.generate_key(&stranger, Some("globex-ci")).await;
    let (gone_id, gone) = server.generate_key(&alice, Some("already-gone")).await;
    let (leaked, kept, strangers, gone) = (leaked.expose(), kept.expose(), strangers.expose(), gone.expose());
    server.services.keys.remove(&sesame_core::actor::Actor::command_line(alice.clone()), gone_id.id).await.unwrap();
    for key in [leaked, kept, strangers] {
        // Used once, so every one of them is in the key cache.
        assert_eq!(api_get(&server, "/api/v1/me", key).await.status(), StatusCode::OK);
    }

    // Unknown keys only, then real, deleted, malformed and repeated ones mixed: the same
    // answer for the same number of entries.
    let forged = "sesame_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg0AbCdE";
    let unknown = sesame_core::key::ApiKeySecret::generate();
    let nothing_found = report(&server, json!({"keys": [unknown.expose(), forged, "x", "y", "z"]})).await;
    let mixed = json!({"keys": [format!("  {leaked}\n"), gone, "not a key", strangers, leaked]});
    let found = report(&server, mixed).await;
    assert_eq!(nothing_found, (StatusCode::OK, json!({"data": {"received": 5}})));
    assert_eq!(found, nothing_found);

    // Refused from the next request on; the key not reported still works.
    for key in [leaked, strangers] {
        assert_eq!(api_get(&server, "/api/v1/me", key).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(api_get(&server, "/api/v1/me", kept).await.status(), StatusCode::OK);

    // Each owner is told, with the key's name and the reporter's address; nobody acted.
    let revoked = |events: Vec<EventFields>| {
        events.into_iter().filter(|event| event.0 == "key_revoked_as_leaked").collect::<Vec<_>>()
    };
    let expected = |name: &str| vec![("key_revoked_as_leaked".to_owned(), None, Some(name.to_owned()), Some(REPORTER_IP.to_owned()))];
    assert_eq!(revoked(activity(&server, kept).await), expected("pasted-in-chat"));
    let (_, strangers_other) = server.generate_key(&stranger, Some("second")).await;
    assert_eq!(revoked(activity(&server, strangers_other.expose()).await), expected("globex-ci"));
}

#[tokio::test]
async fn bad_reports_are_refused_whole_and_reporters_are_limited_per_address() {
    let throttles = ThrottleSettings { revoke_burst_per_ip: 3, ..Default::default() };
    let server = TestServer::start_with_throttles(throttles).await;
    let alice = server.create_user("alice", Role::User).await;
    let (_, key) = server.generate_key(&alice, None).await;

    // More than 1,000 entries, or not a list of texts: 400, and nothing is revoked.
    let too_many: Vec<&str> = std::iter::repeat_n(key.expose(), 1001).collect();
    let too_long = format!("{}{}", key.expose(), "x".repeat(201));
    for body in [
        json!({"keys": too_many}),
        json!({"keys": key.expose()}),
        json!({"keys": [1]}),
        json!({"keys": [key.expose(), too_long]}),
        json!([key.expose()]),
    ] {
        let (status, answer) = report(&server, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["errors"][0]["code"], "invalid_request");
    }
    assert_eq!(api_get(&server, "/api/v1/me", key.expose()).await.status(), StatusCode::OK);

    // Three reports from one address, then it waits; another address does not.
    for _ in 0..3 {
        assert_eq!(report(&server, json!({"keys": []})).await.0, StatusCode::OK);
    }
    let response = Client::new()
        .post(server.url("/api/v1/api_keys/revoke"))
        .header("X-Forwarded-For", REPORTER_IP)
        .json(&json!({"keys": [key.expose()]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_some());
    assert_eq!(api_get(&server, "/api/v1/me", key.expose()).await.status(), StatusCode::OK, "a refused report revokes nothing");
    let elsewhere = Client::new()
        .post(server.url("/api/v1/api_keys/revoke"))
        .header("X-Forwarded-For", "198.51.100.77")
        .json(&json!({"keys": [key.expose()]}))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::OK);
    assert_eq!(api_get(&server, "/api/v1/me", key.expose()).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_reported_previous_secret_ends_the_overlap_and_spares_the_new_secret() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (id, old) = server.key_for(&alice).await;
    let rolled = alice.call::<sesame_api::functions::RollApiKey>(&json!({"id": id, "grace_seconds": 3600})).await;
    let new = rolled.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
    assert_eq!(api_get(&server, "/api/v1/me", &old).await.status(), StatusCode::OK);

    assert_eq!(report(&server, json!({"keys": [old]})).await.0, StatusCode::OK);
    assert_eq!(api_get(&server, "/api/v1/me", &old).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api_get(&server, "/api/v1/me", &new).await.status(), StatusCode::OK);
    let events = activity(&server, &new).await;
    assert!(events.iter().any(|event| event.0 == "key_revoked_as_leaked"), "{events:?}");
}
