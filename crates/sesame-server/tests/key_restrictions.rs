//! Keys kept to some addresses and to a pace, over HTTP: `allowedAddresses` and `rateLimit`
//! at creation and in `PATCH`, 403 `address_not_allowed` from elsewhere (the address the
//! server trusts: `X-Forwarded-For` from a trusted proxy), 429 with `Retry-After` over a
//! key's own limit, bad input refused with nothing changed, and the document saying so.

mod support;

use std::time::Duration;

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use sesame_core::{model::Role, throttle::ThrottleSettings};
use support::{json_of, TestServer};

/// A request with `key`, from `from` as the trusted proxy in front of the server says.
async fn call_from(server: &TestServer, from: &str, method: Method, path: &str, key: &str, body: Option<Value>) -> Response {
    let mut request =
        Client::new().request(method, server.url(path)).header("MC-Api-Key", key).header("X-Forwarded-For", from);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

const OFFICE: &str = "198.51.100.20";

#[tokio::test]
async fn a_key_with_an_allow_list_is_refused_elsewhere_until_the_list_changes() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let ada = server.create_user("ada", Role::User).await;
    let (_, full) = server.generate_key(&ada, Some("full")).await;
    let full = full.expose();

    let body = json!({"name": "ci", "allowedAddresses": ["198.51.100.0/24", "2001:db8::7"]});
    let created = call_from(&server, OFFICE, Method::POST, "/api/v1/api_keys", full, Some(body)).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = json_of(created).await;
    assert_eq!(created["data"]["allowedAddresses"], json!(["198.51.100.0/24", "2001:db8::7"]));
    assert_eq!(created["data"]["rateLimit"], Value::Null);
    let (ci, id) = (created["data"]["secret"].as_str().unwrap().to_owned(), created["data"]["id"].as_str().unwrap().to_owned());

    assert_eq!(call_from(&server, OFFICE, Method::GET, "/api/v1/me", &ci, None).await.status(), StatusCode::OK);
    let refused = call_from(&server, "192.0.2.7", Method::GET, "/api/v1/me", &ci, None).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(json_of(refused).await["errors"][0]["code"], "address_not_allowed");

    // The owner sees where it was tried from (written off the request's path).
    let mut seen = Value::Null;
    for _ in 0..100 {
        let activity = json_of(call_from(&server, OFFICE, Method::GET, "/api/v1/activity", full, None).await).await;
        if let Some(event) = activity["data"].as_array().unwrap().iter().find(|event| event["event"] == "key_address_not_allowed") {
            seen = event.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen["detail"], "192.0.2.7", "{seen}");
    assert_eq!(seen["key"]["name"], "ci");

    // Emptied: anywhere, from the next request on.
    let path = format!("/api/v1/api_keys/{id}");
    let changed = call_from(&server, OFFICE, Method::PATCH, &path, full, Some(json!({"allowedAddresses": []}))).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(json_of(changed).await["data"]["allowedAddresses"], json!([]));
    assert_eq!(call_from(&server, "192.0.2.7", Method::GET, "/api/v1/me", &ci, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_allow_lists_and_limits_are_refused_and_change_nothing() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let ada = server.create_user("ada", Role::User).await;
    let (key, full) = server.generate_key(&ada, Some("full")).await;
    let full = full.expose();
    let path = format!("/api/v1/api_keys/{}", key.id);
    let fifty_one: Vec<String> = (0..51).map(|n| format!("192.0.2.{n}")).collect();
    let bad_bodies = [
        (json!({"allowedAddresses": ["not an address"]}), "allowedAddresses"),
        (json!({"allowedAddresses": ["192.0.2.1/33"]}), "allowedAddresses"),
        (json!({"allowedAddresses": fifty_one}), "allowedAddresses"),
        (json!({"allowedAddresses": null}), "body"),
        (json!({"rateLimit": {"requests": 0, "per": "second"}}), "body"),
        (json!({"rateLimit": {"requests": 1001, "per": "minute"}}), "body"),
        (json!({"rateLimit": {"requests": 5, "per": "hour"}}), "body"),
    ];
    for (body, field) in bad_bodies {
        let refused = call_from(&server, OFFICE, Method::PATCH, &path, full, Some(body.clone())).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{body}");
        let error = json_of(refused).await;
        assert_eq!(error["errors"][0]["code"], "invalid_request", "{body}");
        assert_eq!(error["errors"][0]["context"]["field"], field, "{body}: {error}");
        // At creation, null is "anywhere" (as the document says).
        if body["allowedAddresses"] != Value::Null || body.get("rateLimit").is_some() {
            let created = call_from(&server, OFFICE, Method::POST, "/api/v1/api_keys", full, Some(body.clone())).await;
            assert_eq!(created.status(), StatusCode::BAD_REQUEST, "create with {body}");
        }
    }
    let shown = json_of(call_from(&server, OFFICE, Method::GET, &path, full, None).await).await;
    assert_eq!((shown["data"]["allowedAddresses"].clone(), shown["data"]["rateLimit"].clone()), (json!([]), Value::Null));
    let listed = json_of(call_from(&server, OFFICE, Method::GET, "/api/v1/api_keys", full, None).await).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "nothing was made");
    // Not locked out: the key still works from anywhere.
    assert_eq!(call_from(&server, "192.0.2.99", Method::GET, "/api/v1/me", full, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_key_over_its_own_limit_gets_429_with_retry_after() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let ada = server.create_user("ada", Role::User).await;
    let (key, full) = server.generate_key(&ada, Some("full")).await;
    let full = full.expose();
    let path = format!("/api/v1/api_keys/{}", key.id);
    let limit = json!({"requests": 2, "per": "minute"});
    let changed = call_from(&server, OFFICE, Method::PATCH, &path, full, Some(json!({"rateLimit": limit}))).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(json_of(changed).await["data"]["rateLimit"], limit);

    // Counted from the next request (the change itself was made before there was a limit).
    for _ in 0..2 {
        assert_eq!(call_from(&server, OFFICE, Method::GET, "/api/v1/me", full, None).await.status(), StatusCode::OK);
    }
    let throttled = call_from(&server, OFFICE, Method::GET, "/api/v1/me", full, None).await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(json_of(throttled).await["errors"][0]["code"], "too_many_requests");
    // Another key of the same owner is not held back.
    let (_, other) = server.generate_key(&ada, Some("other")).await;
    assert_eq!(call_from(&server, OFFICE, Method::GET, "/api/v1/me", other.expose(), None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_document_describes_allow_lists_limits_and_their_refusals() {
    let server = TestServer::start().await;
    let document: Value = json_of(Client::new().get(server.url("/api/v1/openapi.json")).send().await.unwrap()).await;
    let schemas = &document["components"]["schemas"];
    let entry = &schemas["AllowedAddress"];
    assert!(entry["pattern"].as_str().unwrap().starts_with("^(?:"), "{entry}");
    assert_eq!(schemas["UpdateApiKeyRequest"]["properties"]["allowedAddresses"]["maxItems"], 50);
    assert_eq!(schemas["KeyRateLimit"]["properties"]["requests"]["maximum"], 1000);
    let forbidden = document["paths"]["/api/v1/me"]["get"]["responses"]["403"]["description"].as_str().unwrap();
    assert!(forbidden.contains("address_not_allowed"), "{forbidden}");
    let create = document["paths"]["/api/v1/api_keys"]["post"]["responses"]["403"]["description"].as_str().unwrap();
    assert!(create.contains("restriction_exceeds_key") && create.contains("scope_exceeds_key"), "{create}");
}

#[tokio::test]
async fn a_keys_usage_is_served_by_outcome_and_bad_ranges_are_refused() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let ada = server.create_user("ada", Role::User).await;
    let (_, full) = server.generate_key(&ada, Some("full")).await;
    let full = full.expose();
    let body = json!({"name": "monitor", "scopes": ["me:read"], "allowedAddresses": ["198.51.100.0/24"]});
    let created = json_of(call_from(&server, OFFICE, Method::POST, "/api/v1/api_keys", full, Some(body)).await).await;
    let (monitor, id) = (created["data"]["secret"].as_str().unwrap().to_owned(), created["data"]["id"].as_str().unwrap().to_owned());

    for _ in 0..2 {
        assert_eq!(call_from(&server, OFFICE, Method::GET, "/api/v1/me", &monitor, None).await.status(), StatusCode::OK);
    }
    let refused = call_from(&server, OFFICE, Method::GET, "/api/v1/api_keys", &monitor, None).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let elsewhere = call_from(&server, "192.0.2.7", Method::GET, "/api/v1/me", &monitor, None).await;
    assert_eq!(elsewhere.status(), StatusCode::FORBIDDEN);

    // What the batched writer does every second (the test server has no writer of its own).
    server.services.flush_last_use().await.unwrap();
    let path = format!("/api/v1/api_keys/{id}/usage");
    let expected = json!({"accepted": 2, "outOfScope": 1, "addressNotAllowed": 1, "throttled": 0});
    let usage = json_of(call_from(&server, OFFICE, Method::GET, &path, full, None).await).await;
    assert_eq!(usage["data"]["totals"], expected, "{usage}");
    assert_eq!(usage["data"]["granularity"], "hour");
    let buckets = usage["data"]["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 24, "the last 24 hours, this one included");
    assert_eq!(buckets.last().unwrap()["accepted"], 2, "this hour, last");
    let days = json_of(call_from(&server, OFFICE, Method::GET, &format!("{path}?granularity=day"), full, None).await).await;
    assert_eq!(days["data"]["buckets"].as_array().unwrap().len(), 30);
    assert_eq!(days["data"]["totals"], expected);

    for query in ["?granularity=week", "?from=yesterday", "?to=2026-13-01T00:00:00Z"] {
        let refused = call_from(&server, OFFICE, Method::GET, &format!("{path}{query}"), full, None).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(json_of(refused).await["errors"][0]["code"], "invalid_request", "{query}");
    }
    // A range backwards has no buckets; one too long is cut to its end.
    let backwards = format!("{path}?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z");
    let backwards = json_of(call_from(&server, OFFICE, Method::GET, &backwards, full, None).await).await;
    assert_eq!(backwards["data"]["buckets"], json!([]));
    let long = format!("{path}?from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&granularity=day");
    let long = json_of(call_from(&server, OFFICE, Method::GET, &long, full, None).await).await;
    assert_eq!(long["data"]["from"], "2025-12-01T00:00:00Z", "90 days before the end");
    assert_eq!(long["data"]["buckets"].as_array().unwrap().len(), 90);
}

/// `POST /api/v1/api_keys` with `key` and `body`: the status and the body.
async fn create_key(server: &TestServer, key: &str, body: Value) -> (StatusCode, Value) {
    let response = call_from(server, OFFICE, Method::POST, "/api/v1/api_keys", key, Some(body)).await;
    (response.status(), json_of(response).await)
}

#[tokio::test]
async fn a_key_that_expires_makes_and_rolls_no_key_that_outlives_it() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let ada = server.create_user("ada", Role::User).await;
    let (_, full) = server.generate_key(&ada, Some("full")).await;
    let ends = (server.clock.now() + chrono::TimeDelta::minutes(10)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (status, boxed) = create_key(&server, full.expose(), json!({"name": "boxed", "expiresAt": ends})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (boxed_id, boxed) = (boxed["data"]["id"].as_str().unwrap().to_owned(), boxed["data"]["secret"].as_str().unwrap().to_owned());

    // Made with no expiry: it expires with its maker.
    let (status, child) = create_key(&server, &boxed, json!({"name": "child"})).await;
    assert_eq!(status, StatusCode::CREATED, "{child}");
    assert_eq!(child["data"]["expiresAt"].as_str().map(|at| at.parse::<chrono::DateTime<chrono::Utc>>().unwrap()), Some(ends.parse().unwrap()));
    // Never expiring, or later than itself: refused, and nothing made.
    let (status, refused) = create_key(&server, &boxed, json!({"name": "forever", "expiresAt": "2099-01-01T00:00:00Z"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["errors"][0]["code"], "restriction_exceeds_key");
    let rolled_far = json!({"gracePeriodSeconds": 0, "expiresAt": "2099-01-01T00:00:00Z"});
    let refused = call_from(&server, OFFICE, Method::POST, &format!("/api/v1/api_keys/{boxed_id}/roll"), &boxed, Some(rolled_far)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(json_of(refused).await["errors"][0]["code"], "restriction_exceeds_key");
    let listed = json_of(call_from(&server, OFFICE, Method::GET, "/api/v1/api_keys", full.expose(), None).await).await;
    let names: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|key| key["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["full", "boxed", "child"]);
    assert_eq!(call_from(&server, OFFICE, Method::GET, "/api/v1/me", &boxed, None).await.status(), StatusCode::OK, "not rolled");
}

#[tokio::test]
async fn keys_made_by_a_limited_key_share_its_allowance_over_http() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let ada = server.create_user("ada", Role::User).await;
    let (_, full) = server.generate_key(&ada, Some("full")).await;
    let body = json!({"name": "limited", "rateLimit": {"requests": 3, "per": "minute"}});
    let (_, limited) = create_key(&server, full.expose(), body).await;
    let limited = limited["data"]["secret"].as_str().unwrap().to_owned();

    // Its first request makes a child, and the child's first makes a grandchild…
    let (status, child) = create_key(&server, &limited, json!({"name": "child"})).await;
    assert_eq!(status, StatusCode::CREATED, "{child}");
    let child = child["data"]["secret"].as_str().unwrap().to_owned();
    let (status, grandchild) = create_key(&server, &child, json!({"name": "grandchild"})).await;
    assert_eq!(status, StatusCode::CREATED, "{grandchild}");
    let grandchild = grandchild["data"]["secret"].as_str().unwrap().to_owned();
    // …and the family's third request is its last this minute, whichever key makes it.
    assert_eq!(call_from(&server, OFFICE, Method::GET, "/api/v1/me", &grandchild, None).await.status(), StatusCode::OK);
    for key in [&limited, &child, &grandchild] {
        let refused = call_from(&server, OFFICE, Method::GET, "/api/v1/me", key, None).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key("retry-after"));
    }
}

#[tokio::test]
async fn an_owner_has_a_bounded_number_of_keys_made_in_bursts_at_most() {
    let throttles = ThrottleSettings { key_creation_burst: 4, key_creation_refill: Duration::from_secs(60), ..ThrottleSettings::default() };
    let server = TestServer::start_with_settings(sesame_core::Settings { max_keys_per_owner: 3, throttles, ..Default::default() }).await;
    let ada = server.create_user("ada", Role::User).await;
    let (_, full) = server.generate_key(&ada, Some("full")).await;
    for name in ["two", "three"] {
        assert_eq!(create_key(&server, full.expose(), json!({"name": name})).await.0, StatusCode::CREATED);
    }
    let (status, refused) = create_key(&server, full.expose(), json!({"name": "four"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["errors"][0]["code"], "too_many_keys");
    assert_eq!(refused["errors"][0]["context"]["maxKeys"], 3);
    let listed = json_of(call_from(&server, OFFICE, Method::GET, "/api/v1/api_keys", full.expose(), None).await).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 3, "nothing made");

    // Room again; but four calls in a minute is the most (the refused one counted too).
    let two = listed["data"][1]["id"].as_str().unwrap();
    call_from(&server, OFFICE, Method::DELETE, &format!("/api/v1/api_keys/{two}"), full.expose(), None).await;
    assert_eq!(create_key(&server, full.expose(), json!({"name": "again"})).await.0, StatusCode::CREATED);
    let response = call_from(&server, OFFICE, Method::POST, "/api/v1/api_keys", full.expose(), Some(json!({"name": "more"}))).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}
