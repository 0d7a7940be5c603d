//! Requests refused for what their key may not do — a permission its scopes lack, an
//! address its allow-list does not cover — recorded in the key owner's activity, so the
//! person who handed the key to a script sees what the script tried.
//!
//! Each record is a write, made off the request's path (the answer does not wait for it):
//! a key that keeps asking for what it may not do is recorded once per
//! [`RECORD_AGAIN_AFTER`] and reason, not once per request.

use std::{net::IpAddr, sync::LazyLock, time::Duration};

use chrono::{DateTime, Utc};
use moka::sync::Cache;

use crate::{
    actor::{Actor, Boundary, Via},
    audit::{self, About},
    model::{ApiKeyId, EventKind},
    store::{self, Store, StoreResult},
};

/// Why a request with a key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

/// Refusals recorded lately on this node, per key and reason. Key ids are unique, so one
/// table serves the whole process; entries are fixed-size, and bounded in number.
static RECORDED: LazyLock<Cache<(ApiKeyId, Refused), ()>> =
    LazyLock::new(|| Cache::builder().max_capacity(100_000).time_to_live(RECORD_AGAIN_AFTER).build());
const RECORD_AGAIN_AFTER: Duration = Duration::from_secs(600);

/// Records in the key owner's activity that a request with the actor's key was refused
/// (nothing for a console session or the command line).
pub(crate) fn record(store: &Store, actor: &Actor, refused: Refused) {
    let Via::Api { key, .. } = actor.via else { return };
    if !RECORDED.entry((key, refused)).or_insert(()).is_fresh() {
        return;
    }
    let (store, actor, at) = (store.clone(), actor.clone(), store.now());
    tokio::spawn(async move {
        if let Err(error) = write(&store, &actor, key, refused, at).await {
            // Tried again at the key's next refusal.
            RECORDED.invalidate(&(key, refused));
            tracing::warn!(%error, "could not record a request refused for what its key may not do");
        }
    });
}

async fn write(store: &Store, actor: &Actor, key: ApiKeyId, refused: Refused, at: DateTime<Utc>) -> StoreResult<()> {
    // Deleted meanwhile: nothing left to tell.
    let Some(key) = store::keys::find(&mut *store.read().await?, key).await? else { return Ok(()) };
    let (kind, detail) = refused.event();
    let mut event = audit::event(kind, actor, About::key(&key).with_detail(detail));
    event.at = at;
    audit::record_alone(store, &event, Boundary::Api).await
}
