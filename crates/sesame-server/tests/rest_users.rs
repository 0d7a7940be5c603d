//! `/api/v1/users` and pagination, through HTTP: codes, fields named in errors, and role
//! or status changes reaching an existing key and session without a restart.

mod support;

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_api::functions::ListApiKeys;
use support::{api_call, api_get, error_of, key_of, TestServer, PASSWORD};

#[tokio::test]
async fn an_admin_manages_users_through_the_api() {
    let server = TestServer::start().await;
    server.create_user("admin", Role::Admin).await;
    let key = key_of(&server, "admin").await;

    let created = api_call(&server, &key, Method::POST, "/api/v1/users", Some(json!({
        "username": "erin", "email": "erin@example.com", "fullName": "Erin Example",
        "role": "user", "password": PASSWORD,
    }))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let erin: Value = created.json().await.unwrap();
    let id = erin["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(erin["data"]["status"], "active");
    assert_eq!(erin["data"]["organization"]["name"], "Acme Corporation");
    assert!(erin["data"].get("password").is_none());

    let changed = api_call(&server, &key, Method::PATCH, &format!("/api/v1/users/{id}"), Some(json!({"role": "admin", "status": "disabled"}))).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!((changed["data"]["role"].as_str(), changed["data"]["status"].as_str()), (Some("admin"), Some("disabled")));

    let listed: Value = api_get(&server, "/api/v1/users", &key).await.json().await.unwrap();
    assert_eq!(listed["metadata"], json!({"pageCurrent": 1, "pageSize": 100, "recordCount": 2}));
    let shown: Value = api_get(&server, &format!("/api/v1/users/{id}"), &key).await.json().await.unwrap();
    assert_eq!(shown["data"]["username"], "erin");
}

#[tokio::test]
async fn refusals_have_the_right_code_and_name_the_field() {
    let server = TestServer::start().await;
    let admin = server.create_user("admin", Role::Admin).await;
    server.create_user("alice", Role::User).await;
    let admin_key = key_of(&server, "admin").await;
    let alice_key = key_of(&server, "alice").await;
    let users = "/api/v1/users";
    let good = json!({"username": "erin", "email": "erin@example.com", "fullName": "Erin", "role": "user", "password": PASSWORD});

    let cases: Vec<(&str, Response, StatusCode, &str, Option<&str>)> = vec![
        ("user creates", api_call(&server, &alice_key, Method::POST, users, Some(good.clone())).await, StatusCode::FORBIDDEN, "forbidden", None),
        ("invisible characters in the full name", api_call(&server, &admin_key, Method::POST, users, Some(json!({"username": "erin", "email": "e@example.com", "fullName": "Erin\u{202E}nimdA", "role": "user", "password": PASSWORD}))).await, StatusCode::BAD_REQUEST, "invalid_request", Some("fullName")),
        ("bad email", api_call(&server, &admin_key, Method::POST, users, Some(json!({"username": "erin", "email": "nope", "fullName": "Erin", "role": "user", "password": PASSWORD}))).await, StatusCode::BAD_REQUEST, "invalid_request", Some("email")),
        ("short password", api_call(&server, &admin_key, Method::POST, users, Some(json!({"username": "erin", "email": "e@example.com", "fullName": "Erin", "role": "user", "password": "short"}))).await, StatusCode::BAD_REQUEST, "invalid_request", Some("password")),
        ("a null status", api_call(&server, &admin_key, Method::PATCH, &format!("/api/v1/users/{}", admin.id), Some(json!({"role": "user", "status": null}))).await, StatusCode::BAD_REQUEST, "invalid_request", Some("body")),
        ("unknown role", api_call(&server, &admin_key, Method::POST, users, Some(json!({"username": "erin", "email": "e@example.com", "fullName": "Erin", "role": "root", "password": PASSWORD}))).await, StatusCode::BAD_REQUEST, "invalid_request", Some("body")),
        ("taken username", api_call(&server, &admin_key, Method::POST, users, Some(json!({"username": "ALICE", "email": "e@example.com", "fullName": "Erin", "role": "user", "password": PASSWORD}))).await, StatusCode::CONFLICT, "conflict", Some("username")),
        ("own account", api_call(&server, &admin_key, Method::PATCH, &format!("{users}/{}", admin.id), Some(json!({"status": "disabled"}))).await, StatusCode::CONFLICT, "conflict", None),
        ("nothing to change", api_call(&server, &admin_key, Method::PATCH, &format!("{users}/{}", admin.id), Some(json!({}))).await, StatusCode::BAD_REQUEST, "invalid_request", Some("body")),
        ("unknown id", api_call(&server, &admin_key, Method::GET, &format!("{users}/00000000-0000-4000-8000-000000000000"), None).await, StatusCode::NOT_FOUND, "not_found", None),
        ("garbage id", api_call(&server, &admin_key, Method::GET, &format!("{users}/..%2F..%2Fetc"), None).await, StatusCode::NOT_FOUND, "not_found", None),
        ("page 0", api_call(&server, &admin_key, Method::GET, &format!("{users}?page_number=0"), None).await, StatusCode::BAD_REQUEST, "invalid_request", Some("page_number")),
        ("page too big", api_call(&server, &admin_key, Method::GET, "/api/v1/api_keys?page_size=501", None).await, StatusCode::BAD_REQUEST, "invalid_request", Some("page_size")),
        ("page not a number", api_call(&server, &admin_key, Method::GET, "/api/v1/api_keys?page_size=ten", None).await, StatusCode::BAD_REQUEST, "invalid_request", Some("page_size")),
    ];
    for (label, response, status, code, field) in cases {
        let (got_status, got_code, context) = error_of(response).await;
        assert_eq!((got_status, got_code.as_str()), (status, code), "{label}");
        if let Some(field) = field {
            assert_eq!(context["field"], field, "{label}");
        }
    }
    // Nothing was created or changed by any of that.
    let listed: Value = api_get(&server, users, &admin_key).await.json().await.unwrap();
    assert_eq!(listed["metadata"]["recordCount"], 2);
    assert!(listed["data"].as_array().unwrap().iter().all(|user| user["status"] == "active"));
}

#[tokio::test]
async fn key_lists_are_paginated() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let key = key_of(&server, "alice").await;
    for i in 0..4 {
        let created = api_call(&server, &key, Method::POST, "/api/v1/api_keys", Some(json!({"name": format!("k{i}")}))).await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    for page in 1..=3 {
        let body: Value = api_get(&server, &format!("/api/v1/api_keys?page_number={page}&page_size=2"), &key).await.json().await.unwrap();
        assert_eq!(body["metadata"], json!({"pageCurrent": page, "pageSize": 2, "recordCount": 5}));
        seen.extend(body["data"].as_array().unwrap().iter().map(|k| k["id"].as_str().unwrap().to_owned()));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
}

#[tokio::test]
async fn role_changes_and_disabling_reach_an_existing_key_and_session_at_once() {
    let server = TestServer::start().await;
    server.create_user("admin", Role::Admin).await;
    let alice = server.create_user("alice", Role::User).await;
    let admin_key = key_of(&server, "admin").await;
    let alice_key = key_of(&server, "alice").await;
    let alice_browser = server.browser("alice").await;
    let alice_path = format!("/api/v1/users/{}", alice.id);
    let patch = |change: Value| api_call(&server, &admin_key, Method::PATCH, &alice_path, Some(change));
    let users_seen_by_alice = || async {
        let response = api_get(&server, "/api/v1/users", &alice_key).await;
        (response.status(), response.json::<Value>().await.ok().map(|b| b["metadata"]["recordCount"].clone()))
    };

    // Used once, so a node that caches keys now holds Alice as a user.
    assert_eq!(users_seen_by_alice().await, (StatusCode::OK, Some(json!(1))));
    assert_eq!(patch(json!({"role": "admin"})).await.status(), StatusCode::OK);
    assert_eq!(users_seen_by_alice().await, (StatusCode::OK, Some(json!(2))));
    let me: Value = api_get(&server, "/api/v1/me", &alice_key).await.json().await.unwrap();
    assert_eq!(me["data"]["role"], "admin");

    assert_eq!(patch(json!({"status": "disabled"})).await.status(), StatusCode::OK);
    let refused = api_get(&server, "/api/v1/me", &alice_key).await;
    assert_eq!(error_of(refused).await.0, StatusCode::UNAUTHORIZED);
    let session = alice_browser.call::<ListApiKeys>(&json!({})).await;
    assert_eq!(session.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(patch(json!({"status": "active", "role": "user"})).await.status(), StatusCode::OK);
    assert_eq!(users_seen_by_alice().await, (StatusCode::OK, Some(json!(1))));
    // The session stays ended; signing in again works.
    assert_eq!(alice_browser.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::UNAUTHORIZED);
    server.browser("alice").await;
}

/// Usernames are login names for the whole instance, so one taken in another organization is
/// taken here too. The answer must not tell another organization's names from one's own,
/// and an administrator cannot list them by trying: past ten taken names in an hour, every
/// user creation of theirs waits (429).
#[tokio::test]
async fn a_taken_username_says_nothing_of_where_and_cannot_be_used_to_list_other_organizations() {
    let server = TestServer::start().await;
    server.create_user("admin", Role::Admin).await;
    server.create_user("alice", Role::User).await;
    for n in 0..10 {
        server.create_user_in(&format!("globex{n}"), "Globex", Role::User).await;
    }
    let admin_key = key_of(&server, "admin").await;
    let create = |username: String| {
        let body = json!({"username": username, "email": "e@example.com", "fullName": "Erin", "role": "user", "password": PASSWORD});
        api_call(&server, &admin_key, Method::POST, "/api/v1/users", Some(body))
    };
    let answer = |response: reqwest::Response| async move { (response.status(), response.json::<Value>().await.unwrap()) };

    // Taken here or elsewhere: the very same answer.
    let (status, here) = answer(create("alice".into()).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, elsewhere) = answer(create("globex0".into()).await).await;
    assert_eq!((status, &elsewhere), (StatusCode::CONFLICT, &here));
    for n in 1..9 {
        assert_eq!(create(format!("globex{n}")).await.status(), StatusCode::CONFLICT);
    }
    // The tenth taken name spent the allowance: from now on every creation waits, taken
    // name or free one, so the answer tells nothing.
    for username in ["globex9".to_owned(), "brand-new".to_owned()] {
        let refused = create(username).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key("retry-after"));
    }
    let users: Value = api_get(&server, "/api/v1/users", &admin_key).await.json().await.unwrap();
    assert!(users["data"].as_array().unwrap().iter().all(|user| user["username"] != "brand-new"), "nothing created");
}

/// Tries sent all at once are counted too: each spends its share before the insert, so a
/// burst of them learns no more names than tries sent one by one.
#[tokio::test]
async fn taken_usernames_tried_all_at_once_are_counted_before_any_is_answered() {
    let server = TestServer::start().await;
    server.create_user("admin", Role::Admin).await;
    for n in 0..20 {
        server.create_user_in(&format!("globex{n}"), "Globex", Role::User).await;
    }
    let admin_key = key_of(&server, "admin").await;
    let tries = (0..20).map(|n| {
        let body = json!({"username": format!("globex{n}"), "email": "e@example.com", "fullName": "Erin", "role": "user", "password": PASSWORD});
        api_call(&server, &admin_key, Method::POST, "/api/v1/users", Some(body))
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(tries).await.iter().map(|response| response.status()).collect();
    let taken = statuses.iter().filter(|status| **status == StatusCode::CONFLICT).count();
    let waiting = statuses.iter().filter(|status| **status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((taken, waiting), (10, 10), "{statuses:?}");
}
