//! Turns a presented API key into the user it acts as, or a refusal.

use std::sync::Arc;

use chrono::Utc;

use crate::{
    key::{ApiKeySecret, KeyFormatError},
    last_use::LastUseRecorder,
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
    last_use: Arc<LastUseRecorder>,
}

impl Verifier {
    pub fn new(store: Store, last_use: Arc<LastUseRecorder>) -> Self {
        Self { store, last_use }
    }

    /// Parses the key (no storage touched if it is malformed), looks up its hash, and
    /// notes this use (client IP and time) for the next batch write. The lookup reads the
    /// database each time, so a key deleted through any node, or a disabled owner, is
    /// refused on the very next request.
    pub async fn verify(&self, presented: &str, client_ip: &str) -> Result<KeyPrincipal, VerifyError> {
        let secret = ApiKeySecret::parse(presented).map_err(VerifyError::Malformed)?;
        let (key_id, user) =
            self.store.key_owner(&secret.hash()).await?.ok_or(VerifyError::Unknown)?;
        self.last_use.record(&key_id, client_ip, Utc::now());
        Ok(KeyPrincipal { key_id, user })
    }
}
