//! `/api/v1/service_accounts` and keys with an owner, through HTTP: an administrator makes
//! a service account, its manager generates its key, the key calls the API as the account;
//! bad input answers a clear code and changes nothing; deleting the account on one node
//! refuses its keys on another before the call returns.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use sesame_core::model::Role;
use support::{api_call, api_get, error_of, json_of, key_of, TestServer};

/// A service account `ci-deploy` made with an administrator's key, with `manager` as its
/// manager: its id.
async fn ci_deploy(server: &TestServer, admin_key: &str, manager: &str) -> String {
    let manager = server.user(manager).await.id.to_string();
    let body = json!({"name": "ci-deploy", "description": "Deploys main", "role": "user", "managers": [manager]});
    let created = api_call(server, admin_key, Method::POST, "/api/v1/service_accounts", Some(body)).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = json_of(created).await;
    assert_eq!(created["data"]["managers"], json!([manager]));
    created["data"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_manager_generates_a_service_accounts_key_which_acts_as_the_account() {
    let server = TestServer::start().await;
    server.create_user("admin", Role::Admin).await;
    server.create_user("alice", Role::User).await;
    server.create_user("bob", Role::User).await;
    let admin_key = key_of(&server, "admin").await;
    let alice_key = key_of(&server, "alice").await;
    let bob_key = key_of(&server, "bob").await;
    let account = ci_deploy(&server, &admin_key, "alice").await;

    let listed = json_of(api_get(&server, "/api/v1/service_accounts", &alice_key).await).await;
    assert_eq!(listed["data"][0]["name"], "ci-deploy");
    assert_eq!(json_of(api_get(&server, "/api/v1/service_accounts", &bob_key).await).await["data"], json!([]));

    let made = api_call(&server, &alice_key, Method::POST, "/api/v1/api_keys", Some(json!({"ownerId": account, "name": "deploy"}))).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made = json_of(made).await;
    assert_eq!((made["data"]["ownerId"].as_str(), made["data"]["ownerKind"].as_str()), (Some(account.as_str()), Some("service_account")));
    let secret = made["data"]["secret"].as_str().unwrap().to_owned();
    let me = json_of(api_get(&server, "/api/v1/me", &secret).await).await;
    assert_eq!(me["data"]["username"], "ci-deploy");

    let own = json_of(api_get(&server, "/api/v1/api_keys", &alice_key).await).await;
    assert_eq!(own["data"][0]["ownerKind"], "user", "alice's own key is hers: {own}");
    let its = json_of(api_get(&server, &format!("/api/v1/api_keys?ownerId={account}"), &alice_key).await).await;
    assert_eq!(its["data"].as_array().unwrap().len(), 1);
    for path in [format!("/api/v1/api_keys?ownerId={account}"), format!("/api/v1/service_accounts/{account}")] {
        let (status, code, _) = error_of(api_get(&server, &path, &bob_key).await).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{path}");
    }
    let (status, _, context) = error_of(api_get(&server, "/api/v1/api_keys?ownerId=nonsense", &alice_key).await).await;
    assert_eq!((status, context["field"].as_str()), (StatusCode::BAD_REQUEST, Some("ownerId")));
    let bobs = api_call(&server, &bob_key, Method::POST, "/api/v1/api_keys", Some(json!({"ownerId": account}))).await;
    assert_eq!(bobs.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_answers_a_clear_code_and_changes_nothing() {
    let server = TestServer::start().await;
    server.create_user("admin", Role::Admin).await;
    server.create_user("alice", Role::User).await;
    server.create_user_in("eve", "Globex", Role::User).await;
    let admin_key = key_of(&server, "admin").await;
    let alice = server.user("alice").await.id.to_string();
    let eve = server.user("eve").await.id.to_string();
    let accounts = "/api/v1/service_accounts";
    let cases = [
        (json!({"name": "ci", "role": "user", "managers": []}), StatusCode::BAD_REQUEST, "managers"),
        (json!({"name": "ci", "role": "user", "managers": [eve]}), StatusCode::NOT_FOUND, "managers"),
        (json!({"name": "ci", "role": "user", "managers": ["67e55044-10b1-426f-9247-bb680e5fe0c8"]}), StatusCode::NOT_FOUND, "managers"),
        (json!({"name": "c i", "role": "user", "managers": [alice]}), StatusCode::BAD_REQUEST, "name"),
        (json!({"name": "ALICE", "role": "user", "managers": [alice]}), StatusCode::CONFLICT, "name"),
    ];
    for (body, status, field) in cases {
        let (got, _, context) = error_of(api_call(&server, &admin_key, Method::POST, accounts, Some(body.clone())).await).await;
        assert_eq!((got, context["field"].as_str()), (status, Some(field)), "{body}");
    }
    assert_eq!(json_of(api_get(&server, accounts, &admin_key).await).await["metadata"]["recordCount"], 0);

    let account = ci_deploy(&server, &admin_key, "alice").await;
    let path = format!("{accounts}/{account}");
    let (status, _, context) = error_of(api_call(&server, &admin_key, Method::PATCH, &path, Some(json!({"managers": [eve], "description": "x"}))).await).await;
    assert_eq!((status, context["field"].as_str()), (StatusCode::NOT_FOUND, Some("managers")));
    assert_eq!(json_of(api_get(&server, &path, &admin_key).await).await["data"]["description"], "Deploys main");
    let missing = format!("{accounts}/67e55044-10b1-426f-9247-bb680e5fe0c8");
    let (status, code, _) = error_of(api_call(&server, &admin_key, Method::DELETE, &missing, None).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let alice_key = key_of(&server, "alice").await;
    let (status, code, _) = error_of(api_call(&server, &alice_key, Method::DELETE, &path, None).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
}

#[tokio::test]
async fn a_service_account_deleted_on_one_node_refuses_its_keys_on_another_before_the_call_returns() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a.create_user("admin", Role::Admin).await;
    a.create_user("alice", Role::User).await;
    let admin_key = key_of(&a, "admin").await;
    let account = ci_deploy(&a, &admin_key, "alice").await;
    let made = api_call(&a, &admin_key, Method::POST, "/api/v1/api_keys", Some(json!({"ownerId": account}))).await;
    let secret = json_of(made).await["data"]["secret"].as_str().unwrap().to_owned();
    // Cached on B.
    assert_eq!(api_get(&b, "/api/v1/me", &secret).await.status(), StatusCode::OK);
    let deleted = api_call(&a, &admin_key, Method::DELETE, &format!("/api/v1/service_accounts/{account}"), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(api_get(&b, "/api/v1/me", &secret).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api_get(&a, "/api/v1/me", &secret).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_key_moved_on_one_node_keeps_working_on_another_without_a_gap() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a.create_user("admin", Role::Admin).await;
    a.create_user("alice", Role::User).await;
    let admin_key = key_of(&a, "admin").await;
    let account = ci_deploy(&a, &admin_key, "alice").await;
    let alice_key = key_of(&a, "alice").await;
    let made = api_call(&a, &alice_key, Method::POST, "/api/v1/api_keys", Some(json!({"name": "deploy"}))).await;
    let made = json_of(made).await;
    let (job_key, job_id) = (made["data"]["secret"].as_str().unwrap().to_owned(), made["data"]["id"].as_str().unwrap().to_owned());

    // The job keeps calling node B while alice hands its key over on node A.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let job = {
        let (b_url, key, stop) = (b.url("/api/v1/me"), job_key.clone(), stop.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut statuses = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let response = client.get(&b_url).header("MC-Api-Key", &key).send().await.unwrap();
                let status = response.status();
                let username = json_of(response).await["data"]["username"].as_str().map(str::to_owned);
                statuses.push((status, username));
            }
            statuses
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let moved = api_call(&a, &alice_key, Method::POST, &format!("/api/v1/api_keys/{job_id}/transfer"), Some(json!({"ownerId": account}))).await;
    assert_eq!(moved.status(), StatusCode::OK);
    // From the moment the move answered, node B acts with the key as the service account.
    let me = json_of(api_get(&b, "/api/v1/me", &job_key).await).await;
    assert_eq!(me["data"]["username"], "ci-deploy");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let statuses = job.await.unwrap();
    let refused = statuses.iter().filter(|(status, _)| *status != StatusCode::OK).count();
    assert_eq!(refused, 0, "no request refused during the move: {statuses:?}");
    let names: Vec<&str> = statuses.iter().filter_map(|(_, name)| name.as_deref()).collect();
    assert_eq!((names.first(), names.last()), (Some(&"alice"), Some(&"ci-deploy")), "{} requests", names.len());
}
