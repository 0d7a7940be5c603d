//! Managing an organization's users, with the one set of access rules that the console and
//! the REST API both go through. The actor is whoever is calling — signed in with a session
//! or presenting an API key, the same `User` either way — so a key can never do more, or
//! less, than its owner.
//!
//! The rules:
//! - an administrator sees and manages the users of their own organization;
//! - a user sees only themself and manages no one;
//! - an action the actor's role does not allow is `Forbidden`, checked first (and checked
//!   again on the actor as they are when the change commits);
//! - an id outside what the actor may see (another organization, another user for a plain
//!   user) is `NotFound`, exactly like an id that does not exist;
//! - nobody changes their own role or status (no accidental lock-out), and an organization
//!   always keeps an active administrator.

use std::sync::Arc;

use crate::{
    door::{self, Door},
    accounts::{self, UserFieldError, UserInput},
    actor::Actor,
    audit::{self, About},
    invalidation::{self, Invalidation},
    model::{EventKind, Operation, Page, PageRequest, Role, Status, User, UserChange, UserId},
    password::{Password, PasswordHasher},
    rights::Refusal,
    store::{self, Store, StoreError},
    throttle::{RetryAfter, Throttles},
};

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no such user")]
    NotFound,
    #[error("{0}")]
    Invalid(UserFieldError),
    #[error("nothing to change: give a role or a status")]
    NothingToChange,
    /// Taken, in this organization or another: the answer is the same (usernames are login
    /// names for the whole instance).
    #[error("this username is already taken")]
    UsernameTaken,
    /// The actor met too many taken usernames lately (see `Throttles::username_taken`).
    #[error("too many requests")]
    Throttled(RetryAfter),
    #[error("you cannot change your own role or status")]
    OwnAccount,
    #[error("the organization must keep an active administrator")]
    NoAdminLeft,
    /// The credential the request came with was revoked (or its user disabled) while the
    /// request was in flight: nothing was done.
    #[error("the credentials are no longer valid")]
    Unauthenticated,
    #[error(transparent)]
    Store(StoreError),
}

door::from_denied!(UserError);

impl From<StoreError> for UserError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => UserError::NotFound,
            StoreError::Conflict => UserError::UsernameTaken,
            other => UserError::Store(other),
        }
    }
}

/// A colleague an administrator adds to their organization.
#[derive(Debug, Clone)]
pub struct NewColleague {
    pub full_name: String,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub password: Password,
}

#[derive(Clone)]
pub struct Users {
    store: Store,
    door: Door,
    hasher: PasswordHasher,
    invalidation: Invalidation,
    throttles: Arc<Throttles>,
}

impl Users {
    pub(crate) fn new(store: Store, door: Door, hasher: PasswordHasher, invalidation: Invalidation, throttles: Arc<Throttles>) -> Self {
        Self { store, door, hasher, invalidation, throttles }
    }

    pub async fn list(&self, actor: &Actor, page: PageRequest) -> Result<Page<User>, UserError> {
        self.door.require(actor, Operation::ListUsers)?;
        match actor.user.role {
            Role::Admin => Ok(store::users::list(&mut *self.store.read().await?, actor.user.organization_id, page).await?),
            Role::User => {
                let items = if page.number() == 1 { vec![(*actor.user).clone()] } else { Vec::new() };
                Ok(Page { items, request: page, total: 1 })
            }
        }
    }

    pub async fn get(&self, actor: &Actor, id: UserId) -> Result<User, UserError> {
        self.door.require(actor, Operation::GetUser)?;
        if !actor.user.is_admin() && id != actor.user.id {
            return Err(UserError::NotFound);
        }
        let user = store::users::person_by_id(&mut *self.store.read().await?, id).await?.ok_or(UserError::NotFound)?;
        visible_to(&actor.user, user)
    }

