//! The vocabulary of Sésame, defined once for every crate — the store, the services, the
//! REST API, the server functions and the browser console:
//!
//! - [`ids`]: typed ids, so a user id is never passed where a key id is meant;
//! - [`Role`] and [`Status`];
//! - [`names`]: the one rule for names people read (keys, full names, organizations);
//! - [`fields`]: the rules for usernames, e-mail addresses and passwords;
//! - [`EventKind`]: what the activity log records.
//!
//! Each serializes the same way everywhere, and parsing an unknown value is an error, never
//! a default.

pub mod events;
pub mod fields;
pub mod ids;
pub mod names;
#[cfg(feature = "random")]
pub mod random;
mod role;

pub use events::EventKind;
pub use role::{Role, Status, UnknownValue};
