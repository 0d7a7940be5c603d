//! Keyless CI: trust rules on a service account say which CI jobs may trade the OIDC token
//! their platform signs for a key of the account that lives minutes. [`rule`] holds what a
//! rule is and how a token's claims are held against it; this room makes, lists, changes and
//! deletes rules ([`TrustRules`]); [`exchange`] mints the keys. Checking a token's signature
//! and times is the server's job (it fetches the issuers' signing keys): the core receives a
//! [`VerifiedToken`].
//!
//! The rules:
//! - managing a service account's rules is managing its keys: its managers and the
//!   administrators, with `api_keys:read` to read and `api_keys:write` to change; a rule
//!   grants no more than the credential making it may (its scopes, allow-list and rate
//!   limit, and it never expires: a key that expires makes no rule);
//! - a service account has at most [`MAX_RULES_PER_ACCOUNT`] rules;
//! - changing or deleting a rule ends every key it minted, on every node, before the call
//!   returns (any change, not only a narrowing: what a rule minted was minted under the rule
//!   as it was).

mod exchange;
pub mod rule;

use std::collections::BTreeMap;

use chrono::TimeDelta;
use sesame_model::{AddressListError, NoPermission, Permission};

pub use exchange::{ClaimedToken, ExchangeError, MintedKey, Refusals, VerifiedToken, SPENT_TOKENS_KEPT};
pub use crate::model::TrustRule;
pub use sesame_model::TokenRefusal;
pub use rule::{check_conditions, ClaimText, ConditionCheck, Provider, RuleDraft, RuleError, DEFAULT_LIFETIME, MAX_LIFETIME};

use crate::{
    actor::Actor,
    audit::{self, About},
    door::{self, Door},
    invalidation::{self, announce, Invalidation},
    model::{AllowedAddresses, EventKind, KeyRateLimit, Operation, Party, Restrictions, Scopes, TrustRuleId, User, UserId},
    rights::{Reach, Refusal},
    store::{self, Store, StoreError, Tx},
};

/// The most rules one service account has.
pub const MAX_RULES_PER_ACCOUNT: u64 = 50;
/// The most keys minted for one service account that have not expired yet.
pub const MAX_LIVE_MINTED_KEYS: u64 = 10_000;
/// How long an expired minted key stays listed (with its use) before it is forgotten.
pub const EXPIRED_MINTED_KEYS_KEPT: TimeDelta = TimeDelta::days(1);

/// What a rule is made with, as the API sends it.
#[derive(Debug, Clone, Default)]
pub struct NewTrustRule {
    /// None: guessed from the issuer ([`Provider::of_issuer`]).
    pub provider: Option<Provider>,
    pub issuer: String,
    pub audience: String,
    pub conditions: BTreeMap<String, String>,
    /// None: full access (within the account's role).
    pub scopes: Option<Vec<Permission>>,
    /// None or empty: anywhere.
    pub allowed_addresses: Option<Vec<String>>,
    pub rate_limit: Option<KeyRateLimit>,
    /// None: [`DEFAULT_LIFETIME`].
    pub lifetime: Option<TimeDelta>,
}

/// What to change of a rule; at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustRuleChange {
    pub provider: Option<Provider>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// The whole new set.
    pub conditions: Option<BTreeMap<String, String>>,
    /// `Some(None)`: full access.
    pub scopes: Option<Option<Vec<Permission>>>,
    pub allowed_addresses: Option<Vec<String>>,
    /// `Some(None)`: no limit of its own.
    pub rate_limit: Option<Option<KeyRateLimit>>,
    pub lifetime: Option<TimeDelta>,
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Unknown, elsewhere, or not managed by the caller: all alike.
    #[error("no such service account")]
    AccountNotFound,
    #[error("no such trust rule")]
    NotFound,
    #[error("{0}")]
    Invalid(RuleError),
    #[error("{0}")]
    InvalidScopes(NoPermission),
    #[error("{0}")]
    InvalidAllowList(AddressListError),
    #[error("nothing to change")]
    NothingToChange,
    #[error("a service account has at most {MAX_RULES_PER_ACCOUNT} trust rules")]
    TooManyRules,
    #[error("the credentials are no longer valid")]
    Unauthenticated,
    #[error(transparent)]
    Store(StoreError),
}

