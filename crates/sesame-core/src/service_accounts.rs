//! Service accounts: accounts that own keys and nothing else, so that a job's key does not
//! die with the person who made it. Administrators make, change and delete them; their
//! managers (people of the organization) and the administrators manage their keys through
//! [`crate::keys`] exactly as their own (`NewKey::owner`, and every key use case by id).
//!
//! The rules:
//! - making, changing or deleting one takes `users:write` (administrators); an `admin` role
//!   for it takes what creating an administrator takes ([`crate::rights::may_raise_accounts`]);
//! - an administrator sees every service account of their organization, a person the ones
//!   they manage — `user` accounts only, unless they are an administrator (an `admin`
//!   account's full-access key would make them one); any other id is `NotFound`, like one
//!   that does not exist;
//! - a service account has 1 to [`MAX_MANAGERS`] managers, each a person of its
//!   organization (anyone else is an unknown manager, whatever the reason); its name is a
//!   username no other account has;
//! - a role change applies to its keys' next request on every node; deleting it deletes its
//!   keys, refused on every node before the call returns.

use crate::{
    actor::Actor,
    audit::{self, About},
    door::{self, Door},
    fields::{self, ServiceAccountFieldError, MAX_MANAGERS},
    invalidation::{self, Invalidation},
    model::{Event, EventKind, Operation, Page, PageRequest, Party, Role, ServiceAccount, User, UserId},
    rights::Refusal,
    store::{self, cluster::Invalidated, Store, StoreError, Tx},
};

#[derive(Debug, thiserror::Error)]
pub enum ServiceAccountError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no such service account")]
    NotFound,
    #[error("{0}")]
    Invalid(ServiceAccountFieldError),
    /// A manager named is not a person of the organization (unknown, elsewhere, or a
    /// service account): the answer is the same.
    #[error("no such person in your organization to manage it")]
    UnknownManager,
    #[error("nothing to change: give a name, a description, a role or managers")]
    NothingToChange,
    /// Any account's username, in this organization or another: the answer is the same.
    #[error("this name is already taken")]
    NameTaken,
    /// The credential the request came with was revoked (or its user disabled) while the
    /// request was in flight: nothing was done.
    #[error("the credentials are no longer valid")]
    Unauthenticated,
    #[error(transparent)]
    Store(StoreError),
}

door::from_denied!(ServiceAccountError);

impl ServiceAccountError {
    fn is_deadlock(&self) -> bool {
        matches!(self, ServiceAccountError::Store(error) if error.is_deadlock())
    }
}

impl From<StoreError> for ServiceAccountError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ServiceAccountError::NotFound,
            StoreError::Conflict => ServiceAccountError::NameTaken,
            other => ServiceAccountError::Store(other),
        }
    }
}

/// What an administrator makes a service account with.
#[derive(Debug, Clone)]
pub struct NewServiceAccount {
    pub name: String,
    pub description: String,
    pub role: Role,
    pub managers: Vec<UserId>,
}

/// What to change of a service account; at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceAccountChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub role: Option<Role>,
    /// The whole new list of managers.
    pub managers: Option<Vec<UserId>>,
}

#[derive(Clone)]
pub struct ServiceAccounts {
    store: Store,
    door: Door,
    invalidation: Invalidation,
}

impl ServiceAccounts {
    pub(crate) fn new(store: Store, door: Door, invalidation: Invalidation) -> Self {
        Self { store, door, invalidation }
    }

    pub async fn create(&self, actor: &Actor, new: NewServiceAccount) -> Result<ServiceAccount, ServiceAccountError> {
        self.door.require(actor, Operation::CreateServiceAccount)?;
        let name = valid_name(&new.name)?;
        let description = valid_description(&new.description)?;
        let managers = valid_managers(new.managers)?;
        let raises = new.role == Role::Admin;
        if raises {
            self.door.may_raise_accounts(actor, actor.with_previous_secret())?;
        }
        let mut tx = self.store.write().await?;
        let (admin, with_previous_secret) = door::reauthorize_standing(&mut tx, actor, Operation::CreateServiceAccount).await?;
        if raises {
            self.door.may_raise_accounts(actor, with_previous_secret)?;
        }
        // A service account's own key (of an `admin` account) makes no account: only people
        // do.
        if store::users::person_by_id(tx.conn(), admin.id).await?.is_none() {
            return Err(self.door.refuse(actor, Refusal::Role).into());
        }
        let organization = admin.organization_id;
        check_people(&mut tx, organization, &managers).await?;
        let now = tx.now();
        let id = store::service_accounts::insert(tx.conn(), organization, name, description, new.role, now).await?;
        store::service_accounts::set_managers(tx.conn(), id, &managers).await?;
        let account = store::service_accounts::find_managed(tx.conn(), admin.id, id, "").await?.ok_or(ServiceAccountError::NotFound)?;
        let event = audit::event(EventKind::ServiceAccountCreated, actor, about(&account).with_detail(account.role.as_str()));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(account)
    }

