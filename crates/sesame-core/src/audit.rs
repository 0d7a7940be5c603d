//! How a change is recorded: its activity event is written in the change's own transaction,
//! so both commit or neither does, and once committed the audit log line is written — in
//! one place for every action, whichever boundary it came through.

use chrono::Utc;

use crate::{
    actor::{Actor, Boundary, Client},
    model::{ApiKey, Event, EventId, EventKind, KeyRef, OrganizationId, Party, User},
    store::{self, StoreResult, Tx},
};

/// An event's detail holds at most this many characters.
pub(crate) const DETAIL_CHARS: usize = 100;

/// What an event is about besides its actor.
#[derive(Debug, Clone, Default)]
pub(crate) struct About {
    pub subject: Option<Party>,
    pub key: Option<KeyRef>,
    pub detail: Option<String>,
}

impl About {
    pub(crate) fn key(key: &ApiKey) -> Self {
        Self { key: Some(key.into()), ..Default::default() }
    }

    pub(crate) fn user(user: &User) -> Self {
        Self { subject: Some(user.into()), ..Default::default() }
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// An event done by `actor`; it concerns the actor too unless it names another user.
pub(crate) fn event(kind: EventKind, actor: &Actor, mut about: About) -> Event {
    let actor_party = Party::from(&*actor.user);
    about.subject.get_or_insert_with(|| actor_party.clone());
    event_in(actor.user.organization_id, kind, Some(actor_party), &actor.client, about)
}

/// An event in `organization`, done by `actor` if anyone (none: a failed login, the
/// operator's command line).
pub(crate) fn event_in(
    organization: OrganizationId,
    kind: EventKind,
    actor: Option<Party>,
    client: &Client,
    about: About,
) -> Event {
    Event {
        id: EventId::new_random(),
        organization_id: organization,
        at: store::now_millis(),
        kind,
        actor,
        subject: about.subject,
        key: about.key,
        ip: client.ip,
        user_agent: client.user_agent.clone(),
        detail: about.detail,
    }
}

/// Writes `events` into the change `tx` holds, commits both, then writes the audit log
/// lines. The activity log shows what people did through the console and the API; what the
/// operator does on the command line goes to the audit log only, as they are the one
/// watching it.
pub(crate) async fn commit(mut tx: Tx, events: &[Event], via: Boundary) -> StoreResult<()> {
    crate::testing::failpoint("between-change-and-event");
    if via != Boundary::CommandLine {
        for event in events {
            store::activity::insert(tx.conn(), event).await?;
        }
    }
    tx.commit().await?;
    crate::testing::failpoint("after-commit");
    for event in events {
        log(event, via);
    }
    Ok(())
}

/// Writes an event that goes with no change (a failed login) and its audit line.
pub(crate) async fn record_alone(store: &store::Store, event: &Event, via: Boundary) -> StoreResult<()> {
    let tx = store.write().await?;
    commit(tx, std::slice::from_ref(event), via).await
}

/// The audit log line: who did what to which key or user, through which boundary, from
/// where. Key names and ids only, never a secret.
fn log(event: &Event, via: Boundary) {
    let actor = event.actor.as_ref().map(|party| party.username.as_str());
    let subject = event.subject.as_ref().map(|party| party.username.as_str());
    let key_id = event.key.as_ref().map(|key| key.id.to_string());
    let ip = event.ip.map(|ip| ip.to_string());
    tracing::info!(
        target: "sesame::audit",
        event = event.kind.as_str(),
        actor,
        subject,
        key_id,
        detail = event.detail.as_deref(),
        via = via.as_str(),
        ip,
        at = %event.at.with_timezone(&Utc),
        "{}",
        event.kind
    );
}
