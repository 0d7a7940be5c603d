//! What a trust rule is: which CI jobs may trade the OIDC token their platform
//! gives them for a short-lived key of a service account. This module holds what a rule is
//! and how a token's claims are held against it — pure logic, no network, no store — so
//! that the REST calls, the exchange and the console's "Test a token" box all apply the same
//! rule.
//!
//! The rules:
//! - the issuer is an `https://` URL (plain `http://` only when the operator allows it, for a
//!   local test issuer), with no query or fragment;
//! - a rule names its provider: GitHub Actions (its one issuer), GitLab (gitlab.com or a
//!   self-managed URL), Kubernetes (a cluster's issuer) or any other issuer;
//! - a rule has at least one condition on a claim that names the job's owner for good (an
//!   *immutable id*: GitHub's `repository_id` or `repository_owner_id`, GitLab's
//!   `project_id` or `namespace_id`, else `sub`): without one, anyone on that issuer could
//!   use it;
//! - conditions are exact values; a token's claim matches when its value, written as text
//!   (a number or a boolean as JSON writes it), is the expected value;
//! - the keys it mints live 15 minutes unless told, at most an hour.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use sesame_model::trust::{
    DEFAULT_LIFETIME_SECONDS, MAX_AUDIENCE, MAX_CLAIM_NAME, MAX_CLAIM_VALUE, MAX_CONDITIONS, MAX_ISSUER, MAX_LIFETIME_SECONDS,
    MIN_LIFETIME_SECONDS,
};
pub use sesame_model::{Provider, TrustRuleError as RuleError};

/// How long a minted key lives unless the rule says otherwise.
pub const DEFAULT_LIFETIME: TimeDelta = TimeDelta::seconds(DEFAULT_LIFETIME_SECONDS);
/// The longest a minted key may live (never beyond the incoming token's own expiry either).
pub const MAX_LIFETIME: TimeDelta = TimeDelta::seconds(MAX_LIFETIME_SECONDS);

/// What an administrator or a manager asks for: checked by [`RuleDraft::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDraft {
    pub provider: Provider,
    pub issuer: String,
    pub audience: String,
    pub conditions: BTreeMap<String, String>,
    /// None: [`DEFAULT_LIFETIME`].
    pub lifetime: Option<TimeDelta>,
}

/// A draft that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRule {
    pub provider: Provider,
    pub issuer: String,
    pub audience: String,
    pub conditions: BTreeMap<String, String>,
    pub lifetime: TimeDelta,
}

impl RuleDraft {
    /// Checks the draft; `insecure_issuers` lets an `http://` issuer through (the operator's
    /// choice, for a test issuer on this machine).
    pub fn check(self, insecure_issuers: bool) -> Result<CheckedRule, RuleError> {
        check_issuer(&self.issuer, insecure_issuers)?;
        if self.audience.is_empty() || self.audience.chars().count() > MAX_AUDIENCE || self.audience.chars().any(char::is_control) {
            return Err(RuleError::Audience);
        }
        if self.conditions.len() > MAX_CONDITIONS {
            return Err(RuleError::TooManyConditions);
        }
        if !self.conditions.iter().all(|(claim, value)| is_claim_name(claim) && is_claim_value(value)) {
            return Err(RuleError::Condition);
        }
        let immutable = self.provider.immutable_claims();
        if !immutable.iter().any(|claim| self.conditions.contains_key(*claim)) {
            return Err(RuleError::NoImmutableCondition(self.provider));
        }
        let lifetime = self.lifetime.unwrap_or(DEFAULT_LIFETIME);
        if lifetime < TimeDelta::seconds(MIN_LIFETIME_SECONDS) || lifetime > MAX_LIFETIME {
            return Err(RuleError::Lifetime);
        }
        Ok(CheckedRule { provider: self.provider, issuer: self.issuer, audience: self.audience, conditions: self.conditions, lifetime })
    }
}

