//! The REST API's door: a presented key becomes the principal it acts as, or a refusal —
//! with the limits against guessing and floods applied on the way (see [`crate::throttle`]).

use std::{net::IpAddr, sync::Arc};

use crate::{
    actor::{Actor, Client},
    refusal_log::{self, Refused},
    model::Permission,
    principal::KeyPrincipal,
    rights::{self, Refusal},
    store::{Store, StoreError},
    throttle::{RetryAfter, Throttles},
    verifier::{Verifier, VerifyError},
};

/// Why a request's key was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ApiRefusal {
    /// No key at all. Not counted against the address: it guesses nothing.
    #[error("no API key")]
    Missing,
    /// Malformed, unknown, deleted, or its owner disabled: all answered alike.
    #[error("invalid API key")]
    Invalid,
    /// The address keeps presenting bad keys, or the key is over its own limit.
    #[error("too many requests")]
    Throttled(RetryAfter),
    /// A valid key, from an address its allow-list does not cover.
    #[error("this key may not be used from this address")]
    AddressNotAllowed,
    #[error(transparent)]
    Store(StoreError),
}

#[derive(Clone)]
pub struct ApiAccess {
    verifier: Verifier,
    throttles: Arc<Throttles>,
    store: Store,
}

impl ApiAccess {
    pub(crate) fn new(verifier: Verifier, throttles: Arc<Throttles>, store: Store) -> Self {
        Self { verifier, throttles, store }
    }

    /// Whether the actor may act with `permission`, for what the REST API serves without a
    /// use case of its own (`GET /me`); a refusal is recorded as every use case records it.
    pub fn require(&self, actor: &Actor, permission: Permission) -> Result<(), Refusal> {
        rights::require(&self.store, actor, permission)
    }

    /// The principal behind `presented`, from a client at `ip`. Refusals are logged with
    /// their reason and the address, never the key.
    pub async fn authenticate(&self, presented: Option<&str>, ip: IpAddr) -> Result<Arc<KeyPrincipal>, ApiRefusal> {
        let Some(presented) = presented else {
            tracing::info!(target: "sesame::auth", %ip, reason = "missing", "API authentication failed");
            return Err(ApiRefusal::Missing);
        };
        // An address that keeps presenting bad keys waits, whatever it presents now.
        self.throttles.check_api_client(ip).map_err(ApiRefusal::Throttled)?;
        match self.verifier.verify(presented, ip).await {
            Ok(principal) => {
                self.throttles.admit_key_request(principal.key_id, principal.restrictions.rate_limit).await.map_err(ApiRefusal::Store)?.map_err(ApiRefusal::Throttled)?;
                self.throttles.check_key(principal.key_id).map_err(ApiRefusal::Throttled)?;
                Ok(principal)
            }
            Err(VerifyError::AddressNotAllowed(principal)) => {
                // A valid key: the address guessed nothing, so it is not counted against it.
                tracing::info!(target: "sesame::auth", %ip, key = %principal.key_id, "API key used from an address it does not allow");
                refusal_log::record(&self.store, &Actor::api(&principal, Client::new(ip, None)), Refused::Address(ip));
                Err(ApiRefusal::AddressNotAllowed)
            }
            Err(VerifyError::Store(error)) => Err(ApiRefusal::Store(error)),
            Err(reason) => {
                tracing::info!(target: "sesame::auth", %ip, %reason, "API authentication failed");
                match self.throttles.api_authentication_failed(ip).await {
                    Ok(Some(retry)) => Err(ApiRefusal::Throttled(retry)),
                    Ok(None) => Err(ApiRefusal::Invalid),
                    Err(error) => Err(ApiRefusal::Store(error)),
                }
            }
        }
    }
}
