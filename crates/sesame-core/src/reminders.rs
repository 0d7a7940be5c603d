//! Reminders that a key expires soon: 7 days and 1 day before, each once, whatever the
//! number of nodes. A pass (the server runs one every minute) claims the reminders due in
//! the database — the node whose claim succeeds is the one that sends — writes *key expires
//! soon* in the owner's activity, and hands back what to tell them.

use chrono::{SecondsFormat, TimeDelta};

use crate::{
    actor::{Boundary, Client},
    audit::{self, About},
    model::EventKind,
    notices::{Notice, NoticeKind, Recipient},
    store::{self, Store, StoreResult},
};

/// The reminders, in days before expiry, latest first: when both are due (a server down for
/// a week), only the later one is sent.
pub const DAYS_BEFORE: [u32; 2] = sesame_model::EXPIRY_REMINDER_DAYS;

#[derive(Clone)]
pub struct Reminders {
    store: Store,
}

impl Reminders {
    pub(crate) fn new(store: Store) -> Self {
        Self { store }
    }

    /// Claims and records every reminder due now; what to tell each owner.
    pub async fn claim_due(&self) -> StoreResult<Vec<Notice>> {
        let mut notices = Vec::new();
        for (index, days_before) in DAYS_BEFORE.into_iter().enumerate() {
            // Due from `days_before` ahead of the expiry until the next reminder is due.
            let until_next = DAYS_BEFORE.get(index + 1).map_or(TimeDelta::zero(), |next| days(*next));
            notices.extend(self.claim(days_before, until_next).await?);
        }
        Ok(notices)
    }

    async fn claim(&self, days_before: u32, until_next: TimeDelta) -> StoreResult<Vec<Notice>> {
        let mut tx = self.store.write().await?;
        let now = tx.now();
        let window = store::reminders::Window { days_before: i64::from(days_before), after: now + until_next, before: now + days(days_before) };
        let due = store::reminders::due(tx.conn(), &window).await?;
        let (mut events, mut notices) = (Vec::new(), Vec::new());
        for id in due {
            // Claimed only if it is still due as it stands now (its expiry may have moved).
            let Some(expires_at) = store::reminders::claim(tx.conn(), id, &window, now).await? else { continue };
            let Some(key) = store::keys::find(tx.conn(), id).await? else { continue };
            let Some(owner) = store::users::by_id(tx.conn(), key.user_id).await? else { continue };
            let detail = expires_at.to_rfc3339_opts(SecondsFormat::Secs, true);
            let about = About { subject: Some((&owner).into()), key: Some((&key).into()), detail: Some(detail) };
            let event = audit::event_in(owner.organization_id, EventKind::KeyExpiresSoon, None, &Client::server(), about);
            for to in Recipient::all_for(tx.conn(), &owner).await? {
                notices.push(Notice { to, key: (&key).into(), at: event.at, kind: NoticeKind::ExpiresSoon { expires_at, days_before } });
            }
            events.push(event);
        }
        // Nothing claimed: nothing was written, and an empty pass commits nothing.
        if !events.is_empty() {
            audit::commit(tx, &events, Boundary::Server).await?;
        }
        Ok(notices)
    }
}

fn days(days: u32) -> TimeDelta {
    TimeDelta::days(i64::from(days))
}