door::from_denied!(TrustError);

impl From<StoreError> for TrustError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => TrustError::NotFound,
            other => TrustError::Store(other),
        }
    }
}

impl TrustError {
    fn is_deadlock(&self) -> bool {
        matches!(self, TrustError::Store(error) if error.is_deadlock())
    }
}

#[derive(Clone)]
pub struct TrustRules {
    store: Store,
    door: Door,
    invalidation: Invalidation,
    /// The operator allows `http://` issuers (a test issuer on this machine).
    insecure_issuers: bool,
    refusals: Refusals,
}

impl TrustRules {
    pub(crate) fn new(store: Store, door: Door, invalidation: Invalidation, insecure_issuers: bool) -> Self {
        Self { store, door, invalidation, insecure_issuers, refusals: Refusals::default() }
    }

    /// Whether the operator lets rules trust `http://` issuers.
    pub fn allows_insecure_issuers(&self) -> bool {
        self.insecure_issuers
    }

    pub async fn create(&self, actor: &Actor, account: UserId, new: NewTrustRule) -> Result<TrustRule, TrustError> {
        self.door.require(actor, Operation::CreateTrustRule)?;
        let provider = new.provider.unwrap_or_else(|| Provider::of_issuer(&new.issuer));
        let draft = RuleDraft { provider, issuer: new.issuer, audience: new.audience, conditions: new.conditions, lifetime: new.lifetime };
        let checked = draft.check(self.insecure_issuers).map_err(TrustError::Invalid)?;
        let scopes = Scopes::from_list(new.scopes.as_deref()).map_err(TrustError::InvalidScopes)?;
        let allowed_addresses = AllowedAddresses::parse(new.allowed_addresses.as_deref().unwrap_or_default()).map_err(TrustError::InvalidAllowList)?;
        let restrictions = Restrictions { allowed_addresses, rate_limit: new.rate_limit };
        self.door.may_manage(actor, Reach { scopes, restrictions: &restrictions, expires_at: None })?;
        let mut tx = self.store.write().await?;
        let (owner, now) = (managed_account(&mut tx, actor, account, Operation::CreateTrustRule).await?, tx.now());
        if store::trust_rules::count_of_account(tx.conn(), owner.id).await? >= MAX_RULES_PER_ACCOUNT {
            return Err(TrustError::TooManyRules);
        }
        let rule = TrustRule {
            id: TrustRuleId::new_random(),
            service_account_id: owner.id,
            provider: checked.provider,
            issuer: checked.issuer,
            audience: checked.audience,
            conditions: checked.conditions,
            scopes,
            restrictions,
            lifetime: checked.lifetime,
            created_at: now,
        };
        store::trust_rules::insert(tx.conn(), &rule).await?;
        let event = audit::event(EventKind::TrustRuleCreated, actor, about(&owner, &rule));
        audit::commit(tx, &[event], actor.via.boundary()).await?;
        Ok(rule)
    }

    /// The account's rules, oldest first.
    pub async fn list(&self, actor: &Actor, account: UserId) -> Result<Vec<TrustRule>, TrustError> {
        self.door.require(actor, Operation::ListTrustRules)?;
        let mut conn = self.store.read().await?;
        visible_account(&mut conn, actor, account).await?;
        Ok(store::trust_rules::of_account(&mut conn, account).await?)
    }

    pub async fn get(&self, actor: &Actor, account: UserId, id: TrustRuleId) -> Result<TrustRule, TrustError> {
        self.read_one(actor, account, id, Operation::GetTrustRule).await
    }

    /// The rule a pasted token is to be held against ("Test a token"): nothing is minted.
    pub async fn to_test(&self, actor: &Actor, account: UserId, id: TrustRuleId) -> Result<TrustRule, TrustError> {
        self.read_one(actor, account, id, Operation::TestTrustRule).await
    }

