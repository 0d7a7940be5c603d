//! The exchange (RFC 8693): a CI job's token, its signature and times already checked by the
//! server, held against the rules that trust its issuer; the first rule it satisfies mints a
//! key of that rule's service account. A refusal tells the job nothing but `invalid_grant`;
//! why it was refused goes to the account's activity, at most once a minute per rule and
//! reason on each node (a burst of bad tokens writes one event, not thousands).

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use sesame_model::{Permission, Scopes};

use super::{rule::check_conditions, TrustRule, TrustRules, MAX_LIVE_MINTED_KEYS};
use crate::{
    actor::{Boundary, Client},
    audit::{self, About},
    invalidation,
    key::ApiKeySecret,
    model::{ApiKey, EventKind, Minted, Party, TrustRuleId},
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

/// Which (rule, reason) pairs were written to the activity in the last minute, on this node.
#[derive(Clone)]
pub struct Refusals(Arc<moka::sync::Cache<(TrustRuleId, String), ()>>);

impl Default for Refusals {
    fn default() -> Self {
        Self(Arc::new(moka::sync::Cache::builder().max_capacity(10_000).time_to_live(Duration::from_secs(60)).build()))
    }
}

impl Refusals {
    /// Whether this reason about this rule is news this minute (and now it is not).
    fn first_this_minute(&self, rule: TrustRuleId, reason: &str) -> bool {
        let entry = self.0.entry((rule, reason.to_owned())).or_insert(());
        entry.is_fresh()
    }
}

/// An event's detail holds at most this many characters.
const DETAIL_CHARS: usize = 100;

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
    /// expired…): said in the activity of the accounts whose rules trust the issuer with
    /// one of the token's (unverified) audiences.
    pub async fn refused(&self, client: &Client, issuer: &str, audiences: &[String], reason: &str) -> Result<(), StoreError> {
        let mut conn = self.store.read().await?;
        let rules = store::trust_rules::of_issuer(&mut conn, issuer).await?;
        drop(conn);
        let rules: Vec<TrustRule> = rules.into_iter().filter(|rule| audiences.contains(&rule.audience)).collect();
        self.record_refusals(client, &rules, |_| reason.to_owned()).await
    }

    /// Mints a key for the token with the first rule (oldest first) that trusts its issuer
    /// and audience and whose every condition holds; `scope`, if asked, must be within the
    /// rule's. The token's `jti` is spent on every node.
    pub async fn exchange(&self, client: &Client, token: VerifiedToken, scope: Option<Vec<Permission>>) -> Result<MintedKey, ExchangeError> {
        let candidates = {
            let mut conn = self.store.read().await?;
            store::trust_rules::of_issuer(&mut conn, &token.issuer).await?
        };
        let for_audience: Vec<&TrustRule> = candidates.iter().filter(|rule| rule.audience == token.audience).collect();
        let claim = |name: &str| token.claims.get(name).cloned();
        let Some(rule) = for_audience.iter().find(|rule| check_conditions(&rule.conditions, claim).iter().all(|check| check.matched())) else {
            let refused: Vec<TrustRule> = if for_audience.is_empty() { candidates.clone() } else { for_audience.into_iter().cloned().collect() };
            self.record_refusals(client, &refused, |rule| why_not(rule, &token)).await?;
            return Err(ExchangeError::InvalidGrant);
        };
        let scopes = match scope {
            None => rule.scopes,
            Some(asked) => {
                let asked = Scopes::from_list(Some(asked.as_slice())).map_err(|_| ExchangeError::InvalidScope)?;
                if !asked.fits_in(rule.scopes) {
                    self.record_refusals(client, std::slice::from_ref(*rule), |_| "scope beyond the rule's".to_owned()).await?;
                    return Err(ExchangeError::InvalidScope);
                }
                asked
            }
        };
        let (rules, task_client, rule_id) = (self.clone(), client.clone(), rule.id);
        let outcome = invalidation::run_to_completion(async move {
            invalidation::retrying_deadlocks(ExchangeError::is_deadlock, || rules.mint(&task_client, &token, rule_id, scopes)).await
        })
        .await?;
        match outcome {
            Outcome::Minted(key) => Ok(*key),
            Outcome::Refused(rule, reason) => {
                self.record_refusals(client, std::slice::from_ref(&rule), |_| reason.to_owned()).await?;
                Err(ExchangeError::InvalidGrant)
            }
        }
    }

    /// The key itself, in one transaction: the rule held (a change or deletion waits, then
    /// ends this key), the `jti` spent, the key made, the event written.
    async fn mint(&self, client: &Client, token: &VerifiedToken, rule_id: TrustRuleId, scopes: Scopes) -> Result<Outcome, ExchangeError> {
        let mut tx = self.store.write().await?;
        let now = tx.now();
        let lock = tx.share_lock();
        // Changed or deleted since it was read: the job asks again and meets the rule as it
        // now is.
        let Some(rule) = store::trust_rules::find_any(tx.conn(), rule_id, lock).await? else {
            return Err(ExchangeError::InvalidGrant);
        };
        if store::trust_rules::live_minted_count(tx.conn(), rule.service_account_id, now).await? >= MAX_LIVE_MINTED_KEYS {
            return Ok(Outcome::Refused(rule, "too many live minted keys"));
        }
        if !store::trust_rules::record_token_use(tx.conn(), &token.issuer, &token.jti, token.expires_at, now).await? {
            return Ok(Outcome::Refused(rule, "token already exchanged (jti replayed)"));
        }
        let Some(account) = store::users::by_id(tx.conn(), rule.service_account_id).await? else {
            return Err(ExchangeError::InvalidGrant);
        };
        let expires_at = (now + rule.lifetime).min(token.expires_at);
        let secret = ApiKeySecret::generate();
        let name = KeyName::random_default();
        let restricted = Restricted { scopes, restrictions: rule.restrictions.clone(), family: None };
        let minted = Minted { rule: rule.id, subject: token.subject.chars().take(256).collect() };
        let lifetime = store::keys::Lifetime { now, expires_at: Some(expires_at), minted: Some(&minted) };
        let key = store::keys::insert(tx.conn(), account.id, &name, &secret.hash(), lifetime, restricted).await?;
        let detail = shortened(&format!("rule {} for {}", short_id(rule.id), token.subject));
        let about = About { subject: Some(Party::from(&account)), key: Some((&key).into()), detail: Some(detail) };
        let event = audit::event_in(account.organization_id, EventKind::KeyMinted, None, client, about);
        audit::commit(tx, &[event], Boundary::Api).await?;
        Ok(Outcome::Minted(Box::new(MintedKey { key, secret, rule: rule.id })))
    }

    async fn record_refusals(&self, client: &Client, rules: &[TrustRule], reason: impl Fn(&TrustRule) -> String) -> Result<(), StoreError> {
        let mut events = Vec::new();
        let mut tx = None;
        for rule in rules {
            let reason = reason(rule);
            if !self.refusals.first_this_minute(rule.id, &reason) {
                continue;
            }
            let tx = match &mut tx {
                Some(tx) => tx,
                None => tx.insert(self.store.write().await?),
            };
            let Some(account) = store::users::by_id(tx.conn(), rule.service_account_id).await? else { continue };
            let detail = shortened(&format!("rule {}: {reason}", short_id(rule.id)));
            let about = About { subject: Some(Party::from(&account)), detail: Some(detail), ..About::default() };
            events.push(audit::event_in(account.organization_id, EventKind::TokenExchangeRefused, None, client, about));
        }
        match tx {
            Some(tx) => audit::commit(tx, &events, Boundary::Api).await,
            None => Ok(()),
        }
    }
}

/// What the mint found.
enum Outcome {
    Minted(Box<MintedKey>),
    /// Refused for a reason the account's activity is told.
    Refused(TrustRule, &'static str),
}

/// Why a token satisfies no rule of its audience (or matched no audience): the first
/// condition that failed, with what it expected and what the token said.
fn why_not(rule: &TrustRule, token: &VerifiedToken) -> String {
    if rule.audience != token.audience {
        return format!("audience expected {} got {}", rule.audience, token.audience);
    }
    let checks = check_conditions(&rule.conditions, |name| token.claims.get(name).cloned());
    match checks.iter().find(|check| !check.matched()) {
        Some(check) => format!("condition {} expected {} got {}", check.claim, check.expected, check.got.as_deref().unwrap_or("nothing")),
        None => "no condition failed".to_owned(),
    }
}
