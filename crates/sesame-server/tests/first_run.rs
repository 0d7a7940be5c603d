//! Whoever reaches a fresh instance first cannot simply make themself its administrator:
//! the setup form needs the one-time token that `sesame serve` prints for its operator, and
//! the console answers only requests addressed to its public URL (a page on another name
//! that resolves to this server — DNS rebinding — gets nothing).

mod support;

use reqwest::{header, Client, StatusCode};
use serde_json::{json, Value};
use sesame_api::functions::{LoadSession, SetupFirstAdmin};
use support::{Browser, TestServer, PASSWORD};

fn form(token: &str, username: &str) -> Value {
    json!({"form": {
        "organization": "Acme Corporation", "full_name": "Rupert Walker",
        "username": username, "email": "rwalker@example.com", "password": PASSWORD,
        "setup_token": token,
    }})
}

async fn needs_setup(server: &TestServer) -> bool {
    let state: Value = Browser::new(server).call::<LoadSession>(&json!({})).await.json().await.unwrap();
    state["needs_setup"].as_bool().unwrap()
}

#[tokio::test]
async fn setup_needs_the_one_time_token_and_uses_it_up() {
    let server = TestServer::start().await;
    let token = server.services.accounts.setup_token().await.unwrap().expect("setup is pending");
    assert_eq!(server.services.accounts.setup_token().await.unwrap().as_deref(), Some(token.as_str()), "the same token until used");

    for (case, attempt) in [("no token", ""), ("a wrong token", "0123456789abcdef0123456789abcdef")] {
        let refused = Browser::new(&server).call::<SetupFirstAdmin>(&form(attempt, "intruder")).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{case}");
        assert_eq!(refused.json::<Value>().await.unwrap(), json!({"Server": {"Forbidden": "SetupToken"}}), "{case}");
        assert!(needs_setup(&server).await, "{case} created someone");
    }

    let created = Browser::new(&server).call::<SetupFirstAdmin>(&form(&token, "rwalker")).await;
    assert_eq!(created.status(), StatusCode::OK);
    assert!(!needs_setup(&server).await);
    // The token is gone: there is none to print, and it opens nothing.
    assert_eq!(server.services.accounts.setup_token().await.unwrap(), None);
    let replay = Browser::new(&server).call::<SetupFirstAdmin>(&form(&token, "intruder")).await;
    assert_eq!(replay.status(), StatusCode::CONFLICT);
    assert_eq!(replay.json::<Value>().await.unwrap(), json!({"Server": {"Conflict": "SetupDone"}}));
    // Setup is checked first: a wrong token once it is done says it is done, and costs no
    // password hash.
    let late = Browser::new(&server).call::<SetupFirstAdmin>(&form("wrong", "intruder")).await;
    assert_eq!(late.json::<Value>().await.unwrap(), json!({"Server": {"Conflict": "SetupDone"}}));
}

#[tokio::test]
async fn only_requests_to_the_public_url_reach_the_console() {
    let server = TestServer::start().await;
    let public_host = server.base_url.trim_start_matches("http://").to_owned();
    let path = <LoadSession as leptos::server_fn::ServerFn>::PATH;
    let call = |host: &str, origin: Option<&str>| {
        let mut request = Client::new()
            .post(server.url(path))
            .header(header::HOST, host)
            .header(header::CONTENT_TYPE, "application/json")
            .body("{}");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        request.send()
    };
    // The public URL's own host: served.
    assert_eq!(call(&public_host, None).await.unwrap().status(), StatusCode::OK);
    assert_eq!(call(&public_host, Some(&server.base_url)).await.unwrap().status(), StatusCode::OK);
    // Another name for this server (a rebound DNS name): refused, with or without Origin,
    // even when Origin matches that name.
    let rebound = "attacker.example:8080";
    assert_eq!(call(rebound, None).await.unwrap().status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(call(rebound, Some("http://attacker.example:8080")).await.unwrap().status(), StatusCode::MISDIRECTED_REQUEST);
    // The right host but an Origin that is not the public URL: refused as cross-site.
    assert_eq!(call(&public_host, Some("http://attacker.example:8080")).await.unwrap().status(), StatusCode::FORBIDDEN);
    // The console's pages too.
    for page in ["/", "/login", "/settings/api-credentials"] {
        let response = Client::new().get(server.url(page)).header(header::HOST, rebound).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST, "{page}");
    }
    // The REST API and the health checks answer to any name (scripts, load balancers).
    let health = Client::new().get(server.url("/healthz")).header(header::HOST, rebound).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