    async fn read_one(&self, actor: &Actor, account: UserId, id: TrustRuleId, operation: Operation) -> Result<TrustRule, TrustError> {
        self.door.require(actor, operation)?;
        let mut conn = self.store.read().await?;
        visible_account(&mut conn, actor, account).await?;
        store::trust_rules::find(&mut conn, account, id, "").await?.ok_or(TrustError::NotFound)
    }

    /// Changes the rule; every key it minted ends, on every node, before this returns.
    pub async fn update(&self, actor: &Actor, account: UserId, id: TrustRuleId, change: TrustRuleChange) -> Result<TrustRule, TrustError> {
        self.door.require(actor, Operation::UpdateTrustRule)?;
        if change == TrustRuleChange::default() {
            return Err(TrustError::NothingToChange);
        }
        let change = ReadRuleChange::read(change, self.insecure_issuers)?;
        self.end_minted_keys(actor, account, id, Operation::UpdateTrustRule, move |before| change.apply(before)).await
    }

    /// Deletes the rule; every key it minted ends, on every node, before this returns.
    pub async fn delete(&self, actor: &Actor, account: UserId, id: TrustRuleId) -> Result<TrustRule, TrustError> {
        self.door.require(actor, Operation::DeleteTrustRule)?;
        self.end_minted_keys(actor, account, id, Operation::DeleteTrustRule, |_| Ok(None)).await
    }

    /// Replaces the rule by what `next` makes of it (none: deletes it) and ends the keys it
    /// minted, as one change run to its end (and again if PostgreSQL broke a deadlock).
    async fn end_minted_keys(
        &self,
        actor: &Actor,
        account: UserId,
        id: TrustRuleId,
        operation: Operation,
        next: impl Fn(&TrustRule) -> Result<Option<TrustRule>, RuleError> + Clone + Send + Sync + 'static,
    ) -> Result<TrustRule, TrustError> {
        let (rules, actor) = (self.clone(), actor.clone());
        invalidation::run_to_completion(async move {
            invalidation::run_change(TrustError::is_deadlock, move || {
                let (rules, actor, next) = (rules.clone(), actor.clone(), next.clone());
                async move { rules.replace_in_store(&actor, account, id, operation, next).await }
            })
            .await
        })
        .await
    }

    async fn replace_in_store(
        &self,
        actor: &Actor,
        account: UserId,
        id: TrustRuleId,
        operation: Operation,
        next: impl Fn(&TrustRule) -> Result<Option<TrustRule>, RuleError>,
    ) -> Result<TrustRule, TrustError> {
        let mut tx = self.store.write().await?;
        // The minted keys and the actor's own key first, in id order (the order every key
        // change takes), then the rule: an exchange holds the rule while it mints, so the
        // keys read again once the rule is held include any it just made.
        let mut keys = store::trust_rules::minted_key_ids(tx.conn(), id).await?;
        keys.extend(actor.key_id());
        let lock = tx.update_lock();
        store::key_access::lock_in_id_order(tx.conn(), &keys, lock).await?;
        let owner = managed_account(&mut tx, actor, account, operation).await?;
        let lock = tx.update_lock();
        let before = store::trust_rules::find(tx.conn(), account, id, lock).await?.ok_or(TrustError::NotFound)?;
        let after = next(&before).map_err(TrustError::Invalid)?;
        if let Some(after) = &after {
            self.door.may_manage(actor, Reach { scopes: after.scopes, restrictions: &after.restrictions, expires_at: None })?;
        }
        let minted = store::trust_rules::lock_minted(tx.conn(), id, lock).await?;
        let mut hashes = Vec::new();
        for stored in &minted {
            store::keys::delete_any(tx.conn(), stored.key.id).await?;
            hashes.extend(stored.hashes().copied());
        }
        let forgotten = announce(&mut tx, &hashes).await?;
        let (kind, rule) = match after {
            Some(after) => {
                store::trust_rules::save(tx.conn(), &after).await?;
                (EventKind::TrustRuleChanged, after)
            }
            None => {
                store::trust_rules::delete(tx.conn(), id).await?;
                (EventKind::TrustRuleDeleted, before)
            }
        };
        let event = audit::event(kind, actor, about(&owner, &rule));
        self.invalidation.commit_and_forget(tx, &[event], actor.via.boundary(), &forgotten).await?;
        Ok(rule)
    }
}

