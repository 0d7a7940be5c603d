//! A real server on an ephemeral port, over a fresh database, for HTTP tests.

// Each test binary uses a different part of this support module.
#![allow(dead_code)]

use std::{net::IpAddr, sync::Arc};

use leptos::server_fn::ServerFn;
use reqwest::{header, Client, Method, Response, StatusCode};
use serde::Serialize;
use serde_json::Value;
use sesame_core::{
    accounts::UserInput,
    actor::Actor,
    clock::Clock,
    key::ApiKeySecret,
    keys::NewKey,
    model::{ApiKey, Role, User},
    password::Password,
    throttle::ThrottleSettings,
    Backend, Services, Settings,
};
use sesame_server::app::{router, AppConfig, AppState};
use tempfile::TempDir;

pub mod binary;
pub mod oidc_issuer;
pub mod postgres;
pub mod smtp;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestServer {
    pub base_url: String,
    /// `/metrics`, on the node's metrics address (`--metrics-addr`).
    pub metrics_url: String,
    pub services: Services,
    /// The node's clock (adjustable; the nodes of one test cluster share it).
    pub clock: Clock,
    pub database_url: String,
    dir: Option<Arc<TempDir>>,
    /// PostgreSQL: this node's part in the cluster, as `sesame serve` would take.
    membership: Option<sesame_core::cluster::Membership>,
}

/// The database the HTTP suites run on: a fresh SQLite file, or a fresh database on the
/// PostgreSQL server named by `SESAME_TEST_POSTGRES_URL`.
async fn fresh_database() -> (String, Option<Arc<TempDir>>) {
    if let Ok(url) = std::env::var("SESAME_TEST_POSTGRES_URL") {
        return (fresh_postgres_database(&url).await, None);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("sesame.db").display());
    (url, Some(Arc::new(dir)))
}

/// A new, empty database on the PostgreSQL server at `server_url`.
pub async fn fresh_postgres_database(server_url: &str) -> String {
    let name = format!("sesame_test_{}", uuid_like());
    sesame_core::testing::create_postgres_database(server_url, &name).await.expect("create test database");
    replace_database(server_url, &name)
}

