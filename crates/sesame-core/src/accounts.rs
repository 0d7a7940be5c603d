//! Users, login and server-side sessions.

use std::fmt;

use chrono::{Duration, Utc};
use rand::{rngs::OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::{
    model::{OrganizationId, Role, User},
    password::{Password, PasswordHasher, PasswordPolicyError},
    store::{NewSession, NewUser, Store, StoreError},
};

/// How long a console session lasts after login.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);

/// Which field of a new user was refused, and why (for a clear message next to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UserFieldError {
    #[error("the organization name must have 1 to 100 characters, no control or invisible characters")]
    Organization,
    #[error("the full name must have 1 to 100 characters, no control or invisible characters")]
    FullName,
    #[error("the username must have 1 to 64 letters, digits, '.', '_' or '-'")]
    Username,
    #[error("the email address is not valid")]
    Email,
    #[error("{0}")]
    Password(PasswordPolicyError),
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Wrong username or password; deliberately does not say which.
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("{0}")]
    Invalid(UserFieldError),
    #[error("this username is already taken")]
    UsernameTaken,
    #[error("the first administrator already exists")]
    SetupAlreadyDone,
    /// Changing a password: the current one given was wrong.
    #[error("the current password is not correct")]
    WrongCurrentPassword,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(error: StoreError) -> Self {
        AccountError::Store(error)
    }
}

/// What a person types to create an account.
#[derive(Debug, Clone)]
pub struct UserInput {
    pub organization: String,
    pub full_name: String,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub password: Password,
}

impl UserInput {
    fn validate(&self) -> Result<(), UserFieldError> {
        if !is_display_text(&self.organization) {
            return Err(UserFieldError::Organization);
        }
        if !is_display_text(&self.full_name) {
            return Err(UserFieldError::FullName);
        }
        let username_ok = (1..=64).contains(&self.username.len())
            && self.username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !username_ok {
            return Err(UserFieldError::Username);
        }
        if !is_plausible_email(&self.email) {
            return Err(UserFieldError::Email);
        }
        self.password.check_policy().map_err(UserFieldError::Password)
    }
}

/// Taken as sent: spaces around are refused rather than dropped.
fn is_display_text(text: &str) -> bool {
    text.trim() == text && crate::names::check_display_text(text).is_ok()
}

fn is_plausible_email(email: &str) -> bool {
    // Deliverability is the mail server's business; this only catches obvious typos.
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && email.len() <= 254
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// The random value in the session cookie. Only its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// A live session as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: chrono::DateTime<Utc>,
    pub last_seen_at: chrono::DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
}

/// Where a login or a request came from, for the session record.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone)]
pub struct Accounts {
    store: Store,
    hasher: PasswordHasher,
}

impl Accounts {
    pub fn new(store: Store, hasher: PasswordHasher) -> Self {
        Self { store, hasher }
    }

    pub async fn needs_setup(&self) -> Result<bool, AccountError> {
        Ok(self.store.user_count().await? == 0)
    }

    /// The one-time setup: creates the first administrator, refused once any user exists.
    pub async fn create_first_admin(&self, mut input: UserInput) -> Result<User, AccountError> {
        input.role = Role::Admin;
        self.create(input, true).await.map_err(|error| match error {
            AccountError::UsernameTaken => AccountError::SetupAlreadyDone,
            other => other,
        })
    }

    /// Creates a user in the organization named in `input` (created if new): the operator's
    /// `sesame user create`.
    pub async fn create_user(&self, input: UserInput) -> Result<User, AccountError> {
        self.create(input, false).await
    }

    /// Creates a user in an existing organization (an administrator adding a colleague).
    pub async fn create_user_in(
        &self,
        organization_id: &OrganizationId,
        input: UserInput,
    ) -> Result<User, AccountError> {
        let new_user = self.new_user(&input).await?;
        self.store.create_user_in(organization_id, &new_user).await.map_err(taken_or_other)
    }

    async fn create(&self, input: UserInput, only_if_first: bool) -> Result<User, AccountError> {
        let new_user = self.new_user(&input).await?;
        match self.store.create_user(&input.organization, &new_user, only_if_first).await {
            Err(StoreError::Conflict) if only_if_first => Err(AccountError::SetupAlreadyDone),
            result => result.map_err(taken_or_other),
        }
    }

    /// Validates the input, then hashes the password (only for valid input: argon2 is the
    /// expensive part).
    async fn new_user(&self, input: &UserInput) -> Result<NewUser, AccountError> {
        input.validate().map_err(AccountError::Invalid)?;
        Ok(NewUser {
            username: input.username.clone(),
            email: input.email.clone(),
            full_name: input.full_name.clone(),
            role: input.role,
            password_hash: self.hasher.hash(&input.password).await,
        })
    }

