//! Several `sesame serve` nodes on one PostgreSQL database behave as one. Several nodes
//! need PostgreSQL (on SQLite one node owns the file and caches keys), so these tests use
//! the server in `SESAME_TEST_POSTGRES_URL`, or start a throwaway cluster of their own.

mod support;

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_core::{
    actor::Actor,
    model::{Role, Status, UserChange},
};
use sesame_api::functions::{DeleteApiKey, GenerateApiKey, ListApiKeys, RollApiKey, UpdateApiKey};
use support::{api_get, behind_proxy, TestServer};

#[tokio::test]
async fn keys_and_sessions_are_shared_between_nodes() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a.create_user("alice", Role::User).await;

    // Log in on A, act on B with the same session cookie (a load balancer in front).
    let cookie = a.browser("alice").await.session_cookie();
    let created = Client::new()
        .post(b.url(<GenerateApiKey as leptos::server_fn::ServerFn>::PATH))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"name": "shared"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let created: Value = created.json().await.unwrap();
    let key = created["secret"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();

    // Created through B, works on A.
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::OK);
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::OK);

    // Deleted through B: refused by A on the very next request.
    let deleted = Client::new()
        .post(b.url(<DeleteApiKey as leptos::server_fn::ServerFn>::PATH))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"id": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);

    let listed: Value = Client::new()
        .post(a.url(<ListApiKeys as leptos::server_fn::ServerFn>::PATH))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn last_use_from_both_nodes_ends_up_as_the_newest() {
    // Behind a trusted proxy, so each node's use carries a client address of its own.
    let (_cluster, a, b) = TestServer::two_nodes(behind_proxy).await;
    a.create_user("alice", Role::User).await;
    let alice = a.browser("alice").await;
    let (_, key) = a.key_for(&alice).await;
    let call = |server: &TestServer, client: &'static str| {
        Client::new()
            .get(server.url("/api/v1/me"))
            .header("MC-Api-Key", key.clone())
            .header("X-Forwarded-For", client)
            .send()
    };

    assert_eq!(call(&a, "198.51.100.1").await.unwrap().status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(call(&b, "198.51.100.2").await.unwrap().status(), StatusCode::OK);

    // B's newer use is written first; A's older batch arrives late and must not win.
    b.services.flush_last_use().await.unwrap();
    let after_b = alice.keys().await[0].clone();
    assert_eq!(after_b["lastUsedIp"], "198.51.100.2");
    a.services.flush_last_use().await.unwrap();
    let after_both = alice.keys().await[0].clone();
    assert_eq!(after_both["lastUsedIp"], "198.51.100.2");
    assert_eq!(after_both["lastUsedAt"], after_b["lastUsedAt"]);
}

