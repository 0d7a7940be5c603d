//! Turns a presented API key into the user it acts as, or a refusal.

use std::{net::IpAddr, sync::Arc};

use chrono::{DateTime, Utc};

use crate::{
    key::{self, KeyFormatError, KeyHash},
    key_cache::KeyCache,
    last_use::LastUseRecorder,
    previous_secret::PreviousSecretUses,
    principal::KeyPrincipal,
    store::{self, Store, StoreError},
};

/// Why a key was refused. The HTTP layer answers the first two identically (401); the
/// distinction is for logs and tests only.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed key: {0}")]
    Malformed(KeyFormatError),
    #[error("unknown, deleted or disabled key")]
    Unknown,
    #[error("expired key")]
    Expired,
    /// A valid key (and the hash of the secret presented) from an address its allow-list
    /// does not cover.
    #[error("address not allowed for this key")]
    AddressNotAllowed(Arc<KeyPrincipal>, KeyHash),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A key accepted: who it acts as, and the hash of the secret presented (which every change
/// the request makes checks again; the cache keys by it but does not keep it twice).
pub(crate) struct Verified {
    pub principal: Arc<KeyPrincipal>,
    pub secret: KeyHash,
}

#[derive(Clone)]
pub struct Verifier {
    store: Store,
    last_use: Arc<LastUseRecorder>,
    cache: Arc<KeyCache>,
    previous_secret_uses: Arc<PreviousSecretUses>,
}

impl Verifier {
    pub(crate) fn new(store: Store, last_use: Arc<LastUseRecorder>, cache: Arc<KeyCache>) -> Self {
        let previous_secret_uses = Arc::new(PreviousSecretUses::new(store.clone()));
        Self { store, last_use, cache, previous_secret_uses }
    }

    /// Parses the key (no storage touched if it is malformed), finds its owner — in the
    /// cache while it is usable, else in the database — checks it has not expired and may be
    /// used from `client_ip`, and notes this use (client IP and time) for the next batch write. A deleted or disabled
    /// key is refused on the very next request: the change makes every node's cache forget
    /// the key before it returns (see [`crate::invalidation`]). Expiry needs no message: the
    /// clock is read on every request. For tests and benchmarks: the REST API's door is
    /// [`crate::api_access::ApiAccess::authenticate`], which also applies the limits.
    #[cfg(feature = "testing")]
    pub async fn verify(&self, presented: &str, client_ip: IpAddr) -> Result<Arc<KeyPrincipal>, VerifyError> {
        Ok(self.verify_at(presented, client_ip, self.store.now()).await?.principal)
    }

    /// [`Self::verify`] at `now`, which the caller read (and uses again: one clock read
    /// per API request that finds its key in the cache; a lookup in the database reads the
    /// clock again after it).
    pub(crate) async fn verify_at(&self, presented: &str, client_ip: IpAddr, now: DateTime<Utc>) -> Result<Verified, VerifyError> {
        let hash = key::hash_presented(presented).map_err(VerifyError::Malformed)?;
        let (principal, now) = match self.cache.get(&hash) {
            Some(principal) => (principal, now),
            None => {
                let seen = self.cache.generation();
                let principal = self.lookup(&hash).await?;
                self.cache.fill(hash, principal.clone(), seen);
                // The lookup may have waited for a connection: a key that expired meanwhile
                // is refused.
                (principal, self.store.now())
            }
        };
        if principal.has_expired(now) {
            return Err(VerifyError::Expired);
        }
        if !principal.restrictions.allowed_addresses.allows(client_ip) {
            return Err(VerifyError::AddressNotAllowed(principal, hash));
        }
        self.last_use.record(principal.key_id, client_ip, now);
        if principal.with_previous_secret {
            self.previous_secret_uses.note(&principal, client_ip);
        }
        Ok(Verified { principal, secret: hash })
    }

    async fn lookup(&self, hash: &KeyHash) -> Result<Arc<KeyPrincipal>, VerifyError> {
        let found = store::key_access::owner(&mut *self.store.read().await?, hash).await?.ok_or(VerifyError::Unknown)?;
        // A previous secret stops at the end of its overlap, or with the key, if sooner.
        let expires_at = crate::model::credential_expiry(found.expires_at, found.previous_until);
        Ok(Arc::new(KeyPrincipal {
            key_id: found.id,
            expires_at,
            with_previous_secret: found.previous_until.is_some(),
            scopes: found.restricted.scopes,
            limit_family: found.restricted.family.map(Box::new),
            restrictions: self.cache.shared_restrictions(found.restricted.restrictions),
            user: self.cache.shared_owner(found.user),
        }))
    }
}
