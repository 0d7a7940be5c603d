//! "Test a token": why is a job refused? A pasted token held against one rule: its claims
//! (even when refused), whether its signature, issuer, times and audience pass, and each
//! condition. Nothing is minted and its `jti` is not spent: the token stays usable.

use serde_json::{Map, Value};
use sesame_core::trust::{check_conditions, ConditionCheck, TrustRule, TrustRules};

use crate::token::{claim_texts, Rejected, TokenChecker};

/// The `iss` a token names, unchecked.
fn unverified_issuer(token: &str) -> Option<String> {
    crate::token::unverified_claims(token).ok()?.get("iss").and_then(Value::as_str).map(str::to_owned)
}

pub struct TokenTest {
    /// Whether the exchange would mint a key for this token with this rule (its `jti` aside).
    pub would_mint: bool,
    /// Why the token itself was refused (signature, issuer, times, audience…), if it was.
    pub refused: Option<&'static str>,
    /// The token's claims as it carries them, unverified when it was refused.
    pub claims: Map<String, Value>,
    /// Each condition of the rule, held against the token.
    pub conditions: Vec<ConditionCheck>,
}

impl TokenChecker {
    pub async fn test(&self, rules: &TrustRules, rule: &TrustRule, token: &str) -> TokenTest {
        // A token from another issuer is answered before anything is checked or fetched: the
        // test must not tell which issuers other accounts' rules trust.
        let claimed_issuer = unverified_issuer(token);
        if claimed_issuer.as_deref() != Some(rule.issuer.as_str()) {
            let claims = crate::token::unverified_claims(token).unwrap_or_default();
            let texts = claim_texts(&claims);
            let conditions = check_conditions(&rule.conditions, |name| texts.get(name).cloned());
            let refused = if claimed_issuer.is_some() { Rejected::OtherIssuer } else { Rejected::Malformed }.as_str();
            return TokenTest { would_mint: false, refused: Some(refused), claims, conditions };
        }
        let inspection = self.inspect(rules, token).await;
        let texts = claim_texts(&inspection.claims);
        let conditions = check_conditions(&rule.conditions, |name| texts.get(name).cloned());
        let refused = match &inspection.outcome {
            Err(rejected) => Some(rejected.as_str()),
            Ok(token) if token.issuer != rule.issuer => Some(Rejected::OtherIssuer.as_str()),
            Ok(token) if token.audience != rule.audience => Some(Rejected::OtherAudience.as_str()),
            Ok(_) => None,
        };
        let would_mint = refused.is_none() && conditions.iter().all(ConditionCheck::matched);
        TokenTest { would_mint, refused, claims: inspection.claims, conditions }
    }
}
