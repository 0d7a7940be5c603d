pub mod console;
pub mod login;
pub mod setup;
pub mod users;
