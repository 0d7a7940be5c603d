//! Managing an organization's users, with the one set of access rules that the console and
//! the REST API both go through. The actor is whoever is calling — signed in with a session
//! or presenting an API key, the same `User` either way — so a key can never do more, or
//! less, than its owner.
//!
//! The rules:
//! - an administrator sees and manages the users of their own organization;
//! - a user sees only themself and manages no one;
//! - an action the actor's role does not allow is `Forbidden`, checked first;
//! - an id outside what the actor may see (another organization, another user for a plain
//!   user, garbage) is `NotFound`, exactly like an id that does not exist;
//! - nobody changes their own role or status (no accidental lock-out), and an organization
//!   always keeps an active administrator.

use crate::{
    accounts::{AccountError, Accounts, UserFieldError, UserInput},
    invalidation::Invalidation,
    model::{Page, PageRequest, Role, User, UserId},
    password::Password,
    store::{Store, StoreError, UserChange},
};

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("only an administrator may do this")]
    Forbidden,
    #[error("no such user")]
    NotFound,
    #[error("{0}")]
    Invalid(UserFieldError),
    #[error("nothing to change: give a role or a status")]
    NothingToChange,
    #[error("this username is already taken")]
    UsernameTaken,
    #[error("you cannot change your own role or status")]
    OwnAccount,
    #[error("the organization must keep an active administrator")]
    NoAdminLeft,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for UserError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => UserError::NotFound,
            StoreError::NoAdminLeft => UserError::NoAdminLeft,
            StoreError::Conflict => UserError::UsernameTaken,
            other => UserError::Store(other),
        }
    }
}

impl From<AccountError> for UserError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(field) => UserError::Invalid(field),
            AccountError::UsernameTaken | AccountError::SetupAlreadyDone => UserError::UsernameTaken,
            AccountError::Store(store) => store.into(),
            // Creating a user never checks credentials.
            AccountError::InvalidCredentials | AccountError::WrongCurrentPassword => UserError::Forbidden,
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
    accounts: Accounts,
    invalidation: Invalidation,
}

impl Users {
    pub fn new(store: Store, accounts: Accounts, invalidation: Invalidation) -> Self {
        Self { store, accounts, invalidation }
    }

    pub async fn list(&self, actor: &User, page: PageRequest) -> Result<Page<User>, UserError> {
        match actor.role {
            Role::Admin => Ok(self.store.list_users(&actor.organization_id, page).await?),
            Role::User => {
                let items = if page.number() == 1 { vec![actor.clone()] } else { Vec::new() };
                Ok(Page { items, request: page, total: 1 })
            }
        }
    }

    pub async fn get(&self, actor: &User, id: &str) -> Result<User, UserError> {
        let id = UserId::parse(id).ok_or(UserError::NotFound)?;
        if actor.role == Role::User && id != actor.id {
            return Err(UserError::NotFound);
        }
        let user = self.store.user_by_id(&id).await?.ok_or(UserError::NotFound)?;
        visible_to(actor, user)
    }

    pub async fn create(&self, actor: &User, colleague: NewColleague) -> Result<User, UserError> {
        require_admin(actor)?;
        let input = UserInput {
            organization: actor.organization_name.clone(),
            full_name: colleague.full_name,
            username: colleague.username,
            email: colleague.email,
            role: colleague.role,
            password: colleague.password,
        };
        Ok(self.accounts.create_user_in(&actor.organization_id, input).await?)
    }

    /// Changes a user's role and/or status. Applies at once to everything the user holds:
    /// their keys act with the new role on their next request, and a disabled user's
    /// sessions are ended and their keys refused (until they are enabled again).
    pub async fn update(&self, actor: &User, id: &str, change: UserChange) -> Result<User, UserError> {
        require_admin(actor)?;
        let id = UserId::parse(id).ok_or(UserError::NotFound)?;
        if change == UserChange::default() {
            return Err(UserError::NothingToChange);
        }
        if id == actor.id {
            return Err(UserError::OwnAccount);
        }
        let updated = self.store.update_user(&actor.organization_id, &id, &change).await;
        // Cached principals carry the user's role and status: forget theirs, even after a
        // failure (the change may have committed before the error was seen).
        let forgotten = self.invalidation.user_changed(&id).await;
        let user = updated?;
        forgotten?;
        Ok(user)
    }
}

fn require_admin(actor: &User) -> Result<(), UserError> {
    match actor.role {
        Role::Admin => Ok(()),
        Role::User => Err(UserError::Forbidden),
    }
}

fn visible_to(actor: &User, user: User) -> Result<User, UserError> {
    let visible = match actor.role {
        Role::Admin => user.organization_id == actor.organization_id,
        Role::User => user.id == actor.id,
    };
    visible.then_some(user).ok_or(UserError::NotFound)
}
