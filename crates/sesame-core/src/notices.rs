//! What Sésame tells a key's owner outside the console — a key expires soon, a key was
//! revoked as leaked — once the change behind it is committed. The services hand notices
//! out; the server delivers them (by e-mail when configured), in the owner's language.

use std::net::IpAddr;

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
    pub(crate) async fn of(conn: &mut AnyConnection, user: &User) -> StoreResult<Self> {
        let language = store::users::language(conn, user.id).await?;
        Ok(Self { full_name: user.full_name.clone(), email: user.email.clone(), language })
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

impl Notice {
    pub(crate) fn revoked_as_leaked(to: Recipient, key: &ApiKey, event: &Event, previous_secret_only: bool) -> Self {
        let kind = NoticeKind::RevokedAsLeaked { reporter: event.ip, previous_secret_only };
        Self { to, key: key.into(), at: event.at, kind }
    }
}
