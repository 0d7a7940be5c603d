//! What each server error says to the person, in their language.

use sesame_api::{
    error::{AppError, Conflict, Credential, ErrorCode, Forbidden, Invalid, Missing, NameError, PasswordPolicyError, ServiceAccountFieldError, UserFieldError},
    wire::{AddressListError, Role},
};

use crate::i18n::*;
use leptos_i18n::I18nContext;
use sesame_model::TrustRuleError;

/// A console call's failure, in the reader's language: by the code the server answered with
/// (the REST API's), or "request failed" when the call itself failed.
pub fn error_text(i18n: I18nContext<Locale>, error: &AppError) -> String {
    match error {
        AppError::Server(code) => code_text(i18n, code),
        AppError::Transport(_) => t_string!(i18n, request_failed).to_string(),
    }
}

fn code_text(i18n: I18nContext<Locale>, code: &ErrorCode) -> String {
    match code {
        ErrorCode::InvalidRequest(invalid) => invalid_text(i18n, invalid),
        ErrorCode::InvalidCredentials(Credential::Password) => t_string!(i18n, invalid_login).to_string(),
        ErrorCode::InvalidCredentials(Credential::Presented) => t_string!(i18n, not_signed_in).to_string(),
        ErrorCode::Forbidden(Forbidden::WrongCurrentPassword) => t_string!(i18n, wrong_current_password).to_string(),
        ErrorCode::Forbidden(Forbidden::CrossSite) => t_string!(i18n, cross_site).to_string(),
        ErrorCode::Forbidden(Forbidden::SetupToken) => t_string!(i18n, invalid_setup_token).to_string(),
        // A console session has every scope and no restriction: only its role refuses it.
        ErrorCode::Forbidden(Forbidden::Role)
        | ErrorCode::InsufficientScope(_)
        | ErrorCode::RestrictionExceedsKey
        | ErrorCode::PreviousSecretNotAllowed
        | ErrorCode::AccountExceedsKey
        | ErrorCode::AddressNotAllowed => t_string!(i18n, forbidden).to_string(),
        // In the console (whose session has every scope), only a service account's role can
        // refuse a key's permissions: a key moved to it that would do more or less there, or
        // one made for it with more than it may do.
        ErrorCode::ScopeExceedsKey => t_string!(i18n, scope_exceeds_role).to_string(),
        ErrorCode::NotFound(Missing::ApiKey) => t_string!(i18n, key_not_found).to_string(),
        ErrorCode::NotFound(Missing::User) => t_string!(i18n, user_not_found).to_string(),
        ErrorCode::NotFound(Missing::Session) => t_string!(i18n, session_not_found).to_string(),
        ErrorCode::NotFound(Missing::ServiceAccount) => t_string!(i18n, service_account_not_found).to_string(),
        ErrorCode::NotFound(Missing::Manager) => t_string!(i18n, field_unknown_manager).to_string(),
        ErrorCode::NotFound(Missing::TrustRule) => t_string!(i18n, trust_rule_not_found).to_string(),
        ErrorCode::Conflict(Conflict::TooManyTrustRules) => t_string!(i18n, too_many_trust_rules).to_string(),
        ErrorCode::NotFound(Missing::Endpoint | Missing::Record) | ErrorCode::PayloadTooLarge { .. } => t_string!(i18n, request_failed).to_string(),
        ErrorCode::Conflict(Conflict::KeyName) => t_string!(i18n, name_taken).to_string(),
        ErrorCode::Conflict(Conflict::Username) => t_string!(i18n, username_taken).to_string(),
        ErrorCode::Conflict(Conflict::ServiceAccountName) => t_string!(i18n, account_name_taken).to_string(),
        ErrorCode::Conflict(Conflict::OwnAccount) => t_string!(i18n, own_account).to_string(),
        ErrorCode::Conflict(Conflict::NoAdminLeft) => t_string!(i18n, no_admin_left).to_string(),
        ErrorCode::Conflict(Conflict::KeyExpired) => t_string!(i18n, key_expired_error).to_string(),
        ErrorCode::Conflict(Conflict::SetupDone) => t_string!(i18n, setup_done).to_string(),
        ErrorCode::TooManyKeys { max } => t_string!(i18n, too_many_keys, count = *max).to_string(),
        ErrorCode::CommonPassword { .. } => t_string!(i18n, field_password_common).to_string(),
        ErrorCode::ExpiryInPast => t_string!(i18n, expiry_in_past).to_string(),
        ErrorCode::ExpiryBeyondPolicy { max_days, latest } => {
            t_string!(i18n, expiry_beyond_policy, count = *max_days, date = crate::time::local_timestamp(*latest)).to_string()
        }
        ErrorCode::TooManyRequests { retry_after_seconds } => t_string!(i18n, too_many_attempts, seconds = *retry_after_seconds).to_string(),
        ErrorCode::ServiceUnavailable => t_string!(i18n, unavailable).to_string(),
        ErrorCode::InternalError { error_id } => t_string!(i18n, internal_error, id = error_id.clone()).to_string(),
    }
}

