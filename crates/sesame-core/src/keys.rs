//! Managing one's own API keys: generate, list, rename, delete. Each change is one door,
//! whichever boundary calls it: it re-checks the actor inside its transaction, makes the
//! change, writes its activity event with it, and logs the audit line.

use crate::{
    actor::Actor,
    audit::{self, About},
    invalidation::{self, Invalidation},
    key::ApiKeySecret,
    model::{ApiKey, ApiKeyId, EventKind, Page, PageRequest},
    names::{KeyName, NameError},
    store::{self, Store, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    InvalidName(NameError),
    #[error("you already have a key with this name")]
    NameTaken,
    /// Unknown id, malformed id, or another user's key: all look the same.
    #[error("no such API key")]
    NotFound,
    /// The credential the request came with was revoked (or its user disabled) while the
    /// request was in flight: nothing was done.
    #[error("the credentials are no longer valid")]
    Unauthenticated,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for KeyError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => KeyError::NotFound,
            StoreError::Conflict => KeyError::NameTaken,
            other => KeyError::Store(other),
        }
    }
}

/// A key just made: the only time its secret is handed out.
#[derive(Debug)]
pub struct CreatedKey {
    pub key: ApiKey,
    pub secret: ApiKeySecret,
}

#[derive(Clone)]
pub struct Keys {
    store: Store,
    invalidation: Invalidation,
}

impl Keys {
    pub(crate) fn new(store: Store, invalidation: Invalidation) -> Self {
        Self { store, invalidation }
    }

    /// A new key for the actor; `name` absent or blank gets a random default.
    pub async fn create(&self, actor: &Actor, name: Option<&str>) -> Result<CreatedKey, KeyError> {
        let name = KeyName::parse_or_default(name).map_err(KeyError::InvalidName)?;
        let secret = ApiKeySecret::generate();
        let mut tx = self.store.write().await?;
        let owner = tx.reauthorize(actor).await?.ok_or(KeyError::Unauthenticated)?;
        let key = store::keys::insert(tx.conn(), owner.id, &name, &secret.hash(), store::now_millis()).await?;
        let event = audit::event(EventKind::KeyCreated, actor, About::key(&key));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(CreatedKey { key, secret })
    }

    /// All the actor's keys, oldest first (the console's panel filters them itself).
    pub async fn list(&self, actor: &Actor) -> Result<Vec<ApiKey>, KeyError> {
        Ok(store::keys::list(&mut *self.store.read().await?, actor.user.id).await?)
    }

    /// One page of the actor's keys (the REST API's list).
    pub async fn list_page(&self, actor: &Actor, page: PageRequest) -> Result<Page<ApiKey>, KeyError> {
        Ok(store::keys::list_page(&mut *self.store.read().await?, actor.user.id, page).await?)
    }

    pub async fn rename(&self, actor: &Actor, id: ApiKeyId, name: &str) -> Result<ApiKey, KeyError> {
        let name = KeyName::parse(name).map_err(KeyError::InvalidName)?;
        let mut tx = self.store.write().await?;
        let owner = tx.reauthorize(actor).await?.ok_or(KeyError::Unauthenticated)?;
        let key = store::keys::rename(tx.conn(), owner.id, id, &name).await?.ok_or(KeyError::NotFound)?;
        let event = audit::event(EventKind::KeyRenamed, actor, About::key(&key));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(key)
    }

    /// Deletes one of the actor's keys; when this returns, no request with it is accepted
    /// any more, on any node.
    pub async fn delete(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        let (keys, actor) = (self.clone(), actor.clone());
        invalidation::run_to_completion(async move { keys.delete_now(&actor, id).await }).await
    }

    async fn delete_now(&self, actor: &Actor, id: ApiKeyId) -> Result<ApiKey, KeyError> {
        let mut tx = self.store.write().await?;
        let owner = tx.reauthorize(actor).await?.ok_or(KeyError::Unauthenticated)?;
        let (key, hash) = store::keys::delete(tx.conn(), owner.id, id).await?.ok_or(KeyError::NotFound)?;
        store::cluster::announce(&mut tx, &store::cluster::Invalidated::Key(hash.clone())).await?;
        let event = audit::event(EventKind::KeyDeleted, actor, About::key(&key));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        crate::testing::pause("change-committed").await;
        self.invalidation.key_deleted(&hash).await?;
        Ok(key)
    }
}
