//! Who may do what: one rule set for roles and scopes. Each use case names the permission
//! it needs; an actor has it when their role allows it *and* their credential's scopes
//! include it (a console session and the command line have every scope). The role is the
//! owner's as of this request, so a key never exceeds its owner: an administrator's
//! full-access key loses administration the moment its owner is made a user.
//!
//! Within a permission, each use case still shows a person only what their role lets them
//! see (a user's `users:read` lists themselves; their `activity:read`, their own events).

use sesame_model::{Permission, Role, Scopes};

use crate::{
    actor::{Actor, Boundary, Via},
    audit::{self, About},
    model::{EventKind, User},
    store::{self, Store, StoreResult},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The owner's role does not allow it.
    #[error("your role does not allow this")]
    Role,
    /// The credential's scopes do not include this permission.
    #[error("this key lacks the {0} permission")]
    Scope(Permission),
}

/// Whether `role` allows `permission`: administering the organization (its users and its
/// key policy) is for administrators; the rest is for everyone.
pub fn role_allows(role: Role, permission: Permission) -> bool {
    match permission {
        Permission::UsersWrite => role == Role::Admin,
        Permission::MeRead
        | Permission::ApiKeysRead
        | Permission::ApiKeysWrite
        | Permission::UsersRead
        | Permission::ActivityRead
        | Permission::SecurityWrite => true,
    }
}

/// Whether `user`, with a credential of `scopes`, may act with `permission`. The role comes
/// first: a user's key scoped `users:write` is refused as a user would be.
pub fn check(user: &User, scopes: Scopes, permission: Permission) -> Result<(), Refusal> {
    if !role_allows(user.role, permission) {
        return Err(Refusal::Role);
    }
    if !scopes.allows(permission) {
        return Err(Refusal::Scope(permission));
    }
    Ok(())
}

/// [`Actor::require`], a refusal for a missing scope recorded in the key owner's activity
/// (*request refused: the key lacks …*) off the request's path: the answer does not wait.
pub(crate) fn require(store: &Store, actor: &Actor, permission: Permission) -> Result<(), Refusal> {
    let decided = actor.require(permission);
    if let Err(Refusal::Scope(missing)) = decided {
        let (store, actor) = (store.clone(), actor.clone());
        tokio::spawn(async move {
            if let Err(error) = record_out_of_scope(&store, &actor, missing).await {
                tracing::warn!(%error, "could not record a request refused for its key's scopes");
            }
        });
    }
    decided
}

async fn record_out_of_scope(store: &Store, actor: &Actor, missing: Permission) -> StoreResult<()> {
    let Via::Api { key, .. } = &actor.via else { return Ok(()) };
    // Deleted meanwhile: nothing left to tell.
    let Some(key) = store::keys::find(&mut *store.read().await?, *key).await? else { return Ok(()) };
    let event = audit::event(EventKind::KeyOutOfScope, actor, About::key(&key).with_detail(missing.as_str()));
    audit::record_alone(store, &event, Boundary::Api).await
}

impl Actor {
    /// [`check`] for this actor as the request brought them (a change checks again with
    /// the user it re-reads in its transaction).
    pub fn require(&self, permission: Permission) -> Result<(), Refusal> {
        check(&self.user, self.scopes, permission)
    }

    /// A key this actor makes or changes may not do more than the actor's own credential:
    /// a scoped key cannot hand out full access, nor any permission it lacks.
    pub fn may_grant(&self, scopes: Scopes) -> Result<(), Refusal> {
        match scopes.beyond(self.scopes).first() {
            Some(missing) => Err(Refusal::Scope(*missing)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        actor::Actor,
        model::{OrganizationId, Status, UserId},
    };
    use Permission::*;

    fn user(role: Role) -> User {
        User {
            id: UserId::new_random(),
            organization_id: OrganizationId::new_random(),
            organization_name: "Acme".into(),
            username: "ada".into(),
            email: "ada@example.com".into(),
            full_name: "Ada".into(),
            role,
            status: Status::Active,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_key_does_what_its_scopes_and_its_owners_role_both_allow() {
        let admin = user(Role::Admin);
        let plain = user(Role::User);
        let reader = Scopes::read_only();
        assert_eq!(check(&admin, Scopes::Full, UsersWrite), Ok(()));
        assert_eq!(check(&plain, Scopes::Full, UsersWrite), Err(Refusal::Role));
        assert_eq!(check(&admin, reader, UsersWrite), Err(Refusal::Scope(UsersWrite)));
        assert_eq!(check(&admin, reader, UsersRead), Ok(()));
        assert_eq!(check(&plain, reader, UsersWrite), Err(Refusal::Role), "the role comes first");
        for permission in Permission::ALL {
            assert_eq!(check(&admin, Scopes::Full, permission), Ok(()), "{permission}");
            assert_eq!(check(&admin, reader, permission).is_ok(), Permission::READ_ONLY.contains(&permission), "{permission}");
        }
    }

    #[test]
    fn a_scoped_key_grants_at_most_its_own_scopes() {
        let mut actor = Actor::command_line(user(Role::Admin));
        assert_eq!(actor.may_grant(Scopes::Full), Ok(()));
        actor.scopes = Scopes::from_list(Some(&[ApiKeysRead, ApiKeysWrite])).unwrap();
        assert_eq!(actor.may_grant(Scopes::from_list(Some(&[ApiKeysRead])).unwrap()), Ok(()));
        assert_eq!(actor.may_grant(Scopes::Full), Err(Refusal::Scope(MeRead)));
        assert_eq!(actor.may_grant(Scopes::from_list(Some(&[ApiKeysWrite, UsersWrite])).unwrap()), Err(Refusal::Scope(UsersWrite)));
    }
}
