//! The `GET /api/v1/me` answer — the call scripts make most — rendered once per version of
//! each user, then served as is.

use std::sync::Arc;

use axum::body::Bytes;
use quick_cache::sync::Cache;
use sesame_core::model::{User, UserId};

/// Users whose answer is kept at most.
const RENDERED_USERS: usize = 100_000;

/// The rendered answer per user, with the very `User` it was rendered from. The key cache
/// builds a new `User` whenever the user changes, so an answer is reused only while the
/// principal still holds that same one (the entry keeps it alive, so its address cannot be
/// reused by another).
pub struct MeCache {
    rendered: Cache<UserId, (Arc<User>, Bytes)>,
}

impl Default for MeCache {
    fn default() -> Self {
        Self { rendered: Cache::new(RENDERED_USERS) }
    }
}

impl MeCache {
    pub fn answer(&self, user: &Arc<User>, render: impl FnOnce(&User) -> Bytes) -> Bytes {
        if let Some((rendered_from, body)) = self.rendered.get(&user.id) {
            if Arc::ptr_eq(&rendered_from, user) {
                return body;
            }
        }
        let body = render(user);
        self.rendered.insert(user.id, (user.clone(), body.clone()));
        body
    }
}
