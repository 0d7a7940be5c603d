//! Accounts: the first administrator and the operator's users; logging in and out, and the
//! console session a request carries, in [`sessions`].

mod sessions;

use subtle::ConstantTimeEq;

pub use sesame_model::fields::{PasswordPolicyError, UserFieldError};
use sesame_model::fields::{is_display_name, is_plausible_email, is_valid_username};

pub use sessions::{LoggedIn, SessionToken, SESSION_LIFETIME};
use sessions::open_session;

use crate::{
    actor::{Boundary, Client},
    audit::{self, About},
    model::{EventKind, Party, Role, User},
    password::{Password, PasswordHasher},
    password_attempts::PasswordAttempts,
    store::{self, users::NewUser, Store, StoreError},
    throttle::RetryAfter,
};

/// Where the operator's first user goes when no organization is named.
pub const DEFAULT_ORGANIZATION: &str = "Default";

/// A user the operator creates from the command line; what is left out gets a default (see
/// [`Accounts::create_user_by_operator`]).
#[derive(Debug, Clone)]
pub struct OperatorUser {
    pub organization: Option<String>,
    pub full_name: Option<String>,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub password: Password,
}

impl From<UserInput> for OperatorUser {
    fn from(input: UserInput) -> Self {
        Self {
            organization: Some(input.organization),
            full_name: Some(input.full_name),
            username: input.username,
            email: input.email,
            role: input.role,
            password: input.password,
        }
    }
}

/// Where the one-time setup token is kept (`server_secrets`).
const SETUP_TOKEN: &str = "setup_token";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Wrong username or password; deliberately does not say which.
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("{0}")]
    Invalid(UserFieldError),
    /// Changing a password: the new one breaks the password rule.
    #[error("{0}")]
    InvalidNewPassword(PasswordPolicyError),
    #[error("this username is already taken")]
    UsernameTaken,
    #[error("the first administrator already exists")]
    SetupAlreadyDone,
    /// The one-time setup token given is not the one the server printed.
    #[error("the setup token is not correct")]
    InvalidSetupToken,
    /// Changing a password: the current one given was wrong.
    #[error("the current password is not correct")]
    WrongCurrentPassword,
    #[error("too many attempts; retry in {} s", .0.seconds())]
    TooManyAttempts(RetryAfter),
    /// The credential the request came with was revoked (or its user disabled) while the
    /// request was in flight: nothing was done.
    #[error("the credentials are no longer valid")]
    Unauthenticated,
    #[error("no such session")]
    SessionNotFound,
    #[error(transparent)]
    Refused(#[from] crate::rights::Refusal),
    #[error(transparent)]
    Store(StoreError),
}

crate::door::from_denied!(AccountError);

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
        if !is_display_name(&self.organization) {
            return Err(UserFieldError::Organization);
        }
        if !is_display_name(&self.full_name) {
            return Err(UserFieldError::FullName);
        }
        if !is_valid_username(&self.username) {
            return Err(UserFieldError::Username);
        }
        if !is_plausible_email(&self.email) {
            return Err(UserFieldError::Email);
        }
        self.password.check_policy().map_err(UserFieldError::Password)
    }
}

#[derive(Clone)]
pub struct Accounts {
    store: Store,
    hasher: PasswordHasher,
    attempts: PasswordAttempts,
    /// A session unused this long has ended (milliseconds).
    session_idle_ms: i64,
}

impl Accounts {
    pub(crate) fn new(
        store: Store,
        hasher: PasswordHasher,
        attempts: PasswordAttempts,
        session_idle: std::time::Duration,
    ) -> Self {
        let session_idle_ms = i64::try_from(session_idle.as_millis()).unwrap_or(i64::MAX);
        Self { store, hasher, attempts, session_idle_ms }
    }

    pub async fn needs_setup(&self) -> Result<bool, AccountError> {
        Ok(store::users::count(&mut *self.store.read().await?).await? == 0)
    }

    /// The one-time setup token, while no user exists (made on first use, the same on every
    /// node until setup is done); `None` once it is done. The operator reads it on the
    /// server's standard error or with `sesame setup-token`.
    pub async fn setup_token(&self) -> Result<Option<String>, AccountError> {
        if !self.needs_setup().await? {
            return Ok(None);
        }
        let fresh = hex::encode(rand::random::<[u8; 16]>());
        Ok(Some(store::secrets::get_or_make(&mut *self.store.read().await?, SETUP_TOKEN, &fresh).await?))
    }

