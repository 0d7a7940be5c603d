//! The signing keys of the issuers trust rules name, kept in memory: the exchange's hot path
//! makes no network call once an issuer's keys are here.
//!
//! Outgoing calls are bounded: 5 seconds each, documents of at most [`MAX_DOCUMENT_BYTES`],
//! no redirects, and — unless the operator allows insecure issuers — HTTPS to public
//! addresses only (a rule cannot point Sésame at a service inside its own network).

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use jsonwebtoken::{
    jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse},
    Algorithm, DecodingKey,
};
use serde::Deserialize;
use sesame_core::net::is_public;

/// The most a discovery document or a key set may weigh.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// An issuer's keys are fetched again for an unknown `kid` at most this often.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// Keys older than this are fetched again before use (a key the issuer withdrew stops being
/// trusted within the hour); kept if the issuer cannot be reached meanwhile.
pub const KEYS_MAX_AGE: Duration = Duration::from_secs(60 * 60);
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// One key an issuer signs with.
pub struct SigningKey {
    pub kid: Option<String>,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// Why an issuer's keys could not be had.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the issuer has no signing key with this kid")]
    UnknownKey,
    #[error("the issuer's keys could not be fetched: {0}")]
    Unreachable(String),
}

/// Every trusted issuer's keys, shared by all requests.
pub struct SigningKeys {
    client: reqwest::Client,
    allow_insecure: bool,
    issuers: RwLock<HashMap<String, Arc<Issuer>>>,
}

#[derive(Default)]
struct Issuer {
    /// The keys, and when they were fetched.
    keys: RwLock<(Option<Instant>, Vec<Arc<SigningKey>>)>,
    /// When the keys were last fetched (or tried): held while fetching, so that tokens
    /// arriving together wait for one fetch rather than each making one.
    fetched: tokio::sync::Mutex<Option<Instant>>,
}

