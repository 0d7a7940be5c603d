pub mod api_credentials;
pub mod confirm_dialog;
pub mod drawer;
pub mod generated_key;
pub mod icons;
pub mod key_row;
pub mod language_switch;
pub mod text_field;
