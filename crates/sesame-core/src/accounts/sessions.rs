//! Logging in and out, and the console session a request carries: only a SHA-256 of the
//! cookie's value is stored.

use std::fmt;

use chrono::{Duration, Utc};
use rand::{rngs::OsRng, RngCore};
use sha2::{Digest, Sha256};
use sesame_model::fields::is_valid_username;

use super::{AccountError, Accounts};
use crate::{
    actor::{Actor, Boundary, Client, SessionRef},
    audit::{self, About},
    device::DeviceToken,
    model::{EventKind, User},
    password::Password,
    store::{self, StoreError},
};

/// How long a console session lasts after login.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);

/// The random value in the session cookie. Only its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub(super) fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// A successful login: the user, their new session, and the device cookie that vouches for
/// this browser from now on.
#[derive(Debug)]
pub struct LoggedIn {
    pub user: User,
    pub session: SessionToken,
    pub device: DeviceToken,
}

impl Accounts {
    /// Checks the password and opens a session. Throttled per address and per account (see
    /// [`crate::throttle`]). Unknown user, wrong password and disabled account all answer
    /// `InvalidCredentials` after the same work; a username that breaks the username rule
    /// cannot be an account and is refused before any limit counts it (so whatever is sent
    /// as a username, nothing of it is kept). `replacing`: the session this browser had,
    /// which the new one replaces.
    pub async fn log_in(
        &self,
        username: &str,
        password: &Password,
        client: &Client,
        replacing: Option<&SessionToken>,
    ) -> Result<LoggedIn, AccountError> {
        let username = username.trim();
        if !is_valid_username(username) {
            tracing::warn!(target: "sesame::auth", ip = ?client.ip, "login refused: not a username");
            return Err(AccountError::InvalidCredentials);
        }
        let ip = client.address();
        let attempt = self.attempts.begin(username, client).await?.map_err(|retry| {
            tracing::warn!(target: "sesame::auth", %ip, "login throttled");
            AccountError::TooManyAttempts(retry)
        })?;
        let found = store::users::for_login(&mut *self.store.read().await?, username).await?;
        let stored_hash = found.as_ref().map(|(_, hash)| hash.as_str());
        let password_ok = self.hasher.verify(password, stored_hash).await;
        match found {
            Some((user, _)) if password_ok && user.status.is_active() => {
                let session = SessionToken::generate();
                let mut tx = self.store.write().await?;
                if let Some(replaced) = replacing {
                    store::sessions::delete(tx.conn(), &replaced.hash()).await?;
                }
                open_session(&mut tx, &user, &session, client).await?;
                let event = audit::event_in(user.organization_id, EventKind::LoginSucceeded, Some((&user).into()), client, About::user(&user));
                audit::commit(tx, &[event], Boundary::Console).await?;
                self.attempts.accepted(attempt).await?;
                let device = self.attempts.device_cookie(&user.username);
                Ok(LoggedIn { user, session, device })
            }
            found => {
                // (The attempt was counted as a failure when it began.)
                tracing::warn!(target: "sesame::auth", %ip, "login failed");
                // On a real account, its owner and administrators see the attempt. Written
                // after answering, so a real account's failure takes no longer than an
                // unknown one's.
                if let Some((account, _)) = found {
                    let event = audit::event_in(account.organization_id, EventKind::LoginFailed, None, client, About::user(&account));
                    let store = self.store.clone();
                    tokio::spawn(async move {
                        crate::testing::pause("failed-login-event").await;
                        if let Err(error) = audit::record_alone(&store, &event, Boundary::Console).await {
                            tracing::error!(%error, "could not record a failed login");
                        }
                    });
                }
                Err(AccountError::InvalidCredentials)
            }
        }
    }

    /// The signed-in user behind a session cookie, as an actor (none once the session
    /// expired, or went unused for the idle time); notes the session as seen.
    pub async fn console_actor(&self, token: &SessionToken, client: Client) -> Result<Option<Actor>, AccountError> {
        let now = Utc::now();
        let hash = token.hash();
        let mut conn = self.store.read().await?;
        let Some(user) = store::sessions::user_for(&mut conn, &hash, now, self.session_idle_ms).await? else {
            return Ok(None);
        };
        // Noting the session as seen is bookkeeping: a busy database (SQLite's writer lock
        // held past its timeout) must not fail the request it rides on.
        if let Err(error) = store::sessions::touch(&mut conn, &hash, now, self.session_idle_ms).await {
            tracing::warn!(%error, "could not note a console session as seen");
        }
        Ok(Some(Actor::console(user, client, SessionRef(hash))))
    }

    /// Remembers the language the actor reads the console in: the messages Sésame sends
    /// them (expiry reminders, leak reports) are written in it. Not an activity event: a
    /// preference, not a change anyone needs to trace.
    pub async fn set_language(&self, actor: &Actor, language: sesame_model::Language) -> Result<(), AccountError> {
        let mut tx = self.store.write().await?;
        store::users::set_language(tx.conn(), actor.user.id, language).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the session with this cookie, if it is live.
    pub async fn log_out(&self, token: &SessionToken, client: Client) -> Result<(), AccountError> {
        let hash = token.hash();
        let mut tx = self.store.write().await?;
        let Some(user) = store::sessions::user_for(tx.conn(), &hash, Utc::now(), self.session_idle_ms).await? else {
            return Ok(());
        };
        if store::sessions::delete(tx.conn(), &hash).await? {
            let actor = Actor::console(user, client, SessionRef(hash));
            let event = audit::event(EventKind::Logout, &actor, About::default());
            audit::commit(tx, &[event], Boundary::Console).await?;
        }
        Ok(())
    }
}

/// Opens a session for `user` (and forgets expired ones: logins are rare next to API calls,
/// a fine moment for it).
pub(super) async fn open_session(tx: &mut store::Tx, user: &User, token: &SessionToken, client: &Client) -> Result<(), StoreError> {
    let now = store::now_millis();
    store::sessions::delete_expired(tx.conn(), now).await?;
    store::sessions::insert(
        tx.conn(),
        &store::sessions::NewSession {
            token_hash: &token.hash(),
            user_id: user.id,
            now,
            expires_at: now + SESSION_LIFETIME,
            ip: client.ip,
            user_agent: client.user_agent.as_deref(),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_are_random_hex_and_redacted() {
        let token = SessionToken::generate();
        assert_eq!(SessionToken::from_cookie(token.expose()), Some(token.clone()));
        assert_eq!(SessionToken::from_cookie("zz"), None);
        assert!(!format!("{token:?}").contains(token.expose()));
        assert_ne!(token.hash(), token.expose());
    }
}
