//! The words of trust rules (which CI jobs may trade their platform's OIDC token for a
//! short-lived key of a service account): who issues the tokens, and what may be wrong with
//! a rule. The rules themselves are checked in `sesame_core::trust`.

use serde::{Deserialize, Serialize};

/// GitHub Actions' one issuer.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// gitlab.com's issuer (a self-managed GitLab has its own URL).
pub const GITLAB_COM_ISSUER: &str = "https://gitlab.com";

/// The longest a minted key lives unless the rule says otherwise, in seconds (15 minutes).
pub const DEFAULT_LIFETIME_SECONDS: i64 = 15 * 60;
pub const MIN_LIFETIME_SECONDS: i64 = 60;
/// The longest a minted key may live (never beyond the incoming token's own expiry either).
pub const MAX_LIFETIME_SECONDS: i64 = 60 * 60;
pub const MAX_CONDITIONS: usize = 20;
pub const MAX_CLAIM_NAME: usize = 64;
pub const MAX_CLAIM_VALUE: usize = 256;
pub const MAX_ISSUER: usize = 200;
pub const MAX_AUDIENCE: usize = 200;

/// Who issues the tokens a rule trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    GithubActions,
    Gitlab,
    Kubernetes,
    Other,
}

impl Provider {
    pub const ALL: [Provider; 4] = [Provider::GithubActions, Provider::Gitlab, Provider::Kubernetes, Provider::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::GithubActions => "github_actions",
            Provider::Gitlab => "gitlab",
            Provider::Kubernetes => "kubernetes",
            Provider::Other => "other",
        }
    }

    /// The provider a rule names when it does not say: GitHub Actions (with an enterprise's
    /// own `…/<enterprise>` issuer too) and gitlab.com by their issuers, any other issuer as
    /// "other" (a Kubernetes cluster, a GitHub Enterprise Server or a self-managed GitLab
    /// says so itself).
    pub fn of_issuer(issuer: &str) -> Provider {
        let issuer = issuer.trim_end_matches('/');
        if issuer == GITHUB_ISSUER || issuer.strip_prefix(GITHUB_ISSUER).is_some_and(|rest| rest.starts_with('/')) {
            return Provider::GithubActions;
        }
        match issuer {
            GITLAB_COM_ISSUER => Provider::Gitlab,
            _ => Provider::Other,
        }
    }

    /// The claims that name a job's owner for good, most specific first: a rule needs a
    /// condition on one of them, or anyone on the issuer could use it.
    pub fn immutable_claims(self) -> &'static [&'static str] {
        match self {
            Provider::GithubActions => &["repository_id", "repository_owner_id"],
            Provider::Gitlab => &["project_id", "namespace_id"],
            Provider::Kubernetes | Provider::Other => &["sub"],
        }
    }

    /// The claims the console offers first for conditions: the immutable ids, then what
    /// narrows a job further.
    pub fn suggested_claims(self) -> &'static [&'static str] {
        match self {
            Provider::GithubActions => &["repository_id", "repository_owner_id", "ref", "environment", "workflow_ref"],
            Provider::Gitlab => &["project_id", "namespace_id", "ref", "ref_protected"],
            Provider::Kubernetes | Provider::Other => &["sub"],
        }
    }
}

text_enum!(Provider, "provider");

/// Why a job's token was refused: what the service account's activity and "Test a token"
/// say (the exchange's caller is told `invalid_grant` and nothing more). The console reads
/// the text back to show it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenRefusal {
    Malformed,
    Algorithm,
    /// No rule trusts its issuer: nobody's activity to tell.
    UnknownIssuer,
    UnknownKey,
    KeysUnavailable,
    BadSignature,
    Expired,
    NotYetValid,
    IssuedInFuture,
    /// None, or more than one.
    Audiences,
    NoJti,
    NoSubject,
    /// "Test a token": a valid token, but not from the rule's issuer.
    OtherIssuer,
    /// "Test a token": a valid token, but for another audience than the rule's.
    OtherAudience,
}

