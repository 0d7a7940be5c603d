//! Who may do what: one rule set for roles and scopes. Each use case names the permission
//! it needs; an actor has it when their role allows it *and* their credential's scopes
//! include it (a console session and the command line have every scope). The role is the
//! owner's as of this request, so a key never exceeds its owner: an administrator's
//! full-access key loses administration the moment its owner is made a user.
//!
//! Within a permission, each use case still shows a person only what their role lets them
//! see (a user's `users:read` lists themselves; their `activity:read`, their own events).
//!
//! A scoped key manages only keys within its own scopes: it cannot make, widen, roll,
//! enable, disable or delete a key that may do more than it (a key able to manage keys
//! must not take over its owner's full-access key). Likewise a restricted key manages only
//! keys at least as restricted: used from no other address, and no faster.

use sesame_model::{Permission, Restrictions, Role, Scopes};

use crate::{
    actor::Actor,
    model::User,
    refusal_log::{self, Refused},
    store::Store,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The owner's role does not allow it.
    #[error("your role does not allow this")]
    Role,
    /// The credential's scopes do not include this permission.
    #[error("this key lacks the {0} permission")]
    Scope(Permission),
    /// A scoped key asked to make, or act on, a key that may do more than itself.
    #[error("a key cannot manage a key with more permissions than its own")]
    BeyondKeyScopes,
    /// A restricted key asked to make, or act on, a key that may be used from more places,
    /// or faster, than itself.
    #[error("a key cannot manage a key that may be used from more addresses, or faster, than itself")]
    BeyondKeyRestrictions,
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

/// [`Actor::require`], a refusal for a missing scope recorded in the key owner's activity;
/// a key's request refused for either reason is counted as such in the key's usage.
pub(crate) fn require(store: &Store, actor: &Actor, permission: Permission) -> Result<(), Refusal> {
    let decided = actor.require(permission);
    match decided {
        Err(Refusal::Scope(missing)) => refusal_log::record(store, actor, Refused::Scope(missing.as_str())),
        Err(Refusal::Role) => refusal_log::count_role_refusal(store, actor),
        _ => {}
    }
    decided
}

/// Whether the actor may make, or act on, a key of `scopes` and `restrictions` (see the
/// module's note); a refusal is recorded like a missing scope.
pub(crate) fn may_manage(store: &Store, actor: &Actor, scopes: Scopes, restrictions: &Restrictions) -> Result<(), Refusal> {
    if !scopes.fits_in(actor.scopes) {
        refusal_log::record(store, actor, Refused::Scope(BEYOND_ITS_SCOPES));
        return Err(Refusal::BeyondKeyScopes);
    }
    if !restrictions.fits_in(&actor.restrictions) {
        refusal_log::record(store, actor, Refused::Scope(BEYOND_ITS_RESTRICTIONS));
        return Err(Refusal::BeyondKeyRestrictions);
    }
    Ok(())
}

/// The detail of a *request refused* event for [`Refusal::BeyondKeyScopes`].
pub const BEYOND_ITS_SCOPES: &str = "beyond its scopes";
/// The detail of a *request refused* event for [`Refusal::BeyondKeyRestrictions`].
pub const BEYOND_ITS_RESTRICTIONS: &str = "beyond its restrictions";

impl Actor {
    /// [`check`] for this actor as the request brought them (a change checks again with
    /// the user it re-reads in its transaction).
    pub fn require(&self, permission: Permission) -> Result<(), Refusal> {
        check(&self.user, self.scopes, permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrganizationId, Status, UserId};
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

}
