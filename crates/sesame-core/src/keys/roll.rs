//! Giving a key a new secret, with an overlap for its previous one, and ending the overlap.

use chrono::TimeDelta;
use sesame_model::{expiry_under_policy, Operation};

use super::{policy_first, reauthorize_over, CreatedKey, KeyError, Keys, Roll, MAX_GRACE};
use crate::{
    actor::Actor,
    audit::{self, About},
    invalidation::announce,
    key::ApiKeySecret,
    model::{ApiKey, ApiKeyId, EventKind},
    rights::Reach,
    store,
};

impl Keys {
    /// Gives one of the actor's keys a new secret, shown this once; the key keeps its id,
    /// name, history and (unless the roll gives a new one, which the organization's policy
    /// must allow) its expiry. Its previous secret keeps working for the roll's grace (at
    /// most [`MAX_GRACE`]; zero: it stops at once), then is refused like a deleted key, on
    /// every node. A key may roll itself. Rolling again during an overlap drops the older
    /// secret.
    pub async fn roll(&self, actor: &Actor, id: ApiKeyId, roll: Roll) -> Result<CreatedKey, KeyError> {
        self.door.require(actor, Operation::RollApiKey)?;
        if roll.grace < TimeDelta::zero() || roll.grace > MAX_GRACE {
            return Err(KeyError::InvalidGracePeriod);
        }
        self.change(actor, move |keys, actor| async move { keys.roll_now(&actor, id, roll).await }).await
    }

    async fn roll_now(&self, actor: &Actor, id: ApiKeyId, Roll { grace, expires_at }: Roll) -> Result<CreatedKey, KeyError> {
        let mut tx = self.store.write().await?;
        let now = tx.now();
        if expires_at.is_some_and(|at| at <= now) {
            return Err(KeyError::ExpiryInPast);
        }
        let policy = policy_first(&mut tx, actor).await?;
        let owner = reauthorize_over(&mut tx, actor, Operation::RollApiKey, id).await?;
        let lock = tx.update_lock();
        let stored = store::key_access::lock_manageable(tx.conn(), owner.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        self.door.may_manage(actor, Reach::of(&stored.key))?;
        if stored.key.has_expired(now) {
            return Err(KeyError::Expired);
        }
        let expires_at = match expires_at {
            Some(asked) => expiry_under_policy(policy, now, Some(asked))?,
            None => stored.key.expires_at,
        };
        // A key rolls no key (itself included) to outlive it.
        self.door.may_manage(actor, Reach { expires_at, ..Reach::of(&stored.key) })?;
        let secret = ApiKeySecret::generate();
        let until = (grace > TimeDelta::zero()).then(|| now + grace);
        store::keys::roll(tx.conn(), id, &secret.hash(), until.map(|until| (&stored.hash, until)), expires_at).await?;
        // A limited key rolling another key hands itself that key's new secret: the key joins
        // its family, and shares its allowance from now on.
        if let Some(family) = actor.family_for_keys_it_makes().filter(|_| actor.key_id() != Some(id)) {
            store::keys::set_family(tx.conn(), id, Some(family)).await?;
        }
        // Every cached principal of the key goes: the old secret's is rebuilt with the end
        // of its overlap, an older previous secret's is dropped for good.
        let forgotten = announce(&mut tx, stored.hashes()).await?;
        let key = ApiKey { previous_secret_valid_until: until, expires_at, ..stored.key };
        let detail = until.map_or_else(|| "now".to_owned(), |until| until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let event = audit::event(EventKind::KeyRolled, actor, About::key(&key).with_detail(detail));
        self.commit_and_forget(tx, &[event], actor.via.boundary(), &forgotten).await?;
        Ok(CreatedKey { key, secret })
    }

    /// Ends the overlap after a roll now: the key's previous secret is refused from the
    /// moment this returns, on every node. Nothing to end is not an error.
    pub async fn end_overlap(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        self.door.require(actor, Operation::EndApiKeyOverlap)?;
        self.change(actor, move |keys, actor| async move { keys.end_overlap_now(&actor, id).await }).await
    }

    async fn end_overlap_now(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        let mut tx = self.store.write().await?;
        let owner = reauthorize_over(&mut tx, actor, Operation::EndApiKeyOverlap, id).await?;
        let lock = tx.update_lock();
        let stored = store::key_access::lock_manageable(tx.conn(), owner.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        self.door.may_manage(actor, Reach::of(&stored.key))?;
        let key = ApiKey { previous_secret_valid_until: None, ..stored.key };
        let Some(previous) = stored.previous_hash else {
            return Ok(key);
        };
        store::keys::end_overlap(tx.conn(), id).await?;
        let forgotten = announce(&mut tx, [&previous]).await?;
        let event = audit::event(EventKind::KeyOverlapEnded, actor, About::key(&key));
        self.commit_and_forget(tx, &[event], actor.via.boundary(), &forgotten).await?;
        Ok(key)
    }
}
