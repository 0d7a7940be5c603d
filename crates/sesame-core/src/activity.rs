//! The activity log: typed events — who did what, to which key or user, from where, when.
//! Never a secret: keys appear by name and id only.
//!
//! Who sees what follows the users rules: a user sees the events they did or that concern
//! them; an administrator sees the whole organization's.

use chrono::{DateTime, Utc};

use crate::{
    accounts::ClientInfo,
    model::{ApiKey, ApiKeyId, OrganizationId, Page, PageRequest, Role, User, UserId},
    store::{Store, StoreError},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    LoginSucceeded,
    LoginFailed,
    Logout,
    KeyCreated,
    KeyRenamed,
    KeyDeleted,
    PasswordChanged,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserRoleChanged,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::LoginSucceeded,
        EventKind::LoginFailed,
        EventKind::Logout,
        EventKind::KeyCreated,
        EventKind::KeyRenamed,
        EventKind::KeyDeleted,
        EventKind::PasswordChanged,
        EventKind::UserCreated,
        EventKind::UserDisabled,
        EventKind::UserEnabled,
        EventKind::UserRoleChanged,
    ];

    /// The stable name stored and sent (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::LoginSucceeded => "login_succeeded",
            EventKind::LoginFailed => "login_failed",
            EventKind::Logout => "logout",
            EventKind::KeyCreated => "key_created",
            EventKind::KeyRenamed => "key_renamed",
            EventKind::KeyDeleted => "key_deleted",
            EventKind::PasswordChanged => "password_changed",
            EventKind::UserCreated => "user_created",
            EventKind::UserDisabled => "user_disabled",
            EventKind::UserEnabled => "user_enabled",
            EventKind::UserRoleChanged => "user_role_changed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// A user as an event names them (kept as they were then: a later rename of nothing
/// changes history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub id: UserId,
    pub username: String,
}

impl From<&User> for Party {
    fn from(user: &User) -> Self {
        Self { id: user.id.clone(), username: user.username.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRef {
    pub id: ApiKeyId,
    pub name: String,
}

impl From<&ApiKey> for KeyRef {
    fn from(key: &ApiKey) -> Self {
        Self { id: key.id.clone(), name: key.name.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub organization_id: OrganizationId,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    /// Who did it.
    pub actor: Option<Party>,
    /// Whom it concerns, when that is a user (user events; the account for logins).
    pub subject: Option<Party>,
    pub key: Option<KeyRef>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The new role for `user_role_changed`, the old name for `key_renamed`.
    pub detail: Option<String>,
}

/// Which events a reader may see.
#[derive(Debug, Clone)]
pub enum Visibility {
    Organization(OrganizationId),
    User(UserId),
}

impl Visibility {
    pub fn for_reader(reader: &User) -> Self {
        match reader.role {
            Role::Admin => Visibility::Organization(reader.organization_id.clone()),
            Role::User => Visibility::User(reader.id.clone()),
        }
    }
}

/// Writes and reads the log. Recording failures are logged, never passed on: the action
/// they describe has already happened.
#[derive(Clone)]
pub struct ActivityLog {
    store: Store,
}

impl ActivityLog {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Something `actor` did, from `client`.
    pub async fn record(&self, kind: EventKind, actor: &User, client: &ClientInfo, about: About) {
        let subject = about.subject.clone().or_else(|| Some(actor.into()));
        self.write(kind, &actor.organization_id, Some(actor.into()), subject, about, client).await;
    }

    /// A failed login on an existing account: the account is the subject, no one the actor.
    pub async fn record_failed_login(&self, account: &User, client: &ClientInfo) {
        let about = About::user(account);
        let subject = about.subject.clone();
        self.write(EventKind::LoginFailed, &account.organization_id, None, subject, about, client).await;
    }

    async fn write(
        &self,
        kind: EventKind,
        organization_id: &OrganizationId,
        actor: Option<Party>,
        subject: Option<Party>,
        about: About,
        client: &ClientInfo,
    ) {
        let event = Event {
            id: uuid::Uuid::new_v4().to_string(),
            organization_id: organization_id.clone(),
            at: Utc::now(),
            kind,
            actor,
            subject,
            key: about.key,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            detail: about.detail,
        };
        if let Err(error) = self.store.insert_event(&event).await {
            tracing::error!(%error, event = kind.as_str(), "could not record an activity event");
        }
    }

    /// Newest first.
    pub async fn list(&self, reader: &User, page: PageRequest) -> Result<Page<Event>, StoreError> {
        self.store.list_events(&Visibility::for_reader(reader), page).await
    }
}

impl ActivityLog {
    /// The events an administrator's change to `user` makes: one per part changed.
    pub async fn record_user_change(&self, actor: &User, client: &ClientInfo, user: &User, change: &crate::store::UserChange) {
        if let Some(role) = change.role {
            self.record(EventKind::UserRoleChanged, actor, client, About::user(user).with_detail(role.as_str())).await;
        }
        match change.disabled {
            Some(true) => self.record(EventKind::UserDisabled, actor, client, About::user(user)).await,
            Some(false) => self.record(EventKind::UserEnabled, actor, client, About::user(user)).await,
            None => {}
        }
    }
}

/// What an event is about besides its actor.
#[derive(Debug, Clone, Default)]
pub struct About {
    pub subject: Option<Party>,
    pub key: Option<KeyRef>,
    pub detail: Option<String>,
}

impl About {
    pub fn key(key: &ApiKey) -> Self {
        Self { key: Some(key.into()), ..Default::default() }
    }

    pub fn user(user: &User) -> Self {
        Self { subject: Some(user.into()), ..Default::default() }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("nope"), None);
    }
}
