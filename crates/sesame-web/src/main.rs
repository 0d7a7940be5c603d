//! The browser entry point: mounts the console.

// Leptos views are deeply nested types; the users page goes past the default depth of 128
// when the crate is built natively (`cargo build --workspace`).
#![recursion_limit = "256"]

mod app;
mod clipboard;
mod components;
mod expiry;
mod feedback;
mod focus;
mod language;
mod messages;
mod notices;
mod pages;
mod preferences;
mod session;
mod theme;
mod time;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
