//! What each server error says to the person, in their language.

use sesame_shared::{
    error::{AppError, NameError, PasswordPolicyError, UserFieldError},
    wire::{AddressListError, Role},
};

use crate::i18n::*;
use leptos_i18n::I18nContext;

pub fn error_text(i18n: I18nContext<Locale>, error: &AppError) -> String {
    match error {
        AppError::NotSignedIn => t_string!(i18n, not_signed_in).to_string(),
        AppError::InvalidCredentials => t_string!(i18n, invalid_login).to_string(),
        AppError::CrossSite => t_string!(i18n, cross_site).to_string(),
        AppError::InvalidName(NameError::Empty) => t_string!(i18n, name_empty).to_string(),
        AppError::InvalidName(NameError::TooLong) => t_string!(i18n, name_too_long).to_string(),
        AppError::InvalidName(NameError::ControlCharacter) => t_string!(i18n, name_control).to_string(),
        AppError::InvalidName(NameError::InvisibleCharacter) => t_string!(i18n, name_invisible).to_string(),
        AppError::NameTaken => t_string!(i18n, name_taken).to_string(),
        AppError::TooManyKeys(max) => t_string!(i18n, too_many_keys, count = *max).to_string(),
        AppError::ExpiryInPast => t_string!(i18n, expiry_in_past).to_string(),
        AppError::NoPermission => t_string!(i18n, scopes_none_chosen).to_string(),
        AppError::InvalidAllowList(problem) => address_list_text(i18n, problem),
        AppError::KeyExpired => t_string!(i18n, key_expired_error).to_string(),
        AppError::ExpiryBeyondPolicy { max_days, latest } => {
            t_string!(i18n, expiry_beyond_policy, count = *max_days, date = crate::time::local_timestamp(*latest)).to_string()
        }
        AppError::NotFound => t_string!(i18n, key_not_found).to_string(),
        AppError::Forbidden => t_string!(i18n, forbidden).to_string(),
        AppError::UserNotFound => t_string!(i18n, user_not_found).to_string(),
        AppError::OwnAccount => t_string!(i18n, own_account).to_string(),
        AppError::NoAdminLeft => t_string!(i18n, no_admin_left).to_string(),
        AppError::NothingToChange => t_string!(i18n, nothing_to_change).to_string(),
        AppError::WrongCurrentPassword => t_string!(i18n, wrong_current_password).to_string(),
        AppError::SessionNotFound => t_string!(i18n, session_not_found).to_string(),
        AppError::InvalidField(field) => match field {
            UserFieldError::Organization => t_string!(i18n, field_organization).to_string(),
            UserFieldError::FullName => t_string!(i18n, field_full_name).to_string(),
            UserFieldError::Username => t_string!(i18n, field_username).to_string(),
            UserFieldError::Email => t_string!(i18n, field_email).to_string(),
            UserFieldError::Password(PasswordPolicyError::TooShort) => t_string!(i18n, field_password_short).to_string(),
            UserFieldError::Password(PasswordPolicyError::TooLong) => t_string!(i18n, field_password_long).to_string(),
            UserFieldError::Password(PasswordPolicyError::Common) => t_string!(i18n, field_password_common).to_string(),
        },
        AppError::UsernameTaken => t_string!(i18n, username_taken).to_string(),
        AppError::SetupAlreadyDone => t_string!(i18n, setup_done).to_string(),
        AppError::InvalidSetupToken => t_string!(i18n, invalid_setup_token).to_string(),
        AppError::Unavailable => t_string!(i18n, unavailable).to_string(),
        AppError::TooManyAttempts(seconds) => t_string!(i18n, too_many_attempts, seconds = *seconds).to_string(),
        AppError::Internal(id) => t_string!(i18n, internal_error, id = id.clone()).to_string(),
        AppError::BadRequest(_) | AppError::Transport(_) => t_string!(i18n, request_failed).to_string(),
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
