//! The Security section's use cases: changing one's password, and one's console sessions —
//! listed, ended one by one or all but the current one.

use chrono::Utc;

use crate::{
    door::{self, Door},
    accounts::AccountError,
    actor::{Actor, Via},
    audit::{self, About},
    model::{EventKind, Operation, SessionId, SessionInfo},
    password::{Password, PasswordHasher},
    password_attempts::PasswordAttempts,
    store::{self, Store},
};

#[derive(Clone)]
pub struct Security {
    store: Store,
    door: Door,
    hasher: PasswordHasher,
    attempts: PasswordAttempts,
}

impl Security {
    pub(crate) fn new(store: Store, door: Door, hasher: PasswordHasher, attempts: PasswordAttempts) -> Self {
        Self { store, door, hasher, attempts }
    }

    /// Changes the actor's password after checking the current one, and ends their other
    /// console sessions (all of them when the change comes through the API). The current
    /// password is guessed no more easily here than at login: the same per-account delay
    /// and hard stop apply, a wrong one counts as a failed login, and the activity log
    /// records it.
    pub async fn change_password(&self, actor: &Actor, current: &Password, new: &Password) -> Result<(), AccountError> {
        self.door.require(actor, Operation::ChangePassword)?;
        let attempt = self.attempts.begin(&actor.user.username, &actor.client).await?.map_err(AccountError::TooManyAttempts)?;
        let stored = store::users::password_hash(&mut *self.store.read().await?, actor.user.id).await?;
        if !self.hasher.verify(current, stored.as_deref()).await {
            let event = audit::event(EventKind::PasswordChangeFailed, actor, About::default());
            audit::record_alone(&self.store, &event, actor.via.boundary()).await?;
            return Err(AccountError::WrongCurrentPassword);
        }
        self.attempts.accepted(attempt).await?;
        new.check_policy().map_err(AccountError::InvalidNewPassword)?;
        let hash = self.hasher.hash(new).await;
        let mut tx = self.store.write().await?;
        let user = door::reauthorize(&mut tx, actor, Operation::ChangePassword).await?;
        store::users::set_password_hash(tx.conn(), user.id, &hash).await?;
        store::sessions::delete_all_except(tx.conn(), user.id, current_session(actor)).await?;
        let event = audit::event(EventKind::PasswordChanged, actor, About::default());
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(())
    }

    /// The actor's live sessions, most recently seen first; `current` marks the one the
    /// request came with.
    pub async fn sessions(&self, actor: &Actor) -> Result<Vec<SessionInfo>, AccountError> {
        self.door.require(actor, Operation::ListSessions)?;
        Ok(store::sessions::list(&mut *self.store.read().await?, actor.user.id, Utc::now(), current_session(actor)).await?)
    }

    /// Ends one of the actor's sessions.
    pub async fn end_session(&self, actor: &Actor, id: SessionId) -> Result<(), AccountError> {
        self.door.require(actor, Operation::EndSession)?;
        let mut tx = self.store.write().await?;
        let user = door::reauthorize(&mut tx, actor, Operation::EndSession).await?;
        if !store::sessions::delete_one_of(tx.conn(), user.id, id).await? {
            return Err(AccountError::SessionNotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends all the actor's sessions but the current one; how many were ended.
    pub async fn end_other_sessions(&self, actor: &Actor) -> Result<u64, AccountError> {
        self.door.require(actor, Operation::EndOtherSessions)?;
        let mut tx = self.store.write().await?;
        let user = door::reauthorize(&mut tx, actor, Operation::EndOtherSessions).await?;
        let ended = store::sessions::delete_all_except(tx.conn(), user.id, current_session(actor)).await?;
        tx.commit().await?;
        Ok(ended)
    }
}

/// The hash of the session the actor came with, if they came through the console.
fn current_session(actor: &Actor) -> Option<&str> {
    match &actor.via {
        Via::Console(session) => Some(session.0.as_str()),
        Via::Api { .. } | Via::CommandLine => None,
    }
}
