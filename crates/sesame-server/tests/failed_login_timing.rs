//! A failed login takes as long for a real account as for an unknown username: the
//! activity event the real account gets is written after the answer, not before. Here its
//! write is made slow on purpose (a pause of the test build); the answer must not wait for
//! it, and the event still arrives.

mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use sesame_core::model::Role;
use sesame_api::functions::LogIn;
use support::{api_get, Browser, TestServer};

const SLOW_WRITE: Duration = Duration::from_millis(1500);

async fn failed_login(server: &TestServer, username: &str) -> Duration {
    let started = Instant::now();
    let response = Browser::new(server).call::<LogIn>(&json!({"username": username, "password": "a wrong guess"})).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    started.elapsed()
}

#[tokio::test]
async fn a_real_account_fails_as_fast_as_an_unknown_one() {
    // This test binary holds this one test, so the setting reaches only it.
    std::env::set_var("SESAME_PAUSE", format!("failed-login-event:{}", SLOW_WRITE.as_millis()));
    let server = TestServer::start().await;
    let alice = server.create_user("alice", Role::User).await;
    let (_, key) = server.generate_key(&alice, None).await;

    let unknown = failed_login(&server, "nobody").await;
    let real = failed_login(&server, "alice").await;
    assert!(real < unknown + SLOW_WRITE / 2, "a real account's failure took {real:?}, an unknown one's {unknown:?}");

    // The event is written all the same, just after.
    let deadline = Instant::now() + SLOW_WRITE * 3;
    loop {
        let activity: Value = api_get(&server, "/api/v1/activity", key.expose()).await.json().await.unwrap();
        if activity["data"].as_array().unwrap().iter().any(|event| event["event"] == "login_failed") {
            break;
        }
        assert!(Instant::now() < deadline, "the failed login was never recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
