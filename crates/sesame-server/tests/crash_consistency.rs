//! A change and its activity event are one: a `sesame serve` killed between the two (a
//! failpoint of the test build aborts the process there) leaves neither, and one killed
//! right after they committed leaves both — never a key nobody can see in the log.

mod support;

use std::{
    io::Write,
    process::{Child, Stdio},
};

use reqwest::StatusCode;
use serde_json::Value;
use support::binary::{base_url, sesame};

/// An administrator and their key, made by the operator.
fn provision(database_url: &str) -> String {
    let mut child = sesame(database_url)
        .args(["user", "create", "--username", "ops", "--email", "ops@example.com", "--role", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"correct horse battery\n").unwrap();
    assert!(child.wait().unwrap().success());
    let output = sesame(database_url).args(["key", "create", "--username", "ops", "--name", "ops-key"]).output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `sesame serve` on the database, aborting at `failpoint` if given; its base URL.
fn serve(database_url: &str, failpoint: Option<&str>) -> (Child, String) {
    let mut command = sesame(database_url);
    command.args(["serve", "--addr", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null());
    if let Some(point) = failpoint {
        command.env("SESAME_FAILPOINT", point);
    }
    let mut server = command.spawn().unwrap();
    let base = base_url(&mut server);
    (server, base)
}

/// Creates a key named `name` through the API on a server that aborts at `failpoint`, and
/// returns what a restarted server then holds: (the key is listed, its event is logged).
async fn create_and_crash(failpoint: &str, name: &str) -> (bool, bool) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("sesame.db").display());
    let key = provision(&database_url);
    let client = reqwest::Client::new();

    let (mut doomed, base) = serve(&database_url, Some(failpoint));
    let attempt = client
        .post(format!("{base}/api/v1/api_keys"))
        .header("MC-Api-Key", &key)
        .json(&serde_json::json!({"name": name}))
        .send()
        .await;
    assert!(attempt.is_err(), "the server answered instead of crashing: {attempt:?}");
    let status = doomed.wait().unwrap();
    assert!(!status.success(), "the server did not crash at {failpoint}");

    let (mut server, base) = serve(&database_url, None);
    let get = |path: &str| client.get(format!("{base}{path}")).header("MC-Api-Key", &key).send();
    let keys: Value = get("/api/v1/api_keys").await.unwrap().json().await.unwrap();
    let listed = keys["data"].as_array().unwrap().iter().any(|k| k["name"] == name);
    let activity = get("/api/v1/activity").await.unwrap();
    assert_eq!(activity.status(), StatusCode::OK);
    let activity: Value = activity.json().await.unwrap();
    let logged = activity["data"].as_array().unwrap().iter().any(|e| e["event"] == "key_created" && e["key"]["name"] == name);
    server.kill().unwrap();
    server.wait().unwrap();
    (listed, logged)
}

#[tokio::test]
async fn killed_between_a_change_and_its_event_leaves_neither() {
    assert_eq!(create_and_crash("between-change-and-event", "half-made").await, (false, false));
}

#[tokio::test]
async fn killed_once_a_change_committed_leaves_both() {
    assert_eq!(create_and_crash("after-commit", "made").await, (true, true));
}
