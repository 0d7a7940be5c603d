//! Reading the activity log. Events are written by the use cases themselves, inside their
//! change's transaction (see [`crate::audit`]).
//!
//! Who sees what follows the users rules: a user sees the events they did or that concern
//! them; an administrator sees the whole organization's.

use crate::{
    door::Door,
    actor::Actor,
    model::{Event, Operation, Page, PageRequest, Role},
    rights::Refusal,
    store::{self, activity::Visibility, Store, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct ActivityLog {
    store: Store,
    door: Door,
}

impl ActivityLog {
    pub(crate) fn new(store: Store, door: Door) -> Self {
        Self { store, door }
    }

    /// The events the actor may see, newest first.
    pub async fn list(&self, actor: &Actor, page: PageRequest) -> Result<Page<Event>, ActivityError> {
        self.door.require(actor, Operation::ListActivity)?;
        let visibility = match actor.user.role {
            Role::Admin => Visibility::Organization(actor.user.organization_id),
            Role::User => Visibility::User(actor.user.id),
        };
        Ok(store::activity::list(&mut *self.store.read().await?, visibility, page).await?)
    }
}
