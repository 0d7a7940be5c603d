//! Keyless CI's token check: a job's OIDC token checked against its issuer's signing keys
//! before the core holds it against the trust rules (`sesame_core::trust`). The REST
//! exchange and the console's "Test a token" both use it.
//!
//! - [`signing_keys`]: each trusted issuer's keys, fetched from its
//!   `/.well-known/openid-configuration` → `jwks_uri`, kept in memory, fetched again for a
//!   `kid` not seen yet at most once a minute per issuer (a burst of bad tokens must not make
//!   Sésame hammer GitHub). Only issuers some rule trusts are ever fetched.
//! - [`token`]: the token itself: RS256 or ES256 only, `iss` exact, one audience, `exp`,
//!   `nbf` and `iat` with 30 seconds of leeway, a `jti` and a `sub`.
//! - [`token_trial`]: "Test a token": a pasted token held against one rule, nothing spent.

pub mod signing_keys;
pub mod token;
pub mod token_trial;

pub use signing_keys::SigningKeys;
pub use token::{Rejected, TokenChecker};
pub use token_trial::TokenTest;
