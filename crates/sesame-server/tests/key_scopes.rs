//! Scoped keys over HTTP: `scopes` at creation and in `PATCH`, 403 `insufficient_scope` with
//! the missing permission and an RFC 6750 challenge, bad lists refused with nothing
//! changed, the refusal in the owner's activity, and the permission each operation needs
//! in the OpenAPI document and on the docs page.

mod support;

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use support::{api_call, json_of, TestServer};

#[tokio::test]
async fn a_read_only_key_reads_is_refused_writes_and_its_owner_sees_the_refusal() {
    let server = TestServer::start().await;
    let ada = server.create_user("ada", Role::Admin).await;
    let (_, full) = server.generate_key(&ada, Some("full")).await;
    let full = full.expose();

    let created = api_call(&server, full, Method::POST, "/api/v1/api_keys", Some(json!({"name": "monitor", "scopes": ["me:read", "api_keys:read", "users:read", "activity:read"]}))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = json_of(created).await;
    assert_eq!(created["data"]["scopes"], json!(["me:read", "api_keys:read", "users:read", "activity:read"]));
    let reader = created["data"]["secret"].as_str().unwrap().to_owned();

    assert_eq!(api_call(&server, &reader, Method::GET, "/api/v1/me", None).await.status(), StatusCode::OK);
    assert_eq!(api_call(&server, &reader, Method::GET, "/api/v1/users", None).await.status(), StatusCode::OK);
    let refused = api_call(&server, &reader, Method::POST, "/api/v1/api_keys", Some(json!({"name": "escalate"}))).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let challenge = refused.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.contains(r#"error="insufficient_scope""#) && challenge.contains(r#"scope="api_keys:write""#), "{challenge}");
    let body = json_of(refused).await;
    assert_eq!(body["errors"][0]["code"], "insufficient_scope");
    assert_eq!(body["errors"][0]["context"]["required"], json!(["api_keys:write"]));

    // Listed with their scopes; the full key's are null.
    let listed = json_of(api_call(&server, full, Method::GET, "/api/v1/api_keys", None).await).await;
    let names: Vec<_> = listed["data"].as_array().unwrap().iter().map(|key| (key["name"].clone(), key["scopes"].clone())).collect();
    assert_eq!(names.len(), 2, "nothing was made");
    assert_eq!(names[0], (json!("full"), Value::Null));

    // The owner sees the refusal in the activity (written off the request's path).
    let mut seen = Value::Null;
    for _ in 0..100 {
        let activity = json_of(api_call(&server, full, Method::GET, "/api/v1/activity", None).await).await;
        if let Some(event) = activity["data"].as_array().unwrap().iter().find(|event| event["event"] == "key_out_of_scope") {
            seen = event.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen["detail"], "api_keys:write", "{seen}");
    assert_eq!(seen["key"]["name"], "monitor");
}

#[tokio::test]
async fn scopes_are_changed_with_patch_and_bad_lists_change_nothing() {
    let server = TestServer::start().await;
    let ada = server.create_user("ada", Role::Admin).await;
    let (key, secret) = server.generate_key(&ada, Some("ci")).await;
    let (secret, path) = (secret.expose(), format!("/api/v1/api_keys/{}", key.id));

    for (bad, why) in [
        (json!({"scopes": []}), "an empty list"),
        (json!({"scopes": ["root"]}), "an unknown permission"),
        (json!({"scopes": "me:read"}), "not a list"),
        (json!({"scopes": ["me:read", "me:read"]}), "a permission twice"),
    ] {
        let refused = api_call(&server, secret, Method::PATCH, &path, Some(bad)).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{why}");
        assert_eq!(json_of(refused).await["errors"][0]["code"], "invalid_request", "{why}");
    }
    let unchanged = json_of(api_call(&server, secret, Method::GET, &path, None).await).await;
    assert_eq!(unchanged["data"]["scopes"], Value::Null);

    // The key narrows itself, and then cannot widen itself back.
    let narrowed = api_call(&server, secret, Method::PATCH, &path, Some(json!({"scopes": ["api_keys:read", "api_keys:write"]}))).await;
    assert_eq!(narrowed.status(), StatusCode::OK);
    assert_eq!(json_of(narrowed).await["data"]["scopes"], json!(["api_keys:read", "api_keys:write"]));
    let widened = api_call(&server, secret, Method::PATCH, &path, Some(json!({"scopes": null}))).await;
    assert_eq!(widened.status(), StatusCode::FORBIDDEN);
    assert_eq!(json_of(widened).await["errors"][0]["code"], "scope_exceeds_key");
    assert_eq!(api_call(&server, secret, Method::GET, "/api/v1/me", None).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_document_and_the_docs_page_name_the_permission_each_operation_needs() {
    let server = TestServer::start().await;
    let document: Value = Client::new().get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let operation = |path: &str, method: &str| document["paths"][path][method].clone();
    let create = operation("/api/v1/api_keys", "post");
    assert_eq!(create["security"], json!([{"MC-Api-Key": ["api_keys:write"]}, {"bearer": ["api_keys:write"]}]));
    assert!(create["responses"]["403"]["description"].as_str().unwrap().contains("insufficient_scope"));
    assert_eq!(document["components"]["schemas"]["CreateApiKeyRequest"]["properties"]["scopes"]["uniqueItems"], true);
    let create_user = operation("/api/v1/users", "post");
    assert_eq!(create_user["security"][0]["MC-Api-Key"], json!(["users:write"]));
    // Both refusals are described: the role's and the scope's.
    let described = create_user["responses"]["403"]["description"].as_str().unwrap();
    assert!(described.contains("insufficient_scope") && described.contains("users:write"), "{described}");
    // Reporting leaked keys takes no key, so asks for no permission.
    assert_eq!(operation("/api/v1/api_keys/revoke", "post")["security"], json!([{}]));
    // Every operation that takes a key names one permission.
    for item in document["paths"].as_object().unwrap().values() {
        for (method, operation) in item.as_object().unwrap() {
            if operation["security"] == json!([{}]) {
                continue;
            }
            let scopes = operation["security"][0]["MC-Api-Key"].as_array();
            assert_eq!(scopes.map(Vec::len), Some(1), "{method} {}", operation["operationId"]);
        }
    }

    let page = Client::new().get(server.url("/api-docs?lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<p class="permission">Permission the key needs: <code>api_keys:write</code></p>"#));
    let french = Client::new().get(server.url("/api-docs?lang=fr")).send().await.unwrap().text().await.unwrap();
    assert!(french.contains("Permission requise de la clé : <code>users:write</code>") || french.contains("Permission requise de la clé: <code>users:write</code>"));
}
