//! Turns a presented API key into the user it acts as, or a refusal.

use chrono::Utc;

use crate::{
    key::{ApiKeySecret, KeyFormatError},
    model::{ApiKeyId, User},
    store::{Store, StoreError},
};

/// Why a key was refused. The HTTP layer answers the first two identically (401); the
/// distinction is for logs and tests only.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed key: {0}")]
    Malformed(KeyFormatError),
    #[error("unknown or revoked key")]
    Unknown,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The principal behind a valid key.
#[derive(Debug, Clone)]
pub struct KeyPrincipal {
    pub key_id: ApiKeyId,
    pub user: User,
}

#[derive(Clone)]
pub struct Verifier {
    store: Store,
}

impl Verifier {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Parses the key (no storage touched if it is malformed), looks up its hash, and
    /// records this use (client IP and time). The lookup reads the database each time, so
    /// a deleted key or a disabled owner is refused on the very next request.
    pub async fn verify(&self, presented: &str, client_ip: &str) -> Result<KeyPrincipal, VerifyError> {
        let secret = ApiKeySecret::parse(presented).map_err(VerifyError::Malformed)?;
        let (key_id, user) =
            self.store.key_owner(&secret.hash()).await?.ok_or(VerifyError::Unknown)?;
        self.store.record_key_use(&key_id, client_ip, Utc::now()).await?;
        Ok(KeyPrincipal { key_id, user })
    }
}
