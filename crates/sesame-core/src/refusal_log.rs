//! Requests refused for what their key may not do — a permission its scopes lack, an
//! address its allow-list does not cover — recorded in the key owner's activity, so the
//! person who handed the key to a script sees what the script tried.
//!
//! Each record is a write, made off the request's path (the answer does not wait for it):
//! a key that keeps asking for what it may not do is recorded once per
//! [`RECORD_AGAIN_AFTER`] and reason, not once per request. Every scope refusal is counted
//! in the key's usage, though (see [`crate::usage`]).

use std::{
    net::IpAddr,
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use moka::sync::Cache;

use crate::{
    actor::{Actor, Boundary, Via},
    audit::{self, About},
    model::{ApiKeyId, EventKind},
    store::{self, Store, StoreResult},
    throttle::AddressKey,
    usage::{self, Outcome},
};

/// Why a request with a key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Its scopes lack this (a permission's name, or `rights::BEYOND_ITS_SCOPES`).
    Scope(&'static str),
    /// It came from this address, which the key's allow-list does not cover.
    Address(IpAddr),
}

impl Refused {
    fn event(self) -> (EventKind, String) {
        match self {
            Refused::Scope(detail) => (EventKind::KeyOutOfScope, detail.to_owned()),
            Refused::Address(ip) => (EventKind::KeyAddressNotAllowed, ip.to_canonical().to_string()),
        }
    }

    /// What a record stands for: a reason, or an address as the limits count addresses
    /// (IPv6 by /64), so one client rotating through its own block makes one record.
    fn recorded_as(self) -> Recorded {
        match self {
            Refused::Scope(detail) => Recorded::Scope(detail),
            Refused::Address(ip) => Recorded::Address(AddressKey::of(ip)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Recorded {
    Scope(&'static str),
    Address(AddressKey),
}

/// Refusals recorded lately on this node, per key and reason, and the addresses recorded
/// per key: entries are fixed-size, and bounded in number. One per [`crate::Services`].
pub(crate) struct RefusalLog {
    recorded: Cache<(ApiKeyId, Recorded), ()>,
    /// Past [`ADDRESSES_RECORDED_PER_KEY`] in a while, a leaked key tried from many places
    /// is not recorded once per place (each is a write).
    addresses_recorded: Cache<ApiKeyId, Arc<AtomicU32>>,
}

const RECORD_AGAIN_AFTER: Duration = Duration::from_secs(600);
const ADDRESSES_RECORDED_PER_KEY: u32 = 20;
const KEYS_REMEMBERED: u64 = 100_000;

impl Default for RefusalLog {
    fn default() -> Self {
        Self {
            recorded: Cache::builder().max_capacity(KEYS_REMEMBERED).time_to_live(RECORD_AGAIN_AFTER).build(),
            addresses_recorded: Cache::builder().max_capacity(KEYS_REMEMBERED).time_to_live(RECORD_AGAIN_AFTER).build(),
        }
    }
}

impl RefusalLog {
    /// Records in the key owner's activity that a request with the actor's key was refused
    /// (nothing for a console session or the command line).
    pub(crate) fn record(&self, store: &Store, actor: &Actor, refused: Refused) {
        let Via::Api { key, .. } = actor.via else { return };
        if let Refused::Scope(_) = refused {
            count_out_of_scope(store, actor, key);
        }
        let recorded = refused.recorded_as();
        if !self.recorded.entry((key, recorded)).or_insert(()).is_fresh() {
            return;
        }
        if let Refused::Address(_) = refused {
            let count = self.addresses_recorded.get_with(key, Default::default);
            if count.fetch_add(1, Ordering::Relaxed) >= ADDRESSES_RECORDED_PER_KEY {
                return;
            }
        }
        let (store, actor, at, log) = (store.clone(), actor.clone(), store.now(), self.recorded.clone());
        tokio::spawn(async move {
            if let Err(error) = write(&store, &actor, key, refused, at).await {
                // Tried again at the key's next refusal.
                log.invalidate(&(key, recorded));
                tracing::warn!(%error, "could not record a request refused for what its key may not do");
            }
        });
    }
}

/// A request refused because its key's owner's role does not allow it: counted in the
/// key's usage as refused for what it may not do, like a missing scope. Not recorded in the
/// activity: the key asked for nothing beyond its owner, who could not do it either.
pub(crate) fn count_role_refusal(store: &Store, actor: &Actor) {
    if let Via::Api { key, .. } = actor.via {
        count_out_of_scope(store, actor, key);
    }
}

/// Every scope refusal is counted in the key's usage (the activity records them only now
/// and then): moved from *accepted*, where the request was counted when it came in.
fn count_out_of_scope(store: &Store, actor: &Actor, key: ApiKeyId) {
    match actor.counted_in {
        Some(hour) => store.usage().refused_for_scope(key, hour),
        None => store.usage().count(key, usage::hour_of(store.now()), Outcome::OutOfScope),
    }
}

async fn write(store: &Store, actor: &Actor, key: ApiKeyId, refused: Refused, at: DateTime<Utc>) -> StoreResult<()> {
    // Deleted meanwhile: nothing left to tell.
    let Some(key) = store::keys::find(&mut *store.read().await?, key).await? else { return Ok(()) };
    let (kind, detail) = refused.event();
    let mut event = audit::event(kind, actor, About::key(&key).with_detail(detail));
    event.at = at;
    audit::record_alone(store, &event, Boundary::Api).await
}
