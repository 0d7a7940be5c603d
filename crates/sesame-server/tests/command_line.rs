//! The `sesame` binary as an operator and a provisioning script use it.

mod support;

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
};

use sesame_core::key::ApiKeySecret;
use support::binary::{base_url, sesame};

fn create_user(database_url: &str, username: &str, password: &str) -> std::process::Output {
    let mut child = sesame(database_url)
        .args(["user", "create", "--username", username, "--email", "ops@example.com", "--role", "user", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn provisioning_a_key_from_the_command_line_and_serving_it() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("data/sesame.db").display());

    let created = create_user(&database_url, "ops", "correct horse battery");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));

    let output = sesame(&database_url).args(["key", "create", "--username", "ops", "--name", "provisioned"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The key alone on standard output, nothing else.
    assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
    let key = stdout.trim_end().to_owned();
    assert!(ApiKeySecret::parse(&key).is_ok());
    assert!(!String::from_utf8_lossy(&output.stderr).contains(&key), "the key leaked to stderr");

    let mut server = sesame(&database_url)
        .args(["serve", "--addr", "127.0.0.1:0", "--site-dir", dir.path().to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let base = base_url(&mut server);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new().get(format!("{base}/api/v1/me")).header("MC-Api-Key", &key).send().await.unwrap().status()
    });
    assert_eq!(status, 200);

    // A second server on the same SQLite file is refused: one node per SQLite database.
    let second = sesame(&database_url).args(["serve", "--addr", "127.0.0.1:0"]).output().unwrap();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("one server per SQLite database"));

    // SIGTERM is a graceful shutdown with exit code 0, and the use just made — its last use
    // and its count in the key's usage — is written before the process exits.
    Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(server.wait().unwrap().success());
    let (last_used, usage) = runtime.block_on(async {
        use sesame_core::{actor::Actor, keys::UsageWindow, usage::{Granularity, Outcome}};
        let services = sesame_core::Services::connect(&database_url, Default::default()).await.unwrap();
        let user = services.accounts.user_named("ops").await.unwrap().unwrap();
        let operator = Actor::command_line(user);
        let key = services.keys.list(&operator).await.unwrap().remove(0);
        let now = chrono::Utc::now();
        let usage = services.keys.usage(&operator, key.id, UsageWindow::between(Granularity::Hour, now - chrono::TimeDelta::hours(2), now)).await.unwrap();
        (key, usage.totals().of(Outcome::Accepted))
    });
    assert_eq!(last_used.last_used_ip, Some("127.0.0.1".parse().unwrap()));
    assert!(last_used.last_used_at.is_some());
    assert_eq!(usage, 1, "the one request, counted");
}

#[test]
fn operator_mistakes_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("sesame.db").display());

    let short = create_user(&database_url, "ops", "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));

    let missing = sesame(&database_url).args(["key", "create", "--username", "nobody"]).output().unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no user named"));
    assert!(missing.stdout.is_empty());

    let bad_url = sesame("mysql://nowhere").args(["key", "create", "--username", "x"]).output().unwrap();
    assert!(!bad_url.status.success());
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("unsupported database URL"));
}

#[test]
fn logs_can_be_json_lines_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("sesame.db").display());
    let created = create_user(&database_url, "ops", "correct horse battery");
    assert!(created.status.success());
    let output = sesame(&database_url)
        .env("RUST_LOG", "info")
        .args(["--log-format", "json", "key", "create", "--username", "ops"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let key = String::from_utf8(output.stdout).unwrap();
    let logs = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = logs.lines().filter(|line| !line.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no log line");
    for line in lines {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(entry["level"].is_string() && entry["message"].is_string(), "{line}");
        assert!(!line.contains(key.trim()), "a key in the logs");
    }
}

#[test]
fn the_setup_token_is_printed_by_serve_and_setup_token_until_setup_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("sesame.db").display());

    let printed = sesame(&database_url).arg("setup-token").output().unwrap();
    assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
    let token = String::from_utf8(printed.stdout).unwrap().trim().to_owned();
    assert!(token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()), "{token:?}");

    // `sesame serve` shows the same one to its operator, on standard error.
    let mut server = sesame(&database_url)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    while !line.contains("Setup token") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no setup token printed");
    }
    assert!(line.trim_end().ends_with(&token), "{line}");
    server.kill().unwrap();
    server.wait().unwrap();

    // Once a user exists, there is none.
    assert!(create_user(&database_url, "ops", "correct horse battery").status.success());
    let after = sesame(&database_url).arg("setup-token").output().unwrap();
    assert!(!after.status.success());
    assert!(after.stdout.is_empty());
}

#[test]
fn serve_keeps_serving_when_its_standard_output_and_error_are_closed() {
    // As `sesame serve | head -1` leaves it: whatever it prints for the operator then
    // fails, and must not stop the server.
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("sesame.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = sesame(&database_url)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--site-dir", dir.path().to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before the server writes its first line (a fresh database: it also prints
    // that there is no user yet, and the setup token).
    drop(server.stdout.take());
    drop(server.stderr.take());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answered = runtime.block_on(async {
        for _ in 0..200 {
            if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await {
                return Some(response.status());
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    });
    let still_running = server.try_wait().unwrap().is_none();
    let _ = server.kill();
    assert!(still_running, "the server stopped: {:?}", server.wait());
    assert_eq!(answered, Some(reqwest::StatusCode::OK));
}
