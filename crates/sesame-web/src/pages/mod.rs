pub mod console;
pub mod login;
pub mod not_found;
pub mod service_accounts;
pub mod setup;
pub mod trust_rule;
pub mod trust_rules;
pub mod users;
