//! Valid keys remembered in memory, so verifying a key costs a hash and a map lookup
//! instead of a database round trip.
//!
//! Every change that can invalidate an entry — a key deleted, a user changed — reaches the
//! cache before it is acknowledged: directly on the node that made it, and on the other
//! nodes of a PostgreSQL cluster through [`crate::cluster`], which waits for each of them
//! to confirm. A node may serve entries only while it is sure to hear about such changes:
//! on SQLite always (one `sesame serve` owns the file), on PostgreSQL while its *lease* runs
//! (renewed while its notification listener is proven alive; see [`crate::cluster`]).
//!
//! A lookup that misses reads the database, then caches the answer. If an invalidation ran
//! meanwhile, the answer may already be stale: the generation counter tells, and the entry
//! is dropped again.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Instant,
};

use quick_cache::sync::Cache;

use crate::{
    key::KeyHash,
    model::{Restrictions, User, UserId},
    principal::KeyPrincipal,
};

/// `usable_until` when no lease applies.
const FOREVER: u64 = u64::MAX;
/// Owners whose one copy is kept for sharing; a key of an owner beyond these gets its own.
const OWNERS_SHARED: usize = 100_000;

pub struct KeyCache {
    // Shared, so a hit costs a reference count, not a copy of the user. quick_cache rather
    // than moka: a lookup never runs the eviction policy's housekeeping, which showed as
    // the verification's p99.
    entries: Cache<KeyHash, Arc<KeyPrincipal>>,
    /// One copy of each owner for all the keys cached for them: a million keys of one user
    /// hold one `User` and its strings, not a million (memory per cached key).
    owners: Cache<UserId, Arc<User>>,
    /// The one empty set that every unrestricted key's entry points to.
    unrestricted: Arc<Restrictions>,
    generation: AtomicU64,
    /// Entries may be served until this instant, in nanoseconds after `epoch`. Read
    /// lock-free on every lookup; changed only under `lease`.
    usable_until: AtomicU64,
    epoch: Instant,
    /// How many times the lease was suspended. A renewal prepared before a suspension is
    /// refused, so a lost connection can never be papered over by a late renewal.
    lease: Mutex<u64>,
    /// Taken by `fill` and by every invalidation (see `fill`).
    invalidations: Mutex<()>,
}

impl KeyCache {
    /// A cache that is always usable: this process sees every change (SQLite).
    pub fn new(capacity: usize) -> Self {
        Self::with_usable_until(capacity, FOREVER)
    }

    /// A cache that serves nothing until [`KeyCache::extend_lease`] is called, and stops
    /// serving when the lease runs out (PostgreSQL).
    pub fn leased(capacity: usize) -> Self {
        Self::with_usable_until(capacity, 0)
    }

    fn with_usable_until(capacity: usize, usable_until: u64) -> Self {
        Self {
            entries: Cache::new(capacity),
            owners: Cache::new(OWNERS_SHARED),
            unrestricted: Arc::default(),
            generation: AtomicU64::new(0),
            usable_until: AtomicU64::new(usable_until),
            epoch: Instant::now(),
            lease: Mutex::new(0),
            invalidations: Mutex::new(()),
        }
    }

    pub fn get(&self, hash: &KeyHash) -> Option<Arc<KeyPrincipal>> {
        if !self.is_usable() {
            return None;
        }
        self.entries.get(hash)
    }

    /// How many keys are cached (served or not).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether entries may be served now (always without a lease).
    pub fn is_usable(&self) -> bool {
        let until = self.usable_until.load(Ordering::Acquire);
        until == FOREVER || self.nanos_since_epoch(Instant::now()) < until
    }

