//! Guessing and floods, through HTTP: 429 with `Retry-After` and the errors body, and the
//! real user unaffected. Client addresses are set with `X-Forwarded-For` from a trusted
//! proxy (the test client at 127.0.0.1).

mod support;

use std::{num::NonZeroU32, time::Duration};

use futures_util::future::join_all;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use sesame_core::{model::Role, throttle::ThrottleSettings};
use support::{api_get, forged, Browser, TestServer, PASSWORD};

async fn me_from(server: &TestServer, ip: &str, key: &str) -> Response {
    Client::new()
        .get(server.url("/api/v1/me"))
        .header("MC-Api-Key", key)
        .header("X-Forwarded-For", ip)
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &Response) -> u64 {
    response.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_flood_of_bad_keys_from_one_address_gets_429_and_no_one_else_does() {
    let server = TestServer::start_with_throttles(ThrottleSettings { failed_auth_burst: 5, ..Default::default() }).await;
    let alice = server.create_user("alice", Role::User).await;
    let (_, secret) = server.generate_key(&alice, None).await;
    let good = secret.expose().to_owned();
    let forged = forged(&good);

    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(me_from(&server, "203.0.113.66", &forged).await.status());
    }
    assert_eq!(&statuses[..5], &[StatusCode::UNAUTHORIZED; 5]);
    assert!(statuses[5..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");

    let throttled = me_from(&server, "203.0.113.66", &forged).await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&throttled) >= 1);
    let body: Value = throttled.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "too_many_requests");
    // While it waits, that address gets nothing, not even with a good key: no guessing
    // goes on under the limit.
    assert_eq!(me_from(&server, "203.0.113.66", &good).await.status(), StatusCode::TOO_MANY_REQUESTS);
    // Everyone else is served.
    assert_eq!(me_from(&server, "198.51.100.7", &good).await.status(), StatusCode::OK);
    // A missing key is not a guess and is not counted.
    let anonymous = Client::new().get(server.url("/api/v1/me")).header("X-Forwarded-For", "192.0.2.50").send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_optional_limit_per_key() {
    let server = TestServer::start_with_throttles(ThrottleSettings {
        key_requests_per_second: NonZeroU32::new(3),
        ..Default::default()
    })
    .await;
    let alice = server.create_user("alice", Role::User).await;
    let (_, secret) = server.generate_key(&alice, None).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(me_from(&server, "198.51.100.7", secret.expose()).await.status());
    }
    assert_eq!(&statuses[..3], &[StatusCode::OK; 3]);
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn login_failures_look_alike_and_the_delay_grows_for_the_guesser_only() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    server.create_user("alice", Role::User).await;
    let attacker = "203.0.113.66";

    // Unknown user and wrong password: the same status and the same body.
    let unknown = server.log_in_from("nobody", PASSWORD, "192.0.2.1").await;
    let wrong = server.log_in_from("alice", "wrong password!", "192.0.2.2").await;
    assert_eq!((unknown.status(), wrong.status()), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(unknown.text().await.unwrap(), wrong.text().await.unwrap());

    // The guesser: a few free failures, then waits that double.
    for _ in 0..3 {
        assert_eq!(server.log_in_from("alice", "guess", attacker).await.status(), StatusCode::UNAUTHORIZED);
    }
    let first_wait = server.log_in_from("alice", "guess", attacker).await;
    assert_eq!(first_wait.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&first_wait), 1);
    let body: Value = first_wait.json().await.unwrap();
    assert_eq!(body, json!({"Server": {"TooManyRequests": {"retry_after_seconds": 1}}}));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(server.log_in_from("alice", "guess", attacker).await.status(), StatusCode::UNAUTHORIZED);
    let second_wait = server.log_in_from("alice", "guess", attacker).await;
    assert_eq!(retry_after(&second_wait), 2);

    // Meanwhile the real user, from her own address, logs in at once.
    assert_eq!(server.log_in_from("alice", PASSWORD, "198.51.100.7").await.status(), StatusCode::OK);
    // Even the right password from the guesser's address waits.
    assert_eq!(server.log_in_from("alice", PASSWORD, attacker).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn after_100_failures_the_account_stops_except_for_its_owners_browser() {
    let server = TestServer::start_with_throttles(ThrottleSettings { free_login_failures: 1000, ..Default::default() }).await;
    server.create_user("alice", Role::User).await;
    // Her browser logs in once: it gets a device cookie.
    let hers = Browser::new(&server);
    assert_eq!(hers.log_in_via("alice", PASSWORD, "198.51.100.7").await.status(), StatusCode::OK);
    // A distributed guess: 100 failures from 100 addresses (each well under its own limits).
    for n in 0..100 {
        let status = server.log_in_from("alice", "guess", &format!("203.0.113.{n}")).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    // Any other browser is stopped, even from her address…
    let stopped = server.log_in_from("alice", PASSWORD, "198.51.100.7").await;
    assert_eq!(stopped.status(), StatusCode::TOO_MANY_REQUESTS);
    // …hers is not, from wherever she is now.
    let at_home = hers.log_in_via("alice", PASSWORD, "192.0.2.99").await;
    assert_eq!(at_home.status(), StatusCode::OK);
}

/// Guesses sent all at once are limited like guesses sent one by one: each is counted
/// before its password is checked, so a burst cannot slip past the delay or the hard stop
/// while the first ones are still being checked.
#[tokio::test]
async fn guesses_sent_together_are_limited_like_guesses_sent_one_by_one() {
    let server = TestServer::start_with_throttles(ThrottleSettings { account_failure_limit: 5, ..Default::default() }).await;
    server.create_user("alice", Role::User).await;
    let statuses = |answers: Vec<Response>| answers.iter().map(Response::status).collect::<Vec<_>>();
    let unauthorized = |statuses: &[StatusCode]| statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();

    // Ten at once from one address: the three tries it would get one by one, then waits.
    let from_one = statuses(join_all((0..10).map(|_| server.log_in_from("alice", "guess", "203.0.113.66"))).await);
    assert_eq!(unauthorized(&from_one), 3, "{from_one:?}");
    assert_eq!(from_one.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 7);

    // Ten at once from ten addresses: checked only up to the account's limit of 5 failures.
    let addresses: Vec<String> = (0..10).map(|n| format!("198.51.100.{n}")).collect();
    let from_many = statuses(join_all(addresses.iter().map(|ip| server.log_in_from("alice", "guess", ip))).await);
    assert_eq!(unauthorized(&from_many), 2, "{from_many:?}");
}

/// The current password of a password change is guessed no more easily than at login: the
/// same delay, counted with the login failures, and recorded in the activity log.
#[tokio::test]
async fn the_current_password_cannot_be_guessed_without_limit() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let alice = server.create_user("alice", Role::User).await;
    let (_, secret) = server.generate_key(&alice, None).await;
    let guess = |ip: &'static str| {
        let key = secret.expose().to_owned();
        let server = &server;
        async move {
            Client::new()
                .post(server.url("/api/v1/me/password"))
                .header("MC-Api-Key", key)
                .header("X-Forwarded-For", ip)
                .json(&json!({"currentPassword": "a wrong guess", "newPassword": "taken over by an attacker"}))
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..3 {
        assert_eq!(guess("203.0.113.66").await.status(), StatusCode::FORBIDDEN);
    }
    let waiting = guess("203.0.113.66").await;
    assert_eq!(waiting.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&waiting) >= 1);
    // Counted as login failures: a login for her from that address waits too.
    assert_eq!(server.log_in_from("alice", PASSWORD, "203.0.113.66").await.status(), StatusCode::TOO_MANY_REQUESTS);
    // Each wrong guess is in her activity log.
    let activity: Value = api_get(&server, "/api/v1/activity", secret.expose()).await.json().await.unwrap();
    let failed = activity["data"].as_array().unwrap().iter().filter(|e| e["event"] == "password_change_failed").count();
    assert_eq!(failed, 3);
    // Her password is unchanged.
    assert_eq!(server.log_in_from("alice", PASSWORD, "198.51.100.7").await.status(), StatusCode::OK);
}

/// Every API answer says where the caller stands (the IETF `RateLimit` and
/// `RateLimit-Policy` fields): the failed-authentication allowance of its address.
#[tokio::test]
async fn api_answers_carry_the_rate_limit_fields() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let alice = server.create_user("alice", Role::User).await;
    let (_, secret) = server.generate_key(&alice, None).await;
    let fields = |response: &Response| {
        let text = |name: &str| response.headers().get(name).map(|value| value.to_str().unwrap().to_owned());
        (text("ratelimit-policy"), text("ratelimit"))
    };
    let policy = Some(r#""failed-auth";q=20;w=60"#.to_owned());

    let fine = me_from(&server, "198.51.100.7", secret.expose()).await;
    assert_eq!(fields(&fine), (policy.clone(), Some(r#""failed-auth";r=20;t=0"#.to_owned())));
    for _ in 0..2 {
        me_from(&server, "203.0.113.9", "sesame_not-a-key").await;
    }
    let refused = me_from(&server, "203.0.113.9", "sesame_not-a-key").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let (refused_policy, refused_status) = fields(&refused);
    assert_eq!(refused_policy, policy);
    let refused_status = refused_status.unwrap();
    assert!(refused_status.starts_with(r#""failed-auth";r=17;t="#), "{refused_status}");
    // An answer without a key, and one for no endpoint, say it too.
    let anonymous = Client::new().get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(fields(&anonymous).0, policy);
    let nowhere = Client::new().get(server.url("/api/v1/nowhere")).send().await.unwrap();
    assert_eq!(fields(&nowhere).0, policy);
}
