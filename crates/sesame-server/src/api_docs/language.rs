//! The languages of the docs page, and how a request chooses one.

use axum::http::{header, HeaderMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    French,
}

impl Language {
    pub fn from_tag(tag: &str) -> Option<Self> {
        match tag.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("en") => Some(Language::English),
            Some("fr") => Some(Language::French),
            _ => None,
        }
    }

    /// The first language of `Accept-Language` we have; English otherwise.
    pub fn from_accept_language(headers: &HeaderMap) -> Self {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .into_iter()
            .flat_map(|value| value.split(','))
            .find_map(|tag| Self::from_tag(tag.trim()))
            .unwrap_or(Language::English)
    }

    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_come_from_the_query_or_the_browser() {
        assert_eq!(Language::from_tag("fr-CA"), Some(Language::French));
        assert_eq!(Language::from_tag("de"), None);
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "de-DE, fr;q=0.8, en;q=0.5".parse().unwrap());
        assert_eq!(Language::from_accept_language(&headers), Language::French);
        assert_eq!(Language::from_accept_language(&HeaderMap::new()), Language::English);
    }
}
