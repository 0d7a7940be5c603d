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
//! keys at least as restricted: used from no other address, no faster, and expiring no
//! later. Nor may it create or promote an administrator, or enable an account: that
//! account could then log in from anywhere, with every permission, for good.
//!
//! A key's previous secret (in the overlap after a roll) uses the API and manages no key.
//!
//! The rules only decide: [`crate::door`] applies them for every use case, and records a
//! refusal once.

use chrono::{DateTime, Utc};
use sesame_model::{Permission, Restrictions, Role, Scopes};

use crate::{
    actor::{Actor, Via},
    model::{ApiKey, User},
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
    /// faster, or longer than itself.
    #[error("a key cannot manage a key that may be used from more addresses, faster, or longer than itself")]
    BeyondKeyRestrictions,
    /// A request made with a key's previous secret asked to manage keys.
    #[error("a key's previous secret cannot manage keys")]
    PreviousSecret,
    /// A scoped or restricted key (or a previous secret) asked to create or promote an
    /// administrator, or to enable an account.
    #[error("only a full-access key with no address or rate restriction (or the console) can create or promote an administrator, or enable an account")]
    BeyondKeyAccount,
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

/// Whether a request made with a key's previous secret (`with_previous_secret`) may act
/// with `permission`: it may use the API, not manage keys — whoever holds an old, perhaps
/// leaked, secret must not make a key that outlives the overlap, nor roll, disable or
/// delete the key its owner rolled. The one place this rule is written.
pub fn secret_allows(with_previous_secret: bool, permission: Permission) -> Result<(), Refusal> {
    if with_previous_secret && permission == Permission::ApiKeysWrite {
        return Err(Refusal::PreviousSecret);
    }
    Ok(())
}

/// What a key may do and for how long: what [`may_manage`] compares with the actor's own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reach<'a> {
    pub scopes: Scopes,
    pub restrictions: &'a Restrictions,
    /// None: never expires.
    pub expires_at: Option<DateTime<Utc>>,
}

impl<'a> Reach<'a> {
    pub fn of(key: &'a ApiKey) -> Self {
        Self { scopes: key.scopes, restrictions: &key.restrictions, expires_at: key.expires_at }
    }
}

/// Whether the actor may make, or act on, a key of this reach (see the module's note).
pub(crate) fn may_manage(actor: &Actor, key: Reach<'_>) -> Result<(), Refusal> {
    if !key.scopes.fits_in(actor.scopes) {
        return Err(Refusal::BeyondKeyScopes);
    }
    if !key.restrictions.fits_in(&actor.restrictions) || !expires_no_later(key.expires_at, actor.expires_at) {
        return Err(Refusal::BeyondKeyRestrictions);
    }
    Ok(())
}

/// Whether an end (none: never) comes no later than `limit` (none: never).
fn expires_no_later(end: Option<DateTime<Utc>>, limit: Option<DateTime<Utc>>) -> bool {
    match (end, limit) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(end), Some(limit)) => end <= limit,
    }
}

/// Whether the actor may create or promote an administrator, or enable an account: from
/// the console or the command line, or with a key's current secret that may do all its
/// owner may, from anywhere, as fast as it likes — anything less would escape its own
/// limits through the account, which logs in from anywhere. A key's expiry is not counted
/// here: where the organization limits key lifetimes every key expires, and such a key
/// already does all its owner does until then. `with_previous_secret`: the secret the
/// request presented is the key's previous one (as it came, or as its change re-read it).
pub(crate) fn may_raise_accounts(actor: &Actor, with_previous_secret: bool) -> Result<(), Refusal> {
    let unrestricted = match actor.via {
        Via::Api { .. } => !with_previous_secret && actor.scopes == Scopes::Full && *actor.restrictions == Restrictions::default(),
        Via::Console(_) | Via::CommandLine => true,
    };
    if unrestricted {
        return Ok(());
    }
    Err(Refusal::BeyondKeyAccount)
}

/// The detail of a *request refused* event for [`Refusal::BeyondKeyScopes`].
pub const BEYOND_ITS_SCOPES: &str = "beyond its scopes";
/// The detail of a *request refused* event for [`Refusal::BeyondKeyRestrictions`].
pub const BEYOND_ITS_RESTRICTIONS: &str = "beyond its restrictions";
/// The detail of a *request refused* event for [`Refusal::PreviousSecret`].
pub const WITH_ITS_PREVIOUS_SECRET: &str = "with its previous secret";
/// The detail of a *request refused* event for [`Refusal::BeyondKeyAccount`].
pub const BEYOND_ITS_ACCOUNT: &str = "an account beyond the key";

impl Refusal {
    /// What the key owner's activity says of this refusal (*request refused → …*); none for
    /// a role's, which the owner could not have done either.
    pub(crate) fn recorded_as(self) -> Option<&'static str> {
        match self {
            Refusal::Role => None,
            Refusal::Scope(missing) => Some(missing.as_str()),
            Refusal::BeyondKeyScopes => Some(BEYOND_ITS_SCOPES),
            Refusal::BeyondKeyRestrictions => Some(BEYOND_ITS_RESTRICTIONS),
            Refusal::PreviousSecret => Some(WITH_ITS_PREVIOUS_SECRET),
            Refusal::BeyondKeyAccount => Some(BEYOND_ITS_ACCOUNT),
        }
    }
}

impl Actor {
    /// [`check`] and [`secret_allows`] for this actor as the request brought them (a change
    /// checks again with the user and the secret it re-reads in its transaction).
    pub fn require(&self, permission: Permission) -> Result<(), Refusal> {
        check(&self.user, self.scopes, permission)?;
        secret_allows(self.with_previous_secret(), permission)
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