    /// The service accounts the actor may manage: every one of their organization's for an
    /// administrator, the ones they manage for anyone else.
    pub async fn list(&self, actor: &Actor, page: PageRequest) -> Result<Page<ServiceAccount>, ServiceAccountError> {
        self.door.require(actor, Operation::ListServiceAccounts)?;
        Ok(store::service_accounts::list_managed(&mut *self.store.read().await?, actor.user.id, page).await?)
    }

    pub async fn get(&self, actor: &Actor, id: UserId) -> Result<ServiceAccount, ServiceAccountError> {
        self.door.require(actor, Operation::GetServiceAccount)?;
        let mut conn = self.store.read().await?;
        store::service_accounts::find_managed(&mut conn, actor.user.id, id, "").await?.ok_or(ServiceAccountError::NotFound)
    }

    /// Its managers, active or not (a disabled one manages nothing until enabled again):
    /// for whoever may see the account.
    pub async fn managers(&self, actor: &Actor, id: UserId) -> Result<Vec<User>, ServiceAccountError> {
        self.door.require(actor, Operation::GetServiceAccount)?;
        let mut conn = self.store.read().await?;
        store::service_accounts::find_managed(&mut conn, actor.user.id, id, "").await?.ok_or(ServiceAccountError::NotFound)?;
        Ok(store::service_accounts::managers(&mut conn, id).await?)
    }

    /// For an administrator, the organization's service accounts no active manager may
    /// manage (the console warns about them); for anyone else, none: they are not theirs to
    /// fix.
    pub async fn without_active_manager(&self, actor: &Actor) -> Result<Vec<ServiceAccount>, ServiceAccountError> {
        self.door.require(actor, Operation::ListServiceAccounts)?;
        if actor.user.role != Role::Admin {
            return Ok(Vec::new());
        }
        let mut conn = self.store.read().await?;
        // Through the REST API one day, an `admin` service account's own key would be no
        // administrator who could fix them (server functions take people's sessions only).
        if store::users::person_by_id(&mut conn, actor.user.id).await?.is_none() {
            return Ok(Vec::new());
        }
        Ok(store::service_accounts::without_active_manager(&mut conn, actor.user.organization_id).await?)
    }

    /// Renames it, describes it again, changes its role or its managers. A new role applies
    /// to its keys' next request, on every node, from the moment this returns.
    pub async fn update(&self, actor: &Actor, id: UserId, change: ServiceAccountChange) -> Result<ServiceAccount, ServiceAccountError> {
        self.door.require(actor, Operation::UpdateServiceAccount)?;
        if change == ServiceAccountChange::default() {
            return Err(ServiceAccountError::NothingToChange);
        }
        let change = ServiceAccountChange {
            name: change.name.as_deref().map(valid_name).transpose()?.map(str::to_owned),
            description: change.description.as_deref().map(valid_description).transpose()?.map(str::to_owned),
            role: change.role,
            managers: change.managers.map(valid_managers).transpose()?,
        };
        let raises = change.role == Some(Role::Admin);
        if raises {
            self.door.may_raise_accounts(actor, actor.with_previous_secret())?;
        }
        let (accounts, actor) = (self.clone(), actor.clone());
        invalidation::run_to_completion(async move {
            let updated = accounts.update_in_store(&actor, id, change, raises).await;
            // Cached keys carry their owner's role: forget the account's, even after a
            // failure (the change may have committed before the error was seen).
            let forgotten = accounts.invalidation.user_changed(&id).await;
            let account = updated?;
            forgotten?;
            Ok(account)
        })
        .await
    }

    async fn update_in_store(&self, actor: &Actor, id: UserId, change: ServiceAccountChange, raises: bool) -> Result<ServiceAccount, ServiceAccountError> {
        let mut tx = self.store.write().await?;
        let (admin, with_previous_secret) = door::reauthorize_standing(&mut tx, actor, Operation::UpdateServiceAccount).await?;
        if raises {
            self.door.may_raise_accounts(actor, with_previous_secret)?;
        }
        let lock = tx.update_lock();
        let before = store::service_accounts::find_managed(tx.conn(), admin.id, id, lock).await?.ok_or(ServiceAccountError::NotFound)?;
        if let Some(managers) = &change.managers {
            check_people(&mut tx, before.organization_id, managers).await?;
            store::service_accounts::set_managers(tx.conn(), id, managers).await?;
        }
        store::service_accounts::update(tx.conn(), id, change.name.as_deref(), change.description.as_deref(), change.role).await?;
        if change.role.is_some_and(|role| role != before.role) {
            store::cluster::announce(&mut tx, &Invalidated::User(id)).await?;
        }
        let after = store::service_accounts::find_managed(tx.conn(), admin.id, id, "").await?.ok_or(ServiceAccountError::NotFound)?;
        let events = change_events(actor, &before, &after);
        audit::commit(tx, &events, actor.via.boundary()).await?;
        Ok(after)
    }

