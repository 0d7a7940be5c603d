pub mod console;
pub mod login;
pub mod not_found;
pub mod service_accounts;
pub mod setup;
pub mod users;
