//! What the server writes for people, in their language: the docs page and e-mails. The
//! words come from the catalogue the console reads too (`locales/`).

pub mod catalogue;
pub mod language;

pub use language::Language;
