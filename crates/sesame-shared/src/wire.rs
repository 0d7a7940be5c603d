//! What travels between the browser and the server functions. Never a database row.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The signed-in user, as the drawer shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub organization: String,
    /// `admin` or `user`.
    pub role: String,
}

impl Me {
    /// Up to two initials from the full name, for the avatar ("Rupert Walker" → "RW").
    pub fn initials(&self) -> String {
        let initials: String = self
            .full_name
            .split_whitespace()
            .filter_map(|word| word.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect();
        if initials.is_empty() {
            self.username.chars().take(1).flat_map(char::to_uppercase).collect()
        } else {
            initials
        }
    }
}

/// What the console needs to start: who is signed in (if anyone), whether the one-time
/// setup is still to be done, and the API endpoint to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    pub me: Option<Me>,
    pub needs_setup: bool,
    pub endpoint_url: String,
}

/// The longest key name, in characters (the server's rule, `sesame_core::names`). The
/// browser checks it before sending, so a huge paste gets the message instead of a request
/// over the body limit.
pub const MAX_KEY_NAME_CHARS: usize = 100;

/// Whether `name` is over [`MAX_KEY_NAME_CHARS`] once trimmed, as the server counts.
pub fn key_name_too_long(name: &str) -> bool {
    name.trim().chars().nth(MAX_KEY_NAME_CHARS).is_some()
}

/// One key in the list. Never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_ip: Option<String>,
}

/// A key just generated: the only time its secret leaves the server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedKey {
    pub key: ApiKeyView,
    pub secret: String,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey").field("key", &self.key).field("secret", &"<redacted>").finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserRole {
    Admin,
    User,
}

/// A user as the Users page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role: UserRole,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// One page of the organization's users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPage {
    pub users: Vec<UserView>,
    pub page: u32,
    pub page_size: u32,
    pub total: u64,
}

/// An administrator's form for a new colleague.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserForm {
    pub full_name: String,
    pub username: String,
    pub email: String,
    pub role: UserRole,
    pub password: String,
}

impl std::fmt::Debug for NewUserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserForm").field("username", &self.username).finish_non_exhaustive()
    }
}

/// A change to a user; `None` leaves that part as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserUpdate {
    pub role: Option<UserRole>,
    pub active: Option<bool>,
}

/// One of the signed-in user's sessions (Security section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// This browser's own session.
    pub current: bool,
}

/// One event of the activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: String,
    pub at: DateTime<Utc>,
    /// `login_succeeded`, `key_created`, … (see `sesame_core::activity::EventKind`).
    pub event: String,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub key_name: Option<String>,
    pub key_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub events: Vec<ActivityView>,
    pub page: u32,
    pub page_size: u32,
    pub total: u64,
}

/// The Security section's password form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange(<redacted>)")
    }
}

/// The one-time setup form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupForm {
    pub organization: String,
    pub full_name: String,
    pub username: String,
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for SetupForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetupForm").field("username", &self.username).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me(full_name: &str) -> Me {
        Me {
            id: "id".into(),
            username: "rwalker".into(),
            full_name: full_name.into(),
            email: "r@example.com".into(),
            organization: "Acme".into(),
            role: "admin".into(),
        }
    }

    #[test]
    fn initials_come_from_the_full_name() {
        assert_eq!(me("Rupert Walker").initials(), "RW");
        assert_eq!(me("élodie de la Tour").initials(), "ÉD");
        assert_eq!(me("Cher").initials(), "C");
        assert_eq!(me("  ").initials(), "R");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let generated = GeneratedKey {
            key: ApiKeyView {
                id: "id".into(),
                name: "n".into(),
                created_at: Utc::now(),
                last_used_at: None,
                last_used_ip: None,
            },
            secret: "sesame_topsecret".into(),
        };
        assert!(!format!("{generated:?}").contains("topsecret"));
    }
}
