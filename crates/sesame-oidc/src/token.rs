//! A CI job's OIDC token, checked: signed by a key its issuer publishes (RS256 or ES256 —
//! never `none`, never HMAC, whose "secret" could be the public key), from an issuer some
//! rule trusts, with one audience, in its validity period (30 seconds of leeway for clocks),
//! naming its subject and carrying a `jti` (spent once, by the core).

use std::collections::{BTreeMap, HashSet};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use jsonwebtoken::{errors::ErrorKind, Algorithm, Validation};
use serde_json::{Map, Value};
use sesame_core::trust::{ClaimedToken, TrustRules, VerifiedToken};

use crate::signing_keys::{FetchError, SigningKeys};

/// Seconds of clock difference allowed on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECONDS: i64 = 30;
/// A token longer than this is refused unread.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
const MAX_JTI: usize = 256;

/// Why a token was refused: for the activity of the accounts it was meant for and the "Test
/// a token" box, never for the exchange's caller. (In the model, where the console reads it.)
pub use sesame_core::trust::TokenRefusal as Rejected;

pub struct TokenChecker {
    keys: SigningKeys,
}

impl TokenChecker {
    pub fn new(keys: SigningKeys) -> Self {
        Self { keys }
    }

    /// Checks `token` whole; on refusal, why and what it claimed to be (none when it did not
    /// even name its issuer).
    pub async fn check(&self, rules: &TrustRules, token: &str) -> Result<VerifiedToken, (Rejected, Option<ClaimedToken>)> {
        let claims = unverified_claims(token).map_err(|rejected| (rejected, None))?;
        let claimed = claims.get("iss").and_then(Value::as_str).map(|issuer| ClaimedToken {
            issuer: issuer.to_owned(),
            audiences: audiences(&claims).unwrap_or_default(),
            claims: claim_texts(&claims),
        });
        self.verify(rules, token, &claims).await.map_err(|rejected| (rejected, claimed))
    }

    pub(crate) async fn verify(&self, rules: &TrustRules, token: &str, claims: &Map<String, Value>) -> Result<VerifiedToken, Rejected> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Rejected::Malformed)?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(Rejected::Algorithm);
        }
        let issuer = claims.get("iss").and_then(Value::as_str).ok_or(Rejected::Malformed)?;
        // Only issuers a rule trusts are ever fetched from: a token's `iss` does not choose
        // where Sésame calls.
        if !rules.is_trusted_issuer(issuer).await.map_err(|_| Rejected::KeysUnavailable)? {
            return Err(Rejected::UnknownIssuer);
        }
        let kid = header.kid.as_deref().ok_or(Rejected::UnknownKey)?;
        let key = self.keys.key(issuer, kid).await.map_err(|error| match error {
            FetchError::UnknownKey => Rejected::UnknownKey,
            FetchError::Unreachable(why) => {
                tracing::warn!(issuer, %why, "an issuer's signing keys could not be fetched");
                Rejected::KeysUnavailable
            }
        })?;
        if key.algorithm != header.alg {
            return Err(Rejected::Algorithm);
        }
        let mut validation = Validation::new(key.algorithm);
        validation.leeway = LEEWAY_SECONDS as u64;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_issuer(&[issuer]);
        validation.required_spec_claims = HashSet::from(["exp".to_owned(), "iss".to_owned()]);
        jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation).map_err(|error| match error.kind() {
            ErrorKind::ExpiredSignature => Rejected::Expired,
            ErrorKind::ImmatureSignature => Rejected::NotYetValid,
            ErrorKind::InvalidSignature => Rejected::BadSignature,
            ErrorKind::InvalidAlgorithm => Rejected::Algorithm,
            _ => Rejected::Malformed,
        })?;
        let now = Utc::now().timestamp() as f64;
        match claims.get("iat") {
            None => {}
            Some(iat) => match iat.as_f64() {
                Some(iat) if iat <= now + LEEWAY_SECONDS as f64 => {}
                Some(_) => return Err(Rejected::IssuedInFuture),
                None => return Err(Rejected::Malformed),
            },
        }
        let [audience] = <[String; 1]>::try_from(audiences(claims).ok_or(Rejected::Audiences)?).map_err(|_| Rejected::Audiences)?;
        let jti = claims.get("jti").and_then(Value::as_str).filter(|jti| !jti.is_empty() && jti.len() <= MAX_JTI).ok_or(Rejected::NoJti)?;
        let subject = claims.get("sub").and_then(Value::as_str).filter(|sub| !sub.is_empty()).ok_or(Rejected::NoSubject)?;
        let expires_at = claims.get("exp").and_then(Value::as_i64).and_then(|exp| DateTime::from_timestamp(exp, 0)).ok_or(Rejected::Malformed)?;
        Ok(VerifiedToken {
            issuer: issuer.to_owned(),
            audience,
            subject: subject.to_owned(),
            jti: jti.to_owned(),
            expires_at,
            claims: claim_texts(claims),
        })
    }
}

/// The payload, read without checking anything (to know the issuer, and for "Test a token").
pub(crate) fn unverified_claims(token: &str) -> Result<Map<String, Value>, Rejected> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Rejected::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Rejected::Malformed);
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).map_err(|_| Rejected::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Rejected::Malformed)
}

/// `aud` as a list (a string is a list of one); none if it holds anything but strings.
fn audiences(claims: &Map<String, Value>) -> Option<Vec<String>> {
    match claims.get("aud") {
        Some(Value::String(one)) => Some(vec![one.clone()]),
        Some(Value::Array(many)) => many.iter().map(|one| one.as_str().map(str::to_owned)).collect(),
        _ => Some(Vec::new()),
    }
}

/// Each claim with a text value: strings as they are, numbers and booleans as JSON writes
/// them (GitHub's `repository_id` is a string, GitLab's `project_id` too; a number matches
/// its digits either way).
pub fn claim_texts(claims: &Map<String, Value>) -> BTreeMap<String, String> {
    claims
        .iter()
        .filter_map(|(name, value)| match value {
            Value::String(text) => Some((name.clone(), text.clone())),
            Value::Number(number) => Some((name.clone(), number.to_string())),
            Value::Bool(flag) => Some((name.clone(), flag.to_string())),
            _ => None,
        })
        .collect()
}
