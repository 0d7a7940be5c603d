//! The languages the server writes in (the docs page, e-mails), and how a request chooses
//! one. The languages themselves are the model's, shared with the console.

use axum::http::{header, HeaderMap};
pub use sesame_api::wire::Language;

/// The first language of `Accept-Language` we have; English otherwise.
pub fn from_accept_language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .into_iter()
        .flat_map(|value| value.split(','))
        .find_map(|tag| Language::from_tag(tag.split(';').next().unwrap_or_default().trim()))
        .unwrap_or(Language::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_come_from_the_query_or_the_browser() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "de-DE, fr;q=0.8, en;q=0.5".parse().unwrap());
        assert_eq!(from_accept_language(&headers), Language::Fr);
        headers.insert(header::ACCEPT_LANGUAGE, "es-419,es;q=0.9".parse().unwrap());
        assert_eq!(from_accept_language(&headers), Language::Es);
        assert_eq!(from_accept_language(&HeaderMap::new()), Language::En);
    }
}