fn check_issuer(issuer: &str, insecure_issuers: bool) -> Result<(), RuleError> {
    let rest = match issuer.strip_prefix("https://") {
        Some(rest) => rest,
        None if insecure_issuers => issuer.strip_prefix("http://").ok_or(RuleError::Issuer)?,
        None => return Err(RuleError::Issuer),
    };
    let host = rest.split('/').next().unwrap_or_default();
    // An address written in the URL must be a public one (names are checked when they are
    // resolved, by the server's fetcher).
    let literal = host.strip_prefix('[').and_then(|rest| rest.split_once(']')).map_or_else(|| host.split(':').next().unwrap_or_default(), |(ip, _)| ip);
    if !insecure_issuers && literal.parse::<std::net::IpAddr>().is_ok_and(|ip| !crate::net::is_public(ip)) {
        return Err(RuleError::Issuer);
    }
    let fine = issuer.len() <= MAX_ISSUER
        && !host.is_empty()
        && !rest.contains(['?', '#', '@'])
        && rest.chars().all(|c| c.is_ascii_graphic());
    fine.then_some(()).ok_or(RuleError::Issuer)
}

fn is_claim_name(claim: &str) -> bool {
    (1..=MAX_CLAIM_NAME).contains(&claim.len()) && claim.chars().all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
}

fn is_claim_value(value: &str) -> bool {
    (1..=MAX_CLAIM_VALUE).contains(&value.chars().count()) && !value.chars().any(char::is_control)
}

/// A claim of a token, as the rule compares it: its value written as text, or none when the
/// token does not carry it (or carries an object or a list, which no condition matches).
pub type ClaimText = Option<String>;

/// One condition held against a token: what was expected, what the token said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionCheck {
    pub claim: String,
    pub expected: String,
    pub got: ClaimText,
}

impl ConditionCheck {
    pub fn matched(&self) -> bool {
        self.got.as_deref() == Some(self.expected.as_str())
    }
}