    /// Deletes it and its keys: when this returns, no request with one of them is accepted
    /// any more, on any node.
    pub async fn delete(&self, actor: &Actor, id: UserId) -> Result<ServiceAccount, ServiceAccountError> {
        self.door.require(actor, Operation::DeleteServiceAccount)?;
        let (accounts, actor) = (self.clone(), actor.clone());
        invalidation::run_to_completion(async move {
            // Again if PostgreSQL broke a deadlock, as every key change does.
            let deleted = invalidation::run_change(ServiceAccountError::is_deadlock, {
                let (accounts, actor) = (accounts.clone(), actor.clone());
                move || {
                    let (accounts, actor) = (accounts.clone(), actor.clone());
                    async move { accounts.delete_in_store(&actor, id).await }
                }
            })
            .await;
            let forgotten = accounts.invalidation.user_changed(&id).await;
            let account = deleted?;
            forgotten?;
            Ok(account)
        })
        .await
    }

    async fn delete_in_store(&self, actor: &Actor, id: UserId) -> Result<ServiceAccount, ServiceAccountError> {
        let mut tx = self.store.write().await?;
        // Its keys first, with the actor's own, in id order, then the account's row: the
        // order a request made with one of its keys takes (the key, then its owner), so
        // that the two never wait for each other in a circle.
        let mut keys = store::service_accounts::key_ids(tx.conn(), id).await?;
        keys.extend(actor.key_id());
        let lock = tx.update_lock();
        store::key_access::lock_in_id_order(tx.conn(), &keys, lock).await?;
        let admin = door::reauthorize(&mut tx, actor, Operation::DeleteServiceAccount).await?;
        let lock = tx.update_lock();
        let account = store::service_accounts::find_managed(tx.conn(), admin.id, id, lock).await?.ok_or(ServiceAccountError::NotFound)?;
        // Every node drops the account with its keys before this returns (the user
        // invalidation takes a cached owner's keys with it).
        store::cluster::announce(&mut tx, &Invalidated::User(id)).await?;
        store::service_accounts::delete(tx.conn(), id).await?;
        let event = audit::event(EventKind::ServiceAccountDeleted, actor, about(&account));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(account)
    }
}

/// The username rule, for a service account's name.
fn valid_name(name: &str) -> Result<&str, ServiceAccountError> {
    fields::is_valid_username(name).then_some(name).ok_or(ServiceAccountError::Invalid(ServiceAccountFieldError::Name))
}

fn valid_description(description: &str) -> Result<&str, ServiceAccountError> {
    fields::is_description(description).then_some(description).ok_or(ServiceAccountError::Invalid(ServiceAccountFieldError::Description))
}

/// Each manager once, in id order; 1 to [`MAX_MANAGERS`] of them.
fn valid_managers(mut managers: Vec<UserId>) -> Result<Vec<UserId>, ServiceAccountError> {
    managers.sort_by_key(UserId::to_string);
    managers.dedup();
    if managers.is_empty() || managers.len() > MAX_MANAGERS {
        return Err(ServiceAccountError::Invalid(ServiceAccountFieldError::ManagerCount));
    }
    Ok(managers)
}

/// Whether every manager is a person of the organization (their rows held until commit).
async fn check_people(tx: &mut Tx, organization: crate::model::OrganizationId, managers: &[UserId]) -> Result<(), ServiceAccountError> {
    let lock = tx.share_lock();
    match store::service_accounts::first_stranger(tx.conn(), organization, managers, lock).await? {
        Some(_) => Err(ServiceAccountError::UnknownManager),
        None => Ok(()),
    }
}

/// An event about the account: it is the event's subject.
fn about(account: &ServiceAccount) -> About {
    About { subject: Some(Party { id: account.id, username: account.name.clone() }), ..About::default() }
}

/// The *service account changed* event, if anything changed, naming what did.
fn change_events(actor: &Actor, before: &ServiceAccount, after: &ServiceAccount) -> Vec<Event> {
    let changed: Vec<&str> = [
        (before.name != after.name).then_some("name"),
        (before.description != after.description).then_some("description"),
        (before.role != after.role).then_some(after.role.as_str()),
        (before.managers != after.managers).then_some("managers"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if changed.is_empty() {
        return Vec::new();
    }
    vec![audit::event(EventKind::ServiceAccountChanged, actor, about(after).with_detail(changed.join(" ")))]
}