    /// Identifies the current lease period: read it before proving the listener alive,
    /// and pass it to [`KeyCache::extend_lease`].
    pub fn lease_period(&self) -> u64 {
        *self.lease.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Lets entries be served until `until`, unless the lease was suspended since
    /// `period` was read (then returns false). A lease that had run out, or was never
    /// granted, is renewed on an empty cache: changes may have been missed meanwhile.
    pub fn extend_lease(&self, period: u64, until: Instant) -> bool {
        let current = self.lease.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if *current != period {
            return false;
        }
        if !self.is_usable() {
            self.invalidate_all();
        }
        self.usable_until.fetch_max(self.nanos_since_epoch(until), Ordering::AcqRel);
        true
    }

    /// Ends the lease at once (the listener lost its connection): nothing is served until
    /// the next renewal, which starts from an empty cache.
    pub fn suspend(&self) {
        let mut period = self.lease.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *period += 1;
        self.usable_until.store(0, Ordering::Release);
        self.invalidate_all();
    }

    fn nanos_since_epoch(&self, instant: Instant) -> u64 {
        let nanos = instant.saturating_duration_since(self.epoch).as_nanos();
        // FOREVER stays reserved for caches without a lease.
        u64::try_from(nanos).unwrap_or(FOREVER).min(FOREVER - 1)
    }

    /// `user` as read for a key, as the copy the cached keys of that owner share — if it is
    /// the same in every field (a changed role or name replaces the shared copy; the keys
    /// holding the old one were forgotten by the change already).
    pub fn shared_owner(&self, user: User) -> Arc<User> {
        match self.owners.get(&user.id) {
            Some(shared) if *shared == user => shared,
            _ => {
                let shared = Arc::new(user);
                self.owners.insert(shared.id, shared.clone());
                shared
            }
        }
    }

    /// `restrictions` as a cached key holds them: most keys have none, and share one empty
    /// set rather than one each.
    pub fn shared_restrictions(&self, restrictions: Restrictions) -> Arc<Restrictions> {
        if restrictions == Restrictions::default() {
            self.unrestricted.clone()
        } else {
            Arc::new(restrictions)
        }
    }

    /// Read before the database lookup whose answer will be passed to `fill`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Caches a principal read from the database after `generation()` returned `seen`,
    /// unless an invalidation ran since: what was read may be gone already. Checked and
    /// inserted under the lock every invalidation takes, so an entry is never visible, not
    /// even for an instant, once the invalidation that made it stale has returned.
    pub fn fill(&self, hash: KeyHash, principal: Arc<KeyPrincipal>, seen: u64) {
        let _invalidations = self.lock_invalidations();
        if self.generation() == seen {
            self.entries.insert(hash, principal);
        }
    }

    /// Forgets one key (it was deleted). Bumps the generation first, so a lookup in flight
    /// cannot put it back.
    pub fn invalidate_key(&self, hash: &KeyHash) {
        let _invalidations = self.lock_invalidations();
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.remove(hash);
    }

    /// Forgets the keys of one user (their role or status changed); the others stay.
    pub fn invalidate_user(&self, user: &UserId) {
        let _invalidations = self.lock_invalidations();
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.retain(|_, principal| principal.user.id != *user);
        self.owners.remove(user);
    }

    /// Forgets every key (notifications may have been missed).
    pub fn invalidate_all(&self) {
        let _invalidations = self.lock_invalidations();
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
    }

    /// Serializes fills with invalidations. Lookups (`get`) never take it.
    fn lock_invalidations(&self) -> std::sync::MutexGuard<'_, ()> {
        self.invalidations.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{key::ApiKeySecret, model::{ApiKeyId, OrganizationId, Role, Status, User, UserId}};

    fn principal() -> Arc<KeyPrincipal> {
        Arc::new(KeyPrincipal {
            key_id: ApiKeyId::new_random(),
            expires_at: None,
            with_previous_secret: false,
            limit_family: None,
            scopes: crate::model::Scopes::Full,
            restrictions: Default::default(),
            user: Arc::new(User {
                id: UserId::new_random(),
                organization_id: OrganizationId::new_random(),
                organization_name: "Acme".into(),
                username: "alice".into(),
                email: "a@example.com".into(),
                full_name: "Alice".into(),
                role: Role::User,
                status: Status::Active,
                created_at: chrono::Utc::now(),
            }),
        })
    }

    #[test]
    fn filled_entries_are_found_until_invalidated() {
        let cache = KeyCache::new(100);
        let hash = ApiKeySecret::generate().hash();
        cache.fill(hash, principal(), cache.generation());
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
        cache.fill(hash, principal(), seen);
        assert!(cache.get(&hash).is_none());
    }

    /// A lookup that read the database before a delete and fills the cache after the delete
    /// was acknowledged must never be served, not even for an instant: a reader spinning
    /// on the entry while such fills happen sees nothing.
    #[test]
    fn a_stale_fill_is_never_visible() {
        use std::sync::atomic::{AtomicBool, AtomicUsize};
        let cache = Arc::new(KeyCache::new(100));
        let hash = ApiKeySecret::generate().hash();
        let done = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let reader = {
            let (cache, hash, done, hits) = (cache.clone(), hash, done.clone(), hits.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Acquire) {
                    if cache.get(&hash).is_some() {
                        hits.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        };
        let principal = principal();
        for _ in 0..20_000 {
            let seen = cache.generation();
            // The key is deleted (and the delete acknowledged) while the lookup is in flight…
            cache.invalidate_key(&hash);
            // …and the lookup's answer arrives afterwards.
            cache.fill(hash, principal.clone(), seen);
        }
        done.store(true, Ordering::Release);
        reader.join().unwrap();
        assert_eq!(hits.load(Ordering::Relaxed), 0, "a deleted key was served after its delete returned");
    }

    #[test]
    fn keys_of_one_owner_share_one_copy_until_the_owner_changes() {
        let cache = KeyCache::new(100);
        let owner = principal().user.as_ref().clone();
        let first = cache.shared_owner(owner.clone());
        assert!(Arc::ptr_eq(&first, &cache.shared_owner(owner.clone())));
        let promoted = User { role: Role::Admin, ..owner.clone() };
        let changed = cache.shared_owner(promoted.clone());
        assert_eq!(changed.role, Role::Admin, "a changed owner is never served from the old copy");
        assert!(Arc::ptr_eq(&changed, &cache.shared_owner(promoted)));
        let other = principal().user.as_ref().clone();
        assert!(!Arc::ptr_eq(&cache.shared_owner(other), &changed));
    }

    #[test]
    fn invalidating_a_user_forgets_only_their_keys() {
        let cache = KeyCache::new(100);
        let (alice, bob) = (principal(), principal());
        let (alice_key, bob_key) = (ApiKeySecret::generate().hash(), ApiKeySecret::generate().hash());
        cache.fill(alice_key, alice.clone(), cache.generation());
        cache.fill(bob_key, bob, cache.generation());
        cache.invalidate_user(&alice.user.id);
        assert!(cache.get(&alice_key).is_none());
        assert!(cache.get(&bob_key).is_some());
    }

    #[test]
    fn invalidate_all_forgets_everything() {
        let cache = KeyCache::new(100);
        let hashes: Vec<_> = (0..10).map(|_| ApiKeySecret::generate().hash()).collect();
        for hash in &hashes {
            cache.fill(*hash, principal(), cache.generation());
        }
        cache.invalidate_all();
        assert!(hashes.iter().all(|hash| cache.get(hash).is_none()));
    }

    #[test]
    fn a_leased_cache_serves_nothing_before_its_lease_nor_after_it() {
        let cache = KeyCache::leased(100);
        let hash = ApiKeySecret::generate().hash();
        cache.fill(hash, principal(), cache.generation());
        assert!(cache.get(&hash).is_none(), "no lease yet");

        assert!(cache.extend_lease(cache.lease_period(), Instant::now() + std::time::Duration::from_secs(60)));
        assert!(cache.get(&hash).is_none(), "the first lease starts from an empty cache");
        cache.fill(hash, principal(), cache.generation());
        assert!(cache.get(&hash).is_some());

        cache.extend_lease(cache.lease_period(), Instant::now() - std::time::Duration::from_secs(1));
        assert!(cache.get(&hash).is_some(), "a lease never moves backwards");

        let period = cache.lease_period();
        cache.suspend();
        assert!(cache.get(&hash).is_none());
        assert!(
            !cache.extend_lease(period, Instant::now() + std::time::Duration::from_secs(60)),
            "a renewal prepared before the suspension is refused"
        );
        assert!(!cache.is_usable());
        cache.fill(hash, principal(), cache.generation());
        assert!(cache.extend_lease(cache.lease_period(), Instant::now() + std::time::Duration::from_secs(60)));
        assert!(cache.get(&hash).is_none(), "what was cached without a lease is gone");
    }

    #[test]
    fn a_lease_runs_out_by_itself() {
        let cache = KeyCache::leased(100);
        let hash = ApiKeySecret::generate().hash();
        cache.extend_lease(cache.lease_period(), Instant::now() + std::time::Duration::from_millis(20));
        cache.fill(hash, principal(), cache.generation());
        assert!(cache.get(&hash).is_some());
        std::thread::sleep(std::time::Duration::from_millis(30));
        assert!(!cache.is_usable());
        assert!(cache.get(&hash).is_none());
    }
}