fn uuid_like() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!("{:016x}", RandomState::new().hash_one(std::time::SystemTime::now()))
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut AppConfig)) -> Self {
        let (url, dir) = fresh_database().await;
        Self::start_on(url, dir, Clock::adjustable(), adjust).await
    }

    /// A server behind a proxy at 127.0.0.1 (so tests choose each request's client IP with
    /// `X-Forwarded-For`), with the given limits.
    pub async fn start_with_throttles(settings: ThrottleSettings) -> Self {
        let (url, dir) = fresh_database().await;
        Self::start_with_services(url, dir, Settings { throttles: settings, ..Default::default() }, behind_proxy).await
    }

    /// Two nodes on one fresh PostgreSQL database (and the cluster, if this test started one), sharing an adjustable clock.
    pub async fn two_nodes(adjust: impl Fn(&mut AppConfig)) -> (Option<postgres::PgCluster>, Self, Self) {
        Self::two_nodes_with(Settings { clock: Clock::adjustable(), ..Default::default() }, adjust).await
    }

    /// As `start_with_throttles`, on two nodes of one fresh PostgreSQL database (see `two_nodes`).
    pub async fn two_nodes_with_throttles(settings: ThrottleSettings) -> (Option<postgres::PgCluster>, Self, Self) {
        Self::two_nodes_with(Settings { throttles: settings, ..Default::default() }, behind_proxy).await
    }

    /// Two nodes on one fresh PostgreSQL database, both with the core's `settings` (one clock) and `adjust`.
    pub async fn two_nodes_with(settings: Settings, adjust: impl Fn(&mut AppConfig)) -> (Option<postgres::PgCluster>, Self, Self) {
        let (cluster, server_url) = postgres::postgres_server();
        let database = fresh_postgres_database(&server_url).await;
        let a = Self::start_with_services(database.clone(), None, settings.clone(), &adjust).await;
        let b = Self::start_with_services(database, None, settings, &adjust).await;
        assert_eq!(a.services.backend(), Backend::Postgres);
        (cluster, a, b)
    }

    /// Another node on the same database, as `sesame serve` on a second machine.
    pub async fn another_node_with(&self, adjust: impl FnOnce(&mut AppConfig)) -> Self {
        Self::start_on(self.database_url.clone(), self.dir.clone(), self.clock.clone(), adjust).await
    }

    async fn start_on(
        database_url: String,
        dir: Option<Arc<TempDir>>,
        clock: Clock,
        adjust: impl FnOnce(&mut AppConfig),
    ) -> Self {
        Self::start_with_services(database_url, dir, Settings { clock, ..Default::default() }, adjust).await
    }

    /// Another node on the same database that applies each cluster notification only after
    /// `delay` (a slow or distant node).
    pub async fn another_slow_node(&self, delay: std::time::Duration, adjust: impl FnOnce(&mut AppConfig)) -> Self {
        let cluster = sesame_core::cluster::Settings { apply_delay: delay, ..Default::default() };
        let settings = Settings { cluster, clock: self.clock.clone(), ..Default::default() };
        Self::start_with_services(self.database_url.clone(), self.dir.clone(), settings, adjust).await
    }

    /// A server on a fresh database with the core's `settings` (two argon2 permits).
    pub async fn start_with_settings(settings: Settings) -> Self {
        let (url, dir) = fresh_database().await;
        Self::start_with_services(url, dir, settings, |_| {}).await
    }

    async fn start_with_services(
        database_url: String,
        dir: Option<Arc<TempDir>>,
        settings: Settings,
        adjust: impl FnOnce(&mut AppConfig),
    ) -> Self {
        let settings = Settings { argon2_permits: 2, ..settings };
        let clock = settings.clock.clone();
        let services = Services::connect(&database_url, settings).await.expect("open the database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = AppConfig {
            public_url: format!("http://{addr}"),
            site_dir: std::env::temp_dir().join("sesame-no-site"),
            trusted_proxies: Vec::<IpAddr>::new(),
            mailer: None,
        };
        adjust(&mut config);
        let state = AppState::new(services.clone(), config);
        let limits = sesame_server::connections::ConnectionLimits::default();
        let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics_url = format!("http://{}/metrics", metrics_listener.local_addr().unwrap());
        let metrics = sesame_server::metrics::router(state.clone());
        tokio::spawn(sesame_server::connections::serve(metrics_listener, metrics, limits, std::future::pending()));
        tokio::spawn(sesame_server::connections::serve(listener, router(state), limits, std::future::pending()));
        let membership = services.join_cluster();
        Self { base_url: format!("http://{addr}"), metrics_url, services, clock, database_url, dir, membership }
    }

    /// Stops this node's part in the cluster without leaving it, as a crash would (the
    /// HTTP server keeps answering, from the database only).
    pub fn vanish_from_cluster(&mut self) {
        drop(self.membership.take());
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn create_user(&self, username: &str, role: Role) -> User {
        self.create_user_in(username, "Acme Corporation", role).await
    }

    pub async fn create_user_in(&self, username: &str, organization: &str, role: Role) -> User {
        self.services
            .accounts
            .create_user_by_operator(UserInput {
                organization: organization.into(),
                full_name: format!("{username} Tester"),
                username: username.into(),
                email: format!("{username}@example.com"),
                role,
                password: Password::new(PASSWORD),
            })
            .await
            .expect("create user")
    }

    /// The active user named `username`.
    pub async fn user(&self, username: &str) -> User {
        self.services.accounts.user_named(username).await.expect("read the user").expect("no such user")
    }

    /// A new key for `owner`, made by the operator (`sesame key create`).
    pub async fn generate_key(&self, owner: &User, name: Option<&str>) -> (ApiKey, ApiKeySecret) {
        let created = self.services.keys.create(&Actor::command_line(owner.clone()), NewKey::named(name)).await.expect("create a key");
        (created.key, created.secret)
    }

    /// A browser-like client (cookie jar) signed in as `username`.
    pub async fn browser(&self, username: &str) -> Browser {
        let browser = Browser::new(self);
        let response = browser
            .call::<sesame_api::functions::LogIn>(&serde_json::json!({"username": username, "password": PASSWORD}))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "login as {username}");
        browser
    }

    /// A fresh key for `username`, made through the server function as the panel does.
    pub async fn key_for(&self, browser: &Browser) -> (String, String) {
        let response = browser
            .call::<sesame_api::functions::GenerateApiKey>(&serde_json::json!({"name": null}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        (body["id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
    }

    /// A fresh key of `username`'s, who signs in and makes it in the console: its id and secret.
    pub async fn console_key(&self, username: &str) -> (String, String) {
        self.key_for(&self.browser(username).await).await
    }

    /// A login from a new browser at the client address `ip` (see `Browser::call_via`): the answer.
    pub async fn log_in_from(&self, username: &str, password: &str, ip: &str) -> Response {
        Browser::new(self).log_in_via(username, password, ip).await
    }
}

/// The configuration of a server behind a proxy at 127.0.0.1: tests choose each request's client address with `X-Forwarded-For`.
pub fn behind_proxy(config: &mut AppConfig) {
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
}

pub struct Browser {
    pub client: Client,
    /// Its cookies.
    pub jar: Arc<reqwest::cookie::Jar>,
    base_url: String,
}

impl Browser {
    pub fn new(server: &TestServer) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder().cookie_provider(jar.clone()).build().unwrap();
        Self { client, jar, base_url: server.base_url.clone() }
    }

    /// Calls a server function the way the browser app does (same-origin fetch).
    pub async fn call<F: ServerFn>(&self, args: &impl Serialize) -> Response {
        self.call_from::<F>(args, Some("same-origin")).await
    }

    /// As `call`, from the client address `ip` (for servers that trust the test client as
    /// their proxy: see `TestServer::start_with_throttles`).
    pub async fn call_via<F: ServerFn>(&self, args: &impl Serialize, ip: &str) -> Response {
        self.client
            .post(format!("{}{}", self.base_url, F::PATH))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", ip)
            .header(header::USER_AGENT, "sesame-tests")
            .json(args)
            .send()
            .await
            .unwrap()
    }

    pub async fn call_from<F: ServerFn>(&self, args: &impl Serialize, fetch_site: Option<&str>) -> Response {
        let mut request = self
            .client
            .post(format!("{}{}", self.base_url, F::PATH))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .json(args);
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send().await.unwrap()
    }

    /// Logs in as `username` from the client address `ip` (see `call_via`): the answer.
    pub async fn log_in_via(&self, username: &str, password: &str, ip: &str) -> Response {
        self.call_via::<sesame_api::functions::LogIn>(&serde_json::json!({"username": username, "password": password}), ip).await
    }

    /// This browser's session cookie, as `name=value`.
    pub fn session_cookie(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = self.base_url.parse().unwrap();
        let cookies = self.jar.cookies(&url).unwrap().to_str().unwrap().to_owned();
        cookies.split("; ").find(|cookie| cookie.starts_with("sesame_session=")).unwrap().to_owned()
    }

    pub async fn keys(&self) -> Vec<Value> {
        let response = self.call::<sesame_api::functions::ListApiKeys>(&serde_json::json!({})).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

/// A console call's error as the browser receives it: the server's code.
pub fn console_error(code: sesame_api::error::ErrorCode) -> Value {
    serde_json::to_value(sesame_api::error::AppError::Server(code)).unwrap()
}

/// `GET path` with `MC-Api-Key: key`.
pub async fn api_get(server: &TestServer, path: &str, key: &str) -> Response {
    Client::new().get(server.url(path)).header("MC-Api-Key", key).send().await.unwrap()
}

/// `method path` with `MC-Api-Key: key` and, if any, the JSON `body`.
pub async fn api_call(server: &TestServer, key: &str, method: Method, path: &str, body: Option<Value>) -> Response {
    let mut request = Client::new().request(method, server.url(path)).header("MC-Api-Key", key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// An answer's JSON body.
/// An API error's status, code and context.
pub async fn error_of(response: Response) -> (StatusCode, String, Value) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (status, body["errors"][0]["code"].as_str().unwrap().to_owned(), body["errors"][0]["context"].clone())
}

/// A key of `username`'s made by the operator (no console session): its secret.
pub async fn key_of(server: &TestServer, username: &str) -> String {
    let user = server.user(username).await;
    let (_, secret) = server.generate_key(&user, None).await;
    secret.expose().to_owned()
}

pub async fn json_of(response: Response) -> Value {
    response.json().await.unwrap()
}

/// `secret` with its last character changed (to another one: a key may end with any): well-formed, but no one's key.
pub fn forged(secret: &str) -> String {
    let last = if secret.ends_with('x') { 'y' } else { 'x' };
    format!("{}{last}", &secret[..secret.len() - 1])
}
