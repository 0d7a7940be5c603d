//! Reading the activity log. Events are written by the use cases themselves, inside their
//! change's transaction (see [`crate::audit`]).
//!
//! Who sees what follows the users rules: a user sees the events they did or that concern
//! them; an administrator sees the whole organization's.

use crate::{
    door::Door,
    actor::Actor,
    model::{Event, Operation, Page, PageRequest, Role, UserId},
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

    /// The events of a service account the actor manages (its keys' changes, refusals, new
    /// addresses, leaks), newest first; `None` if it is not one they manage.
    pub async fn of_service_account(&self, actor: &Actor, id: UserId, page: PageRequest) -> Result<Option<Page<Event>>, ActivityError> {
        self.door.require(actor, Operation::ListActivity)?;
        let mut conn = self.store.read().await?;
        if store::service_accounts::find_managed(&mut conn, actor.user.id, id, "").await?.is_none() {
            return Ok(None);
        }
        Ok(Some(store::activity::list(&mut conn, Visibility::ServiceAccount(id), page).await?))
    }
}
