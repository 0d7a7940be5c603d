//! Bad input gets a clear error, never a 500, and changes nothing.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_api::functions::{GenerateApiKey, UpdateApiKey};
use support::TestServer;

async fn setup() -> (TestServer, support::Browser, String, String) {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let alice = server.browser("alice").await;
    let (id, key) = server.key_for(&alice).await;
    (server, alice, id, key)
}

fn bad_names() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("empty", String::new(), "Empty"),
        ("blank", "   \t ".into(), "Empty"),
        ("101 characters", "a".repeat(101), "TooLong"),
        ("control character", "line\nbreak".into(), "ControlCharacter"),
        ("escape sequence", "\u{1b}[31mred".into(), "ControlCharacter"),
        // They make one name look like another in the panel and the activity log.
        ("right-to-left override", "invoice\u{202E}fdp.exe".into(), "InvisibleCharacter"),
        ("zero-width space", "dep\u{200B}loy".into(), "InvisibleCharacter"),
        ("byte order mark", "\u{FEFF}deploy".into(), "InvisibleCharacter"),
    ]
}

#[tokio::test]
async fn bad_names_through_the_console() {
    let (_server, alice, id, _) = setup().await;
    let before = alice.keys().await;
    for (case, name, problem) in bad_names() {
        let rename = alice.call::<UpdateApiKey>(&json!({"id": id, "name": name})).await;
        assert_eq!(rename.status(), StatusCode::BAD_REQUEST, "{case}");
        assert_eq!(rename.json::<Value>().await.unwrap(), json!({"Server": {"InvalidRequest": {"Name": problem}}}), "{case}");
        if problem != "Empty" {
            // An empty name on generate means "pick the default", so only the others fail.
            let generate = alice.call::<GenerateApiKey>(&json!({"name": name})).await;
            assert_eq!(generate.status(), StatusCode::BAD_REQUEST, "{case}");
        }
    }
    let long = alice.call::<UpdateApiKey>(&json!({"id": id, "name": "x".repeat(50_000)})).await;
    assert_eq!(long.json::<Value>().await.unwrap(), json!({"Server": {"InvalidRequest": {"Name": "TooLong"}}}));
    // Server functions take typed ids: what is not an id is refused as bad input before
    // anything runs; a well-formed id that names no key of hers is not found.
    for bad_id in ["not-a-uuid", "", "'; DROP TABLE api_keys; --"] {
        let rename = alice.call::<UpdateApiKey>(&json!({"id": bad_id, "name": "fine"})).await;
        assert_eq!(rename.status(), StatusCode::BAD_REQUEST, "{bad_id:?}");
    }
    let nobody = alice.call::<UpdateApiKey>(&json!({"id": "00000000-0000-0000-0000-000000000000", "name": "fine"})).await;
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);
    let malformed = alice
        .client
        .post(format!("{}{}", _server.base_url, <UpdateApiKey as leptos::server_fn::ServerFn>::PATH))
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(alice.keys().await, before, "bad input changed something");
}

#[tokio::test]
async fn bad_input_through_the_rest_api() {
    let (server, alice, id, key) = setup().await;
    // Using the key records its last use, so compare ids and names only.
    let names = |keys: Vec<Value>| keys.iter().map(|k| (k["id"].clone(), k["name"].clone())).collect::<Vec<_>>();
    let before = names(alice.keys().await);
    let client = Client::new();
    let patch = |path: String, body: String| {
        client
            .patch(server.url(&path))
            .header("MC-Api-Key", &key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (case, name, _) in bad_names() {
        let response = patch(format!("/api/v1/api_keys/{id}"), json!({"name": name}).to_string()).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "invalid_request", "{case}");
        assert_eq!(body["errors"][0]["context"]["field"], "name", "{case}");
    }
    let huge = patch(format!("/api/v1/api_keys/{id}"), json!({"name": "x".repeat(1 << 20)}).to_string()).await.unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = huge.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "payload_too_large");

    let malformed = patch(format!("/api/v1/api_keys/{id}"), "{not json".into()).await.unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "invalid_request");

    let wrong_shape = patch(format!("/api/v1/api_keys/{id}"), json!({"name": 42}).to_string()).await.unwrap();
    assert_eq!(wrong_shape.status(), StatusCode::BAD_REQUEST);

    for bad_id in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
        let response = patch(format!("/api/v1/api_keys/{bad_id}"), json!({"name": "ok"}).to_string()).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{bad_id}");
        let deleted = client
            .delete(server.url(&format!("/api/v1/api_keys/{bad_id}")))
            .header("MC-Api-Key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NOT_FOUND, "{bad_id}");
    }
    assert_eq!(names(alice.keys().await), before, "bad input changed something");
}

