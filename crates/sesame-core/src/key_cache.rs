//! Valid keys remembered in memory, so verifying a key costs a hash and a map lookup
//! instead of a database round trip.
//!
//! Used only where this process is the only one serving the database (SQLite: `sesame
//! serve` holds a lock on the file), so every change that can invalidate an entry — a key
//! deleted, a user changed — happens here and is applied before it is acknowledged. With
//! several nodes (PostgreSQL) there is no cache: each request reads the database, which is
//! what makes a delete on one node final on all of them at once.
//!
//! A lookup that misses reads the database, then caches the answer. If an invalidation ran
//! meanwhile, the answer may already be stale: the generation counter tells, and the entry
//! is dropped again.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use moka::sync::Cache;

use crate::{key::KeyHash, verifier::KeyPrincipal};

pub struct KeyCache {
    // Shared, so a hit costs a reference count, not a copy of the user.
    entries: Cache<KeyHash, Arc<KeyPrincipal>>,
    generation: AtomicU64,
}

impl KeyCache {
    pub fn new(capacity: u64) -> Self {
        Self { entries: Cache::new(capacity), generation: AtomicU64::new(0) }
    }

    pub fn get(&self, hash: &KeyHash) -> Option<Arc<KeyPrincipal>> {
        self.entries.get(hash)
    }

    /// Read before the database lookup whose answer will be passed to `fill`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Caches a principal read from the database after `generation()` returned `seen`.
    pub fn fill(&self, hash: KeyHash, principal: Arc<KeyPrincipal>, seen: u64) {
        self.entries.insert(hash.clone(), principal);
        if self.generation() != seen {
            // An invalidation raced with our lookup: what we read may be gone already.
            self.entries.invalidate(&hash);
        }
    }

    /// Forgets one key (it was deleted). Bumps the generation first, so a lookup in flight
    /// cannot put it back.
    pub fn invalidate_key(&self, hash: &KeyHash) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.invalidate(hash);
    }

    /// Forgets every key (a user's role or status changed).
    pub fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{key::ApiKeySecret, model::{ApiKeyId, OrganizationId, Role, User, UserId}};

    fn principal() -> Arc<KeyPrincipal> {
        Arc::new(KeyPrincipal {
            key_id: ApiKeyId::new_random(),
            user: User {
                id: UserId::new_random(),
                organization_id: OrganizationId::new_random(),
                organization_name: "Acme".into(),
                username: "alice".into(),
                email: "a@example.com".into(),
                full_name: "Alice".into(),
                role: Role::User,
                disabled: false,
                created_at: chrono::Utc::now(),
            },
        })
    }

    #[test]
    fn filled_entries_are_found_until_invalidated() {
        let cache = KeyCache::new(100);
        let hash = ApiKeySecret::generate().hash();
        cache.fill(hash.clone(), principal(), cache.generation());
        assert!(cache.get(&hash).is_some());
        cache.invalidate_key(&hash);
        assert!(cache.get(&hash).is_none());
    }

    #[test]
    fn a_fill_that_raced_with_an_invalidation_is_dropped() {
        let cache = KeyCache::new(100);
        let hash = ApiKeySecret::generate().hash();
        let seen = cache.generation();
        // The key is deleted while our database read is in flight...
        cache.invalidate_key(&hash);
        // ...so the principal we read must not be cached.
        cache.fill(hash.clone(), principal(), seen);
        assert!(cache.get(&hash).is_none());
    }

    #[test]
    fn invalidate_all_forgets_everything() {
        let cache = KeyCache::new(100);
        let hashes: Vec<_> = (0..10).map(|_| ApiKeySecret::generate().hash()).collect();
        for hash in &hashes {
            cache.fill(hash.clone(), principal(), cache.generation());
        }
        cache.invalidate_all();
        assert!(hashes.iter().all(|hash| cache.get(hash).is_none()));
    }
}