fn invalid_text(i18n: I18nContext<Locale>, invalid: &Invalid) -> String {
    match invalid {
        Invalid::Name(NameError::Empty) => t_string!(i18n, name_empty).to_string(),
        Invalid::Name(NameError::TooLong) => t_string!(i18n, name_too_long).to_string(),
        Invalid::Name(NameError::ControlCharacter) => t_string!(i18n, name_control).to_string(),
        Invalid::Name(NameError::InvisibleCharacter) => t_string!(i18n, name_invisible).to_string(),
        Invalid::AllowList(problem) => address_list_text(i18n, problem),
        Invalid::Scopes(_) => t_string!(i18n, scopes_none_chosen).to_string(),
        Invalid::UserField(field) => field_text(i18n, field),
        Invalid::NewPassword(problem) => field_text(i18n, &UserFieldError::Password(*problem)),
        Invalid::ServiceAccountField(field) => service_account_field_text(i18n, *field),
        Invalid::NothingToChangeInKey | Invalid::NothingToChangeInUser | Invalid::NothingToChangeInServiceAccount | Invalid::NothingToChangeInTrustRule => {
            t_string!(i18n, nothing_to_change).to_string()
        }
        Invalid::TrustRule(problem) => trust_rule_text(i18n, *problem),
        Invalid::GracePeriod | Invalid::TooManyLeakedKeys | Invalid::Malformed { .. } => {
            t_string!(i18n, request_failed).to_string()
        }
    }
}

fn trust_rule_text(i18n: I18nContext<Locale>, problem: TrustRuleError) -> String {
    match problem {
        TrustRuleError::Issuer => t_string!(i18n, field_issuer).to_string(),
        TrustRuleError::Audience => t_string!(i18n, field_audience).to_string(),
        TrustRuleError::TooManyConditions | TrustRuleError::Condition => t_string!(i18n, field_conditions).to_string(),
        TrustRuleError::NoImmutableCondition(provider) => t_string!(i18n, field_immutable_condition, claims = provider.immutable_claims().join(" / ")).to_string(),
        TrustRuleError::Lifetime => t_string!(i18n, field_lifetime).to_string(),
    }
}

fn service_account_field_text(i18n: I18nContext<Locale>, field: ServiceAccountFieldError) -> String {
    match field {
        ServiceAccountFieldError::Name => t_string!(i18n, field_service_account_name).to_string(),
        ServiceAccountFieldError::Description => t_string!(i18n, field_service_account_description).to_string(),
        ServiceAccountFieldError::ManagerCount => t_string!(i18n, field_manager_count).to_string(),
    }
}

fn field_text(i18n: I18nContext<Locale>, field: &UserFieldError) -> String {
    match field {
        UserFieldError::Organization => t_string!(i18n, field_organization).to_string(),
        UserFieldError::FullName => t_string!(i18n, field_full_name).to_string(),
        UserFieldError::Username => t_string!(i18n, field_username).to_string(),
        UserFieldError::Email => t_string!(i18n, field_email).to_string(),
        UserFieldError::Password(PasswordPolicyError::TooShort) => t_string!(i18n, field_password_short).to_string(),
        UserFieldError::Password(PasswordPolicyError::TooLong) => t_string!(i18n, field_password_long).to_string(),
        UserFieldError::Password(PasswordPolicyError::Common) => t_string!(i18n, field_password_common).to_string(),
    }
}

/// A role as the person reads it.
pub fn role_text(i18n: I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Admin => t_string!(i18n, role_admin).to_string(),
        Role::User => t_string!(i18n, role_user).to_string(),
    }
}

/// What is wrong with an allow-list, naming the entry at fault.
pub fn address_list_text(i18n: I18nContext<Locale>, problem: &AddressListError) -> String {
    match problem {
        AddressListError::TooMany => t_string!(i18n, addresses_too_many).to_string(),
        AddressListError::Invalid(entry) => t_string!(i18n, address_invalid, entry = entry.as_str()).to_string(),
    }
}
