//! One extractor turns a request into the key's principal (or the actor, with where the
//! request comes from), or the refusal.

use std::net::IpAddr;

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use sesame_core::{
    actor::{Actor, Client},
    api_access::{ApiRefusal, Authenticated},
    credentials,
};
use sesame_api::http::{client_ip, user_agent};

use super::error::ApiError;
use crate::state::AppState;

pub const API_KEY_HEADER: &str = "mc-api-key";

/// A valid API key's request: the principal it acts as (and the hour its use was counted
/// in), and the client's address. Extracting it records the key's use.
pub struct ApiPrincipal(pub Authenticated, pub IpAddr);

impl FromRequestParts<AppState> for ApiPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ip = client_ip(parts, &state.config.trusted_proxies);
        Ok(ApiPrincipal(authenticate(parts, state, ip).await?, ip))
    }
}

/// The key's owner as the actor of a change, with where the request comes from.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ip = client_ip(parts, &state.config.trusted_proxies);
        let authenticated = authenticate(parts, state, ip).await?;
        Ok(ApiActor(authenticated.actor(Client::new(ip, user_agent(parts)))))
    }
}

/// Where a request with no key to present comes from (address and user agent).
pub struct ClientOf(pub Client);

impl FromRequestParts<AppState> for ClientOf {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ip = client_ip(parts, &state.config.trusted_proxies);
        Ok(ClientOf(Client::new(ip, user_agent(parts))))
    }
}

/// The core's API door, counted in the metrics.
async fn authenticate(parts: &Parts, state: &AppState, ip: IpAddr) -> Result<Authenticated, ApiError> {
    let counters = crate::metrics::auth();
    let started = std::time::Instant::now();
    match state.services.api.authenticate(presented_key(parts), ip).await {
        Ok(authenticated) => {
            counters.verification.record(started.elapsed());
            counters.accepted.increment(1);
            Ok(authenticated)
        }
        Err(refusal) => {
            let counter = match &refusal {
                ApiRefusal::Missing => &counters.missing,
                ApiRefusal::Invalid | ApiRefusal::AddressNotAllowed | ApiRefusal::Store(_) => &counters.refused,
                ApiRefusal::Throttled(_) => &counters.throttled,
            };
            counter.increment(1);
            Err(refusal.into())
        }
    }
}

/// `MC-Api-Key: <key>`, or `Authorization: Bearer <key>` (see `sesame_core::credentials`).
fn presented_key(parts: &Parts) -> Option<&str> {
    let mc_api_key = parts.headers.get(API_KEY_HEADER).map(|value| value.as_bytes());
    let authorization = parts.headers.get(header::AUTHORIZATION).map(|value| value.as_bytes());
    credentials::presented_key(mc_api_key, authorization)
}
