//! Behind a load balancer the limits hold for the cluster as a whole, not per node: on two
//! PostgreSQL nodes, failed authentications and login failures count together, and the
//! real user's browser is still let in wherever it lands.

mod support;

use reqwest::{Client, StatusCode};
use serde_json::json;
use sesame_core::{model::Role, throttle::ThrottleSettings};
use sesame_api::functions::LogIn;
use support::{forged, Browser, TestServer, PASSWORD};

#[tokio::test]
async fn a_hundred_failures_over_both_nodes_stop_new_devices_on_both_and_never_the_owners_browser() {
    let (_cluster, a, b) = TestServer::two_nodes_with_throttles(ThrottleSettings { free_login_failures: 1000, ..Default::default() }).await;
    a.create_user("alice", Role::User).await;
    let hers = Browser::new(&a);
    assert_eq!(hers.log_in_via("alice", PASSWORD, "198.51.100.7").await.status(), StatusCode::OK);

    // 50 failures through each node, each from its own address.
    for n in 0..100 {
        let node = if n % 2 == 0 { &a } else { &b };
        let status = node.log_in_from("alice", "a wrong guess", &format!("203.0.113.{n}")).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    for node in [&a, &b] {
        let stranger = node.log_in_from("alice", PASSWORD, "192.0.2.200").await.status();
        assert_eq!(stranger, StatusCode::TOO_MANY_REQUESTS, "a new device is stopped on every node");
    }
    // Her browser carries its device cookie to either node.
    let on_b = hers.client.post(b.url(<LogIn as leptos::server_fn::ServerFn>::PATH))
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", "192.0.2.99")
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_keys_through_both_nodes_count_together_and_both_refuse_the_address() {
    let (_cluster, a, b) = TestServer::two_nodes_with_throttles(ThrottleSettings { failed_auth_burst: 5, ..Default::default() }).await;
    let alice = a.create_user("alice", Role::User).await;
    let (_, secret) = a.generate_key(&alice, None).await;
    let good = secret.expose().to_owned();
    let forged = forged(&good);
    let me = |node: &TestServer, key: &str| {
        Client::new().get(node.url("/api/v1/me")).header("MC-Api-Key", key.to_owned()).header("X-Forwarded-For", "203.0.113.66").send()
    };
    // Three through each node: six in all, over the burst of five.
    let mut statuses = Vec::new();
    for node in [&a, &b, &a, &b, &a, &b] {
        statuses.push(me(node, &forged).await.unwrap().status());
    }
    assert_eq!(&statuses[..5], &[StatusCode::UNAUTHORIZED; 5], "{statuses:?}");
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // Both nodes now refuse that address, even with a good key (the announcement reaches
    // the other node within a moment).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    for node in [&b, &a] {
        loop {
            let status = me(node, &good).await.unwrap().status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "a node still serves the address: {status}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
