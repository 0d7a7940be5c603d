//! `sesame-reliability`: losing a key, or accepting a deleted one, must not happen under
//! load and faults. Each scenario runs on SQLite and, when `SESAME_TEST_POSTGRES_URL` is set
//! (scripts/with-postgres.sh), on PostgreSQL, against the release binary; the table of
//! figures is printed, and written to `bench/reliability.md` by the long run. `--long` runs the full
//! durations (60 s of concurrency, 10 min of soak); the default is a short version for CI.
//!
//! Scenarios: concurrency (writers create, rename and delete keys while readers use them),
//! crash (SIGKILL under that load, restart, check every acknowledged change), graceful
//! shutdown (SIGTERM with requests in flight), database loss (PostgreSQL stopped and started
//! again mid-load, through SESAME_TEST_PG_STOP / SESAME_TEST_PG_START), soak (memory).

use std::{
    collections::HashMap,
    fmt::Write as _,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sesame_bench::server_process::ServerProcess;
use sesame_core::{
    actor::Actor,
    accounts::UserInput,
    keys::NewKey,
    model::{Role, User},
    password::Password,
    Services, Settings,
};

/// Readers present deleted keys on purpose: the failed-authentication limit must not turn
/// their requests into 429s (tests/rate_limits.rs covers that limit).
const SERVER_ARGS: [&str; 2] = ["--failed-auth-burst", "1000000000"];

struct Durations {
    concurrency: Duration,
    clients: usize,
    soak: Duration,
}

#[derive(Default)]
struct Table {
    rows: Vec<[String; 4]>,
    failed: bool,
}

impl Table {
    fn add(&mut self, scenario: &str, backend: &str, figures: String, ok: bool) {
        let verdict = if ok { "ok" } else { "FAILED" };
        println!("{scenario:<20} {backend:<11} {verdict:<7} {figures}");
        self.failed |= !ok;
        self.rows.push([scenario.into(), backend.into(), verdict.into(), figures]);
    }

    fn markdown(&self) -> String {
        let mut text = String::from("| scenario | backend | verdict | figures |\n| --- | --- | --- | --- |\n");
        for [scenario, backend, verdict, figures] in &self.rows {
            let _ = writeln!(text, "| {scenario} | {backend} | {verdict} | {figures} |");
        }
        text
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let long = std::env::args().any(|arg| arg == "--long");
    let durations = if long {
        Durations { concurrency: Duration::from_secs(60), clients: 50, soak: Duration::from_secs(600) }
    } else {
        Durations { concurrency: Duration::from_secs(5), clients: 8, soak: Duration::from_secs(10) }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize()?;
    let work = tempfile::tempdir()?;
    let mut table = Table::default();

    let mut backends = vec![("SQLite", format!("sqlite://{}", work.path().join("reliability.db").display()))];
    if let Ok(server) = std::env::var("SESAME_TEST_POSTGRES_URL") {
        sesame_core::testing::create_postgres_database(&server, "sesame_reliability").await?;
        let base = server.rsplit_once('/').context("no database in the URL")?.0;
        backends.push(("PostgreSQL", format!("{base}/sesame_reliability")));
    } else {
        eprintln!("no SESAME_TEST_POSTGRES_URL: PostgreSQL scenarios left out");
    }

    for (backend, url) in &backends {
        let admin = provision(url).await?;
        concurrency(&root, url, backend, &admin, &durations, &mut table).await?;
        crash(&root, url, backend, &admin, &durations, &mut table).await?;
        graceful_shutdown(&root, url, backend, &mut table).await?;
        if *backend == "PostgreSQL" {
            database_loss(&root, url, &admin, &mut table).await?;
        } else {
            read_only_sqlite(&root, url, &admin, &mut table).await?;
        }
        soak(&root, url, backend, &admin, &durations, &mut table).await?;
    }

    // Only the long run's figures are kept: the short one (the test command) must not
    // overwrite them.
    if long {
        let results = root.join("bench/reliability.md");
        let mut text = String::from("# Reliability figures\n\n");
        let _ = writeln!(
            text,
            "Written by `scripts/reliability.sh --long` on a {}-core machine.\n",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        text.push_str(&table.markdown());
        std::fs::write(&results, text)?;
        println!("\nwritten to {}", results.display());
    }
    if table.failed {
        bail!("a scenario failed");
    }
    Ok(())
}

/// One administrator; each scenario makes its own keys through the API.
async fn provision(url: &str) -> anyhow::Result<User> {
    let services = Services::connect(url, Settings::default()).await?;
    Ok(services
        .accounts
        .create_user_by_operator(UserInput {
            organization: "Reliability".into(),
            full_name: "Reliability Admin".into(),
            username: format!("rel{}", rand::random::<u32>()),
            email: "rel@example.com".into(),
            role: Role::Admin,
            password: Password::new("correct horse battery"),
        })
        .await?)
}

async fn manager_key(url: &str, owner: &User) -> anyhow::Result<String> {
    let services = Services::connect(url, Settings::default()).await?;
    let secret = services.keys.create(&Actor::command_line(owner.clone()), NewKey::named(None)).await?.secret;
    Ok(secret.expose().to_owned())
}

/// What the clients were told about one key.
#[derive(Clone)]
struct Told {
    secret: String,
    name: String,
    /// When its delete was acknowledged.
    deleted_at: Option<Instant>,
    /// An operation was sent and not answered (a crash may cut it off).
    in_flight: bool,
}

#[derive(Default)]
struct Load {
    keys: Mutex<HashMap<String, Told>>,
    requests: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
    /// Requests with a key whose delete was acknowledged before they started, that were
    /// accepted anyway. Must stay 0.
    accepted_after_delete: AtomicU64,
    stop: AtomicBool,
}

impl Load {
    fn count(&self, status: Option<StatusCode>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match status {
            Some(status) if status.is_server_error() => {
                self.server_errors.fetch_add(1, Ordering::Relaxed);
            }
            None => {
                self.transport_errors.fetch_add(1, Ordering::Relaxed);
            }
            Some(_) => {}
        }
    }
}

/// `writers` clients create and rename keys, and delete one in `delete_every`; `readers`
/// call `/api/v1/me` with them, deleted ones included. Runs until `load.stop`. Writers
/// and readers may go to different nodes (`readers_base`).
fn start_load(
    base: &str,
    readers_base: &str,
    manager: &str,
    (writers, delete_every): (usize, u64),
    readers: usize,
    load: &Arc<Load>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let client = Client::builder().timeout(Duration::from_secs(15)).build().expect("client");
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let (client, load, base, manager) = (client.clone(), load.clone(), base.to_owned(), manager.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !load.stop.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("w{writer}-{n}");
                let created = client
                    .post(format!("{base}/api/v1/api_keys"))
                    .header("MC-Api-Key", &manager)
                    .json(&json!({ "name": name }))
                    .send()
                    .await;
                let created = match created {
                    Ok(response) => {
                        load.count(Some(response.status()));
                        if response.status() != StatusCode::CREATED {
                            continue;
                        }
                        response.json::<Value>().await.unwrap_or_default()
                    }
                    Err(_) => {
                        load.count(None);
                        continue;
                    }
                };
                let id = created["data"]["id"].as_str().unwrap_or_default().to_owned();
                let secret = created["data"]["secret"].as_str().unwrap_or_default().to_owned();
                load.keys.lock().unwrap().insert(id.clone(), Told { secret, name: name.clone(), deleted_at: None, in_flight: false });

                let renamed = format!("{name}-r");
                set_in_flight(&load, &id, true);
                let response = client
                    .patch(format!("{base}/api/v1/api_keys/{id}"))
                    .header("MC-Api-Key", &manager)
                    .json(&json!({ "name": renamed }))
                    .send()
                    .await;
                load.count(response.as_ref().ok().map(|r| r.status()));
                if let Ok(response) = response {
                    if response.status() == StatusCode::OK {
                        let mut keys = load.keys.lock().unwrap();
                        if let Some(told) = keys.get_mut(&id) {
                            told.name = renamed;
                            told.in_flight = false;
                        }
                    }
                }
                if n.is_multiple_of(delete_every) {
                    set_in_flight(&load, &id, true);
                    let response = client
                        .delete(format!("{base}/api/v1/api_keys/{id}"))
                        .header("MC-Api-Key", &manager)
                        .send()
                        .await;
                    load.count(response.as_ref().ok().map(|r| r.status()));
                    if matches!(response.map(|r| r.status()), Ok(StatusCode::NO_CONTENT)) {
                        let acknowledged = Instant::now();
                        let mut keys = load.keys.lock().unwrap();
                        if let Some(told) = keys.get_mut(&id) {
                            told.deleted_at = Some(acknowledged);
                            told.in_flight = false;
                        }
                    }
                }
            }
        }));
    }
    for _ in 0..readers {
        let (client, load, base) = (client.clone(), load.clone(), readers_base.to_owned());
        tasks.push(tokio::spawn(async move {
            while !load.stop.load(Ordering::Relaxed) {
                let picked = {
                    let keys = load.keys.lock().unwrap();
                    let count = keys.len();
                    if count == 0 {
                        None
                    } else {
                        let index = rand::random::<u64>() as usize % count;
                        keys.iter().nth(index).map(|(id, told)| (id.clone(), told.secret.clone()))
                    }
                };
                let Some((id, secret)) = picked else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                let started = Instant::now();
                let response = client.get(format!("{base}/api/v1/me")).header("MC-Api-Key", &secret).send().await;
                let status = response.as_ref().ok().map(|r| r.status());
                load.count(status);
                if status == Some(StatusCode::OK) {
                    let deleted_before = load.keys.lock().unwrap().get(&id).and_then(|told| told.deleted_at).is_some_and(|at| at < started);
                    if deleted_before {
                        load.accepted_after_delete.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tasks
}

fn set_in_flight(load: &Load, id: &str, value: bool) {
    if let Some(told) = load.keys.lock().unwrap().get_mut(id) {
        told.in_flight = value;
    }
}

async fn stop_load(load: &Arc<Load>, tasks: Vec<tokio::task::JoinHandle<()>>) {
    load.stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
}

/// Compares what the clients were told with the database: (keys checked, mismatches).
async fn check_state(url: &str, owner: &User, load: &Load, skip_in_flight: bool) -> anyhow::Result<(usize, usize)> {
    let services = Services::connect(url, Settings::default()).await?;
    let stored: HashMap<String, String> =
        services.keys.list(&Actor::command_line(owner.clone())).await?.into_iter().map(|key| (key.id.to_string(), key.name)).collect();
    let keys = load.keys.lock().unwrap();
    let mut checked = 0;
    let mut mismatches = 0;
    for (id, told) in keys.iter() {
        if skip_in_flight && told.in_flight {
            continue;
        }
        checked += 1;
        let expected = if told.deleted_at.is_some() { None } else { Some(&told.name) };
        if stored.get(id) != expected {
            mismatches += 1;
        }
    }
    Ok((checked, mismatches))
}

async fn concurrency(root: &Path, url: &str, backend: &str, admin: &User, d: &Durations, table: &mut Table) -> anyhow::Result<()> {
    let manager = manager_key(url, admin).await?;
    let mut server = ServerProcess::start(root, url, &SERVER_ARGS)?;
    // On PostgreSQL, a second node serves the readers: every key they use was created,
    // and is deleted, through the other node, whose deletes must reach their cache.
    let mut reader_node = match backend {
        "PostgreSQL" => Some(ServerProcess::start(root, url, &SERVER_ARGS)?),
        _ => None,
    };
    let readers_base = reader_node.as_ref().map_or(server.base.clone(), |node| node.base.clone());
    let load = Arc::new(Load::default());
    let tasks = start_load(&server.base, &readers_base, &manager, (d.clients, 2), d.clients, &load);
    tokio::time::sleep(d.concurrency).await;
    stop_load(&load, tasks).await;
    server.terminate(Duration::from_secs(10))?;
    if let Some(node) = reader_node.as_mut() {
        node.terminate(Duration::from_secs(10))?;
    }
    let nodes = if reader_node.is_some() { "2 nodes (writers on one, readers on the other), " } else { "" };
    let (checked, mismatches) = check_state(url, admin, &load, false).await?;
    let requests = load.requests.load(Ordering::Relaxed);
    let server_errors = load.server_errors.load(Ordering::Relaxed);
    let after_delete = load.accepted_after_delete.load(Ordering::Relaxed);
    let transport = load.transport_errors.load(Ordering::Relaxed);
    let ok = server_errors == 0 && after_delete == 0 && mismatches == 0 && transport == 0 && checked > 0;
    table.add(
        "concurrency",
        backend,
        format!(
            "{nodes}{}+{} clients for {} s: {requests} requests, {server_errors} 5xx, {transport} transport errors, {after_delete} accepted after delete, {checked} keys checked, {mismatches} differ from what clients were told",
            d.clients, d.clients, d.concurrency.as_secs()
        ),
        ok,
    );
    Ok(())
}

async fn crash(root: &Path, url: &str, backend: &str, admin: &User, d: &Durations, table: &mut Table) -> anyhow::Result<()> {
    let owner = provision(url).await?;
    let manager = manager_key(url, &owner).await?;
    let mut server = ServerProcess::start(root, url, &SERVER_ARGS)?;
    let load = Arc::new(Load::default());
    let tasks = start_load(&server.base, &server.base, &manager, (d.clients, 2), d.clients, &load);
    tokio::time::sleep(d.concurrency / 2).await;
    server.kill();
    stop_load(&load, tasks).await;
    // Restart on the same database: every acknowledged change must be there.
    let mut restarted = ServerProcess::start(root, url, &SERVER_ARGS)?;
    let alive = Client::new().get(format!("{}/api/v1/me", restarted.base)).header("MC-Api-Key", &manager).send().await?;
    restarted.terminate(Duration::from_secs(10))?;
    let (checked, mismatches) = check_state(url, &owner, &load, true).await?;
    let after_delete = load.accepted_after_delete.load(Ordering::Relaxed);
    let server_errors = load.server_errors.load(Ordering::Relaxed);
    let ok = mismatches == 0 && after_delete == 0 && server_errors == 0 && alive.status() == StatusCode::OK && checked > 0;
    table.add(
        "crash (SIGKILL)",
        backend,
        format!(
            "killed after {} ms of load; restart serves again; {checked} acknowledged keys checked, {mismatches} lost or wrong, {after_delete} accepted after delete, {server_errors} 5xx before the kill",
            (d.concurrency / 2).as_millis()
        ),
        ok,
    );
    let _ = admin;
    Ok(())
}

async fn graceful_shutdown(root: &Path, url: &str, backend: &str, table: &mut Table) -> anyhow::Result<()> {
    const IN_FLIGHT: usize = 20;
    let owner = provision(url).await?;
    let manager = manager_key(url, &owner).await?;
    let mut server = ServerProcess::start(root, url, &SERVER_ARGS)?;
    let client = Client::new();
    // Requests whose bodies are still arriving when the signal comes: the server must
    // finish every one of them before it exits.
    let in_flight: Vec<_> = (0..IN_FLIGHT)
        .map(|i| {
            let chunks = futures_util::stream::unfold(0, move |step| async move {
                match step {
                    0 => Some((Ok::<_, std::io::Error>(format!(r#"{{"name": "slow-{i}""#)), 1)),
                    1 => {
                        tokio::time::sleep(Duration::from_millis(800)).await;
                        Some((Ok("}".to_owned()), 2))
                    }
                    _ => None,
                }
            });
            let request = client
                .post(format!("{}/api/v1/api_keys", server.base))
                .header("MC-Api-Key", &manager)
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(chunks))
                .send();
            tokio::spawn(request)
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, took) = tokio::task::block_in_place(|| server.terminate(Duration::from_secs(10)))?;
    let mut answered = 0;
    for request in in_flight {
        if matches!(request.await?, Ok(response) if response.status() == StatusCode::CREATED) {
            answered += 1;
        }
    }
    // The manager key's uses (by those requests) were written before the exit.
    let services = Services::connect(url, Settings::default()).await?;
    let keys = services.keys.list(&Actor::command_line(owner.clone())).await?;
    let used = keys.iter().any(|key| key.last_used_at.is_some());
    let created = keys.iter().filter(|key| key.name.starts_with("slow-")).count();
    let ok = status.success() && took < Duration::from_secs(10) && answered == IN_FLIGHT && created == IN_FLIGHT && used;
    table.add(
        "graceful shutdown",
        backend,
        format!(
            "SIGTERM with {IN_FLIGHT} requests mid-body: {answered}/{IN_FLIGHT} answered 201 and stored, exit code {} after {} ms, last use flushed: {used}",
            status.code().unwrap_or(-1),
            took.as_millis()
        ),
        ok,
    );
    Ok(())
}

async fn database_loss(root: &Path, url: &str, admin: &User, table: &mut Table) -> anyhow::Result<()> {
    let (Ok(stop), Ok(start)) = (std::env::var("SESAME_TEST_PG_STOP"), std::env::var("SESAME_TEST_PG_START")) else {
        eprintln!("no SESAME_TEST_PG_STOP / SESAME_TEST_PG_START: database loss left out");
        return Ok(());
    };
    let manager = manager_key(url, admin).await?;
    let mut server = ServerProcess::start(root, url, &SERVER_ARGS)?;
    let client = Client::builder().timeout(Duration::from_secs(30)).build()?;
    let me = || client.get(format!("{}/api/v1/me", server.base)).header("MC-Api-Key", &manager).send();
    assert_eq!(me().await?.status(), StatusCode::OK);

    run_shell(&stop)?;
    let lost = Instant::now();
    // A node may answer a cached key for the moment it takes to notice its notification
    // connection is gone (at most its 3 s lease): safe, no delete can happen meanwhile.
    // From the first 503 on, every answer must be a 503.
    let mut served_from_cache = 0;
    // When the first request that was not served from the cache was sent.
    let first_refusal = loop {
        let sent = lost.elapsed();
        let response = me().await?;
        if response.status() != StatusCode::OK || sent > Duration::from_secs(5) {
            break sent;
        }
        served_from_cache += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut slowest = Duration::ZERO;
    let mut statuses: HashMap<u16, u64> = HashMap::new();
    let mut bodies_ok = true;
    for _ in 0..5 {
        let sent = Instant::now();
        let response = me().await?;
        slowest = slowest.max(sent.elapsed());
        *statuses.entry(response.status().as_u16()).or_default() += 1;
        let body: Value = response.json().await.unwrap_or_default();
        bodies_ok &= body["errors"][0]["code"] == "service_unavailable";
    }
    let ready = client.get(format!("{}/readyz", server.base)).send().await?.status();
    let down_for = lost.elapsed();
    run_shell(&start)?;
    let back = Instant::now();
    let mut recovered = None;
    for _ in 0..100 {
        if me().await.is_ok_and(|r| r.status() == StatusCode::OK) {
            recovered = Some(back.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let alive = server.terminate(Duration::from_secs(10)).is_ok_and(|(status, _)| status.success());
    let only_503 = statuses.keys().all(|status| *status == 503);
    let ok = only_503
        && bodies_ok
        && first_refusal < Duration::from_secs(3)
        && ready == StatusCode::SERVICE_UNAVAILABLE
        && recovered.is_some()
        && alive
        && slowest < Duration::from_secs(10);
    table.add(
        "database loss",
        "PostgreSQL",
        format!(
            "PostgreSQL stopped for {} s: cached key served {served_from_cache} times, the first request refused was sent after {} ms; then answers {statuses:?}, errors body: {bodies_ok}, slowest answer {} ms; /readyz {}; serving again {} after PostgreSQL is back, with no restart",
            down_for.as_secs(),
            first_refusal.as_millis(),
            slowest.as_millis(),
            ready.as_u16(),
            recovered.map_or("never".into(), |t| format!("{} ms", t.as_millis()))
        ),
        ok,
    );
    Ok(())
}

/// SQLite that cannot be written (opened read-only, as after a remount or a full disk):
/// reads go on, writes get a clear 503, nothing is corrupted.
async fn read_only_sqlite(root: &Path, url: &str, admin: &User, table: &mut Table) -> anyhow::Result<()> {
    let manager = manager_key(url, admin).await?;
    let keys_before = Services::connect(url, Settings::default()).await?.keys.list(&Actor::command_line(admin.clone())).await?.len();
    let read_only = format!("{url}?mode=ro");
    let mut server = ServerProcess::start(root, &read_only, &SERVER_ARGS)?;
    let client = Client::new();
    let read = client.get(format!("{}/api/v1/me", server.base)).header("MC-Api-Key", &manager).send().await?.status();
    let write = client
        .post(format!("{}/api/v1/api_keys", server.base))
        .header("MC-Api-Key", &manager)
        .json(&json!({"name": "cannot-be-written"}))
        .send()
        .await?;
    let write_status = write.status();
    let body: Value = write.json().await.unwrap_or_default();
    let (exit, _) = tokio::task::block_in_place(|| server.terminate(Duration::from_secs(10)))?;
    let services = Services::connect(url, Settings::default()).await?;
    let intact = services.integrity_ok().await?;
    let keys_after = services.keys.list(&Actor::command_line(admin.clone())).await?.len();
    let clear = write_status == StatusCode::SERVICE_UNAVAILABLE && body["errors"][0]["code"] == "service_unavailable";
    let ok = read == StatusCode::OK && clear && intact && keys_after == keys_before;
    table.add(
        "read-only database",
        "SQLite",
        format!(
            "reads {}, a write {} {}; integrity_check ok: {intact}; keys {keys_before} → {keys_after}; exit code {}",
            read.as_u16(),
            write_status.as_u16(),
            body["errors"][0]["code"].as_str().unwrap_or("?"),
            exit.code().unwrap_or(-1)
        ),
        ok,
    );
    Ok(())
}

fn run_shell(command: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new("bash")
        .args(["-c", command])
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("{command} failed");
    }
    Ok(())
}

async fn soak(root: &Path, url: &str, backend: &str, admin: &User, d: &Durations, table: &mut Table) -> anyhow::Result<()> {
    let manager = manager_key(url, admin).await?;
    let mut server = ServerProcess::start(root, url, &SERVER_ARGS)?;
    let load = Arc::new(Load::default());
    // Every key is deleted after use: the data stays the same size, so memory should too
    // (the key cache holds live keys, and grows with them by design).
    let tasks = start_load(&server.base, &server.base, &manager, (4, 1), 12, &load);
    // Memory once warmed up, then at the end.
    tokio::time::sleep(Duration::from_secs(2).min(d.soak / 4)).await;
    let start_rss = server.rss_kb().unwrap_or(0);
    tokio::time::sleep(d.soak).await;
    let end_rss = server.rss_kb().unwrap_or(0);
    stop_load(&load, tasks).await;
    server.terminate(Duration::from_secs(10))?;
    let requests = load.requests.load(Ordering::Relaxed);
    let errors = load.server_errors.load(Ordering::Relaxed) + load.transport_errors.load(Ordering::Relaxed);
    let after_delete = load.accepted_after_delete.load(Ordering::Relaxed);
    // "Flat": within 50% or 20 MB of the warmed-up figure, whichever is larger.
    let allowed = (start_rss / 2).max(20_000);
    let ok = errors == 0 && after_delete == 0 && end_rss <= start_rss + allowed;
    table.add(
        "soak",
        backend,
        format!(
            "{} s of mixed load, {requests} requests, {errors} errors, RSS {} MB → {} MB",
            d.soak.as_secs(),
            start_rss / 1024,
            end_rss / 1024
        ),
        ok,
    );
    Ok(())
}
