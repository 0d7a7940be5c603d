//! The vocabulary of Sésame, defined once for every crate — the store, the services, the
//! REST API, the server functions and the browser console:
//!
//! - [`ids`]: typed ids, so a user id is never passed where a key id is meant;
//! - [`Role`] and [`Status`];
//! - [`names`]: the one rule for names people read (keys, full names, organizations);
//! - [`fields`]: the rules for usernames, e-mail addresses and passwords;
//! - [`EventKind`]: what the activity log records;
//! - [`Language`]: the languages people read Sésame in;
//! - [`MaxKeyLifetime`]: an organization's key lifetime policy;
//! - [`Permission`] and [`Scopes`]: what a key may do;
//! - [`Operation`]: every use case, with the permission it needs;
//! - [`Restrictions`]: where a key may be used from, and how fast;
//! - [`ErrorCode`]: every refusal and failure, as the REST API and the console answer it.
//!
//! Each serializes the same way everywhere, and parsing an unknown value is an error, never
//! a default.

/// `FromStr` and `Display` for an enum with `ALL` and `as_str`: its text both ways, and an
/// unknown text an [`UnknownValue`] naming `$what`.
macro_rules! text_enum {
    ($name:ident, $what:literal) => {
        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownValue;

            fn from_str(text: &str) -> Result<Self, $crate::UnknownValue> {
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == text)
                    .ok_or_else(|| $crate::UnknownValue { what: $what, value: text.chars().take(40).collect() })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod errors;
pub mod events;
pub mod fields;
pub mod ids;
pub mod names;
pub mod operations;
mod policy;
#[cfg(feature = "random")]
pub mod random;
pub mod restrictions;
mod role;
pub mod scopes;
pub mod trust;

pub use errors::ErrorCode;
pub use events::EventKind;
pub use operations::Operation;
pub use policy::{expiry_under_policy, BeyondPolicy, Language, MaxKeyLifetime, UnknownLifetime, EXPIRY_REMINDER_DAYS, POLICY_LEEWAY};
pub use role::{OwnerKind, Role, Status, UnknownValue};
pub use restrictions::{AddressListError, AllowedAddresses, Granularity, KeyRateLimit, RateLimitOutOfBounds, RatePeriod, Restrictions, MAX_ALLOWED_ADDRESSES, MAX_LIMIT_REQUESTS};
pub use trust::{Provider, TokenRefusal, TrustRuleError};
pub use scopes::{NoPermission, Permission, PermissionSet, Scopes};
