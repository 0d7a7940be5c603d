//! The browser entry point: mounts the console.

mod app;
mod clipboard;
mod components;
mod feedback;
mod focus;
mod messages;
mod pages;
mod session;
mod time;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
