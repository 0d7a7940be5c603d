//! `/api/v1/api_keys`: everything the panel does, through the API.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use support::{api_get, TestServer};

#[tokio::test]
async fn create_list_rename_delete() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (_, key) = server.key_for(&alice).await;
    let client = Client::new();

    let created = client
        .post(server.url("/api/v1/api_keys"))
        .header("MC-Api-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let new_id = created["data"]["id"].as_str().unwrap().to_owned();
    let new_secret = created["data"]["secret"].as_str().unwrap().to_owned();
    let default_name = created["data"]["name"].as_str().unwrap();
    assert!(default_name.starts_with("api_key_") && default_name.len() == 16, "{default_name}");

    let listed: Value = api_get(&server, "/api/v1/api_keys", &key).await.json().await.unwrap();
    let list = listed["data"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|k| k.get("secret").is_none() && k.get("keyHash").is_none()));
    assert!(list.iter().any(|k| k["id"] == new_id.as_str()));

    let renamed = client
        .patch(server.url(&format!("/api/v1/api_keys/{new_id}")))
        .header("MC-Api-Key", &key)
        .json(&json!({"name": "  nightly backup  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!(renamed["data"]["name"], "nightly backup");

    assert_eq!(api_get(&server, "/api/v1/me", &new_secret).await.status(), StatusCode::OK);
    let deleted = client
        .delete(server.url(&format!("/api/v1/api_keys/{new_id}")))
        .header("MC-Api-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    // Refused from the very next request.
    assert_eq!(api_get(&server, "/api/v1/me", &new_secret).await.status(), StatusCode::UNAUTHORIZED);
    // A key may delete itself; it is then refused too.
    let own_id = alice.keys().await[0]["id"].as_str().unwrap().to_owned();
    let own = client
        .delete(server.url(&format!("/api/v1/api_keys/{own_id}")))
        .header("MC-Api-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::NO_CONTENT);
    assert_eq!(api_get(&server, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_endpoints_answer_in_the_errors_format() {
    let server = TestServer::start().await;
    let response = Client::new().get(server.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "not_found");
}

#[tokio::test]
async fn bodies_must_be_json_objects_and_a_refused_one_changes_nothing() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (id, key) = server.key_for(&alice).await;
    let send = |method: reqwest::Method, path: String, body: &'static str| {
        Client::new()
            .request(method, server.url(&path))
            .header("MC-Api-Key", &key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    // serde would read `["…"]` as the struct's fields in order: the API must not.
    for (method, path, body) in [
        (reqwest::Method::POST, "/api/v1/api_keys".to_owned(), "[null]"),
        (reqwest::Method::POST, "/api/v1/api_keys".to_owned(), r#"["ci"]"#),
        (reqwest::Method::PATCH, format!("/api/v1/api_keys/{id}"), r#"["renamed"]"#),
        (reqwest::Method::POST, "/api/v1/me/password".to_owned(), r#"["a", "b"]"#),
    ] {
        let response = send(method.clone(), path.clone(), body).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{method} {path} {body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["errors"][0]["code"], "invalid_request", "{method} {path} {body}");
    }
    let keys = alice.keys().await;
    assert_eq!(keys.len(), 1, "nothing created");
    assert_ne!(keys[0]["name"], "renamed");

    // An object, `null` and no body at all are all fine for a create.
    for body in [r#"{"name": "ci"}"#, "null"] {
        assert_eq!(send(reqwest::Method::POST, "/api/v1/api_keys".to_owned(), body).await.unwrap().status(), StatusCode::CREATED);
    }
    let bare = Client::new().post(server.url("/api/v1/api_keys")).header("MC-Api-Key", &key).send().await.unwrap();
    assert_eq!(bare.status(), StatusCode::CREATED);
}

/// A refusal as a client sees it: status, `WWW-Authenticate` and body.
async fn refusal(server: &TestServer, key: &str) -> (StatusCode, Option<String>, Value) {
    let response = api_get(server, "/api/v1/me", key).await;
    let challenge = response.headers().get("www-authenticate").map(|value| value.to_str().unwrap().to_owned());
    (response.status(), challenge, response.json().await.unwrap())
}

#[tokio::test]
async fn an_expired_or_disabled_key_is_refused_exactly_like_a_deleted_one() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (_, key) = server.key_for(&alice).await;
    let client = Client::new();
    let create = |body: Value| client.post(server.url("/api/v1/api_keys")).header("MC-Api-Key", &key).json(&body).send();
    let patch = |id: &str, body: Value| {
        client.patch(server.url(&format!("/api/v1/api_keys/{id}"))).header("MC-Api-Key", &key).json(&body).send()
    };

    // The refusal a deleted key gets, to compare with.
    let (deleted_id, deleted_key) = server.key_for(&alice).await;
    assert_eq!(client.delete(server.url(&format!("/api/v1/api_keys/{deleted_id}"))).header("MC-Api-Key", &key).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    let deleted = refusal(&server, &deleted_key).await;
    assert_eq!(deleted.0, StatusCode::UNAUTHORIZED);

    // Expiry: in the future, as RFC 3339; a past one or a non-date is refused.
    let expires_at = server.clock.now() + chrono::TimeDelta::days(30);
    let made = create(json!({"name": "monthly", "expiresAt": expires_at})).await.unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    let parsed: chrono::DateTime<chrono::Utc> = made["data"]["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(parsed, expires_at);
    assert_eq!(made["data"]["status"], "active");
    let expiring = made["data"]["secret"].as_str().unwrap().to_owned();
    // A past expiry is valid for the document but refused (422); a non-date breaks it (400).
    for (bad, status, code, field) in [
        (json!({"expiresAt": server.clock.now()}), StatusCode::UNPROCESSABLE_ENTITY, "expiry_in_past", "expiresAt"),
        (json!({"expiresAt": "next tuesday"}), StatusCode::BAD_REQUEST, "invalid_request", "body"),
    ] {
        let refused = create(bad.clone()).await.unwrap();
        assert_eq!(refused.status(), status, "{bad}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], code, "{bad}");
        assert_eq!(body["errors"][0]["context"]["field"], field, "{bad}");
    }
    assert_eq!(alice.keys().await.len(), 2, "the refused creations made nothing");

    assert_eq!(api_get(&server, "/api/v1/me", &expiring).await.status(), StatusCode::OK);
    server.clock.set(expires_at);
    assert_eq!(refusal(&server, &expiring).await, deleted);
    let listed: Value = api_get(&server, "/api/v1/api_keys", &key).await.json().await.unwrap();
    assert!(listed["data"].as_array().unwrap().iter().any(|listed| listed["name"] == "monthly"), "expired keys stay listed");

    // Disable, refused like a deleted key; enable, accepted again.
    let (id, other) = server.key_for(&alice).await;
    assert_eq!(api_get(&server, "/api/v1/me", &other).await.status(), StatusCode::OK);
    let disabled = patch(&id, json!({"status": "disabled"})).await.unwrap();
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_eq!(disabled.json::<Value>().await.unwrap()["data"]["status"], "disabled");
    assert_eq!(refusal(&server, &other).await, deleted);
    for bad in [json!({}), json!({"status": "paused"}), json!({"status": null, "name": null})] {
        let refused = patch(&id, bad.clone()).await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let enabled = patch(&id, json!({"status": "active", "name": "back"})).await.unwrap();
    assert_eq!(enabled.status(), StatusCode::OK);
    let enabled: Value = enabled.json().await.unwrap();
    assert_eq!((enabled["data"]["status"].as_str(), enabled["data"]["name"].as_str()), (Some("active"), Some("back")));
    assert_eq!(api_get(&server, "/api/v1/me", &other).await.status(), StatusCode::OK);

    // A key may disable itself (a job that suspects a leak); it is refused from then on.
    let own_id = alice.keys().await.iter().find(|k| k["name"] != "monthly" && k["name"] != "back").unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(patch(&own_id, json!({"status": "disabled"})).await.unwrap().status(), StatusCode::OK);
    assert_eq!(refusal(&server, &key).await, deleted);
}

#[tokio::test]
async fn a_key_is_rolled_with_overlap_through_the_api_and_the_overlap_can_end_early() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (_, admin_key) = server.key_for(&alice).await;
    let (id, _) = server.key_for(&alice).await;
    let client = Client::new();
    let roll = |body: Value| {
        client.post(server.url(&format!("/api/v1/api_keys/{id}/roll"))).header("MC-Api-Key", &admin_key).json(&body).send()
    };

    for bad in [
        json!({"gracePeriodSeconds": 604801}),
        json!({"gracePeriodSeconds": -1}),
        json!({"gracePeriodSeconds": 1.5}),
        json!({}),
        json!({"gracePeriodSeconds": "1h"}),
    ] {
        assert_eq!(roll(bad.clone()).await.unwrap().status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    // JSON Schema's integers include 60.0; the API reads it as 60.
    let rolled = roll(json!({"gracePeriodSeconds": 60.0})).await.unwrap();
    assert_eq!(rolled.status(), StatusCode::OK);
    let old = rolled.json::<Value>().await.unwrap()["data"]["secret"].as_str().unwrap().to_owned();
    let rolled = roll(json!({"gracePeriodSeconds": 86400})).await.unwrap();
    assert_eq!(rolled.status(), StatusCode::OK);
    let rolled: Value = rolled.json().await.unwrap();
    assert_eq!(rolled["data"]["id"], id.as_str());
    assert!(rolled["data"]["previousSecretValidUntil"].is_string());
    let new = rolled["data"]["secret"].as_str().unwrap().to_owned();
    for secret in [&old, &new] {
        assert_eq!(api_get(&server, "/api/v1/me", secret).await.status(), StatusCode::OK);
    }

    let ended = client.delete(server.url(&format!("/api/v1/api_keys/{id}/previous_secret"))).header("MC-Api-Key", &admin_key).send().await.unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert_eq!(api_get(&server, "/api/v1/me", &old).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api_get(&server, "/api/v1/me", &new).await.status(), StatusCode::OK);
    let listed: Value = api_get(&server, "/api/v1/api_keys", &new).await.json().await.unwrap();
    assert!(listed["data"].as_array().unwrap().iter().all(|key| key["previousSecretValidUntil"].is_null()));

    // An expired key is not rolled: 409.
    let expires_at = server.clock.now() + chrono::TimeDelta::days(1);
    let made: Value = client.post(server.url("/api/v1/api_keys")).header("MC-Api-Key", &admin_key).json(&json!({"expiresAt": expires_at})).send().await.unwrap().json().await.unwrap();
    let expiring = made["data"]["id"].as_str().unwrap().to_owned();
    server.clock.set(expires_at);
    let refused = client.post(server.url(&format!("/api/v1/api_keys/{expiring}/roll"))).header("MC-Api-Key", &admin_key).json(&json!({"gracePeriodSeconds": 0})).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn one_key_is_read_with_the_addresses_it_was_used_from() {
    let server = TestServer::start_with_throttles(sesame_core::throttle::ThrottleSettings::default()).await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (id, key) = server.key_for(&alice).await;
    for address in ["203.0.113.1", "203.0.113.2", "203.0.113.1"] {
        let response = Client::new().get(server.url("/api/v1/me")).header("MC-Api-Key", &key).header("X-Forwarded-For", address).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    server.services.flush_last_use().await.unwrap();
    let details: Value = api_get(&server, &format!("/api/v1/api_keys/{id}"), &key).await.json().await.unwrap();
    assert_eq!(details["data"]["id"], id.as_str());
    let addresses: Vec<&str> = details["data"]["recentAddresses"].as_array().unwrap().iter().map(|a| a["ip"].as_str().unwrap()).collect();
    assert_eq!(addresses, ["203.0.113.1", "203.0.113.2"]);
    assert!(details["data"]["recentAddresses"][0]["firstSeen"].is_string());
    let unknown = api_get(&server, "/api/v1/api_keys/00000000-0000-4000-8000-000000000000", &key).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
