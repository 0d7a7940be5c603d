//! Shared by the browser app and the server: the wire types and the `#[server]` functions
//! the console calls. With the `ssr` feature the functions' bodies run against
//! `sesame-core`; without it they compile to HTTP calls from the browser.

pub mod error;
pub mod functions;
pub mod routes;
pub mod preferences;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod ssr;

/// Where the server functions are mounted (apart from the public REST API under `/api/v1`):
/// set once, in `.cargo/config.toml`, for Leptos' `#[server]` macro and for this constant.
pub const SERVER_FN_PREFIX: &str = env!("SERVER_FN_PREFIX");