    /// The one-time setup: creates the first administrator and signs them in, given the
    /// setup token (compared in constant time, and gone once used). Refused once any user
    /// exists — checked first, before any work.
    pub async fn set_up(&self, setup_token: &str, mut input: UserInput, client: &Client) -> Result<LoggedIn, AccountError> {
        if !self.needs_setup().await? {
            return Err(AccountError::SetupAlreadyDone);
        }
        let expected = store::secrets::get(&mut *self.store.read().await?, SETUP_TOKEN).await?;
        let valid = expected.is_some_and(|expected| bool::from(expected.as_bytes().ct_eq(setup_token.as_bytes())));
        if !valid {
            tracing::warn!(target: "sesame::auth", ip = ?client.ip, "setup refused: wrong setup token");
            return Err(AccountError::InvalidSetupToken);
        }
        input.role = Role::Admin;
        let new_user = new_user(&self.hasher, &input).await.map_err(AccountError::Invalid)?;
        let mut tx = self.store.write().await?;
        let now = store::now_millis();
        if store::users::count(tx.conn()).await? > 0 {
            return Err(AccountError::SetupAlreadyDone);
        }
        store::users::claim_first_setup(tx.conn(), now).await.map_err(|error| match error {
            StoreError::Conflict => AccountError::SetupAlreadyDone,
            other => other.into(),
        })?;
        store::secrets::delete(tx.conn(), SETUP_TOKEN).await?;
        let organization = store::users::organization_named(tx.conn(), &input.organization, now).await?;
        let user = store::users::insert(tx.conn(), organization, &new_user, now).await?;
        let token = SessionToken::generate();
        open_session(&mut tx, &user, &token, client).await?;
        let party = Some(Party::from(&user));
        let events = [
            audit::event_in(organization, EventKind::UserCreated, party.clone(), client, About::user(&user)),
            audit::event_in(organization, EventKind::LoginSucceeded, party, client, About::user(&user)),
        ];
        audit::commit(tx, &events, Boundary::Console).await?;
        let device = self.attempts.device_cookie(&user.username);
        Ok(LoggedIn { user, session: token, device })
    }

    /// The operator's `sesame user create`: a user in the organization named (created if
    /// new; none named: the oldest one, or `Default` on a fresh database), their full name
    /// their username unless given.
    pub async fn create_user_by_operator(&self, user: impl Into<OperatorUser>) -> Result<User, AccountError> {
        let user = user.into();
        let organization = match user.organization {
            Some(named) => named,
            None => store::users::first_organization(&mut *self.store.read().await?).await?.unwrap_or_else(|| DEFAULT_ORGANIZATION.to_owned()),
        };
        let full_name = user.full_name.unwrap_or_else(|| user.username.clone());
        let input = UserInput { organization, full_name, username: user.username, email: user.email, role: user.role, password: user.password };
        let new_user = new_user(&self.hasher, &input).await.map_err(AccountError::Invalid)?;
        let mut tx = self.store.write().await?;
        let now = store::now_millis();
        let organization = store::users::organization_named(tx.conn(), &input.organization, now).await?;
        let user = store::users::insert(tx.conn(), organization, &new_user, now).await.map_err(taken_or_other)?;
        let event = audit::event_in(organization, EventKind::UserCreated, None, &Client::command_line(), About::user(&user));
        audit::commit(tx, &[event], Boundary::CommandLine).await?;
        // The operator reads what was chosen for them (the organization, above all).
        tracing::info!(role = user.role.as_str(), user = %user.username, organization = %user.organization_name, "user created");
        Ok(user)
    }


    /// The active user with this username (the operator's `sesame key create`).
    pub async fn user_named(&self, username: &str) -> Result<Option<User>, AccountError> {
        let found = store::users::for_login(&mut *self.store.read().await?, username).await?;
        Ok(found.map(|(user, _)| user).filter(|user| user.status.is_active()))
    }

}

/// Validates the input, then hashes the password (only for valid input: argon2 is the
/// expensive part).
pub(crate) async fn new_user(hasher: &PasswordHasher, input: &UserInput) -> Result<NewUser, UserFieldError> {
    input.validate()?;
    Ok(NewUser {
        username: input.username.clone(),
        email: input.email.clone(),
        full_name: sesame_model::names::nfc(&input.full_name).into_owned(),
        role: input.role,
        password_hash: hasher.hash(&input.password).await,
    })
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
}
