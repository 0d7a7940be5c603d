//! The exchange (RFC 8693): a CI job's token, its signature and times already checked by the
//! server, held against the rules that trust its issuer; the first rule it satisfies mints a
//! key of that rule's service account. A refusal tells the job nothing but `invalid_grant`;
//! why it was refused goes to the account's activity, at most once a minute per rule and
//! reason on each node (a burst of bad tokens writes one event, not thousands).

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
    time::Duration,
};

use chrono::{DateTime, TimeDelta, Utc};
use sesame_model::{Permission, Scopes, Status};

use super::{
    rule::{check_conditions, ConditionCheck},
    TrustRule, TrustRules, MAX_LIVE_MINTED_KEYS,
};
use crate::{
    actor::{Boundary, Client},
    audit::{self, About},
    invalidation,
    key::ApiKeySecret,
    model::{ApiKey, EventKind, Minted, Party, TrustRuleId, UserId},
    names::KeyName,
    store::{self, keys::Restricted, StoreError},
};

/// A token whose signature, issuer, audience count and times the server checked.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub issuer: String,
    /// Its one audience.
    pub audience: String,
    pub subject: String,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
    /// Its claims with a text value (strings as they are, numbers and booleans as JSON
    /// writes them): what conditions are held against.
    pub claims: BTreeMap<String, String>,
}

/// A key minted for a token: its secret is shown once, to the job.
#[derive(Debug)]
pub struct MintedKey {
    pub key: ApiKey,
    pub secret: ApiKeySecret,
    pub rule: TrustRuleId,
}

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The token was refused; why is in the activity of the accounts whose rules it was
    /// held against, never in the answer.
    #[error("invalid_grant")]
    InvalidGrant,
    /// The scope asked for is not within the rule's.
    #[error("invalid_scope")]
    InvalidScope,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ExchangeError {
    fn is_deadlock(&self) -> bool {
        matches!(self, ExchangeError::Store(error) if error.is_deadlock())
    }
}

/// How long a spent token's `jti` is kept past the token's expiry: longer than any node's
/// leeway (30 seconds) plus the clocks' difference, so that no node accepts it again.
pub const SPENT_TOKENS_KEPT: TimeDelta = TimeDelta::minutes(10);

/// Which (rule, kind of reason) pairs were written to the activity in the last minute, on
/// this node: a few fixed kinds per rule, whatever the tokens say.
#[derive(Clone)]
pub struct Refusals(Arc<moka::sync::Cache<(TrustRuleId, String), ()>>);

impl Default for Refusals {
    fn default() -> Self {
        Self(Arc::new(moka::sync::Cache::builder().max_capacity(10_000).time_to_live(Duration::from_secs(60)).build()))
    }
}

impl Refusals {
    /// Whether this reason about this rule is news this minute (and now it is not).
    fn first_this_minute(&self, rule: TrustRuleId, kind: &str) -> bool {
        let entry = self.0.entry((rule, kind.to_owned())).or_insert(());
        entry.is_fresh()
    }
}

use crate::audit::DETAIL_CHARS;

/// A rule named in an event's detail: the first 8 characters of its id (as the console
/// shows it), leaving the detail's room to the reason.
pub fn short_id(rule: TrustRuleId) -> String {
    rule.to_string()[..8].to_owned()
}

/// `text` cut to fit an event's detail.
pub(super) fn shortened(text: &str) -> String {
    if text.chars().count() <= DETAIL_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(DETAIL_CHARS - 1).collect();
    cut.push('…');
    cut
}

impl TrustRules {
    /// Whether some rule trusts `issuer`: the server fetches signing keys from no other
    /// (an unknown token's `iss` must not make it call anywhere).
    pub async fn is_trusted_issuer(&self, issuer: &str) -> Result<bool, StoreError> {
        store::trust_rules::is_trusted_issuer(&mut *self.store.read().await?, issuer).await
    }

    /// A token from a trusted issuer failed the server's checks (`reason`: bad signature,
    /// expired…): said in the activity of the accounts whose rules it claims to be for —
    /// one of its (unverified) audiences, and the job their immutable ids pin.
    pub async fn refused(&self, client: &Client, claimed: &ClaimedToken, reason: &'static str) -> Result<(), StoreError> {
        let rules = store::trust_rules::of_issuer(&mut *self.store.read().await?, &claimed.issuer).await?;
        let meant: Vec<TrustRule> =
            rules.into_iter().filter(|rule| claimed.audiences.contains(&rule.audience) && pins(rule, &claimed.claims)).collect();
        self.record_refusals(client, &meant, |_| (reason.to_owned(), reason.to_owned())).await
    }

