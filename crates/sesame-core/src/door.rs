//! The door every use case goes through. Before anything else, whether the actor may act
//! ([`crate::rights`], which only decides), with a refusal recorded once, here, in the key
//! owner's activity; and inside the change's transaction, the actor checked again
//! ([`reauthorize`]).

use std::{net::IpAddr, sync::Arc};

use crate::{
    actor::{Actor, Via},
    model::{credential_expiry, Operation, User},
    refusal_log::{self, RefusalLog, Refused},
    rights::{self, Reach, Refusal},
    store::{self, Store, StoreError, Tx},
};

#[derive(Clone)]
pub(crate) struct Door {
    store: Store,
    refusals: Arc<RefusalLog>,
}

impl Door {
    pub(crate) fn new(store: Store) -> Self {
        Self { store, refusals: Arc::default() }
    }

    /// Whether the actor may do `operation` (their role, their key's scopes, the secret they
    /// presented, against the permission it needs).
    pub(crate) fn require(&self, actor: &Actor, operation: Operation) -> Result<(), Refusal> {
        actor.require(operation.permission()).map_err(|refusal| self.refused(actor, refusal))
    }

    /// Whether the actor may make, or act on, a key of this reach.
    pub(crate) fn may_manage(&self, actor: &Actor, key: Reach<'_>) -> Result<(), Refusal> {
        rights::may_manage(actor, key).map_err(|refusal| self.refused(actor, refusal))
    }

    /// Whether the actor may create or promote an administrator, or enable an account.
    pub(crate) fn may_raise_accounts(&self, actor: &Actor, with_previous_secret: bool) -> Result<(), Refusal> {
        rights::may_raise_accounts(actor, with_previous_secret).map_err(|refusal| self.refused(actor, refusal))
    }

    /// A refusal a use case decided itself, recorded like the others.
    pub(crate) fn refuse(&self, actor: &Actor, refusal: Refusal) -> Refusal {
        self.refused(actor, refusal)
    }

    /// A key's request from `ip`, which its allow-list does not cover.
    pub(crate) fn address_refused(&self, actor: &Actor, ip: IpAddr) {
        self.refusals.record(&self.store, actor, Refused::Address(ip));
    }

    /// Records `refusal` of a key's request: in the key's usage always, in its owner's
    /// activity now and then (see [`crate::refusal_log`]).
    fn refused(&self, actor: &Actor, refusal: Refusal) -> Refusal {
        match refusal.recorded_as() {
            Some(detail) => self.refusals.record(&self.store, actor, Refused::Scope(detail)),
            None => refusal_log::count_role_refusal(&self.store, actor),
        }
        refusal
    }
}

/// Why a change's actor, read again inside the change's transaction, may not make it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Denied {
    /// The credential the request came with was revoked, narrowed or rolled away (or its
    /// user disabled) while the request was in flight.
    #[error("the credentials are no longer valid")]
    Unauthenticated,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `From<Denied>` for a use case's error type with `Unauthenticated`, `Refused` and a
/// `From<StoreError>`: every use case answers a denied change alike.
macro_rules! from_denied {
    ($error:ident) => {
        impl From<$crate::door::Denied> for $error {
            fn from(denied: $crate::door::Denied) -> Self {
                match denied {
                    $crate::door::Denied::Unauthenticated => $error::Unauthenticated,
                    $crate::door::Denied::Refused(refusal) => $error::Refused(refusal),
                    $crate::door::Denied::Store(error) => error.into(),
                }
            }
        }
    };
}
pub(crate) use from_denied;

/// The actor's user as they are now, inside this transaction, if they may still do
/// `operation`. [`Denied::Unauthenticated`] when the credential they acted with is gone (key
/// deleted, disabled, expired, or its scopes, restrictions or expiry changed; the very secret
/// the request presented rolled away or reported as leaked; session ended or expired) or the
/// user was disabled meanwhile; [`Denied::Refused`] when the user's role, or a secret that
/// became the key's previous one, no longer allows it. The rows read stay locked until commit
/// (PostgreSQL: `FOR SHARE`; SQLite: the transaction already holds the write lock), so a
/// delete, a roll or a role change on any node happens wholly before this change or wholly
/// after it.
pub(crate) async fn reauthorize(tx: &mut Tx, actor: &Actor, operation: Operation) -> Result<User, Denied> {
    Ok(reauthorize_standing(tx, actor, operation).await?.0)
}

/// [`reauthorize`], and whether the secret the request presented is now the key's previous
/// one (a roll with an overlap happened while it was in flight).
pub(crate) async fn reauthorize_standing(tx: &mut Tx, actor: &Actor, operation: Operation) -> Result<(User, bool), Denied> {
    let permission = operation.permission();
    let (lock, now) = (tx.share_lock(), tx.now());
    let with_previous_secret = match &actor.via {
        Via::Api { key, secret, with_previous_secret } => {
            let usable = store::key_access::lock_usable_key(tx.conn(), *key, actor.user.id, secret, now, lock).await?.ok_or(Denied::Unauthenticated)?;
            // …and still has the scopes, restrictions and expiry the request was
            // authenticated with: a key narrowed while its request was in flight does nothing
            // with what it had (it could otherwise make a key as wide as it was).
            let previous_until = if *with_previous_secret { usable.previous_until } else { None };
            let unchanged = usable.restricted.scopes == actor.scopes
                && usable.restricted.restrictions == *actor.restrictions
                && credential_expiry(usable.expires_at, previous_until) == actor.expires_at;
            if !unchanged {
                return Err(Denied::Unauthenticated);
            }
            usable.previous_until.is_some()
        }
        // Sessions keep to the system clock everywhere (the services' clock is for keys).
        Via::Console(session) => {
            if !store::sessions::lock_session(tx.conn(), &session.0, actor.user.id, chrono::Utc::now(), lock).await? {
                return Err(Denied::Unauthenticated);
            }
            false
        }
        Via::CommandLine => false,
    };
    let user = store::users::lock_user(tx.conn(), actor.user.id, lock).await?;
    let user = user.filter(|user| user.status.is_active()).ok_or(Denied::Unauthenticated)?;
    rights::check(&user, actor.scopes, permission)?;
    rights::secret_allows(with_previous_secret, permission)?;
    Ok((user, with_previous_secret))
}