    pub async fn create(&self, actor: &Actor, colleague: NewColleague) -> Result<User, UserError> {
        self.door.require(actor, Operation::CreateUser)?;
        let raises = colleague.role == Role::Admin;
        if raises {
            self.door.may_raise_accounts(actor, actor.with_previous_secret())?;
        }
        let input = UserInput {
            organization: actor.user.organization_name.clone(),
            full_name: colleague.full_name,
            username: colleague.username,
            email: colleague.email,
            role: colleague.role,
            password: colleague.password,
        };
        let new_user = accounts::new_user(&self.hasher, &input).await.map_err(UserError::Invalid)?;
        // A username is a login name for the whole instance: taken in another organization, it
        // is taken here, and the answer says no more. So that no administrator lists other
        // organizations' usernames by trying them, each try spends one of a few (given back
        // when the name was free) before anything is inserted: tries sent all at once are
        // counted too.
        self.throttles.begin_user_creation(actor.user.id).await?.map_err(UserError::Throttled)?;
        let mut tx = self.store.write().await?;
        let (admin, with_previous_secret) = door::reauthorize_standing(&mut tx, actor, Operation::CreateUser).await?;
        if raises {
            // Its secret may have become the key's previous one while the request was in flight.
            self.door.may_raise_accounts(actor, with_previous_secret)?;
        }
        let user = store::users::insert(tx.conn(), admin.organization_id, &new_user, store::now_millis()).await?;
        let event = audit::event(EventKind::UserCreated, actor, About::user(&user));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        self.throttles.username_was_free(actor.user.id).await?;
        Ok(user)
    }

    /// Changes a user's role and/or status. Applies at once to everything the user holds:
    /// their keys act with the new role on their next request, and a disabled user's
    /// sessions are ended and their keys refused (until they are enabled again).
    pub async fn update(&self, actor: &Actor, id: UserId, change: UserChange) -> Result<User, UserError> {
        self.door.require(actor, Operation::UpdateUser)?;
        if change == UserChange::default() {
            return Err(UserError::NothingToChange);
        }
        if id == actor.user.id {
            return Err(UserError::OwnAccount);
        }
        if raises(&change) {
            self.door.may_raise_accounts(actor, actor.with_previous_secret())?;
        }
        let (users, actor) = (self.clone(), actor.clone());
        invalidation::run_to_completion(async move {
            let updated = users.update_in_store(&actor, id, change).await;
            crate::testing::pause("change-committed").await;
            // Cached principals carry the user's role and status: forget theirs, even after
            // a failure (the change may have committed before the error was seen).
            let forgotten = users.invalidation.user_changed(&id).await;
            let user = updated?;
            forgotten?;
            Ok(user)
        })
        .await
    }

    async fn update_in_store(&self, actor: &Actor, id: UserId, change: UserChange) -> Result<User, UserError> {
        let mut tx = self.store.write().await?;
        // Locks in one order — the organization, then the actor, then the target — so that
        // two administrators changing each other at once take turns instead of deadlocking.
        // (A user never changes organization: the actor's is the one to lock.)
        let organization = actor.user.organization_id;
        store::users::lock_organization(tx.conn(), organization).await?;
        let (_, with_previous_secret) = door::reauthorize_standing(&mut tx, actor, Operation::UpdateUser).await?;
        if raises(&change) {
            self.door.may_raise_accounts(actor, with_previous_secret)?;
        }
        crate::testing::pause("user-change-checked").await;
        if !store::users::update(tx.conn(), organization, id, &change).await? {
            return Err(UserError::NotFound);
        }
        if store::users::active_admins(tx.conn(), organization).await? == 0 {
            return Err(UserError::NoAdminLeft);
        }
        if change.status == Some(Status::Disabled) {
            // A disabled user's sessions end now, and stay ended if they are re-enabled.
            store::sessions::delete_all_except(tx.conn(), id, None).await?;
        }
        store::cluster::announce(&mut tx, &store::cluster::Invalidated::User(id)).await?;
        let user = store::users::by_id(tx.conn(), id).await?.ok_or(UserError::NotFound)?;
        let events = change_events(actor, &user, &change);
        audit::commit(tx, &events, actor.via.boundary()).await?;
        Ok(user)
    }
}

/// Whether a change promotes to administrator or enables an account (see
/// [`rights::may_raise_accounts`]).
fn raises(change: &UserChange) -> bool {
    change.role == Some(Role::Admin) || change.status == Some(Status::Active)
}

/// The events an administrator's change to `user` makes: one per part changed.
fn change_events(actor: &Actor, user: &User, change: &UserChange) -> Vec<crate::model::Event> {
    let mut events = Vec::new();
    if let Some(role) = change.role {
        events.push(audit::event(EventKind::UserRoleChanged, actor, About::user(user).with_detail(role.as_str())));
    }
    match change.status {
        Some(Status::Disabled) => events.push(audit::event(EventKind::UserDisabled, actor, About::user(user))),
        Some(Status::Active) => events.push(audit::event(EventKind::UserEnabled, actor, About::user(user))),
        None => {}
    }
    events
}

fn visible_to(actor: &User, user: User) -> Result<User, UserError> {
    let visible = match actor.role {
        Role::Admin => user.organization_id == actor.organization_id,
        Role::User => user.id == actor.id,
    };
    visible.then_some(user).ok_or(UserError::NotFound)
}