    /// Mints a key for the token with the one rule that trusts its issuer and audience and
    /// whose every condition holds (the oldest of an account's, if several); `scope`, if
    /// asked, must be within the rule's. Rules of several accounts matching is refused: the
    /// job would land in whichever account came first (a repository's id is public), so
    /// each must give its rule an audience of its own. The token's `jti` is spent on every
    /// node.
    pub async fn exchange(&self, client: &Client, token: VerifiedToken, scope: Option<Vec<Permission>>) -> Result<MintedKey, ExchangeError> {
        let candidates = store::trust_rules::of_issuer(&mut *self.store.read().await?, &token.issuer).await?;
        // The rules whose job this is (their immutable ids hold): the only ones told why.
        let theirs: Vec<TrustRule> = candidates.into_iter().filter(|rule| pins(rule, &token.claims)).collect();
        let matching: Vec<&TrustRule> = theirs.iter().filter(|rule| holds(rule, &token)).collect();
        let accounts: BTreeSet<UserId> = matching.iter().map(|rule| rule.service_account_id).collect();
        if accounts.len() > 1 {
            let several = "rules of several service accounts match";
            let matching: Vec<TrustRule> = matching.into_iter().cloned().collect();
            self.record_refusals(client, &matching, |_| (several.to_owned(), several.to_owned())).await?;
            return Err(ExchangeError::InvalidGrant);
        }
        let Some(rule) = matching.first() else {
            self.record_refusals(client, &theirs, |rule| why_not(rule, &token)).await?;
            return Err(ExchangeError::InvalidGrant);
        };
        let asked = scope.map(|asked| Scopes::from_list(Some(asked.as_slice())).map_err(|_| ExchangeError::InvalidScope)).transpose()?;
        if asked.is_some_and(|asked| !asked.fits_in(rule.scopes)) {
            let beyond = "scope beyond the rule's";
            self.record_refusals(client, std::slice::from_ref(*rule), |_| (beyond.to_owned(), beyond.to_owned())).await?;
            return Err(ExchangeError::InvalidScope);
        }
        let (rules, task_client, rule_id) = (self.clone(), client.clone(), rule.id);
        let outcome = invalidation::run_to_completion(async move {
            invalidation::retrying_deadlocks(ExchangeError::is_deadlock, || rules.mint(&task_client, &token, rule_id, asked)).await
        })
        .await?;
        match outcome {
            Outcome::Minted(key) => Ok(*key),
            Outcome::Refused(rule, reason) => {
                self.record_refusals(client, std::slice::from_ref(&rule), |_| (reason.to_owned(), reason.to_owned())).await?;
                Err(ExchangeError::InvalidGrant)
            }
        }
    }

    /// The key itself, in one transaction: the rule held (a change or deletion waits, then
    /// ends this key) and held against the token again as it now is, the `jti` spent, the
    /// key made, the event written.
    async fn mint(&self, client: &Client, token: &VerifiedToken, rule_id: TrustRuleId, asked: Option<Scopes>) -> Result<Outcome, ExchangeError> {
        let mut tx = self.store.write().await?;
        let now = tx.now();
        let lock = tx.share_lock();
        // Changed or deleted since it was read: what was checked no longer stands.
        let Some(rule) = store::trust_rules::find_any(tx.conn(), rule_id, lock).await? else {
            return Err(ExchangeError::InvalidGrant);
        };
        if !holds(&rule, token) || asked.is_some_and(|asked| !asked.fits_in(rule.scopes)) {
            return Err(ExchangeError::InvalidGrant);
        }
        let Some(account) = store::users::by_id(tx.conn(), rule.service_account_id).await?.filter(|account| account.status == Status::Active) else {
            return Err(ExchangeError::InvalidGrant);
        };
        if store::trust_rules::hold_live_minted_count(&mut tx, account.id, now).await? >= MAX_LIVE_MINTED_KEYS {
            return Ok(Outcome::Refused(rule, "too many live minted keys"));
        }
        let keep_until = token.expires_at + SPENT_TOKENS_KEPT;
        if !store::trust_rules::spend_token(tx.conn(), &token.issuer, &token.jti, keep_until).await? {
            return Ok(Outcome::Refused(rule, "token already exchanged (jti replayed)"));
        }
        let expires_at = (now + rule.lifetime).min(token.expires_at);
        let secret = ApiKeySecret::generate();
        let name = KeyName::random_default();
        let restricted = Restricted { scopes: asked.unwrap_or(rule.scopes), restrictions: rule.restrictions.clone(), family: None };
        let minted = Minted { rule: rule.id, subject: token.subject.chars().take(256).collect() };
        let lifetime = store::keys::Lifetime { now, expires_at: Some(expires_at), minted: Some(&minted) };
        let key = store::keys::insert(tx.conn(), account.id, &name, &secret.hash(), lifetime, restricted).await?;
        let detail = shortened(&format!("rule {} for {}", short_id(rule.id), token.subject));
        let about = About { subject: Some(Party::from(&account)), key: Some((&key).into()), detail: Some(detail) };
        let event = audit::event_in(account.organization_id, EventKind::KeyMinted, None, client, about);
        audit::commit(tx, &[event], Boundary::Api).await?;
        Ok(Outcome::Minted(Box::new(MintedKey { key, secret, rule: rule.id })))
    }

