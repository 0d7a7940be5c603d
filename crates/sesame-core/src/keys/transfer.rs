//! Handing a key over to a service account: the key keeps its secret, id, name, expiry,
//! scopes, restrictions, usage and history; only its owner changes, so the job using it
//! never notices.

use sesame_model::{OwnerKind, Permission};

use super::{reauthorize_over, KeyError, Keys};
use crate::{
    actor::Actor,
    audit::{self, About},
    invalidation::announce,
    model::{ApiKey, ApiKeyId, EventKind, Operation, Party, Role, UserId},
    rights::{role_allows, Reach, Refusal},
    store,
};

impl Keys {
    /// Moves the key `id` to the service account `owner`. A person moves their own keys to
    /// a service account they manage; an administrator moves any key of their organization
    /// (a person's, or a service account's) to any of its service accounts. A disabled
    /// person's key does not move (its secret must not work again). Refused, and nothing
    /// changed, when the key would do less or more under its new owner's role
    /// (`scope_exceeds_key`: never changed silently). From the moment this returns,
    /// every node acts with the key as the service account's; no request with it is
    /// refused meanwhile.
    pub async fn transfer(&self, actor: &Actor, id: ApiKeyId, owner: UserId) -> Result<ApiKey, KeyError> {
        self.door.require(actor, Operation::TransferApiKey)?;
        self.change(actor, move |keys, actor| async move { keys.transfer_now(&actor, id, owner).await }).await
    }

    async fn transfer_now(&self, actor: &Actor, id: ApiKeyId, new_owner: UserId) -> Result<ApiKey, KeyError> {
        let mut tx = self.store.write().await?;
        let mover = reauthorize_over(&mut tx, actor, Operation::TransferApiKey, id).await?;
        let lock = tx.update_lock();
        let stored = store::key_access::lock_movable(tx.conn(), mover.id, id, lock).await?.ok_or(KeyError::NotFound)?;
        let before = stored.key.clone();
        let lock = tx.share_lock();
        let account = store::service_accounts::owner_managed(tx.conn(), mover.id, new_owner, lock).await?.ok_or(KeyError::OwnerNotFound)?;
        if before.user_id == account.id {
            return Ok(before);
        }
        // Between service accounts only for administrators: managing two service accounts
        // is not deciding which of them a job's key belongs to.
        if before.owner_kind == OwnerKind::ServiceAccount && !mover.is_admin() {
            return Err(self.door.refuse(actor, Refusal::Role).into());
        }
        self.door.may_manage(actor, Reach::of(&before))?;
        let previous_owner = store::users::by_id(tx.conn(), before.user_id).await?.ok_or(KeyError::NotFound)?;
        if !keeps_its_power(&before, previous_owner.role, account.role) {
            // (Neither less, which would break the job, nor more, which would hand whoever
            // holds the secret the new owner's wider role.)
            return Err(self.door.refuse(actor, Refusal::BeyondKeyScopes).into());
        }
        if store::key_access::hold_count_of_owner(&mut tx, account.id).await? >= u64::from(self.max_per_owner) {
            return Err(KeyError::TooManyKeys { max: self.max_per_owner });
        }
        store::keys::set_owner(tx.conn(), id, account.id).await?;
        let after = ApiKey { user_id: account.id, owner_kind: OwnerKind::ServiceAccount, ..before };
        // Every node forgets the key: its next request, wherever it lands, is verified again
        // and acts as the service account (the secret did not change, so it is accepted).
        let forgotten = announce(&mut tx, stored.hashes()).await?;
        let detail = format!("{} → {}", previous_owner.username, account.username);
        let events = [&previous_owner, &account].map(|side| {
            let about = About { subject: Some(Party::from(side)), ..About::key(&after) }.with_detail(detail.clone());
            audit::event(EventKind::KeyTransferred, actor, about)
        });
        self.commit_and_forget(tx, &events, actor.via.boundary(), &forgotten).await?;
        Ok(after)
    }
}

/// Whether the key does exactly the same under the role `to` as under `from`: full access
/// (or a scope) means "as far as the owner's role goes", so a move between roles would cut
/// or widen what the secret's holder can do, behind their back.
fn keeps_its_power(key: &ApiKey, from: Role, to: Role) -> bool {
    Permission::ALL
        .into_iter()
        .filter(|permission| key.scopes.allows(*permission))
        .all(|permission| role_allows(from, permission) == role_allows(to, permission))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Restrictions, Scopes, Status};

    fn key(scopes: Scopes) -> ApiKey {
        ApiKey {
            id: ApiKeyId::new_random(),
            user_id: UserId::new_random(),
            owner_kind: OwnerKind::User,
            name: "ci".into(),
            created_at: chrono::Utc::now(),
            last_used_at: None,
            last_used_ip: None,
            status: Status::Active,
            expires_at: None,
            previous_secret_valid_until: None,
            scopes,
            restrictions: Restrictions::default(),
            minted: None,
        }
    }

    #[test]
    fn a_key_moves_only_where_it_keeps_what_it_can_do() {
        let full = key(Scopes::Full);
        assert!(keeps_its_power(&full, Role::User, Role::User));
        assert!(!keeps_its_power(&full, Role::User, Role::Admin), "a user's full access would gain users:write");
        assert!(!keeps_its_power(&full, Role::Admin, Role::User), "an administrator's full access would lose users:write");
        let reader = key(Scopes::read_only());
        assert!(keeps_its_power(&reader, Role::Admin, Role::User));
        let writer = key(Scopes::from_list(Some(&[Permission::UsersWrite])).unwrap());
        assert!(!keeps_its_power(&writer, Role::Admin, Role::User));
        assert!(keeps_its_power(&writer, Role::User, Role::User), "it could not write users before either");
        assert!(keeps_its_power(&reader, Role::User, Role::Admin));
    }
}
