//! The wire of Sésame's two doors: the types that travel ([`wire`], [`error`]), the console's
//! `#[server]` functions beside them ([`functions`]; with the `ssr` feature their bodies run
//! against `sesame-core` with the help of [`server`], without it they compile to HTTP calls
//! from the browser), and the HTTP plumbing both doors share ([`http`]).

pub mod error;
pub mod functions;
pub mod routes;
pub mod preferences;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod server;

/// Where the server functions are mounted (apart from the public REST API under `/api/v1`):
/// set once, in `.cargo/config.toml`, for Leptos' `#[server]` macro and for this constant.
pub const SERVER_FN_PREFIX: &str = env!("SERVER_FN_PREFIX");