    /// Tells each rule's account why a token was refused, at most once a minute per rule and
    /// kind of reason on this node: `reason` gives the kind (a few fixed words) and the
    /// detail.
    async fn record_refusals(&self, client: &Client, rules: &[TrustRule], reason: impl Fn(&TrustRule) -> (String, String)) -> Result<(), StoreError> {
        let mut events = Vec::new();
        let mut tx = None;
        for rule in rules {
            let (kind, detail) = reason(rule);
            if !self.refusals.first_this_minute(rule.id, &kind) {
                continue;
            }
            let tx = match &mut tx {
                Some(tx) => tx,
                None => tx.insert(self.store.write().await?),
            };
            let Some(account) = store::users::by_id(tx.conn(), rule.service_account_id).await? else { continue };
            let detail = shortened(&format!("rule {}: {detail}", short_id(rule.id)));
            let about = About { subject: Some(Party::from(&account)), detail: Some(detail), ..About::default() };
            events.push(audit::event_in(account.organization_id, EventKind::TokenExchangeRefused, None, client, about));
        }
        match tx {
            Some(tx) => audit::commit(tx, &events, Boundary::Api).await,
            None => Ok(()),
        }
    }

    /// Forgets the tokens spent long enough ago that no node accepts them any more (call
    /// now and then).
    pub(crate) async fn forget_spent_tokens(&self) -> Result<u64, StoreError> {
        let mut tx = self.store.write().await?;
        let now = tx.now();
        let forgotten = store::trust_rules::forget_spent_tokens(tx.conn(), now).await?;
        tx.commit().await?;
        Ok(forgotten)
    }
}

/// What a refused token says about itself, unverified: where to tell about the refusal.
#[derive(Debug, Clone, Default)]
pub struct ClaimedToken {
    pub issuer: String,
    pub audiences: Vec<String>,
    /// Its claims with a text value, as [`VerifiedToken::claims`].
    pub claims: BTreeMap<String, String>,
}

/// Whether the rule's conditions on its provider's immutable ids hold for these claims: the
/// job is one the rule's account pinned (another repository's job is not its business).
fn pins(rule: &TrustRule, claims: &BTreeMap<String, String>) -> bool {
    let immutable = rule.provider.immutable_claims();
    rule.conditions.iter().filter(|(claim, _)| immutable.contains(&claim.as_str())).all(|(claim, expected)| claims.get(claim) == Some(expected))
}

/// Whether the rule trusts this token: its issuer and audience, and every condition.
fn holds(rule: &TrustRule, token: &VerifiedToken) -> bool {
    rule.issuer == token.issuer
        && rule.audience == token.audience
        && check_conditions(&rule.conditions, |name| token.claims.get(name).cloned()).iter().all(ConditionCheck::matched)
}

/// What the mint found.
enum Outcome {
    Minted(Box<MintedKey>),
    /// Refused for a reason the account's activity is told.
    Refused(TrustRule, &'static str),
}

/// Why the rule does not trust a token of its job: the audience, or the first condition
/// that failed with what it expected and what the token said (the kind of reason, and the
/// detail).
fn why_not(rule: &TrustRule, token: &VerifiedToken) -> (String, String) {
    if rule.audience != token.audience {
        return ("audience".to_owned(), format!("audience expected {} got {}", rule.audience, token.audience));
    }
    let checks = check_conditions(&rule.conditions, |name| token.claims.get(name).cloned());
    match checks.iter().find(|check| !check.matched()) {
        Some(check) => (
            format!("condition {}", check.claim),
            format!("condition {} expected {} got {}", check.claim, check.expected, check.got.as_deref().unwrap_or("nothing")),
        ),
        None => ("unknown".to_owned(), "no condition failed".to_owned()),
    }
}
