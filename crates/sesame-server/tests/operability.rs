//! What operators rely on: Prometheus metrics and JSON logs.

mod support;

use reqwest::{Client, StatusCode};
use sesame_core::model::Role;
use support::{api_get, TestServer};

#[tokio::test]
async fn metrics_count_requests_authentications_and_report_the_writer_and_pool() {
    let server = TestServer::start().await;
    let alice = server.create_user("alice", Role::User).await;
    let (_, secret) = server.services.keys.generate(&alice, None).await.unwrap();
    assert_eq!(api_get(&server, "/api/v1/me", secret.expose()).await.status(), StatusCode::OK);
    assert_eq!(api_get(&server, "/api/v1/me", "sesame_not-a-key").await.status(), StatusCode::UNAUTHORIZED);
    server.services.flush_last_use().await.unwrap();

    let response = Client::new().get(server.url("/metrics")).send().await.unwrap();
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
    assert!(!text.contains(alice.id.as_str()));
}