/// Every condition of `rule` held against a token's claims (`claim` looks one up by name),
/// in the rule's order: what "Test a token" shows, and what the exchange requires all of.
pub fn check_conditions(conditions: &BTreeMap<String, String>, claim: impl Fn(&str) -> ClaimText) -> Vec<ConditionCheck> {
    conditions
        .iter()
        .map(|(name, expected)| ConditionCheck { claim: name.clone(), expected: expected.clone(), got: claim(name) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sesame_model::trust::GITHUB_ISSUER;

    fn github(conditions: &[(&str, &str)]) -> RuleDraft {
        RuleDraft {
            provider: Provider::GithubActions,
            issuer: GITHUB_ISSUER.into(),
            audience: "https://sesame.example.com".into(),
            conditions: conditions.iter().map(|(claim, value)| ((*claim).to_owned(), (*value).to_owned())).collect(),
            lifetime: None,
        }
    }

    #[test]
    fn a_rule_must_pin_an_immutable_id_of_its_provider() {
        let refused = github(&[("ref", "refs/heads/main")]).check(false);
        assert_eq!(refused, Err(RuleError::NoImmutableCondition(Provider::GithubActions)));
        let checked = github(&[("repository_id", "123456"), ("ref", "refs/heads/main")]).check(false).unwrap();
        assert_eq!(checked.lifetime, DEFAULT_LIFETIME);
        let gitlab = RuleDraft { provider: Provider::Gitlab, issuer: sesame_model::trust::GITLAB_COM_ISSUER.into(), ..github(&[("ref_protected", "true")]) };
        assert_eq!(gitlab.check(false), Err(RuleError::NoImmutableCondition(Provider::Gitlab)));
        let other = RuleDraft { provider: Provider::Other, issuer: "https://ci.example.com/oidc".into(), ..github(&[("aud", "x")]) };
        assert_eq!(other.clone().check(false), Err(RuleError::NoImmutableCondition(Provider::Other)));
        let pinned = RuleDraft { conditions: [("sub".to_owned(), "job:deploy".to_owned())].into(), ..other };
        assert!(pinned.check(false).is_ok());
    }

    #[test]
    fn issuers_are_https_unless_the_operator_allows_otherwise() {
        let with_issuer = |issuer: &str| RuleDraft { provider: Provider::Other, issuer: issuer.into(), ..github(&[("sub", "x")]) };
        for bad in ["https://127.0.0.1/oidc", "https://10.0.0.8:8443", "https://[::1]/x", "https://169.254.169.254", "http://ci.example.com", "ftp://ci.example.com", "https://", "https:///path", "https://ci.example.com/?a=b", "https://ci.example.com/#x", "https://user@ci.example.com", "https://ci example.com", "token.actions.githubusercontent.com"] {
            assert_eq!(with_issuer(bad).check(false), Err(RuleError::Issuer), "{bad}");
        }
        assert!(with_issuer("https://gitlab.acme.example/").check(false).is_ok());
        assert!(with_issuer("http://127.0.0.1:8080/issuer").check(true).is_ok(), "allowed by the operator");
        assert_eq!(with_issuer(&format!("https://{}.example", "a".repeat(200))).check(false), Err(RuleError::Issuer));
        // GitHub Enterprise Server issues its own tokens, with GitHub's claims.
        let enterprise_server = RuleDraft { issuer: "https://github.acme.example/_services/token".into(), ..github(&[("repository_id", "1")]) };
        assert!(enterprise_server.check(false).is_ok());
    }

    #[test]
    fn bad_audiences_conditions_and_lifetimes_are_refused() {
        let base = github(&[("repository_id", "1")]);
        assert_eq!(RuleDraft { audience: String::new(), ..base.clone() }.check(false), Err(RuleError::Audience));
        assert_eq!(RuleDraft { audience: "a\nb".into(), ..base.clone() }.check(false), Err(RuleError::Audience));
        for (claim, value) in [("", "1"), ("repo id", "1"), ("repository_id", ""), ("ref", "a\u{0}b")] {
            let draft = RuleDraft { conditions: [("repository_id".to_owned(), "1".to_owned()), (claim.to_owned(), value.to_owned())].into(), ..base.clone() };
            assert_eq!(draft.check(false), Err(RuleError::Condition), "{claim:?} = {value:?}");
        }
        let many = (0..=MAX_CONDITIONS).map(|n| (format!("c{n}"), "v".to_owned())).collect();
        assert_eq!(RuleDraft { conditions: many, ..base.clone() }.check(false), Err(RuleError::TooManyConditions));
        for lifetime in [TimeDelta::seconds(59), TimeDelta::minutes(61)] {
            assert_eq!(RuleDraft { lifetime: Some(lifetime), ..base.clone() }.check(false), Err(RuleError::Lifetime));
        }
        assert_eq!(RuleDraft { lifetime: Some(MAX_LIFETIME), ..base }.check(false).unwrap().lifetime, MAX_LIFETIME);
    }

    #[test]
    fn each_condition_says_what_it_expected_and_what_the_token_said() {
        let rule = github(&[("repository_id", "123456"), ("ref", "refs/heads/main")]).check(false).unwrap();
        let claims = |name: &str| match name {
            "repository_id" => Some("123456".to_owned()),
            "ref" => Some("refs/heads/dev".to_owned()),
            _ => None,
        };
        let checks = check_conditions(&rule.conditions, claims);
        let outcome: Vec<(&str, bool)> = checks.iter().map(|check| (check.claim.as_str(), check.matched())).collect();
        assert_eq!(outcome, [("ref", false), ("repository_id", true)]);
        assert_eq!(checks[0].got.as_deref(), Some("refs/heads/dev"));
        let missing = check_conditions(&rule.conditions, |_| None);
        assert!(missing.iter().all(|check| !check.matched() && check.got.is_none()));
    }
}
