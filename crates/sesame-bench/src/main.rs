//! `sesame-bench`: the numbers behind "authentication costs almost nothing", measured in
//! one run on this machine and written to `bench/results.md`.
//!
//! Both sides of every HTTP comparison share the same cores, so only ratios measured in
//! the same run mean anything; absolute numbers vary between machines and runs.

use std::{
    fmt::Write as _,
    io::Write as _,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use sesame_bench::server_process::ServerProcess;
use sesame_core::{
    actor::Actor,
    accounts::UserInput,
    key::ApiKeySecret,
    keys::NewKey,
    model::{Permission, Role, User},
    names::KeyName,
    password::{Password, PasswordHasher},
    Services, Settings,
};

/// The server's allocator (see its `main.rs`): the in-process measures, memory per cached
/// key among them, then allocate as `sesame serve` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const VERIFY_SAMPLES: usize = 20_000;
const MALFORMED_SAMPLES: usize = 200_000;
const WRK_SECONDS: u32 = 8;
/// A comparison of two routes alternates between them this many times (WRK_SECONDS each
/// side in all), so that drift in the machine's speed falls on both alike.
const COMPARISON_ROUNDS: u32 = 4;
const WRK_CONNECTIONS: u32 = 16;

struct Report {
    rows: Vec<(String, String, String)>,
}

impl Report {
    fn add(&mut self, what: &str, value: String, target: &str) {
        println!("{what:<58} {value:>16}   {target}");
        self.rows.push((what.to_owned(), value, target.to_owned()));
    }

    fn markdown(&self) -> String {
        let mut text = String::from("| measure | value | target |\n| --- | ---: | --- |\n");
        for (what, value, target) in &self.rows {
            let _ = writeln!(text, "| {what} | {value} | {target} |");
        }
        text
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let arguments: Vec<String> = std::env::args().collect();
    if let [_, mode, database_url, secrets] = arguments.as_slice() {
        if mode == MEMORY_PER_KEY {
            return memory_per_key_child(database_url, Path::new(secrets)).await;
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize()?;
    let work = tempfile::tempdir()?;
    let mut report = Report { rows: Vec::new() };
    // `sesame-bench exchange`: that measure alone, printed (results.md is left as it is).
    if arguments.get(1).map(String::as_str) == Some("exchange") {
        return token_exchange(&root, work.path(), &mut report).await;
    }

    verification(work.path(), &mut report).await?;
    let million = work.path().join(format!("verify-{}.db", STORED_KEYS[1]));
    memory_per_cached_key(&million, &work.path().join(SECRETS_FILE), &mut report)?;
    start_up_time(&root, &million, &mut report)?;
    malformed_refusal(&mut report);
    argon2_cost(&mut report).await;
    http_sqlite(&root, work.path(), &mut report).await?;
    match std::env::var("SESAME_TEST_POSTGRES_URL") {
        Ok(server_url) => http_postgres(&root, &server_url, &mut report).await?,
        Err(_) => eprintln!("no SESAME_TEST_POSTGRES_URL: PostgreSQL measures left out (scripts/bench.sh provides one)"),
    }
    token_exchange(&root, work.path(), &mut report).await?;
    first_load(&root, work.path(), &mut report).await?;
    panel_with_many_keys(&root, work.path(), &mut report).await?;

    let results = root.join("bench/results.md");
    std::fs::create_dir_all(results.parent().unwrap())?;
    let mut file = std::fs::File::create(&results)?;
    writeln!(file, "# Benchmark results\n")?;
    writeln!(file, "Written by `scripts/bench.sh` on a {}-core machine. Ratios compare numbers measured in the same run.\n", std::thread::available_parallelism().map_or(0, |n| n.get()))?;
    write!(file, "{}", report.markdown())?;
    println!("\nwritten to {}", results.display());
    Ok(())
}

async fn bench_user(services: &Services) -> anyhow::Result<User> {
    Ok(services
        .accounts
        .create_user_by_operator(UserInput {
            organization: "Bench".into(),
            full_name: "Bench User".into(),
            username: "bench".into(),
            email: "bench@example.com".into(),
            role: Role::User,
            password: Password::new("correct horse battery"),
        })
        .await?)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn micros(duration: Duration) -> String {
    format!("{:.2} µs", duration.as_secs_f64() * 1e6)
}

/// Stored-key counts compared by the verification measures.
const STORED_KEYS: [usize; 2] = [1_000, 1_000_000];
/// The verification samples are taken in this many rounds, alternating between the
/// databases, so that a slow patch of the machine falls on both alike.
const VERIFY_ROUNDS: usize = 20;

/// The address every measured request comes from: the last of a restricted key's 20
/// allow-list entries, so the check walks the whole list.
const CLIENT: &str = "192.0.2.1";

/// A key held back as far as the issue's worst case asks: 20 allow-list entries (`client`
/// last) and one scope.
fn restricted_key(client: &str) -> NewKey<'static> {
    let mut entries: Vec<String> = (0..19).map(|n| format!("198.51.{n}.0/24")).collect();
    entries.push(client.to_owned());
    NewKey {
        name: None,
        scopes: Some(vec![Permission::MeRead]),
        allowed_addresses: Some(entries.clone()),
        ..NewKey::default()
    }
}

/// In-process verification of valid keys, with 1,000 and with 1,000,000 keys stored, and
/// of 1,000 restricted keys (20 allow-list entries and one scope each).
async fn verification(dir: &Path, report: &mut Report) -> anyhow::Result<()> {
    let mut setups = Vec::new();
    for stored in STORED_KEYS {
        setups.push((format!("{stored} keys stored"), prepare_verification(dir, stored, report).await?));
    }
    setups.push(("1000 restricted keys stored".to_owned(), prepare_restricted_verification(dir).await?));
    let mut timings = vec![Vec::with_capacity(VERIFY_SAMPLES); setups.len()];
    for round in 0..VERIFY_ROUNDS {
        for ((_, (services, samples)), timings) in setups.iter().zip(&mut timings) {
            for i in 0..VERIFY_SAMPLES / VERIFY_ROUNDS {
                let key = samples[(round * VERIFY_SAMPLES / VERIFY_ROUNDS + i) % samples.len()].expose();
                let start = Instant::now();
                services.verifier.verify(key, CLIENT.parse().unwrap()).await?;
                timings.push(start.elapsed());
            }
        }
    }
    for ((stored, _), timings) in setups.iter().zip(&mut timings) {
        timings.sort();
        report.add(&format!("valid key verification, {stored}, p50"), micros(percentile(timings, 0.5)), "");
        report.add(&format!("valid key verification, {stored}, p99"), micros(percentile(timings, 0.99)), "≤ 2 µs");
    }
    let p99 = |timings: &[Duration]| percentile(timings, 0.99).as_secs_f64();
    report.add("verification p99, 1,000,000 keys / 1,000 keys", format!("{:.2}", p99(&timings[1]) / p99(&timings[0])), "≤ 1.2");
    report.add("verification p99, restricted keys / unrestricted (1,000 each)", format!("{:.2}", p99(&timings[2]) / p99(&timings[0])), "within noise");
    Ok(())
}

/// 1,000 restricted keys (see [`restricted_key`]), each verified once so it is cached.
async fn prepare_restricted_verification(dir: &Path) -> anyhow::Result<(Services, Vec<ApiKeySecret>)> {
    let url = format!("sqlite://{}", dir.join("verify-restricted.db").display());
    let services = Services::connect(&url, Settings::default()).await?;
    let owner = Actor::command_line(bench_user(&services).await?);
    let mut samples = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        let secret = services.keys.create(&owner, restricted_key(CLIENT)).await?.secret;
        services.verifier.verify(secret.expose(), CLIENT.parse().unwrap()).await?;
        samples.push(secret);
    }
    Ok((services, samples))
}

/// A database with `stored` keys, 1,000 of which (spread over the whole set) are used
/// once: their first verification reads the database and is reported; then they are
/// cached, which is what the measure compares.
async fn prepare_verification(
    dir: &Path,
    stored: usize,
    report: &mut Report,
) -> anyhow::Result<(Services, Vec<ApiKeySecret>)> {
    let url = format!("sqlite://{}", dir.join(format!("verify-{stored}.db")).display());
    let services = Services::connect(&url, Settings::default()).await?;
    let user = bench_user(&services).await?;
    let started = Instant::now();
    let mut samples = Vec::new();
    // Every secret of the largest set, for the memory measure (see `memory_per_cached_key`).
    let mut all_secrets = (stored == STORED_KEYS[1])
        .then(|| std::fs::File::create(dir.join(SECRETS_FILE)).map(std::io::BufWriter::new))
        .transpose()?;
    for chunk_start in (0..stored).step_by(10_000) {
        let mut chunk: Vec<(KeyName, _)> = Vec::with_capacity(10_000);
        for i in chunk_start..(chunk_start + 10_000).min(stored) {
            let secret = ApiKeySecret::generate();
            if let Some(file) = &mut all_secrets {
                writeln!(file, "{}", secret.expose())?;
            }
            chunk.push((KeyName::parse(&format!("bench-{i}")).expect("valid name"), secret.hash()));
            if samples.len() < 1_000 && i % (stored / 1_000).max(1) == 0 {
                samples.push(secret);
            }
        }
        services.import_keys(&user, &chunk).await?;
    }
    if let Some(mut file) = all_secrets {
        file.flush()?;
    }
    eprintln!("stored {stored} keys in {:.1?}", started.elapsed());

    let mut cold = Vec::with_capacity(samples.len());
    for secret in &samples {
        let start = Instant::now();
        services.verifier.verify(secret.expose(), "192.0.2.1".parse().unwrap()).await?;
        cold.push(start.elapsed());
    }
    cold.sort();
    report.add(&format!("first verification of a key (database), {stored} keys stored, p50"), micros(percentile(&cold, 0.5)), "");
    Ok((services, samples))
}

/// The secrets of the 1,000,000 stored keys, one per line, in the work directory. A
/// benchmark's throwaway keys, in a temporary directory deleted at the end of the run.
const SECRETS_FILE: &str = "secrets-1000000.txt";
/// The argument that runs this program as the child of [`memory_per_cached_key`].
const MEMORY_PER_KEY: &str = "--memory-per-key";

/// Resident memory growth of a fresh process that verifies each of the 1,000,000 stored
/// keys once (so the cache holds them all), divided by the keys cached. Run in a child
/// process, so nothing this run kept before counts, with the secrets streamed from a file.
fn memory_per_cached_key(database: &Path, secrets: &Path, report: &mut Report) -> anyhow::Result<()> {
    let output = Command::new(std::env::current_exe()?)
        .args([MEMORY_PER_KEY, &format!("sqlite://{}", database.display()), secrets.to_str().context("a UTF-8 path")?])
        .stderr(Stdio::inherit())
        .output()
        .context("running the memory measure")?;
    if !output.status.success() {
        bail!("the memory measure failed");
    }
    let measured: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let (growth_kb, cached) = (measured["growth_kb"].as_f64().unwrap_or(f64::NAN), measured["cached"].as_f64().unwrap_or(f64::NAN));
    report.add(
        "memory per cached key (RSS growth ÷ keys, 1,000,000 keys verified once each)",
        format!("{:.0} B ({cached:.0} cached)", growth_kb * 1024.0 / cached),
        "≤ 200 B",
    );
    Ok(())
}

/// The child's side: verifies every secret of the file once, eight at a time; the
/// last-use notes each verification leaves are written out as the server's writer would,
/// so only the cache stays. Prints the RSS growth and the keys cached, as JSON.
async fn memory_per_key_child(database_url: &str, secrets: &Path) -> anyhow::Result<()> {
    use futures_util::StreamExt as _;
    use std::io::BufRead as _;

    let services = Services::connect(database_url, Settings::default()).await?;
    let client = CLIENT.parse()?;
    let mut lines = std::io::BufReader::new(std::fs::File::open(secrets)?).lines();
    // One verification first: the pool's connections and the first allocations are not keys.
    services.verifier.verify(&lines.next().context("no secrets")??, client).await?;
    services.flush_last_use().await?;
    let before = own_rss_kb()?;
    let mut verified = 0usize;
    let mut batches = futures_util::stream::iter(lines).chunks(20_000);
    while let Some(batch) = batches.next().await {
        let batch = batch.into_iter().collect::<Result<Vec<String>, _>>()?;
        futures_util::stream::iter(&batch)
            .for_each_concurrent(8, |secret| async {
                services.verifier.verify(secret, client).await.expect("a stored key verifies");
            })
            .await;
        verified += batch.len();
        services.flush_last_use().await?;
    }
    let growth_kb = own_rss_kb()?.saturating_sub(before);
    eprintln!("verified {verified} keys; {} cached", services.cached_keys());
    println!("{}", serde_json::json!({"growth_kb": growth_kb, "cached": services.cached_keys()}));
    Ok(())
}

fn own_rss_kb() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .context("no VmRSS in /proc/self/status")
}

/// From starting `sesame serve` on the SQLite database holding 1,000,000 keys to its first
/// answered `/readyz`.
fn start_up_time(root: &Path, database: &Path, report: &mut Report) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut server = start_server(root, &format!("sqlite://{}", database.display()))?;
    let address = server.base.trim_start_matches("http://").to_owned();
    loop {
        if answers_ready(&address) {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("/readyz not answered within 60 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let elapsed = started.elapsed();
    let _ = server.terminate(Duration::from_secs(10));
    report.add(
        "start-up: `sesame serve` to first answered /readyz, SQLite, 1,000,000 keys",
        format!("{:.0} ms", elapsed.as_secs_f64() * 1e3),
        "≤ 1 s",
    );
    Ok(())
}

/// Whether `GET /readyz` at `address` answers 200 (one plain HTTP/1.1 exchange).
fn answers_ready(address: &str) -> bool {
    use std::io::Read as _;
    let Ok(mut stream) = std::net::TcpStream::connect(address) else { return false };
    let request = format!("GET /readyz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok() && stream.read_to_string(&mut answer).is_ok() && answer.starts_with("HTTP/1.1 200")
}

fn malformed_refusal(report: &mut Report) {
    let valid = ApiKeySecret::generate();
    let mut broken = valid.expose().to_owned();
    broken.pop();
    broken.push('!');
    let mut timings = Vec::with_capacity(MALFORMED_SAMPLES);
    for _ in 0..MALFORMED_SAMPLES {
        let start = Instant::now();
        let refused = ApiKeySecret::parse(std::hint::black_box(&broken)).is_err();
        timings.push(start.elapsed());
        assert!(refused);
    }
    timings.sort();
    report.add("malformed key refusal, p50", micros(percentile(&timings, 0.5)), "");
    report.add("malformed key refusal, p99", micros(percentile(&timings, 0.99)), "≤ 1 µs");
}

async fn argon2_cost(report: &mut Report) {
    let hasher = PasswordHasher::new(1);
    let password = Password::new("correct horse battery");
    let hash = hasher.hash(&password).await;
    let rounds = 10;
    let start = Instant::now();
    for _ in 0..rounds {
        assert!(hasher.verify(&password, Some(&hash)).await);
    }
    let each = start.elapsed() / rounds;
    report.add("argon2id per login (m=19456, t=2, p=1)", format!("{:.1} ms", each.as_secs_f64() * 1e3), "");
}

/// `GET /healthz` against `GET /api/v1/me` with a valid key, and with a restricted key (20
/// allow-list entries, one scope), on one SQLite server; then the same API call while 20
/// clients hammer the login.
async fn http_sqlite(root: &Path, dir: &Path, report: &mut Report) -> anyhow::Result<()> {
    let url = format!("sqlite://{}", dir.join("http.db").display());
    let key = provision_key(&url, NewKey::named(Some("bench"))).await?;
    // wrk calls from this machine.
    let restricted = provision_key(&url, restricted_key("127.0.0.1")).await?;
    let mut server = start_server(root, &url)?;
    let base = server.base.clone();
    let keys = [key.expose(), restricted.expose()];
    let (health, me) = compare(&[format!("{base}/healthz")], &[format!("{base}/api/v1/me")], &keys)?;
    let (me, me_restricted) = (me[0], me[1]);
    report.add("SQLite: GET /healthz requests/s", format!("{health:.0}"), "");
    report.add("SQLite: GET /api/v1/me with a key, requests/s", format!("{me:.0}"), "");
    report.add("SQLite: authenticated / unauthenticated", format!("{:.2}", me / health), "≥ 0.95");
    report.add("SQLite: GET /api/v1/me with a restricted key (20 addresses, one scope), requests/s", format!("{me_restricted:.0}"), "");
    report.add(
        "SQLite: restricted key's ratio − unrestricted key's ratio",
        format!("{:+.3}", (me_restricted - me) / health),
        "within ±0.02",
    );

    let flood = login_flood(&base, 20);
    let me_during_flood = wrk(&[format!("{base}/api/v1/me")], Some(key.expose()), WRK_SECONDS)?;
    let logins = flood.stop().await;
    report.add("SQLite: /api/v1/me during a 20-client login flood, requests/s", format!("{me_during_flood:.0}"), "");
    report.add("SQLite: logins answered during the flood, per second", format!("{:.1}", logins as f64 / f64::from(WRK_SECONDS)), "");
    report.add("SQLite: API during login flood / API alone", format!("{:.2}", me_during_flood / me), "≥ 0.85");
    let _ = server.terminate(Duration::from_secs(10));
    Ok(())
}

/// The same comparison on two `sesame serve` nodes sharing one PostgreSQL database, both
/// loaded at once.
async fn http_postgres(root: &Path, server_url: &str, report: &mut Report) -> anyhow::Result<()> {
    let name = "sesame_bench";
    sesame_core::testing::create_postgres_database(server_url, name).await?;
    let url = format!("{}/{name}", server_url.rsplit_once('/').context("no database in the URL")?.0);
    let key = provision_key(&url, NewKey::named(Some("bench"))).await?;
    let mut a = start_server(root, &url)?;
    let mut b = start_server(root, &url)?;
    let both = |path: &str| vec![format!("{}{path}", a.base), format!("{}{path}", b.base)];
    let (health, me) = compare(&both("/healthz"), &both("/api/v1/me"), &[key.expose()])?;
    let me = me[0];
    report.add("PostgreSQL, 2 nodes: GET /healthz requests/s", format!("{health:.0}"), "");
    report.add("PostgreSQL, 2 nodes: GET /api/v1/me with a key, requests/s", format!("{me:.0}"), "");
    report.add("PostgreSQL, 2 nodes: authenticated / unauthenticated", format!("{:.2}", me / health), "≥ 0.92");
    let _ = a.terminate(Duration::from_secs(10));
    let _ = b.terminate(Duration::from_secs(10));
    Ok(())
}

/// Keyless CI: a job's OIDC token traded for a key, on one node (see
/// `sesame_bench::exchange`).
async fn token_exchange(root: &Path, dir: &Path, report: &mut Report) -> anyhow::Result<()> {
    let figures = sesame_bench::exchange::measure(root, dir).await?;
    report.add("SQLite: token exchanges/s (16 clients, a key minted each)", format!("{:.0}", figures.per_second), "");
    report.add("SQLite: token exchange p50", micros(figures.p50), "");
    report.add("SQLite: token exchange p99", micros(figures.p99), "");
    report.add("SQLite: token exchanges refused", figures.refused.to_string(), "0");
    Ok(())
}

/// A key made as `new` says, for the bench user (made on first call).
async fn provision_key(database_url: &str, new: NewKey<'_>) -> anyhow::Result<ApiKeySecret> {
    let services = Services::connect(database_url, Settings::default()).await?;
    let user = match services.accounts.user_named("bench").await? {
        Some(user) => user,
        None => bench_user(&services).await?,
    };
    Ok(services.keys.create(&Actor::command_line(user), new).await?.secret)
}

/// `clients` tasks posting wrong passwords to the login server function until stopped. The
/// worst case: every attempt from another address (through the trusted proxy) and for
/// another username, so no rate limit applies and every attempt costs an argon2 hash.
struct LoginFlood {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<u64>>,
}

fn login_flood(base: &str, clients: usize) -> LoginFlood {
    use leptos::server_fn::ServerFn;
    let url = format!("{base}{}", <sesame_api::functions::LogIn as ServerFn>::PATH);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks = (0..clients)
        .map(|_| {
            let url = url.clone();
            let stopped = stopped.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut answered = 0;
                while !*stopped.borrow() {
                    let n: u32 = rand::random();
                    let address = std::net::Ipv4Addr::from(0x0a00_0000 | (n & 0x00ff_ffff));
                    let attempt = client
                        .post(&url)
                        .header("sec-fetch-site", "same-origin")
                        .header("x-forwarded-for", address.to_string())
                        .json(&serde_json::json!({"username": format!("guess{n}"), "password": "wrong guess 123"}))
                        .send()
                        .await;
                    if attempt.is_ok() {
                        answered += 1;
                    }
                }
                answered
            })
        })
        .collect();
    LoginFlood { stop, tasks }
}

impl LoginFlood {
    async fn stop(self) -> u64 {
        let _ = self.stop.send(true);
        let mut total = 0;
        for task in self.tasks {
            total += task.await.unwrap_or(0);
        }
        total
    }
}

fn start_server(root: &Path, database_url: &str) -> anyhow::Result<ServerProcess> {
    ServerProcess::start(root, database_url, &[])
}

/// Requests per second without a key on `open`, and with each of `keys` on
/// `authenticated`, in alternating rounds; each is the mean over the rounds.
fn compare(open: &[String], authenticated: &[String], keys: &[&str]) -> anyhow::Result<(f64, Vec<f64>)> {
    let seconds = (WRK_SECONDS / COMPARISON_ROUNDS).max(1);
    let (mut open_total, mut authenticated_totals) = (0.0, vec![0.0; keys.len()]);
    for round in 0..COMPARISON_ROUNDS {
        open_total += wrk(open, None, seconds)?;
        // The keys take turns at going first, so neither always follows the open route.
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.rotate_left(round as usize % keys.len().max(1));
        for at in order {
            authenticated_totals[at] += wrk(authenticated, Some(keys[at]), seconds)?;
        }
    }
    let rounds = f64::from(COMPARISON_ROUNDS);
    Ok((open_total / rounds, authenticated_totals.into_iter().map(|total| total / rounds).collect()))
}

/// Total requests per second from one wrk per URL, run at the same time for `seconds`
/// (one thread each: the servers keep the rest of the cores).
fn wrk(urls: &[String], key: Option<&str>, seconds: u32) -> anyhow::Result<f64> {
    let connections = WRK_CONNECTIONS / urls.len() as u32;
    let runs: Vec<Child> = urls
        .iter()
        .map(|url| {
            let mut command = Command::new("wrk");
            command.args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s")]);
            if let Some(key) = key {
                command.args(["-H", &format!("MC-Api-Key: {key}")]);
            }
            command.arg(url).stdout(Stdio::piped()).spawn().context("running wrk")
        })
        .collect::<Result<_, _>>()?;
    let mut total = 0.0;
    for run in runs {
        let output = run.wait_with_output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        if text.contains("Non-2xx") {
            bail!("wrk saw errors: {text}");
        }
        total += text
            .lines()
            .find_map(|line| line.strip_prefix("Requests/sec:"))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .with_context(|| format!("no Requests/sec in wrk output: {text}"))?;
    }
    Ok(total)
}

/// What a first visit downloads: the WASM, JS and CSS the app page names, as the server
/// sends them to a browser that accepts brotli (and, for comparison, one that accepts only
/// gzip). Bytes on the wire: reqwest here decodes nothing.
async fn first_load(root: &Path, dir: &Path, report: &mut Report) -> anyhow::Result<()> {
    let mut server = start_server(root, &format!("sqlite://{}", dir.join("first-load.db").display()))?;
    let client = reqwest::Client::new();
    let page = client.get(format!("{}/", server.base)).send().await?.text().await?;
    let files = app_files(&page);
    if files.len() != 3 {
        bail!("expected the app's WASM, JS and CSS in its page, found {files:?}");
    }
    for (encoding, accepted) in [("brotli", "gzip, deflate, br"), ("gzip", "gzip, deflate")] {
        let mut total = 0;
        for path in &files {
            let response = client.get(format!("{}{path}", server.base)).header("accept-encoding", accepted).send().await?;
            total += response.bytes().await?.len();
        }
        let target = if encoding == "brotli" { "≤ 200 KB" } else { "" };
        report.add(&format!("browser app first load (WASM + JS + CSS, {encoding}, as served)"), format!("{:.0} KB", total as f64 / 1000.0), target);
    }
    let _ = server.terminate(Duration::from_secs(10));
    Ok(())
}

/// The app's own files named by its page (`/name-hash.js`, `…_bg.wasm`, `…css`).
fn app_files(page: &str) -> Vec<String> {
    let mut files: Vec<String> = page
        .split(['"', '\''])
        .filter(|part| part.starts_with('/') && [".wasm", ".js", ".css"].iter().any(|extension| part.ends_with(extension)))
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    files
}

/// The panel with a user's 10,000 keys in Chromium: from the click on "API credentials" to
/// the list and its filter on screen, and from typing a name to that key alone in the list.
async fn panel_with_many_keys(root: &Path, dir: &Path, report: &mut Report) -> anyhow::Result<()> {
    const KEYS: usize = 10_000;
    let url = format!("sqlite://{}", dir.join("panel.db").display());
    {
        let services = Services::connect(&url, Settings::default()).await?;
        let user = bench_user(&services).await?;
        let rows: Vec<_> = (0..KEYS)
            .map(|i| Ok((KeyName::parse(&format!("deploy-{i:05}"))?, ApiKeySecret::generate().hash())))
            .collect::<anyhow::Result<_>>()?;
        services.import_keys(&user, &rows).await?;
    }
    let mut server = start_server(root, &url)?;
    let output = Command::new("node")
        .current_dir(root.join("end2end"))
        .args(["bench/panel_10k.mjs", &server.base, "bench", "correct horse battery", "deploy-07777"])
        .output()
        .context("running end2end/bench/panel_10k.mjs")?;
    let _ = server.terminate(Duration::from_secs(10));
    if !output.status.success() {
        bail!("panel benchmark failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let measured: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    report.add(
        "panel with 10,000 keys: click to list and filter on screen (Chromium)",
        format!("{} ms ({} rows drawn)", measured["panelMs"], measured["shown"]),
        "≤ 1000 ms",
    );
    report.add("panel with 10,000 keys: typing a name to that key alone", format!("{} ms", measured["filterMs"]), "≤ 1000 ms");
    Ok(())
}
