//! What the activity log records.

use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    LoginSucceeded,
    LoginFailed,
    Logout,
    KeyCreated,
    KeyRenamed,
    KeyDeleted,
    /// The key's owner disabled it: refused until enabled again.
    KeyDisabled,
    KeyEnabled,
    /// Someone reported the key as leaked (`POST /api/v1/api_keys/revoke`): it was deleted
    /// (or, for its previous secret, the overlap after its roll ended).
    KeyRevokedAsLeaked,
    /// The key got a new secret; the previous one works until the time in the detail.
    KeyRolled,
    /// The overlap after a roll was ended early: the previous secret no longer works.
    KeyOverlapEnded,
    /// A request came with the key's previous secret (from the event's address).
    KeyUsedWithPreviousSecret,
    /// The key, already used from elsewhere, was used from an address it never used before.
    KeyUsedFromNewAddress,
    /// The key expires soon (the detail says when): a reminder sent 7 days and 1 day before.
    KeyExpiresSoon,
    /// The organization's maximum key lifetime brought the key's expiry forward (detail: the
    /// new expiry).
    KeyShortenedByPolicy,
    /// An administrator changed the organization's maximum key lifetime (detail: the new
    /// maximum in days, or "none").
    KeyPolicyChanged,
    /// The key's scopes changed (detail: the new permissions separated by spaces, or
    /// "full").
    KeyScopesChanged,
    /// A request with the key was refused: its scopes lack the permission in the detail.
    KeyOutOfScope,
    /// The key's address allow-list changed (detail: the new list separated by spaces,
    /// shortened to fit, or "anywhere").
    KeyAddressesChanged,
    /// A request with the key was refused: it came from the address in the detail, which
    /// the key's allow-list does not cover.
    KeyAddressNotAllowed,
    /// The key's own request limit changed (detail: the new limit like "10/second", or
    /// "none").
    KeyRateLimitChanged,
    /// The key was handed over to a service account (detail: "from → to", their names); one
    /// event concerns each side.
    KeyTransferred,
    PasswordChanged,
    /// A password change refused: the current password given was wrong.
    PasswordChangeFailed,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserRoleChanged,
    /// An administrator made a service account (detail: its role).
    ServiceAccountCreated,
    /// An administrator changed a service account's name, description, role or managers
    /// (detail: what changed).
    ServiceAccountChanged,
    /// An administrator deleted a service account, and with it its keys.
    ServiceAccountDeleted,
    /// A trust rule was added to a service account (detail: its issuer).
    TrustRuleCreated,
    /// A trust rule changed (detail: its issuer); the keys it had minted were ended.
    TrustRuleChanged,
    /// A trust rule was deleted (detail: its issuer), and the keys it had minted with it.
    TrustRuleDeleted,
    /// A CI job traded its OIDC token for a key of the service account (detail: the rule
    /// and the token's subject).
    KeyMinted,
    /// A token offered in exchange was refused (detail: why — the job sees only
    /// `invalid_grant`). At most once per rule and reason a minute, per node.
    TokenExchangeRefused,
}

impl EventKind {
    pub const ALL: [EventKind; 36] = [
        EventKind::LoginSucceeded,
        EventKind::LoginFailed,
        EventKind::Logout,
        EventKind::KeyCreated,
        EventKind::KeyRenamed,
        EventKind::KeyDeleted,
        EventKind::KeyDisabled,
        EventKind::KeyEnabled,
        EventKind::KeyRevokedAsLeaked,
        EventKind::KeyRolled,
        EventKind::KeyOverlapEnded,
        EventKind::KeyUsedWithPreviousSecret,
        EventKind::KeyUsedFromNewAddress,
        EventKind::KeyExpiresSoon,
        EventKind::KeyShortenedByPolicy,
        EventKind::KeyPolicyChanged,
        EventKind::KeyScopesChanged,
        EventKind::KeyOutOfScope,
        EventKind::KeyAddressesChanged,
        EventKind::KeyAddressNotAllowed,
        EventKind::KeyRateLimitChanged,
        EventKind::KeyTransferred,
        EventKind::PasswordChanged,
        EventKind::PasswordChangeFailed,
        EventKind::UserCreated,
        EventKind::UserDisabled,
        EventKind::UserEnabled,
        EventKind::UserRoleChanged,
        EventKind::ServiceAccountCreated,
        EventKind::ServiceAccountChanged,
        EventKind::ServiceAccountDeleted,
        EventKind::TrustRuleCreated,
        EventKind::TrustRuleChanged,
        EventKind::TrustRuleDeleted,
        EventKind::KeyMinted,
        EventKind::TokenExchangeRefused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::LoginSucceeded => "login_succeeded",
            EventKind::LoginFailed => "login_failed",
            EventKind::Logout => "logout",
            EventKind::KeyCreated => "key_created",
            EventKind::KeyRenamed => "key_renamed",
            EventKind::KeyDeleted => "key_deleted",
            EventKind::KeyDisabled => "key_disabled",
            EventKind::KeyEnabled => "key_enabled",
            EventKind::KeyRevokedAsLeaked => "key_revoked_as_leaked",
            EventKind::KeyRolled => "key_rolled",
            EventKind::KeyOverlapEnded => "key_overlap_ended",
            EventKind::KeyUsedWithPreviousSecret => "key_used_with_previous_secret",
            EventKind::KeyUsedFromNewAddress => "key_used_from_new_address",
            EventKind::KeyExpiresSoon => "key_expires_soon",
            EventKind::KeyShortenedByPolicy => "key_shortened_by_policy",
            EventKind::KeyPolicyChanged => "key_policy_changed",
            EventKind::KeyScopesChanged => "key_scopes_changed",
            EventKind::KeyOutOfScope => "key_out_of_scope",
            EventKind::KeyAddressesChanged => "key_addresses_changed",
            EventKind::KeyAddressNotAllowed => "key_address_not_allowed",
            EventKind::KeyRateLimitChanged => "key_rate_limit_changed",
            EventKind::KeyTransferred => "key_transferred",
            EventKind::PasswordChanged => "password_changed",
            EventKind::PasswordChangeFailed => "password_change_failed",
            EventKind::UserCreated => "user_created",
            EventKind::UserDisabled => "user_disabled",
            EventKind::UserEnabled => "user_enabled",
            EventKind::UserRoleChanged => "user_role_changed",
            EventKind::ServiceAccountCreated => "service_account_created",
            EventKind::ServiceAccountChanged => "service_account_changed",
            EventKind::ServiceAccountDeleted => "service_account_deleted",
            EventKind::TrustRuleCreated => "trust_rule_created",
            EventKind::TrustRuleChanged => "trust_rule_changed",
            EventKind::TrustRuleDeleted => "trust_rule_deleted",
            EventKind::KeyMinted => "key_minted",
            EventKind::TokenExchangeRefused => "token_exchange_refused",
        }
    }
}

text_enum!(EventKind, "event");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
        }
        assert!("nope".parse::<EventKind>().is_err());
    }
}
