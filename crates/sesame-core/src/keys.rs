//! Managing one's own API keys: generate, list, rename, delete.

use crate::{
    key::ApiKeySecret,
    invalidation::Invalidation,
    model::{ApiKey, ApiKeyId, Page, PageRequest, User},
    names::{KeyName, NameError},
    store::{Store, StoreError},
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

#[derive(Clone)]
pub struct Keys {
    store: Store,
    invalidation: Invalidation,
}

impl Keys {
    pub fn new(store: Store, invalidation: Invalidation) -> Self {
        Self { store, invalidation }
    }

    /// A new key for `owner`. The secret is returned here and never again.
    pub async fn generate(
        &self,
        owner: &User,
        name: Option<&str>,
    ) -> Result<(ApiKey, ApiKeySecret), KeyError> {
        let name = KeyName::parse_or_default(name).map_err(KeyError::InvalidName)?;
        let secret = ApiKeySecret::generate();
        let key = self.store.insert_key(&owner.id, &name, &secret.hash()).await?;
        Ok((key, secret))
    }

    pub async fn list(&self, owner: &User) -> Result<Vec<ApiKey>, KeyError> {
        Ok(self.store.list_keys(&owner.id).await?)
    }

    /// One page of the owner's keys (the REST API's list).
    pub async fn list_page(&self, owner: &User, page: PageRequest) -> Result<Page<ApiKey>, KeyError> {
        Ok(self.store.list_keys_page(&owner.id, page).await?)
    }

    pub async fn rename(&self, owner: &User, key_id: &str, name: &str) -> Result<ApiKey, KeyError> {
        let name = KeyName::parse(name).map_err(KeyError::InvalidName)?;
        let key_id = ApiKeyId::parse(key_id).ok_or(KeyError::NotFound)?;
        Ok(self.store.rename_key(&owner.id, &key_id, &name).await?)
    }

    /// Deletes the key; when this returns, no request with it is accepted any more.
    pub async fn delete(&self, owner: &User, key_id: &str) -> Result<ApiKey, KeyError> {
        let key_id = ApiKeyId::parse(key_id).ok_or(KeyError::NotFound)?;
        let (key, hash) = self.store.delete_key(&owner.id, &key_id).await?;
        self.invalidation.key_deleted(&hash).await?;
        Ok(key)
    }
}
