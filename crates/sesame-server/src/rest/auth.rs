//! The REST API's doors: one extractor turns a request into the actor its key is (with
//! where it comes from), or the refusal; another reads a path's id.

use std::{net::IpAddr, sync::OnceLock};

use axum::{
    extract::{FromRequestParts, Path},
    http::{header, request::Parts, HeaderValue},
};
use sesame_core::{
    actor::{Actor, Client},
    api_access::{ApiRefusal, Authenticated},
    credentials,
    error_codes::{ErrorCode, Missing},
    model::{ApiKeyId, SessionId, UserId},
};
use sesame_api::http::{client_ip, client_of};

use super::error::ApiError;
use crate::state::AppState;

pub const API_KEY_HEADER: &str = "mc-api-key";

/// The one API-key extractor: a valid key's request, as the actor it is — built when first
/// used, so that `GET /me`, which the principal alone answers, costs no reference counts
/// shared across threads — and where the request comes from. Extracting it records the
/// key's use.
pub struct ApiActor {
    authenticated: Authenticated,
    ip: IpAddr,
    user_agent: Option<HeaderValue>,
    actor: OnceLock<Actor>,
}

impl ApiActor {
    /// The key's principal, and the hour its use was counted in.
    pub fn authenticated(&self) -> &Authenticated {
        &self.authenticated
    }

    /// Where the request comes from.
    pub fn client(&self) -> Client {
        Client::new(self.ip, self.user_agent.as_ref().and_then(|agent| agent.to_str().ok()))
    }
}

impl std::ops::Deref for ApiActor {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        self.actor.get_or_init(|| self.authenticated.actor(self.client()))
    }
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ip = client_ip(parts, &state.config.trusted_proxies);
        let authenticated = authenticate(parts, state, ip).await?;
        Ok(ApiActor { authenticated, ip, user_agent: parts.headers.get(header::USER_AGENT).cloned(), actor: OnceLock::new() })
    }
}

/// A path's `{id}`, read when the handler asks for it ([`Id::get`]): after the body and the
/// query, so that bad input is answered as such whatever the path says; then one that is not
/// an id of its kind is answered like an id that does not exist (404), as the document says.
pub struct Id<T>(Option<T>);

impl<T: PathId + Copy> Id<T> {
    /// The id, or the 404 of an id that names nothing.
    pub fn get(&self) -> Result<T, ApiError> {
        self.0.ok_or_else(|| ApiError::from(ErrorCode::NotFound(T::MISSING)))
    }
}

/// An id a path may name, and what is not found when it names nothing.
pub trait PathId: std::str::FromStr {
    const MISSING: Missing;
}

impl PathId for ApiKeyId {
    const MISSING: Missing = Missing::ApiKey;
}

impl PathId for UserId {
    const MISSING: Missing = Missing::User;
}

impl PathId for SessionId {
    const MISSING: Missing = Missing::Session;
}

impl<T: PathId + Send> FromRequestParts<AppState> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let text = Path::<String>::from_request_parts(parts, state).await.ok().map(|Path(text)| text);
        Ok(Id(text.and_then(|text| text.parse().ok())))
    }
}

/// Where a request with no key to present comes from (address and user agent).
pub struct ClientOf(pub Client);

impl FromRequestParts<AppState> for ClientOf {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ClientOf(client_of(parts, &state.config.trusted_proxies)))
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
