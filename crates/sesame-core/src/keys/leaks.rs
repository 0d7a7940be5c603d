//! Revoking keys reported as leaked, whoever owns them.

use std::collections::HashSet;

use super::{KeyError, Keys, MAX_LEAKED_KEYS};
use crate::{
    actor::{Boundary, Client},
    audit::{self, About},
    invalidation::{self, announce},
    key::{ApiKeySecret, KeyHash},
    model::EventKind,
    notices::{Notice, Recipient},
    store,
};

impl Keys {
    /// Deletes every key among `presented` that exists, whoever owns it — what a secret
    /// scanner, a security team or a person who pasted a key in public calls, with no key
    /// of their own; a key's previous secret (after a roll) only ends its overlap.
    /// Malformed entries are skipped. Each owner finds *key revoked as leaked* in their
    /// activity. When this returns, every node refuses the keys. Answers the same whether
    /// any key existed or not (RFC 7009): the caller learns nothing it could not learn by
    /// presenting the keys. Each owner is told (see [`crate::notices::Delivery`]); the
    /// notices are returned too.
    pub async fn revoke_leaked(&self, presented: &[String], client: &Client) -> Result<Vec<Notice>, KeyError> {
        if presented.len() > MAX_LEAKED_KEYS {
            return Err(KeyError::TooManyLeakedKeys);
        }
        if let Err(retry) = self.throttles.admit_revoke(client.address()).await? {
            return Err(KeyError::Throttled(retry));
        }
        let hashes: HashSet<KeyHash> = presented
            .iter()
            .filter_map(|key| ApiKeySecret::parse(key.trim()).ok())
            .map(|secret| secret.hash())
            .collect();
        let (keys, client) = (self.clone(), client.clone());
        // Like every change, run again if PostgreSQL broke a deadlock: a leak report must
        // not fail while the key it names is being changed (it answers 200 whatever it found).
        let (revoked, notices) = invalidation::run_change(KeyError::is_deadlock, move || {
            let (keys, hashes, client) = (keys.clone(), hashes.clone(), client.clone());
            async move { keys.revoke_now(hashes, &client).await }
        })
        .await?;
        tracing::info!(target: "sesame::audit", presented = presented.len(), revoked, "keys reported as leaked");
        self.delivery.deliver(notices.clone());
        Ok(notices)
    }

    /// How many keys were revoked, and who is told (a service account's key: each of its
    /// active managers).
    async fn revoke_now(&self, hashes: HashSet<KeyHash>, client: &Client) -> Result<(usize, Vec<Notice>), KeyError> {
        let mut tx = self.store.write().await?;
        let (mut forgotten, mut events, mut notices) = (Vec::new(), Vec::new(), Vec::new());
        let lock = tx.update_lock();
        let reported: Vec<KeyHash> = hashes.iter().cloned().collect();
        for stored in store::key_access::lock_by_hashes(tx.conn(), &reported, lock).await? {
            let Some(owner) = store::users::by_id(tx.conn(), stored.key.user_id).await? else { continue };
            // The current secret leaked: the key goes. Only its previous one: the overlap ends.
            let detail = if hashes.contains(&stored.hash) {
                store::keys::delete_any(tx.conn(), stored.key.id).await?;
                forgotten.extend(announce(&mut tx, stored.hashes()).await?);
                None
            } else {
                store::keys::end_overlap(tx.conn(), stored.key.id).await?;
                forgotten.extend(announce(&mut tx, stored.previous_hash.iter()).await?);
                Some("previous secret".to_owned())
            };
            let previous_secret_only = detail.is_some();
            let about = About { subject: Some((&owner).into()), key: Some((&stored.key).into()), detail };
            let event = audit::event_in(owner.organization_id, EventKind::KeyRevokedAsLeaked, None, client, about);
            for to in Recipient::all_for(tx.conn(), &owner).await? {
                notices.push(Notice::revoked_as_leaked(to, &stored.key, &event, previous_secret_only));
            }
            events.push(event);
        }
        self.commit_and_forget(tx, &events, Boundary::Api, &forgotten).await?;
        Ok((events.len(), notices))
    }
}
