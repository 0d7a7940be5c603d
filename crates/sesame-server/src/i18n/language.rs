//! The languages the server writes in (the docs page, e-mails), and how a request chooses
//! one. The languages themselves are the model's, shared with the console.

use axum::http::{header, HeaderMap};
pub use sesame_shared::wire::Language;

/// The language of a BCP 47 tag ("fr-CA" is French), if we speak it.
pub fn from_tag(tag: &str) -> Option<Language> {
    match tag.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("en") => Some(Language::En),
        Some("fr") => Some(Language::Fr),
        _ => None,
    }
}

/// The first language of `Accept-Language` we have; English otherwise.
pub fn from_accept_language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .into_iter()
        .flat_map(|value| value.split(','))
        .find_map(|tag| from_tag(tag.trim()))
        .unwrap_or(Language::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_come_from_the_query_or_the_browser() {
        assert_eq!(from_tag("fr-CA"), Some(Language::Fr));
        assert_eq!(from_tag("de"), None);
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "de-DE, fr;q=0.8, en;q=0.5".parse().unwrap());
        assert_eq!(from_accept_language(&headers), Language::Fr);
        assert_eq!(from_accept_language(&HeaderMap::new()), Language::En);
    }
}
