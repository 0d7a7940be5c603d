//! The principal behind a valid API key: what the verifier finds and the key cache keeps.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::{
    model::{ApiKeyId, LimitFamily, Restrictions, Scopes, User},
};

/// A key and the user it acts as. Never changes once built: a change to the key or the user
/// makes the caches drop it, and the next lookup builds a new one.
#[derive(Debug)]
pub struct KeyPrincipal {
    pub key_id: ApiKeyId,
    /// Checked on every request against the clock, cached or not; none: never expires. For
    /// a previous secret, the end of the overlap if that comes first.
    pub expires_at: Option<DateTime<Utc>>,
    /// The key was presented with its previous secret (in the overlap after a roll).
    pub with_previous_secret: bool,
    /// What the key may do, within what `user`'s role allows.
    pub scopes: Scopes,
    /// Where the key may be used from (checked on every request, cached or not), and how
    /// fast.
    pub restrictions: Arc<Restrictions>,
    /// Whose allowance the key's limit counts in, when a limited key made it. Boxed: rare,
    /// and a million cached keys each save 24 bytes (memory per cached key).
    pub limit_family: Option<Box<LimitFamily>>,
    pub user: Arc<User>,
}

impl KeyPrincipal {
    pub fn has_expired(&self, now: DateTime<Utc>) -> bool {
        crate::model::is_past(self.expires_at, now)
    }
}
