pub mod console;
pub mod login;
pub mod setup;
