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
