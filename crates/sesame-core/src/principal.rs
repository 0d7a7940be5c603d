//! The principal behind a valid API key: what the verifier finds and the key cache keeps.

use std::sync::Arc;

use crate::model::{ApiKeyId, User};

/// A key and the user it acts as. Never changes once built: a change to the key or the user
/// makes the caches drop it, and the next lookup builds a new one.
#[derive(Debug)]
pub struct KeyPrincipal {
    pub key_id: ApiKeyId,
    pub user: Arc<User>,
}
