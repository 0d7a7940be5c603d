//! The Security section's use cases: changing one's password, and one's console sessions —
//! listed, ended one by one or all but the current one.

use std::sync::Arc;

use chrono::Utc;

use crate::{
    accounts::{AccountError, UserFieldError},
    actor::{Actor, Via},
    audit::{self, About},
    device::DeviceKeys,
    model::{EventKind, SessionId, SessionInfo},
    password::{Password, PasswordHasher},
    store::{self, Store},
    throttle::{AccountKey, Throttles},
};

#[derive(Clone)]
pub struct Security {
    store: Store,
    hasher: PasswordHasher,
    throttles: Arc<Throttles>,
    devices: DeviceKeys,
}

impl Security {
    pub(crate) fn new(store: Store, hasher: PasswordHasher, throttles: Arc<Throttles>, devices: DeviceKeys) -> Self {
        Self { store, hasher, throttles, devices }
    }

    /// Changes the actor's password after checking the current one, and ends their other
    /// console sessions (all of them when the change comes through the API). The current
    /// password is guessed no more easily here than at login: the same per-account delay
    /// and hard stop apply, a wrong one counts as a failed login, and the activity log
    /// records it.
    pub async fn change_password(&self, actor: &Actor, current: &Password, new: &Password) -> Result<(), AccountError> {
        let account = AccountKey::of(&actor.user.username);
        let ip = actor.client.address();
        let now = Utc::now().timestamp_millis();
        let known_device = actor.client.device.as_ref().is_some_and(|device| self.devices.vouches_for(device, account, now));
        if let Err(retry) = self.throttles.begin_password_attempt(account, ip, known_device).await? {
            return Err(AccountError::TooManyAttempts(retry));
        }
        let stored = store::users::password_hash(&mut *self.store.read().await?, actor.user.id).await?;
        if !self.hasher.verify(current, stored.as_deref()).await {
            let event = audit::event(EventKind::PasswordChangeFailed, actor, About::default());
            audit::record_alone(&self.store, &event, actor.via.boundary()).await?;
            return Err(AccountError::WrongCurrentPassword);
        }
        self.throttles.password_accepted(account, ip).await?;
        new.check_policy().map_err(|problem| AccountError::Invalid(UserFieldError::Password(problem)))?;
        let hash = self.hasher.hash(new).await;
        let mut tx = self.store.write().await?;
        let user = tx.reauthorize(actor).await?.ok_or(AccountError::Unauthenticated)?;
        store::users::set_password_hash(tx.conn(), user.id, &hash).await?;
        store::sessions::delete_all_except(tx.conn(), user.id, current_session(actor)).await?;
        let event = audit::event(EventKind::PasswordChanged, actor, About::default());
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(())
    }

    /// The actor's live sessions, most recently seen first; `current` marks the one the
    /// request came with.
    pub async fn sessions(&self, actor: &Actor) -> Result<Vec<SessionInfo>, AccountError> {
        let records = store::sessions::list(&mut *self.store.read().await?, actor.user.id, Utc::now()).await?;
        let current = current_session(actor);
        Ok(records
            .into_iter()
            .map(|record| SessionInfo {
                current: current == Some(record.token_hash.as_str()),
                id: record.id,
                created_at: record.created_at,
                last_seen_at: record.last_seen_at,
                ip: record.ip,
                user_agent: record.user_agent,
            })
            .collect())
    }

    /// Ends one of the actor's sessions.
    pub async fn end_session(&self, actor: &Actor, id: SessionId) -> Result<(), AccountError> {
        let mut tx = self.store.write().await?;
        let user = tx.reauthorize(actor).await?.ok_or(AccountError::Unauthenticated)?;
        if !store::sessions::delete_one_of(tx.conn(), user.id, id).await? {
            return Err(AccountError::SessionNotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends all the actor's sessions but the current one; how many were ended.
    pub async fn end_other_sessions(&self, actor: &Actor) -> Result<u64, AccountError> {
        let mut tx = self.store.write().await?;
        let user = tx.reauthorize(actor).await?.ok_or(AccountError::Unauthenticated)?;
        let ended = store::sessions::delete_all_except(tx.conn(), user.id, current_session(actor)).await?;
        tx.commit().await?;
        Ok(ended)
    }
}

/// The hash of the session the actor came with, if they came through the console.
fn current_session(actor: &Actor) -> Option<&str> {
    match &actor.via {
        Via::Console(session) => Some(session.0.as_str()),
        Via::Api(_) | Via::CommandLine => None,
    }
}