impl TokenRefusal {
    pub const ALL: [TokenRefusal; 14] = [
        TokenRefusal::Malformed,
        TokenRefusal::Algorithm,
        TokenRefusal::UnknownIssuer,
        TokenRefusal::UnknownKey,
        TokenRefusal::KeysUnavailable,
        TokenRefusal::BadSignature,
        TokenRefusal::Expired,
        TokenRefusal::NotYetValid,
        TokenRefusal::IssuedInFuture,
        TokenRefusal::Audiences,
        TokenRefusal::NoJti,
        TokenRefusal::NoSubject,
        TokenRefusal::OtherIssuer,
        TokenRefusal::OtherAudience,
    ];

    /// The text the activity and the REST API carry.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRefusal::Malformed => "malformed token",
            TokenRefusal::Algorithm => "signing algorithm refused (RS256 or ES256 only)",
            TokenRefusal::UnknownIssuer => "unknown issuer",
            TokenRefusal::UnknownKey => "unknown signing key (kid)",
            TokenRefusal::KeysUnavailable => "the issuer's signing keys could not be fetched",
            TokenRefusal::BadSignature => "bad signature",
            TokenRefusal::Expired => "expired",
            TokenRefusal::NotYetValid => "not yet valid (nbf)",
            TokenRefusal::IssuedInFuture => "issued in the future (iat)",
            TokenRefusal::Audiences => "not exactly one audience",
            TokenRefusal::NoJti => "no jti",
            TokenRefusal::NoSubject => "no sub",
            TokenRefusal::OtherIssuer => "issued by another issuer",
            TokenRefusal::OtherAudience => "meant for another audience",
        }
    }
}

text_enum!(TokenRefusal, "token refusal");

/// What is wrong with a trust rule: the first problem found, field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TrustRuleError {
    #[error("The issuer must be an https:// URL of at most 200 characters, with no query or fragment.")]
    Issuer,
    #[error("The audience must have 1 to 200 characters.")]
    Audience,
    #[error("At most 20 conditions.")]
    TooManyConditions,
    #[error("A condition names a claim of 1 to 64 letters, digits, '_', '-', '.' or ':' and expects 1 to 256 characters.")]
    Condition,
    /// Anyone on the issuer could use the rule: it must pin one of the provider's immutable
    /// claims.
    #[error("A condition on {} is needed: without one, anyone on this issuer could use the rule.", .0.immutable_claims().join(" or "))]
    NoImmutableCondition(Provider),
    #[error("The lifetime is from 60 to 3600 seconds.")]
    Lifetime,
}

impl TrustRuleError {
    /// The input at fault, as the REST API names it.
    pub fn field(&self) -> &'static str {
        match self {
            TrustRuleError::Issuer => "issuer",
            TrustRuleError::Audience => "audience",
            TrustRuleError::TooManyConditions | TrustRuleError::Condition | TrustRuleError::NoImmutableCondition(_) => "conditions",
            TrustRuleError::Lifetime => "lifetimeSeconds",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_round_trip_and_are_guessed_from_their_issuers() {
        for provider in Provider::ALL {
            assert_eq!(provider.as_str().parse::<Provider>(), Ok(provider));
        }
        assert_eq!(Provider::of_issuer(GITHUB_ISSUER), Provider::GithubActions);
        assert_eq!(Provider::of_issuer("https://token.actions.githubusercontent.com/acme"), Provider::GithubActions);
        assert_eq!(Provider::of_issuer("https://token.actions.githubusercontent.com.evil.example"), Provider::Other);
        assert_eq!(Provider::of_issuer("https://gitlab.com/"), Provider::Gitlab);
        assert_eq!(Provider::of_issuer("https://gitlab.acme.example"), Provider::Other);
        for refusal in TokenRefusal::ALL {
            assert_eq!(refusal.as_str().parse::<TokenRefusal>(), Ok(refusal));
        }
    }
}
