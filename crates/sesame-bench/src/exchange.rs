//! The token exchange's measure: one `sesame serve` on SQLite, a test issuer in this process
//! (an ES256 key made for the run, its discovery document and key set over HTTP), a trust
//! rule for it, and `CLIENTS` clients trading fresh tokens for keys for `SECONDS` seconds.
//! Each exchange verifies a signature with a cached key, spends a `jti` and mints a key: a
//! write to the database every time.

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::{
    rand::SystemRandom,
    signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING},
};
use serde_json::{json, Value};
use sesame_core::{
    accounts::UserInput,
    actor::Actor,
    model::{Permission, Role},
    password::Password,
    service_accounts::NewServiceAccount,
    trust::NewTrustRule,
    Services, Settings,
};

use crate::server_process::ServerProcess;

const CLIENTS: usize = 16;
const SECONDS: u64 = 8;

/// What one run measured.
pub struct ExchangeFigures {
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub refused: usize,
}

struct Issuer {
    url: String,
    key: EncodingKey,
}

impl Issuer {
    async fn start() -> anyhow::Result<Self> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(|_| anyhow::anyhow!("no key"))?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).map_err(|_| anyhow::anyhow!("no key"))?;
        let (x, y) = pair.public_key().as_ref()[1..].split_at(32);
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y), "kid": "bench", "use": "sig", "alg": "ES256"});
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let discovery = json!({"issuer": url, "jwks_uri": format!("{url}/jwks")});
        let keys = json!({"keys": [jwk]});
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", axum::routing::get(move || async move { axum::Json(discovery) }))
            .route("/jwks", axum::routing::get(move || async move { axum::Json(keys) }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { url, key: EncodingKey::from_ec_der(pkcs8.as_ref()) })
    }

    fn token(&self, audience: &str, n: usize) -> String {
        let now = chrono_now();
        let claims = json!({"iss": self.url, "aud": audience, "sub": "repo:bench/deploy:ref:refs/heads/main", "jti": format!("bench-{n}"),
            "iat": now, "nbf": now, "exp": now + 600, "project_id": "1", "ref": "refs/heads/main"});
        let header = Header { kid: Some("bench".into()), ..Header::new(Algorithm::ES256) };
        jsonwebtoken::encode(&header, &claims, &self.key).expect("signing with a fresh key")
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// Exchanges per second on one node, and their latency.
pub async fn measure(root: &Path, dir: &Path) -> anyhow::Result<ExchangeFigures> {
    let issuer = Issuer::start().await?;
    let url = format!("sqlite://{}", dir.join("exchange.db").display());
    let services = Services::connect(&url, Settings { allow_insecure_issuers: true, ..Settings::default() }).await?;
    let admin = services
        .accounts
        .create_user_by_operator(UserInput {
            organization: "Bench".into(),
            full_name: "Bench Admin".into(),
            username: "bench-admin".into(),
            email: "bench-admin@example.com".into(),
            role: Role::Admin,
            password: Password::new("correct horse battery"),
        })
        .await?;
    let actor = Actor::command_line(admin.clone());
    let account = NewServiceAccount { name: "bench-ci".into(), description: String::new(), role: Role::User, managers: vec![admin.id] };
    let account = services.service_accounts.create(&actor, account).await?;
    drop(services);
    let mut server = ServerProcess::start(root, &url, &["--allow-insecure-issuers"])?;
    let services = Services::connect(&url, Settings { allow_insecure_issuers: true, ..Settings::default() }).await?;
    let rule = NewTrustRule {
        provider: Some(sesame_core::trust::Provider::Gitlab),
        issuer: issuer.url.clone(),
        audience: server.base.clone(),
        conditions: [("project_id".to_owned(), "1".to_owned()), ("ref".to_owned(), "refs/heads/main".to_owned())].into(),
        scopes: Some(vec![Permission::MeRead]),
        ..NewTrustRule::default()
    };
    services.trust_rules.create(&actor, account.id, rule).await?;
    drop(services);

    let issuer = Arc::new(issuer);
    let endpoint = format!("{}/api/v1/oauth/token", server.base);
    let audience = server.base.clone();
    let client = reqwest::Client::new();
    // One exchange first: the server fetches the issuer's keys once, outside the measure.
    exchange(&client, &endpoint, &issuer.token(&audience, usize::MAX)).await?;
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|task| {
            let (client, endpoint, audience, issuer) = (client.clone(), endpoint.clone(), audience.clone(), issuer.clone());
            tokio::spawn(async move {
                let (mut latencies, mut refused) = (Vec::new(), 0);
                let mut n = task;
                while Instant::now() < deadline {
                    let token = issuer.token(&audience, n);
                    n += CLIENTS;
                    let sent = Instant::now();
                    match exchange(&client, &endpoint, &token).await {
                        Ok(_) => latencies.push(sent.elapsed()),
                        Err(_) => refused += 1,
                    }
                }
                (latencies, refused)
            })
        })
        .collect();
    let (mut latencies, mut refused) = (Vec::new(), 0);
    for task in tasks {
        let (more, not) = task.await?;
        latencies.extend(more);
        refused += not;
    }
    let elapsed = started.elapsed();
    let _ = server.terminate(Duration::from_secs(10));
    latencies.sort();
    anyhow::ensure!(!latencies.is_empty(), "no exchange succeeded");
    let at = |fraction: f64| latencies[((latencies.len() as f64 - 1.0) * fraction).round() as usize];
    Ok(ExchangeFigures { per_second: latencies.len() as f64 / elapsed.as_secs_f64(), p50: at(0.5), p99: at(0.99), refused })
}

async fn exchange(client: &reqwest::Client, endpoint: &str, token: &str) -> anyhow::Result<Value> {
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("subject_token", token),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
    ];
    let answer = client.post(endpoint).form(&form).send().await?;
    anyhow::ensure!(answer.status().is_success(), "refused: {}", answer.status());
    Ok(answer.json().await?)
}
