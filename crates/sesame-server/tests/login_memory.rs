//! Memory cannot be exhausted through login usernames: whatever is sent as a username, the
//! limits keep fixed-size keys, and a username that breaks the username rule is refused
//! before any limit counts it. 10,000 failed logins with 60 KiB usernames, each from
//! another address, leave the server's memory (this process's) within 50 MB of where it was.

mod support;

use futures_util::{stream, StreamExt};
use serde_json::json;
use sesame_core::throttle::ThrottleSettings;
use sesame_api::functions::LogIn;
use support::TestServer;

const ATTEMPTS: usize = 10_000;
const USERNAME_BYTES: usize = 60 * 1024;

fn resident_megabytes() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kilobytes: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|value| value.parse().ok())
        .unwrap();
    kilobytes / 1024.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_failed_logins_with_huge_usernames_keep_memory_bounded() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let client = reqwest::Client::new();
    let url = server.url(<LogIn as leptos::server_fn::ServerFn>::PATH);
    let attempt = |n: usize| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            // Every attempt another name and another address, so no limit would stop them.
            let username = format!("{n:08}{}", "x".repeat(USERNAME_BYTES - 8));
            let address = format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255);
            client
                .post(&url)
                .header("sec-fetch-site", "same-origin")
                .header("x-forwarded-for", address)
                .json(&json!({"username": username, "password": "wrong password!"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Warm up (allocator, connection pools), then measure.
    stream::iter(0..200).map(attempt).buffer_unordered(16).collect::<Vec<_>>().await;
    let before = resident_megabytes();
    let statuses: Vec<_> = stream::iter(200..ATTEMPTS + 200).map(attempt).buffer_unordered(16).collect().await;
    let after = resident_megabytes();
    assert!(statuses.iter().all(|status| *status == reqwest::StatusCode::UNAUTHORIZED), "every attempt refused as a failed login");
    assert!(after - before < 50.0, "RSS grew by {:.0} MB ({before:.0} → {after:.0} MB)", after - before);
}