impl SigningKeys {
    /// `allow_insecure`: `http://` issuers and private addresses are allowed (the operator's
    /// `--allow-insecure-issuers`, for a test issuer on this machine).
    pub fn new(allow_insecure: bool) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(CALL_TIMEOUT)
            .connect_timeout(CALL_TIMEOUT)
            .https_only(!allow_insecure)
            // A proxy from the environment would reach addresses the resolver refuses.
            .no_proxy()
            .dns_resolver(Arc::new(PublicAddresses { allow_insecure }))
            .user_agent("Sesame (keyless CI)")
            .build()
            .expect("a client with rustls and no settings read from the environment");
        Self { client, allow_insecure, issuers: RwLock::new(HashMap::new()) }
    }

    /// The key `issuer` signs with under `kid`: from memory, or fetched when it was never
    /// seen (at most once per [`REFETCH_INTERVAL`] per issuer). The caller has checked that a
    /// rule trusts `issuer`.
    pub async fn key(&self, issuer: &str, kid: &str) -> Result<Arc<SigningKey>, FetchError> {
        let entry = self.issuer(issuer);
        if let Some(found) = find(&entry, kid, Freshness::Fresh) {
            return Ok(found);
        }
        let mut fetched = entry.fetched.lock().await;
        // Fetched by another request while this one waited?
        if let Some(found) = find(&entry, kid, Freshness::Fresh) {
            return Ok(found);
        }
        if fetched.is_some_and(|at| at.elapsed() < REFETCH_INTERVAL) {
            return find(&entry, kid, Freshness::Any).ok_or(FetchError::UnknownKey);
        }
        *fetched = Some(Instant::now());
        match self.fetch(issuer).await {
            Ok(keys) => *entry.keys.write().expect("never poisoned: no panic while held") = (Some(Instant::now()), keys),
            // Unreachable for now: the keys it had still serve, until it answers again.
            Err(error) => return find(&entry, kid, Freshness::Any).ok_or(error),
        }
        find(&entry, kid, Freshness::Any).ok_or(FetchError::UnknownKey)
    }

    fn issuer(&self, issuer: &str) -> Arc<Issuer> {
        if let Some(entry) = self.issuers.read().expect("never poisoned").get(issuer) {
            return entry.clone();
        }
        self.issuers.write().expect("never poisoned").entry(issuer.to_owned()).or_default().clone()
    }

    async fn fetch(&self, issuer: &str) -> Result<Vec<Arc<SigningKey>>, FetchError> {
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let discovery: Discovery = self.get_json(&format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))).await?;
        if discovery.issuer != issuer {
            return Err(FetchError::Unreachable("the discovery document names another issuer".into()));
        }
        let set: JwkSet = self.get_json(&discovery.jwks_uri).await?;
        Ok(set.keys.iter().filter_map(signing_key).map(Arc::new).collect())
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, FetchError> {
        let unreachable = |error: &dyn std::fmt::Display| FetchError::Unreachable(error.to_string());
        let parsed = url::Url::parse(url).map_err(|error| unreachable(&error))?;
        if !self.allow_insecure && !is_public_https(&parsed) {
            return Err(FetchError::Unreachable(format!("{url} is not an https URL on a public address")));
        }
        let mut response = self.client.get(parsed).send().await.map_err(|error| unreachable(&error))?;
        if !response.status().is_success() {
            return Err(FetchError::Unreachable(format!("{url} answered {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| unreachable(&error))? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(FetchError::Unreachable(format!("{url} sent more than {MAX_DOCUMENT_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|error| unreachable(&error))
    }
}

/// Whether keys older than [`KEYS_MAX_AGE`] will do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Freshness {
    Fresh,
    Any,
}

fn find(issuer: &Issuer, kid: &str, freshness: Freshness) -> Option<Arc<SigningKey>> {
    let keys = issuer.keys.read().expect("never poisoned");
    let (fetched, keys) = &*keys;
    if freshness == Freshness::Fresh && !fetched.is_some_and(|at| at.elapsed() < KEYS_MAX_AGE) {
        return None;
    }
    keys.iter().find(|key| key.kid.as_deref() == Some(kid)).cloned()
}

/// Whether `url` is HTTPS to a name or a public address (a name's addresses are checked when
/// it is resolved, by [`PublicAddresses`]; an address written in the URL is not resolved).
fn is_public_https(url: &url::Url) -> bool {
    let address_is_public = match url.host() {
        Some(url::Host::Domain(_)) => true,
        Some(url::Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        None => false,
    };
    url.scheme() == "https" && address_is_public
}

/// A key of the set that signs with RS256 or ES256 (P-256); none for any other (encryption
/// keys, other algorithms and curves).
fn signing_key(jwk: &Jwk) -> Option<SigningKey> {
    if jwk.common.public_key_use.as_ref().is_some_and(|usage| *usage != PublicKeyUse::Signature) {
        return None;
    }
    let by_type = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => Algorithm::ES256,
        _ => return None,
    };
    let algorithm = match jwk.common.key_algorithm {
        None => by_type,
        Some(KeyAlgorithm::RS256) if by_type == Algorithm::RS256 => Algorithm::RS256,
        Some(KeyAlgorithm::ES256) if by_type == Algorithm::ES256 => Algorithm::ES256,
        Some(_) => return None,
    };
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(SigningKey { kid: jwk.common.key_id.clone(), algorithm, key })
}

/// Resolves names to public addresses only (unless the operator allows otherwise): a name
/// that resolves inside the network is as refused as an address written there.
struct PublicAddresses {
    allow_insecure: bool,
}

impl reqwest::dns::Resolve for PublicAddresses {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_insecure = self.allow_insecure;
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|address| allow_insecure || is_public(address.ip()))
                .collect();
            if addresses.is_empty() {
                return Err(format!("{} has no public address", name.as_str()).into());
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_to_names_and_public_addresses_is_fetched() {
        for refused in [
            "http://token.actions.githubusercontent.com/.well-known/jwks",
            "https://127.0.0.1/jwks",
            "https://2130706433/jwks",
            "https://0x7f.1/jwks",
            "https://[::1]/jwks",
            "https://[::ffff:10.0.0.5]:8443/jwks",
            "https://[64:ff9b::a00:5]/jwks",
            "https://[fd00::1]/jwks",
            "https://169.254.169.254/latest/meta-data",
        ] {
            assert!(!is_public_https(&url::Url::parse(refused).unwrap()), "{refused}");
        }
        for allowed in ["https://token.actions.githubusercontent.com/.well-known/jwks", "https://140.82.112.3/jwks", "https://[2606:4700::1111]/jwks"] {
            assert!(is_public_https(&url::Url::parse(allowed).unwrap()), "{allowed}");
        }
    }
}
