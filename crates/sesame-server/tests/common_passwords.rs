//! The 100,000 most common breached passwords are refused as new passwords — at setup, when
//! an administrator creates a user, and when a password is changed — with a clear message,
//! through the console and the API alike (OWASP ASVS 6.2.4).

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_api::functions::{ChangePassword, CreateUser, SetupFirstAdmin};
use support::{api_get, Browser, TestServer, PASSWORD};

/// Long enough for the length rule, and on the list.
const COMMON: [&str; 3] = ["password1", "iloveyou", "PASSWORD123"];

fn common_password_error() -> Value {
    json!({"Server": {"CommonPassword": {"field": "Password"}}})
}

#[tokio::test]
async fn setup_refuses_a_common_password() {
    let server = TestServer::start().await;
    let token = server.services.accounts.setup_token().await.unwrap().unwrap();
    for password in COMMON {
        let form = json!({"form": {
            "setup_token": token, "organization": "Acme", "full_name": "Rupert Walker",
            "username": "rwalker", "email": "rwalker@example.com", "password": password,
        }});
        let refused = Browser::new(&server).call::<SetupFirstAdmin>(&form).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert_eq!(refused.json::<Value>().await.unwrap(), common_password_error(), "{password}");
    }
    assert!(server.services.accounts.needs_setup().await.unwrap(), "nobody was created");
}

#[tokio::test]
async fn new_users_and_password_changes_refuse_common_passwords_on_both_boundaries() {
    let server = TestServer::start().await;
    let admin = server.create_user("admin", Role::Admin).await;
    let (_, key) = server.generate_key(&admin, None).await;
    let console = server.browser("admin").await;

    for password in COMMON {
        // The API.
        let created = Client::new()
            .post(server.url("/api/v1/users"))
            .header("MC-Api-Key", key.expose())
            .json(&json!({"username": "erin", "email": "erin@example.com", "fullName": "Erin", "role": "user", "password": password}))
            .send()
            .await
            .unwrap();
        // 422, not 400: the document allows any password of 8 to 256 characters; this rule
        // is the server's own.
        assert_eq!(created.status(), StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        let body: Value = created.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "common_password", "{password}");
        assert_eq!(body["errors"][0]["context"]["field"], "password", "{password}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("common"), "{body}");
        let changed = Client::new()
            .post(server.url("/api/v1/me/password"))
            .header("MC-Api-Key", key.expose())
            .json(&json!({"currentPassword": PASSWORD, "newPassword": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        let body: Value = changed.json().await.unwrap();
        assert_eq!(body["errors"][0]["context"]["field"], "newPassword", "{password}");

        // The console.
        let form = json!({"form": {"full_name": "Erin", "username": "erin", "email": "erin@example.com", "role": "user", "password": password}});
        let created = console.call::<CreateUser>(&form).await;
        assert_eq!(created.json::<Value>().await.unwrap(), common_password_error(), "{password}");
        let change = json!({"change": {"current": PASSWORD, "new": password}});
        let changed = console.call::<ChangePassword>(&change).await;
        assert_eq!(changed.json::<Value>().await.unwrap(), json!({"Server": {"CommonPassword": {"field": "NewPassword"}}}), "{password}");
    }
    // Nothing changed: no new user, the password is the one it was.
    let users: Value = api_get(&server, "/api/v1/users", key.expose()).await.json().await.unwrap();
    assert_eq!(users["metadata"]["recordCount"], 1);
    server.browser("admin").await;
}