#[tokio::test]
async fn markup_in_a_name_is_kept_as_text_and_clashes_are_conflicts() {
    let (server, alice, id, key) = setup().await;
    let client = Client::new();
    let created = client
        .post(server.url("/api/v1/api_keys"))
        .header("MC-Api-Key", &key)
        .json(&json!({"name": "<script>alert(1)</script>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["data"]["name"], "<script>alert(1)</script>");
    assert!(body["data"]["secret"].as_str().unwrap().starts_with("sesame_"));

    let clash = client
        .patch(server.url(&format!("/api/v1/api_keys/{id}")))
        .header("MC-Api-Key", &key)
        .json(&json!({"name": "<SCRIPT>alert(1)</SCRIPT>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(clash.status(), StatusCode::CONFLICT);
    let body: Value = clash.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "conflict");
    assert_eq!(alice.keys().await.len(), 2);
}

/// Which fault a request with several is answered for: the body before the path's id, the
/// wire values before the key's permissions, `to` before `from` — as the API always answered.
#[tokio::test]
async fn with_several_faults_the_first_one_read_is_answered() {
    let (server, _alice, id, key) = setup().await;
    let client = Client::new();
    let send = |method: reqwest::Method, path: String, key: &str, body: Option<&str>| {
        let mut request = client.request(method, server.url(&path)).header("MC-Api-Key", key);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_owned());
        }
        request.send()
    };
    let code = |body: Value| (body["errors"][0]["code"].as_str().unwrap_or_default().to_owned(), body["errors"][0]["context"]["field"].clone());

    // A body that is not JSON, on a path whose id is not an id: the body is bad input.
    for (method, path) in [(reqwest::Method::PATCH, "/api/v1/api_keys/not-a-uuid"), (reqwest::Method::POST, "/api/v1/api_keys/not-a-uuid/roll")] {
        let answer = send(method, path.into(), &key, Some("{not json")).await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    // The id before the query's values; with both ends of the range bad, `to` is named.
    let answer = send(reqwest::Method::GET, "/api/v1/api_keys/not-a-uuid/usage?from=x&to=y".into(), &key, None).await.unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let answer = send(reqwest::Method::GET, format!("/api/v1/api_keys/{id}/usage?from=x&to=y"), &key, None).await.unwrap();
    assert_eq!(code(answer.json().await.unwrap()), ("invalid_request".to_owned(), json!("to")));

    // A read-only key sending scopes that break their rule: bad input, before its permissions.
    let made = send(reqwest::Method::POST, "/api/v1/api_keys".into(), &key, Some(r#"{"name": "reader", "scopes": ["me:read", "api_keys:read"]}"#)).await.unwrap();
    let reader = made.json::<Value>().await.unwrap()["data"]["secret"].as_str().unwrap().to_owned();
    let answer = send(reqwest::Method::POST, "/api/v1/api_keys".into(), &reader, Some(r#"{"scopes": []}"#)).await.unwrap();
    assert_eq!(code(answer.json().await.unwrap()), ("invalid_request".to_owned(), json!("scopes")));
    let answer = send(reqwest::Method::PATCH, format!("/api/v1/api_keys/{id}"), &reader, Some(r#"{"allowedAddresses": ["nowhere"]}"#)).await.unwrap();
    assert_eq!(code(answer.json().await.unwrap()), ("invalid_request".to_owned(), json!("allowedAddresses")));
    // A bad name and bad scopes together: the scopes are named, as they were read first.
    let answer = send(reqwest::Method::PATCH, format!("/api/v1/api_keys/{id}"), &key, Some(r#"{"name": "", "scopes": []}"#)).await.unwrap();
    assert_eq!(code(answer.json().await.unwrap()), ("invalid_request".to_owned(), json!("scopes")));
}
