//! "Test a token": why is a job refused? A pasted token held against one rule: its claims
//! (even when refused), whether its signature, issuer, times and audience pass, and each
//! condition. Nothing is minted and its `jti` is not spent: the token stays usable.

use serde_json::{Map, Value};
use sesame_core::trust::{check_conditions, ConditionCheck, TrustRule, TrustRules};

use crate::token::{claim_texts, TokenChecker};

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
        let inspection = self.inspect(rules, token).await;
        let texts = claim_texts(&inspection.claims);
        let conditions = check_conditions(&rule.conditions, |name| texts.get(name).cloned());
        let refused = match &inspection.outcome {
            Err(rejected) => Some(rejected.reason()),
            Ok(token) if token.issuer != rule.issuer => Some("issued by another issuer"),
            Ok(token) if token.audience != rule.audience => Some("meant for another audience"),
            Ok(_) => None,
        };
        let would_mint = refused.is_none() && conditions.iter().all(ConditionCheck::matched);
        TokenTest { would_mint, refused, claims: inspection.claims, conditions }
    }
}
