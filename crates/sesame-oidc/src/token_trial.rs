//! "Test a token": why is a job refused? A pasted token held against one rule: its claims
//! (even when refused), whether its signature, issuer, times and audience pass, and each
//! condition. Nothing is minted and its `jti` is not spent: the token stays usable.

use serde_json::{Map, Value};
use sesame_core::trust::{check_conditions, ConditionCheck, TrustRule, TrustRules};

use crate::token::{claim_texts, unverified_claims, Rejected, TokenChecker};

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
        // Read once, unchecked: shown whatever the verdict.
        let claims = unverified_claims(token).unwrap_or_default();
        let claimed_issuer = claims.get("iss").and_then(Value::as_str);
        // A token from another issuer is answered before anything is checked or fetched: the
        // test must not tell which issuers other accounts' rules trust.
        let refused = if claimed_issuer != Some(rule.issuer.as_str()) {
            Some(if claimed_issuer.is_some() { Rejected::OtherIssuer } else { Rejected::Malformed })
        } else {
            match self.verify(rules, token, &claims).await {
                Err(rejected) => Some(rejected),
                Ok(verified) if verified.audience != rule.audience => Some(Rejected::OtherAudience),
                Ok(_) => None,
            }
        };
        let texts = claim_texts(&claims);
        let conditions = check_conditions(&rule.conditions, |name| texts.get(name).cloned());
        let would_mint = refused.is_none() && conditions.iter().all(ConditionCheck::matched);
        TokenTest { would_mint, refused: refused.map(Rejected::as_str), claims, conditions }
    }
}