/// A change as sent, its lists read (a malformed one is bad input whoever sends it).
#[derive(Clone)]
struct ReadRuleChange {
    provider: Option<Provider>,
    issuer: Option<String>,
    audience: Option<String>,
    conditions: Option<BTreeMap<String, String>>,
    scopes: Option<Scopes>,
    allowed_addresses: Option<AllowedAddresses>,
    rate_limit: Option<Option<KeyRateLimit>>,
    lifetime: Option<TimeDelta>,
    insecure_issuers: bool,
}

impl ReadRuleChange {
    fn read(change: TrustRuleChange, insecure_issuers: bool) -> Result<Self, TrustError> {
        let scopes = change.scopes.map(|list| Scopes::from_list(list.as_deref())).transpose().map_err(TrustError::InvalidScopes)?;
        let allowed_addresses = change.allowed_addresses.map(|list| AllowedAddresses::parse(&list)).transpose().map_err(TrustError::InvalidAllowList)?;
        Ok(Self {
            provider: change.provider,
            issuer: change.issuer,
            audience: change.audience,
            conditions: change.conditions,
            scopes,
            allowed_addresses,
            rate_limit: change.rate_limit,
            lifetime: change.lifetime,
            insecure_issuers,
        })
    }

    /// The rule as changed, checked whole again (a new issuer must still be pinned by its
    /// conditions).
    fn apply(&self, before: &TrustRule) -> Result<Option<TrustRule>, RuleError> {
        let issuer = self.issuer.clone().unwrap_or_else(|| before.issuer.clone());
        // A new issuer names its provider when it can (GitHub's, gitlab.com); any other keeps
        // the rule's (a self-managed GitLab moved to a new host is still GitLab).
        let guessed = self.issuer.as_ref().map(|_| Provider::of_issuer(&issuer)).filter(|guessed| *guessed != Provider::Other);
        let provider = self.provider.or(guessed).unwrap_or(before.provider);
        let draft = RuleDraft {
            provider,
            issuer,
            audience: self.audience.clone().unwrap_or_else(|| before.audience.clone()),
            conditions: self.conditions.clone().unwrap_or_else(|| before.conditions.clone()),
            lifetime: Some(self.lifetime.unwrap_or(before.lifetime)),
        };
        let checked = draft.check(self.insecure_issuers)?;
        Ok(Some(TrustRule {
            provider: checked.provider,
            issuer: checked.issuer,
            audience: checked.audience,
            conditions: checked.conditions,
            lifetime: checked.lifetime,
            scopes: self.scopes.unwrap_or(before.scopes),
            restrictions: Restrictions {
                allowed_addresses: self.allowed_addresses.clone().unwrap_or_else(|| before.restrictions.allowed_addresses.clone()),
                rate_limit: self.rate_limit.unwrap_or(before.restrictions.rate_limit),
            },
            ..before.clone()
        }))
    }
}

/// Checks the actor again inside the change and finds the account they manage, its row held
/// until commit.
async fn managed_account(tx: &mut Tx, actor: &Actor, account: UserId, operation: Operation) -> Result<User, TrustError> {
    let maker = door::reauthorize(tx, actor, operation).await?;
    let lock = tx.share_lock();
    store::service_accounts::owner_managed(tx.conn(), maker.id, account, lock).await?.ok_or(TrustError::AccountNotFound)
}

async fn visible_account(conn: &mut sqlx::AnyConnection, actor: &Actor, account: UserId) -> Result<(), TrustError> {
    store::service_accounts::owner_managed(conn, actor.user.id, account, "").await?.map(|_| ()).ok_or(TrustError::AccountNotFound)
}

/// An event about a rule: it concerns the account; its detail is the rule's issuer.
fn about(account: &User, rule: &TrustRule) -> About {
    About { subject: Some(Party::from(account)), ..About::default() }.with_detail(exchange::shortened(&rule.issuer))
}
