//! The server: CLI, start-up, the axum router (console, server functions, REST API).

pub mod api_docs;
pub mod app;
pub mod cli;
pub mod commands;
pub mod connections;
pub mod i18n;
pub mod last_use_writer;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod reminders;
pub mod rest;
pub mod serve;
mod me_cache;
mod origin_check;
mod security_headers;
mod state;
mod static_site;
