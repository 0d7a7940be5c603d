//! The REST API's door: a presented key becomes the principal it acts as, or a refusal —
//! with the limits against guessing and floods applied on the way (see [`crate::throttle`]).

use std::{net::IpAddr, sync::Arc};

use crate::{
    actor::{Actor, Client},
    door::Door,
    key::KeyHash,
    model::{Operation, User},
    principal::KeyPrincipal,
    rights::{self, Refusal},
    store::{Store, StoreError},
    throttle::{RetryAfter, Throttles},
    usage::{self, Outcome},
    verifier::{Verified, Verifier, VerifyError},
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

/// A key accepted: the principal it acts as, the secret it was presented with, and the
/// hour its request was counted in.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub principal: Arc<KeyPrincipal>,
    secret: KeyHash,
    pub counted_in: i64,
}

impl Authenticated {
    /// The actor this request is, from `client`.
    pub fn actor(&self, client: Client) -> Actor {
        Actor::api(&self.principal, self.secret, client).counted_in(self.counted_in)
    }
}

#[derive(Clone)]
pub struct ApiAccess {
    verifier: Verifier,
    throttles: Arc<Throttles>,
    store: Store,
    door: Door,
}

impl ApiAccess {
    pub(crate) fn new(verifier: Verifier, throttles: Arc<Throttles>, store: Store, door: Door) -> Self {
        Self { verifier, throttles, store, door }
    }

    /// The user a key acts as (`GET /me`), if the key may read it: decided on the
    /// principal alone (the hot path builds no actor), a refusal recorded as every use case
    /// records it.
    pub fn me<'a>(&self, authenticated: &'a Authenticated, client: impl FnOnce() -> Client) -> Result<&'a Arc<User>, Refusal> {
        let principal = &authenticated.principal;
        if rights::check(&principal.user, principal.scopes, Operation::GetMe.permission()).is_err() {
            self.door.require(&authenticated.actor(client()), Operation::GetMe)?;
        }
        Ok(&principal.user)
    }

    /// The principal behind `presented`, from a client at `ip`. Refusals are logged with
    /// their reason and the address, never the key. The request is counted in the key's
    /// usage (accepted, throttled or from an address not allowed).
    pub async fn authenticate(&self, presented: Option<&str>, ip: IpAddr) -> Result<Authenticated, ApiRefusal> {
        let Some(presented) = presented else {
            tracing::info!(target: "sesame::auth", %ip, reason = "missing", "API authentication failed");
            return Err(ApiRefusal::Missing);
        };
        // An address that keeps presenting bad keys waits, whatever it presents now.
        self.throttles.check_api_client(ip).map_err(ApiRefusal::Throttled)?;
        let now = self.store.now();
        let hour = usage::hour_of(now);
        match self.verifier.verify_at(presented, ip, now).await {
            Ok(Verified { principal, secret }) => {
                let admitted = match self.throttles.admit_key_request(principal.key_id, principal.restrictions.rate_limit, principal.limit_family.as_deref()).await {
                    Ok(admitted) => admitted.and_then(|()| self.throttles.check_key(principal.key_id)),
                    Err(error) => return Err(ApiRefusal::Store(error)),
                };
                if let Err(retry) = admitted {
                    self.store.usage().count(principal.key_id, hour, Outcome::Throttled);
                    return Err(ApiRefusal::Throttled(retry));
                }
                self.store.usage().count(principal.key_id, hour, Outcome::Accepted);
                Ok(Authenticated { principal, secret, counted_in: hour })
            }
            Err(VerifyError::AddressNotAllowed(principal, secret)) => {
                self.store.usage().count(principal.key_id, hour, Outcome::AddressNotAllowed);
                // A valid key: the address guessed nothing, so it is not counted against it.
                tracing::info!(target: "sesame::auth", %ip, key = %principal.key_id, "API key used from an address it does not allow");
                self.door.address_refused(&Actor::api(&principal, secret, Client::new(ip, None)), ip);
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