/// Waits until `node` serves keys from its cache (its cluster lease is running).
async fn until_serving_cached_keys(node: &TestServer) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !node.services.serves_cached_keys() {
        assert!(Instant::now() < deadline, "the node never got its cluster lease");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// How a test stops a key from working through the other node.
#[derive(Debug, Clone, Copy)]
enum Revoke {
    Delete,
    Disable,
    /// Reported as leaked, with no key (`POST /api/v1/api_keys/revoke`).
    ReportLeaked,
    /// Rolled with no grace period: the old secret stops at once.
    RollNow,
}

#[tokio::test]
async fn no_request_is_accepted_by_a_caching_node_once_a_delete_on_another_returned() {
    no_request_is_accepted_by_a_caching_node_once_a_revoke_on_another_returned(Revoke::Delete).await;
}

#[tokio::test]
async fn no_request_is_accepted_by_a_caching_node_once_a_disable_on_another_returned() {
    no_request_is_accepted_by_a_caching_node_once_a_revoke_on_another_returned(Revoke::Disable).await;
}

#[tokio::test]
async fn no_request_is_accepted_by_a_caching_node_once_a_roll_on_another_returned() {
    no_request_is_accepted_by_a_caching_node_once_a_revoke_on_another_returned(Revoke::RollNow).await;
}

#[tokio::test]
async fn no_request_is_accepted_by_a_caching_node_once_a_leak_report_on_another_returned() {
    no_request_is_accepted_by_a_caching_node_once_a_revoke_on_another_returned(Revoke::ReportLeaked).await;
}

async fn no_request_is_accepted_by_a_caching_node_once_a_revoke_on_another_returned(revoke: Revoke) {
    // Behind a trusted proxy, so each round calls from an address of its own and the
    // refusals of one round do not get the next one throttled.
    let (_cluster, first, b) = TestServer::two_nodes(behind_proxy).await;
    // A hears of changes 200 ms late: only B waiting for it keeps A from answering from
    // its cache in the meantime.
    let a = first.another_slow_node(Duration::from_millis(200), behind_proxy).await;
    a.create_user("alice", Role::User).await;
    let alice = b.browser("alice").await;
    until_serving_cached_keys(&a).await;

    for round in 0..5 {
        let (id, key) = b.key_for(&alice).await;
        let client_ip = format!("198.51.100.{round}");
        let me = {
            let (url, key, client_ip) = (a.url("/api/v1/me"), key.clone(), client_ip.clone());
            move |client: Client| {
                let request = client.get(&url).header("MC-Api-Key", &key).header("X-Forwarded-For", &client_ip);
                async move { request.send().await.unwrap().status() }
            }
        };
        // A caches the key, then keeps using it while B deletes it, until refused a few times.
        assert_eq!(me(Client::new()).await, StatusCode::OK);
        let hammer = {
            let me = me.clone();
            tokio::spawn(async move {
                let client = Client::new();
                let mut answers = Vec::new();
                let mut refusals = 0;
                while refusals < 5 {
                    let sent = Instant::now();
                    let status = me(client.clone()).await;
                    refusals += usize::from(status != StatusCode::OK);
                    answers.push((sent, status));
                }
                answers
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let revoked = match revoke {
            Revoke::Delete => alice.call::<DeleteApiKey>(&json!({"id": id})).await,
            Revoke::Disable => alice.call::<UpdateApiKey>(&json!({"id": id, "status": "disabled"})).await,
            Revoke::ReportLeaked => {
                Client::new().post(b.url("/api/v1/api_keys/revoke")).json(&json!({"keys": [key]})).send().await.unwrap()
            }
            Revoke::RollNow => alice.call::<RollApiKey>(&json!({"id": id, "grace_seconds": 0})).await,
        };
        assert_eq!(revoked.status(), StatusCode::OK);
        let delete_returned = Instant::now();

        let answers = hammer.await.unwrap();
        assert!(a.services.serves_cached_keys(), "round {round}: A must still be caching");
        assert!(answers.iter().any(|(_, status)| *status == StatusCode::OK), "round {round}: A accepted the key before");
        let accepted_after =
            answers.iter().filter(|(sent, status)| *sent > delete_returned && *status == StatusCode::OK).count();
        assert_eq!(accepted_after, 0, "round {round}: requests accepted after the {revoke:?} returned");
        assert_eq!(me(Client::new()).await, StatusCode::UNAUTHORIZED);
        if let Revoke::Disable = revoke {
            // Enabled through B: A accepts the key again on its next request.
            let enabled = alice.call::<UpdateApiKey>(&json!({"id": id, "status": "active"})).await;
            assert_eq!(enabled.status(), StatusCode::OK);
            assert_eq!(me(Client::new()).await, StatusCode::OK);
        }
    }
}

#[tokio::test]
async fn a_rolled_keys_previous_secret_stops_on_every_node_at_the_end_of_its_overlap() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a.create_user("alice", Role::User).await;
    let alice = a.browser("alice").await;
    let (id, old) = a.key_for(&alice).await;
    until_serving_cached_keys(&a).await;
    until_serving_cached_keys(&b).await;
    for node in [&a, &b] {
        assert_eq!(api_get(node, "/api/v1/me", &old).await.status(), StatusCode::OK, "cached on every node");
    }
    // Rolled through B with an hour of overlap, the key's own way (a job rotating itself).
    a.clock.set(a.clock.now());
    let rolled = Client::new()
        .post(b.url(&format!("/api/v1/api_keys/{id}/roll")))
        .header("MC-Api-Key", &old)
        .json(&json!({"gracePeriodSeconds": 3600}))
        .send()
        .await
        .unwrap();
    assert_eq!(rolled.status(), StatusCode::OK);
    let new = rolled.json::<Value>().await.unwrap()["data"]["secret"].as_str().unwrap().to_owned();
    let until = a.clock.now() + chrono::TimeDelta::hours(1);
    a.clock.set(until - chrono::TimeDelta::milliseconds(1));
    for node in [&a, &b] {
        assert_eq!(api_get(node, "/api/v1/me", &old).await.status(), StatusCode::OK);
        assert_eq!(api_get(node, "/api/v1/me", &new).await.status(), StatusCode::OK);
    }
    a.clock.set(until);
    for node in [&a, &b] {
        assert_eq!(api_get(node, "/api/v1/me", &old).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(api_get(node, "/api/v1/me", &new).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_key_expires_on_every_node_at_the_same_instant_with_no_message_between_them() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a.create_user("alice", Role::User).await;
    let alice = a.browser("alice").await;
    let expires_at = a.clock.now() + chrono::TimeDelta::days(7);
    let created = alice.call::<GenerateApiKey>(&json!({"name": "weekly", "expires_at": expires_at})).await;
    assert_eq!(created.status(), StatusCode::OK);
    let key = created.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
    until_serving_cached_keys(&a).await;
    until_serving_cached_keys(&b).await;
    for node in [&a, &b] {
        assert_eq!(api_get(node, "/api/v1/me", &key).await.status(), StatusCode::OK);
    }
    // The nodes share one test clock, as real nodes share real time.
    a.clock.set(expires_at - chrono::TimeDelta::milliseconds(1));
    for node in [&a, &b] {
        assert_eq!(api_get(node, "/api/v1/me", &key).await.status(), StatusCode::OK);
    }
    a.clock.set(expires_at);
    for node in [&a, &b] {
        assert_eq!(api_get(node, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_key_shortened_by_a_policy_set_on_one_node_ends_at_its_new_expiry_on_the_other() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a.clock.set(a.clock.now());
    let admin = a.create_user("ada", Role::Admin).await;
    let (_, admin_key) = a.generate_key(&admin, Some("admin")).await;
    a.create_user("alice", Role::User).await;
    let alice = a.browser("alice").await;
    let (_, key) = a.key_for(&alice).await;
    until_serving_cached_keys(&a).await;
    until_serving_cached_keys(&b).await;
    // Cached on B with no expiry.
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::OK);

    let set = Client::new()
        .patch(a.url("/api/v1/organization"))
        .header("MC-Api-Key", admin_key.expose())
        .json(&json!({"maxKeyLifetimeDays": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let limit = a.clock.now() + chrono::TimeDelta::days(30);
    a.clock.set(limit - chrono::TimeDelta::milliseconds(1));
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::OK);
    a.clock.set(limit);
    for node in [&a, &b] {
        assert_eq!(api_get(node, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED, "refused at the new expiry");
    }
}

#[tokio::test]
async fn a_scope_change_on_one_node_applies_on_the_next_request_to_another() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    let ada = a.create_user("ada", Role::Admin).await;
    let (key, secret) = a.generate_key(&ada, Some("ci")).await;
    until_serving_cached_keys(&a).await;
    until_serving_cached_keys(&b).await;
    // Cached on B with full access.
    assert_eq!(api_get(&b, "/api/v1/users", secret.expose()).await.status(), StatusCode::OK);

    let narrowed = Client::new()
        .patch(a.url(&format!("/api/v1/api_keys/{}", key.id)))
        .header("MC-Api-Key", secret.expose())
        .json(&json!({"scopes": ["me:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(narrowed.status(), StatusCode::OK);
    for node in [&b, &a] {
        let refused = api_get(node, "/api/v1/users", secret.expose()).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["errors"][0]["context"]["required"], json!(["users:read"]));
        assert_eq!(api_get(node, "/api/v1/me", secret.expose()).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn an_allow_list_change_on_one_node_applies_on_the_next_request_to_another() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    let ada = a.create_user("ada", Role::User).await;
    let (key, secret) = a.generate_key(&ada, Some("ci")).await;
    let (_, admin) = a.generate_key(&ada, Some("admin")).await;
    until_serving_cached_keys(&a).await;
    until_serving_cached_keys(&b).await;
    // Cached on B, usable from anywhere (these tests call from 127.0.0.1).
    assert_eq!(api_get(&b, "/api/v1/me", secret.expose()).await.status(), StatusCode::OK);

    let fenced = Client::new()
        .patch(a.url(&format!("/api/v1/api_keys/{}", key.id)))
        .header("MC-Api-Key", admin.expose())
        .json(&json!({"allowedAddresses": ["198.51.100.0/24"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(fenced.status(), StatusCode::OK);
    for node in [&b, &a] {
        let refused = api_get(node, "/api/v1/me", secret.expose()).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "address_not_allowed");
    }
}

#[tokio::test]
async fn a_keys_own_limit_holds_for_the_cluster_not_per_node() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    let ada = a.create_user("ada", Role::User).await;
    let (key, secret) = a.generate_key(&ada, Some("ci")).await;
    let (_, admin) = a.generate_key(&ada, Some("admin")).await;
    let limited = Client::new()
        .patch(a.url(&format!("/api/v1/api_keys/{}", key.id)))
        .header("MC-Api-Key", admin.expose())
        .json(&json!({"rateLimit": {"requests": 10, "per": "second"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::OK);

    // As fast as it goes for two seconds, alternating between the nodes as a balancer would.
    let started = Instant::now();
    let (mut accepted, mut throttled) = (0_u32, 0_u32);
    while started.elapsed() < Duration::from_secs(2) {
        for node in [&a, &b] {
            match api_get(node, "/api/v1/me", secret.expose()).await.status() {
                StatusCode::OK => accepted += 1,
                StatusCode::TOO_MANY_REQUESTS => throttled += 1,
                other => panic!("unexpected {other}"),
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    // A burst of 10, then 10 a second — for both nodes together. Counted per node it would
    // be about twice as many.
    let most = 10.0 + 10.0 * seconds + 2.0;
    assert!(f64::from(accepted) <= most, "{accepted} accepted in {seconds:.2} s (at most {most:.0})");
    assert!(accepted >= 10 + 10, "{accepted} accepted in {seconds:.2} s");
    assert!(throttled > 0);
}

#[tokio::test]
async fn a_user_change_on_one_node_applies_on_the_next_request_to_another() {
    let (_cluster, first, b) = TestServer::two_nodes(|_| {}).await;
    let a = first.another_slow_node(Duration::from_millis(200), |_| {}).await;
    let admin = b.create_user("root", Role::Admin).await;
    let bob = a.create_user("bob", Role::User).await;
    let (_, key) = a.console_key("bob").await;
    until_serving_cached_keys(&a).await;
    let role_on_a = || async {
        let response = api_get(&a, "/api/v1/me", &key).await;
        match response.status() {
            StatusCode::OK => response.json::<Value>().await.unwrap()["data"]["role"].as_str().unwrap().to_owned(),
            other => other.to_string(),
        }
    };
    assert_eq!(role_on_a().await, "user");

    let admin = Actor::command_line(admin);
    let promote = UserChange { role: Some(Role::Admin), status: None };
    b.services.users.update(&admin, bob.id, promote).await.unwrap();
    assert_eq!(role_on_a().await, "admin");

    let disable = UserChange { role: None, status: Some(Status::Disabled) };
    b.services.users.update(&admin, bob.id, disable).await.unwrap();
    assert_eq!(role_on_a().await, "401 Unauthorized");
}

#[tokio::test]
async fn a_node_that_vanishes_holds_deletes_back_for_one_lease_at_most() {
    let (_cluster, mut a, b) = TestServer::two_nodes(|_| {}).await;
    a.create_user("alice", Role::User).await;
    let alice = b.browser("alice").await;
    let (id, key) = b.key_for(&alice).await;
    until_serving_cached_keys(&a).await;
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::OK);

    // A stops hearing and heart-beating without leaving, like a crashed node.
    a.vanish_from_cluster();
    let started = Instant::now();
    let deleted = alice.call::<DeleteApiKey>(&json!({"id": id})).await;
    assert_eq!(deleted.status(), StatusCode::OK);
    let waited = started.elapsed();
    // The default lease is 3 s: B waited for A's heartbeat to go stale, and no longer.
    assert!(waited < Duration::from_secs(5), "the delete waited {waited:?}");
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_node_that_loses_its_listener_stops_caching_until_it_has_rejoined() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    a.create_user("alice", Role::User).await;
    let alice = b.browser("alice").await;
    let (id, key) = b.key_for(&alice).await;
    until_serving_cached_keys(&a).await;
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::OK);

    // Cut every node's notification connection, as a network glitch or a restarted
    // connection pooler would.
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&a.database_url).await.unwrap();
    let cut: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity          WHERE datname = current_database() AND query ILIKE 'LISTEN%') AS cut",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(cut, 2, "one listener per node");
    let deadline = Instant::now() + Duration::from_secs(5);
    while a.services.serves_cached_keys() {
        assert!(Instant::now() < deadline, "A kept serving cached keys without its listener");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Deleted while A may still be reconnecting: A must not answer from what it cached.
    let deleted = alice.call::<DeleteApiKey>(&json!({"id": id})).await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);
    until_serving_cached_keys(&a).await;
    assert_eq!(api_get(&a, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);
}

/// `GET /readyz` on `node`: its status.
async fn readiness(node: &TestServer) -> StatusCode {
    reqwest::get(node.url("/readyz")).await.unwrap().status()
}

/// Waits (a few heartbeats at most) until `node`'s readiness is `wanted`.
async fn until_readiness(node: &TestServer, wanted: StatusCode) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while readiness(node).await != wanted {
        assert!(Instant::now() < deadline, "/readyz never answered {wanted}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_node_whose_clock_is_off_the_databases_is_not_ready_and_says_by_how_much() {
    let (_cluster, a, b) = TestServer::two_nodes(|_| {}).await;
    until_serving_cached_keys(&a).await;
    until_readiness(&a, StatusCode::OK).await;
    // The clock that decides expiries runs 30 s ahead of the database's (the test nodes share
    // theirs): "from that millisecond on every node" would not hold.
    a.clock.set(a.clock.now() + chrono::TimeDelta::seconds(30));
    until_readiness(&a, StatusCode::SERVICE_UNAVAILABLE).await;
    until_readiness(&b, StatusCode::SERVICE_UNAVAILABLE).await;
    let metrics = reqwest::get(&a.metrics_url).await.unwrap().text().await.unwrap();
    let skew: f64 = metrics.lines().find_map(|line| line.strip_prefix("sesame_clock_skew_seconds ")).unwrap().parse().unwrap();
    assert!((28.0..=31.0).contains(&skew), "{skew}");
    // Back in step: ready again.
    a.clock.resume();
    until_readiness(&a, StatusCode::OK).await;
    until_readiness(&b, StatusCode::OK).await;
}
