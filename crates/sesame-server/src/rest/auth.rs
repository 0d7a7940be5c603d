//! One extractor turns a request into the key's principal, or the 401.

use std::sync::Arc;

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use sesame_core::{
    accounts::ClientInfo,
    credentials,
    verifier::{KeyPrincipal, VerifyError},
};
use sesame_shared::ssr::client_ip;

use super::ApiError;
use crate::app::AppState;

pub const API_KEY_HEADER: &str = "mc-api-key";

/// The user a valid API key acts as. Extracting it records the key's use.
pub struct ApiPrincipal(pub Arc<KeyPrincipal>);

impl FromRequestParts<AppState> for ApiPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let client_ip = client_ip(parts, &state.config.trusted_proxies);
        let throttles = &state.services.throttles;
        let counters = crate::metrics::auth();
        let Some(presented) = presented_key(parts) else {
            counters.missing.increment(1);
            // No credential is not a guess: it is not counted against the address.
            tracing::info!(target: "sesame::auth", ip = %client_ip, reason = "missing", "API authentication failed");
            return Err(ApiError::invalid_credentials());
        };
        // An address that keeps presenting bad keys waits, whatever it presents now.
        if let Err(retry) = throttles.check_api_client(client_ip) {
            counters.throttled.increment(1);
            return Err(ApiError::too_many_requests(retry));
        }
        let started = std::time::Instant::now();
        let verified = state.services.verifier.verify(presented, client_ip).await;
        counters.verification.record(started.elapsed());
        match verified {
            Ok(principal) => {
                if let Err(retry) = throttles.check_key(&principal.key_id) {
                    counters.throttled.increment(1);
                    return Err(ApiError::too_many_requests(retry));
                }
                counters.accepted.increment(1);
                Ok(ApiPrincipal(principal))
            }
            Err(VerifyError::Store(error)) => Err(error.into()),
            Err(reason) => {
                // The reason, never the key.
                tracing::info!(target: "sesame::auth", ip = %client_ip, reason = %reason, "API authentication failed");
                counters.refused.increment(1);
                match throttles.api_authentication_failed(client_ip) {
                    Some(retry) => Err(ApiError::too_many_requests(retry)),
                    None => Err(ApiError::invalid_credentials()),
                }
            }
        }
    }
}

/// `MC-Api-Key: <key>`, or `Authorization: Bearer <key>` (see `sesame_core::credentials`).
fn presented_key(parts: &Parts) -> Option<&str> {
    let mc_api_key = parts.headers.get(API_KEY_HEADER).map(|value| value.as_bytes());
    let authorization = parts.headers.get(header::AUTHORIZATION).map(|value| value.as_bytes());
    credentials::presented_key(mc_api_key, authorization)
}

/// Where the request comes from, for the activity log: client address and user agent.
pub struct RequestClient(pub ClientInfo);

impl FromRequestParts<AppState> for RequestClient {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts, &state.config.trusted_proxies);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|agent| agent.chars().take(256).collect());
        Ok(RequestClient(ClientInfo { ip: Some(ip.to_string()), user_agent }))
    }
}
