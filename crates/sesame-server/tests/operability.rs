//! What operators rely on: Prometheus metrics and JSON logs.

mod support;

use reqwest::{Client, StatusCode};
use sesame_core::model::Role;
use support::{api_get, TestServer};

#[tokio::test]
async fn metrics_count_requests_authentications_and_report_the_writer_and_pool() {
    let server = TestServer::start().await;
    let alice = server.create_user("alice", Role::User).await;
    let (_, secret) = server.generate_key(&alice, None).await;
    assert_eq!(api_get(&server, "/api/v1/me", secret.expose()).await.status(), StatusCode::OK);
    assert_eq!(api_get(&server, "/api/v1/me", "sesame_not-a-key").await.status(), StatusCode::UNAUTHORIZED);
    server.services.flush_last_use().await.unwrap();

    // Not on the public address: on the metrics address alone.
    assert_eq!(Client::new().get(server.url("/metrics")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let response = Client::new().get(&server.metrics_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    for expected in [
        r#"sesame_http_requests_total{route="/api/v1/me",method="GET",status="200"}"#,
        r#"sesame_http_requests_total{route="/api/v1/me",method="GET",status="401"}"#,
        r#"sesame_api_authentications_total{outcome="accepted"}"#,
        r#"sesame_api_authentications_total{outcome="refused"}"#,
        "sesame_key_verification_seconds_bucket",
        "sesame_last_use_pending 0",
        "sesame_last_use_flush_lag_seconds",
        "sesame_last_use_dropped 0",
        r#"sesame_db_pool_connections{state="idle"}"#,
        "sesame_key_cache_usable",
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
    // Routes are templates: a key id never becomes a label.
    assert!(!text.contains(&alice.id.to_string()));
}

/// A method label is one of the standard methods or `other`: invented methods (which the
/// catch-all API route answers) must not create a series each.
#[tokio::test]
async fn invented_methods_do_not_become_metric_labels() {
    let server = TestServer::start().await;
    let client = Client::new();
    for n in 0..40 {
        let method = reqwest::Method::from_bytes(format!("PROBE{n}").as_bytes()).unwrap();
        for path in ["/api/v1/me", "/api/v1/nothing-here", "/healthz"] {
            client.request(method.clone(), server.url(path)).send().await.unwrap();
        }
    }
    let text = client.get(&server.metrics_url).send().await.unwrap().text().await.unwrap();
    assert!(!text.contains("PROBE"), "invented methods became labels:\n{text}");
    assert!(text.contains(r#"method="other""#), "no `other` method label in:\n{text}");
}