    /// Checks the password and opens a session. Unknown user, wrong password and disabled
    /// account all answer `InvalidCredentials` after the same argon2 work.
    pub async fn login(
        &self,
        username: &str,
        password: &Password,
        client: &ClientInfo,
    ) -> Result<(User, SessionToken), AccountError> {
        let found = self.store.user_for_login(username).await?;
        let stored_hash = found.as_ref().map(|(_, hash)| hash.as_str());
        let password_ok = self.hasher.verify(password, stored_hash).await;
        let user = match found {
            Some((user, _)) if password_ok && !user.disabled => user,
            _ => return Err(AccountError::InvalidCredentials),
        };
        let token = SessionToken::generate();
        let now = Utc::now();
        self.store
            .create_session(&NewSession {
                token_hash: &token.hash(),
                user_id: &user.id,
                now,
                expires_at: now + SESSION_LIFETIME,
                ip: client.ip.as_deref(),
                user_agent: client.user_agent.as_deref(),
            })
            .await?;
        Ok((user, token))
    }

    /// The user behind a live session; notes the session as seen (at most once a minute).
    pub async fn session_user(&self, token: &SessionToken) -> Result<Option<User>, AccountError> {
        let now = Utc::now();
        let user = self.store.session_user(&token.hash(), now).await?;
        if user.is_some() {
            self.store.touch_session(&token.hash(), now).await?;
        }
        Ok(user)
    }

    /// Changes `user`'s password after checking the current one, and ends every other
    /// session of theirs (all of them when `keep` is `None`, as from the API).
    pub async fn change_password(
        &self,
        user: &User,
        current: &Password,
        new: &Password,
        keep: Option<&SessionToken>,
    ) -> Result<(), AccountError> {
        let stored = self.store.password_hash(&user.id).await?;
        if !self.hasher.verify(current, stored.as_deref()).await {
            return Err(AccountError::WrongCurrentPassword);
        }
        new.check_policy().map_err(|problem| AccountError::Invalid(UserFieldError::Password(problem)))?;
        let hash = self.hasher.hash(new).await;
        self.store.set_password_hash(&user.id, &hash).await?;
        let keep = keep.map(SessionToken::hash);
        self.store.delete_sessions_except(&user.id, keep.as_deref()).await?;
        Ok(())
    }

    /// `user`'s live sessions, most recently seen first; `current` marks the caller's own.
    pub async fn sessions(&self, user: &User, current: Option<&SessionToken>) -> Result<Vec<SessionInfo>, AccountError> {
        let current = current.map(SessionToken::hash);
        let records = self.store.list_sessions(&user.id, Utc::now()).await?;
        Ok(records
            .into_iter()
            .map(|record| SessionInfo {
                current: current.as_deref() == Some(record.token_hash.as_str()),
                id: record.id,
                created_at: record.created_at,
                last_seen_at: record.last_seen_at,
                ip: record.ip,
                user_agent: record.user_agent,
            })
            .collect())
    }

    /// Ends one of `user`'s sessions; false if they have no such session.
    pub async fn end_session(&self, user: &User, id: &str) -> Result<bool, AccountError> {
        Ok(self.store.delete_user_session(&user.id, id).await?)
    }

    /// Ends all of `user`'s sessions except `keep`; how many were ended.
    pub async fn end_other_sessions(&self, user: &User, keep: Option<&SessionToken>) -> Result<u64, AccountError> {
        let keep = keep.map(SessionToken::hash);
        Ok(self.store.delete_sessions_except(&user.id, keep.as_deref()).await?)
    }

    pub async fn logout(&self, token: &SessionToken) -> Result<(), AccountError> {
        Ok(self.store.delete_session(&token.hash()).await?)
    }
}

fn taken_or_other(error: StoreError) -> AccountError {
    match error {
        StoreError::Conflict => AccountError::UsernameTaken,
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(username: &str) -> UserInput {
        UserInput {
            organization: "Acme".into(),
            full_name: "Rupert Walker".into(),
            username: username.into(),
            email: "rwalker@example.com".into(),
            role: Role::User,
            password: Password::new("correct horse battery"),
        }
    }

    #[test]
    fn user_fields_are_validated() {
        assert!(input("rwalker").validate().is_ok());
        assert_eq!(input("r walker").validate(), Err(UserFieldError::Username));
        assert_eq!(input("").validate(), Err(UserFieldError::Username));
        let mut bad = input("a");
        bad.email = "not-an-email".into();
        assert_eq!(bad.validate(), Err(UserFieldError::Email));
        let mut bad = input("a");
        bad.full_name = " padded".into();
        assert_eq!(bad.validate(), Err(UserFieldError::FullName));
        let mut bad = input("a");
        bad.full_name = "Erin\u{202E}nimdA".into();
        assert_eq!(bad.validate(), Err(UserFieldError::FullName));
        let mut bad = input("a");
        bad.password = Password::new("short");
        assert_eq!(bad.validate(), Err(UserFieldError::Password(PasswordPolicyError::TooShort)));
    }

    #[test]
    fn session_tokens_are_random_hex_and_redacted() {
        let token = SessionToken::generate();
        assert_eq!(SessionToken::from_cookie(token.expose()), Some(token.clone()));
        assert_eq!(SessionToken::from_cookie("zz"), None);
        assert!(!format!("{token:?}").contains(token.expose()));
        assert_ne!(token.hash(), token.expose());
    }
}
