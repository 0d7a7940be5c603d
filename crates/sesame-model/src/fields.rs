//! The rules for the fields of an account: username, e-mail address, password, and the
//! display names (full name, organization), which follow [`crate::names`].

use serde::{Deserialize, Serialize};

use crate::names::check_display_text;

/// A username has at most this many characters (ASCII letters, digits, `.`, `_`, `-`).
pub const MAX_USERNAME_CHARS: usize = 64;
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Long enough for any passphrase (NIST asks for at least 64), short enough to bound the
/// hashing work (at most 1 KiB of UTF-8).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// RFC 5321's limit for a whole address.
pub const MAX_EMAIL_CHARS: usize = 254;

/// Which field of an account was refused, and why (for a clear message next to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UserFieldError {
    #[error("the organization name must have 1 to 100 characters, no control or invisible characters")]
    Organization,
    #[error("the full name must have 1 to 100 characters, no control or invisible characters")]
    FullName,
    #[error("the username must have 1 to 64 letters, digits, '.', '_' or '-'")]
    Username,
    #[error("the email address is not valid")]
    Email,
    #[error("{0}")]
    Password(PasswordPolicyError),
}

/// Which field of a service account was refused, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ServiceAccountFieldError {
    #[error("the name must have 1 to 64 letters, digits, '.', '_' or '-'")]
    Name,
    #[error("the description must have at most 500 characters, no control or invisible characters except line breaks")]
    Description,
    /// None, or more than [`MAX_MANAGERS`].
    #[error("a service account has 1 to 20 managers")]
    ManagerCount,
}

impl ServiceAccountFieldError {
    /// The input at fault, as the REST API names it.
    pub fn field(self) -> &'static str {
        match self {
            ServiceAccountFieldError::Name => "name",
            ServiceAccountFieldError::Description => "description",
            ServiceAccountFieldError::ManagerCount => "managers",
        }
    }
}

/// A service account has at most this many managers.
pub const MAX_MANAGERS: usize = 20;
/// A service account's description has at most this many characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// A service account's description: at most [`MAX_DESCRIPTION_CHARS`], none of the
/// characters names refuse (control, invisible) but line breaks: it may span several lines.
pub fn is_description(text: &str) -> bool {
    let refused = |c: char| c != '\n' && c != '\r' && crate::names::is_refused_in_names(c);
    text.chars().count() <= MAX_DESCRIPTION_CHARS && !text.chars().any(refused)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("the password must have at least 8 characters")]
    TooShort,
    #[error("the password must have at most 256 characters")]
    TooLong,
    /// One of the most common passwords of known breaches: guessed first by anyone.
    #[error("this password is one of the most common ones: choose another")]
    Common,
}

/// 1 to 64 ASCII letters, digits, `.`, `_` or `-`. Usernames match ignoring case.
pub fn is_valid_username(username: &str) -> bool {
    (1..=MAX_USERNAME_CHARS).contains(&username.len())
        && username.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Catches obvious typos only: deliverability is the mail server's business.
pub fn is_plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && email.len() <= MAX_EMAIL_CHARS
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// A full name or organization name as given: no spaces around (they are refused rather
/// than dropped), and the display-name rule.
pub fn is_display_name(text: &str) -> bool {
    text.trim() == text && check_display_text(text).is_ok()
}

/// The length rule for new passwords (NIST SP 800-63B: length, not composition).
pub fn check_password_length(password: &str) -> Result<(), PasswordPolicyError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooShort);
    }
    if password.chars().nth(MAX_PASSWORD_CHARS).is_some() {
        return Err(PasswordPolicyError::TooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(is_valid_username("r.walker_2-b"));
        for bad in ["", "r walker", "rwälker", "a@b", &"a".repeat(65)] {
            assert!(!is_valid_username(bad), "{bad:?}");
        }
        assert!(is_valid_username(&"a".repeat(64)));
    }

    #[test]
    fn emails_and_display_names() {
        assert!(is_plausible_email("rwalker@example.com"));
        for bad in ["not-an-email", "@example.com", "a@example", "a@.com", "a b@example.com"] {
            assert!(!is_plausible_email(bad), "{bad:?}");
        }
        assert!(is_display_name("Rupert Walker"));
        assert!(!is_display_name(" padded"));
        assert!(!is_display_name("Erin\u{202E}nimdA"));
    }

    #[test]
    fn password_lengths_count_characters() {
        assert_eq!(check_password_length("short"), Err(PasswordPolicyError::TooShort));
        assert_eq!(check_password_length(&"x".repeat(257)), Err(PasswordPolicyError::TooLong));
        assert_eq!(check_password_length(&"é".repeat(256)), Ok(()));
        assert!(check_password_length("long enough").is_ok());
    }
}
