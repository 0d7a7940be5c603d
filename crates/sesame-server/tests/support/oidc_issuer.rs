//! A test OpenID issuer on an ephemeral port: its discovery document and key set served
//! over HTTP (what Sésame fetches), and tokens signed with its keys — an ES256 key and an
//! RS256 key made fresh for each run, never stored. It counts how often its keys are fetched,
//! and can misbehave: hang, or answer 10 MB.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use axum::{extract::State, routing::get, Json, Router};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::{
    rand::SystemRandom,
    signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING},
};
use rsa::{pkcs1::EncodeRsaPrivateKey as _, traits::PublicKeyParts as _};
use serde_json::{json, Value};

/// How the issuer answers for its keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Honest,
    /// Never answers the key set.
    Hangs,
    /// Answers a 10 MB key set.
    Huge,
}

/// A signing key of the issuer's (or a stranger's, for bad signatures).
pub struct TestKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Value,
    /// The public key's bytes (an HMAC "secret" an attacker would try).
    pub public: Vec<u8>,
}

impl TestKey {
    pub fn es256(kid: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let public = pair.public_key().as_ref().to_vec();
        let (x, y) = public[1..].split_at(32);
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y), "kid": kid, "use": "sig", "alg": "ES256"});
        Self { kid: kid.into(), algorithm: Algorithm::ES256, encoding: EncodingKey::from_ec_der(pkcs8.as_ref()), jwk, public }
    }

    pub fn rs256(kid: &str) -> Self {
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let der = private.to_pkcs1_der().unwrap();
        let (n, e) = (private.n().to_bytes_be(), private.e().to_bytes_be());
        let jwk = json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(&n), "e": URL_SAFE_NO_PAD.encode(&e), "kid": kid, "use": "sig", "alg": "RS256"});
        Self { kid: kid.into(), algorithm: Algorithm::RS256, encoding: EncodingKey::from_rsa_der(der.as_bytes()), jwk, public: n }
    }

    pub fn sign(&self, claims: &Value) -> String {
        let header = Header { kid: Some(self.kid.clone()), ..Header::new(self.algorithm) };
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

struct Served {
    url: String,
    keys: Vec<Value>,
    behaviour: Behaviour,
    key_fetches: AtomicUsize,
}

pub struct TestIssuer {
    pub url: String,
    pub es256: TestKey,
    pub rs256: TestKey,
    served: Arc<Served>,
}

impl TestIssuer {
    pub async fn start() -> Self {
        Self::start_behaving(Behaviour::Honest).await
    }

    pub async fn start_behaving(behaviour: Behaviour) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (es256, rs256) = (TestKey::es256("es-1"), TestKey::rs256("rs-1"));
        let served = Arc::new(Served { url: url.clone(), keys: vec![es256.jwk.clone(), rs256.jwk.clone()], behaviour, key_fetches: AtomicUsize::new(0) });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(key_set))
            .with_state(served.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, es256, rs256, served }
    }

    /// How many times Sésame fetched the key set.
    pub fn key_fetches(&self) -> usize {
        self.served.key_fetches.load(Ordering::SeqCst)
    }

    /// Claims like GitHub Actions' for a job of repository 123456 on `git_ref` (with GitLab's
    /// names for its ids too, so that a self-managed-GitLab rule holds them against it), for
    /// `audience`, valid for an hour, with a fresh `jti`.
    pub fn github_claims(&self, audience: &str, git_ref: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.url, "aud": audience, "sub": format!("repo:acme/deploy:ref:{git_ref}"),
            "jti": format!("{:032x}", rand::random::<u128>()), "iat": now, "nbf": now, "exp": now + 3600,
            "repository": "acme/deploy", "repository_id": "123456", "repository_owner_id": "42", "ref": git_ref,
            "project_id": "123456", "namespace_id": "42",
            "ref_protected": true, "run_id": 7, "workflow_ref": "acme/deploy/.github/workflows/ship.yml@refs/heads/main",
        })
    }

    pub fn token(&self, claims: &Value) -> String {
        self.es256.sign(claims)
    }
}

async fn discovery(State(served): State<Arc<Served>>) -> Json<Value> {
    Json(json!({"issuer": served.url, "jwks_uri": format!("{}/jwks", served.url), "id_token_signing_alg_values_supported": ["RS256", "ES256"]}))
}

async fn key_set(State(served): State<Arc<Served>>) -> String {
    served.key_fetches.fetch_add(1, Ordering::SeqCst);
    match served.behaviour {
        Behaviour::Honest => json!({"keys": served.keys}).to_string(),
        Behaviour::Hangs => std::future::pending().await,
        Behaviour::Huge => format!("{{\"keys\": [], \"padding\": \"{}\"}}", "x".repeat(10 * 1024 * 1024)),
    }
}

/// `claims` signed by nobody: `alg: none`, as an attacker writes it by hand.
pub fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
}

/// `claims` signed with HS256 using `secret` (the issuer's public key: the classic
/// algorithm-confusion attack), under the issuer's `kid`.
pub fn hmac_signed(claims: &Value, kid: &str, secret: &[u8]) -> String {
    let header = Header { kid: Some(kid.into()), ..Header::new(Algorithm::HS256) };
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}
