//! Uses of a key's previous secret during the overlap after a roll: each client address
//! still sending it is recorded once in the owner's activity, so they see which job has yet
//! to be given the new secret. Never a write per request: an address is recorded at most
//! once an hour per key and node, off the request's path.

use std::{net::IpAddr, time::Duration};

use moka::sync::Cache;

use crate::{
    actor::{Boundary, Client},
    audit::{self, About},
    model::{ApiKeyId, EventKind, User},
    principal::KeyPrincipal,
    store::{self, Store, StoreResult},
};

/// Addresses remembered at most (fixed-size entries), and for how long.
const REMEMBERED: u64 = 100_000;
const RECORD_AGAIN_AFTER: Duration = Duration::from_secs(3600);

pub(crate) struct PreviousSecretUses {
    store: Store,
    recorded: Cache<(ApiKeyId, IpAddr), ()>,
}

impl PreviousSecretUses {
    pub(crate) fn new(store: Store) -> Self {
        let recorded = Cache::builder().max_capacity(REMEMBERED).time_to_live(RECORD_AGAIN_AFTER).build();
        Self { store, recorded }
    }

    /// `principal` was presented with its previous secret from `ip`.
    pub(crate) fn note(&self, principal: &KeyPrincipal, ip: IpAddr) {
        let entry = self.recorded.entry((principal.key_id, ip)).or_insert(());
        if !entry.is_fresh() {
            return;
        }
        let (store, key_id, user, recorded) = (self.store.clone(), principal.key_id, principal.user.clone(), self.recorded.clone());
        tokio::spawn(async move {
            if let Err(error) = record(&store, key_id, &user, ip).await {
                // Tried again at the address's next use.
                recorded.invalidate(&(key_id, ip));
                tracing::warn!(%error, "could not record a use of a previous secret");
            }
        });
    }
}

/// Writes the event of `key_id`'s previous secret used from `ip`.
async fn record(store: &Store, key_id: ApiKeyId, owner: &User, ip: IpAddr) -> StoreResult<()> {
    // Deleted meanwhile: nothing left to tell.
    let Some(key) = store::keys::find(&mut *store.read().await?, key_id).await? else { return Ok(()) };
    let client = Client::new(ip, None);
    let event = audit::event_in(owner.organization_id, EventKind::KeyUsedWithPreviousSecret, Some(owner.into()), &client, About::key(&key));
    audit::record_alone(store, &event, Boundary::Api).await
}
