//! What Sésame tells a key's owner outside the console — a key expires soon, a key was
//! revoked as leaked — once the change behind it is committed, e-mailed in the owner's
//! language. A leak report hands its notices to the [`Delivery`] the server plugged in, off
//! the reporter's path; expiry reminders are claimed by the server's own minute task, which
//! mails them and counts what went out. With no mail, the console and the activity tell.

use std::{
    net::IpAddr,
    sync::{Arc, OnceLock},
};

use chrono::{DateTime, Utc};
use sesame_model::Language;
use sqlx::AnyConnection;

use crate::{
    model::{ApiKey, Event, KeyRef, User},
    store::{self, StoreResult},
};

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub full_name: String,
    pub email: String,
    /// The language they last read the console in.
    pub language: Language,
}

impl Recipient {
    async fn of(conn: &mut AnyConnection, user: &User) -> StoreResult<Self> {
        let language = store::users::language(conn, user.id).await?;
        Ok(Self { full_name: user.full_name.clone(), email: user.email.clone(), language })
    }

    /// Who hears about a key of `owner`'s: the owner; for a service account (which has no
    /// mailbox), its managers who are still active.
    pub(crate) async fn all_for(conn: &mut AnyConnection, owner: &User) -> StoreResult<Vec<Self>> {
        let people = match owner.email.is_empty() {
            false => vec![owner.clone()],
            true => store::service_accounts::active_managers(conn, owner.id).await?,
        };
        let mut recipients = Vec::with_capacity(people.len());
        for person in &people {
            recipients.push(Self::of(conn, person).await?);
        }
        Ok(recipients)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeKind {
    /// The key stops working at `expires_at`; this is the reminder `days_before` days
    /// ahead (7 or 1: the key expires within that many days).
    ExpiresSoon { expires_at: DateTime<Utc>, days_before: u32 },
    /// Someone (from `reporter`) reported the key as leaked: it was deleted, or only its
    /// previous secret stopped working.
    RevokedAsLeaked { reporter: Option<IpAddr>, previous_secret_only: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: Recipient,
    pub key: KeyRef,
    /// When it happened.
    pub at: DateTime<Utc>,
    pub kind: NoticeKind,
}

/// Delivers notices (the server's mailer): called once the change behind them committed,
/// and must not make the caller wait.
pub trait Deliver: Send + Sync {
    fn deliver(&self, notices: Vec<Notice>);
}

/// Where the services' notices go, once the server has said (see
/// [`crate::Services::deliver_notices_with`]); shared by every service that makes notices.
#[derive(Clone, Default)]
pub(crate) struct Delivery(Arc<OnceLock<Arc<dyn Deliver>>>);

impl Delivery {
    pub(crate) fn set(&self, deliverer: Arc<dyn Deliver>) -> bool {
        self.0.set(deliverer).is_ok()
    }

    /// Hands `notices` over, if anything delivers them.
    pub(crate) fn deliver(&self, notices: Vec<Notice>) {
        if let (Some(deliverer), false) = (self.0.get(), notices.is_empty()) {
            deliverer.deliver(notices);
        }
    }
}

impl Notice {
    pub(crate) fn revoked_as_leaked(to: Recipient, key: &ApiKey, event: &Event, previous_secret_only: bool) -> Self {
        let kind = NoticeKind::RevokedAsLeaked { reporter: event.ip, previous_secret_only };
        Self { to, key: key.into(), at: event.at, kind }
    }
}
