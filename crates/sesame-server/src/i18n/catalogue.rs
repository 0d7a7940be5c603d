//! The server's words, from the one translation catalogue the console reads too
//! (`locales/<language>.json` at the repository root, built into the binary):
//! - `docs_page`: the docs page's own labels, by key, in every language;
//! - `emails`: the messages Sésame sends, by key, in every language (`{name}` placeholders);
//! - `api_docs`: every text of the OpenAPI document (English there, as written in the
//!   handlers' doc comments), keyed by that English text, in every other language.
//!
//! `tests::every_string_of_the_catalogue_is_translated` fails when any language lacks any
//! of them — the console's strings included.

use std::{collections::HashMap, sync::LazyLock};

use serde::Deserialize;

use super::language::Language;

#[derive(Deserialize)]
struct Catalogue {
    /// The console's strings: read here only by the test that checks every language has
    /// them all (outside tests, serde skips them).
    #[cfg(test)]
    console: HashMap<String, serde_json::Value>,
    docs_page: HashMap<String, String>,
    emails: HashMap<String, String>,
    #[serde(default)]
    api_docs: HashMap<String, String>,
}

fn parse(language: &str, json: &str) -> Catalogue {
    serde_json::from_str(json).unwrap_or_else(|error| panic!("locales/{language}.json: {error}"))
}

static ENGLISH: LazyLock<Catalogue> = LazyLock::new(|| parse("en", include_str!("../../../../locales/en.json")));
static FRENCH: LazyLock<Catalogue> = LazyLock::new(|| parse("fr", include_str!("../../../../locales/fr.json")));
static SPANISH: LazyLock<Catalogue> = LazyLock::new(|| parse("es", include_str!("../../../../locales/es.json")));

fn catalogue(language: Language) -> &'static Catalogue {
    match language {
        Language::En => &ENGLISH,
        Language::Fr => &FRENCH,
        Language::Es => &SPANISH,
    }
}

/// One of the page's labels; the key itself if it is missing (the test says so first).
pub fn label(language: Language, key: &'static str) -> &'static str {
    catalogue(language).docs_page.get(key).map_or(key, String::as_str)
}

/// One e-mail text, its `{placeholders}` filled in; the key itself if it is missing (the
/// test says so first).
pub fn email(language: Language, key: &'static str, values: &[(&str, &str)]) -> String {
    fill(catalogue(language).emails.get(key).map_or(key, String::as_str), values)
}

/// `template` with each `{name}` replaced by its value, in one pass: a value that itself
/// reads `{name}` (a key named so) stays as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values.iter().find(|(known, _)| *known == name).map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                text.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

/// A text of the document in `language`: as written for English, else its translation.
pub fn translate(language: Language, english: &str) -> Option<&'static str> {
    match language {
        Language::En => None,
        other => catalogue(other).api_docs.get(english).map(String::as_str),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys<V>(map: &HashMap<String, V>) -> BTreeSet<&str> {
        map.keys().map(String::as_str).collect()
    }

    #[test]
    fn placeholders_are_filled_once() {
        let values = [("key", "{url}"), ("url", "https://x")];
        assert_eq!(fill("“{key}” at {url}, {unknown} {", &values), "“{url}” at https://x, {unknown} {");
    }

    #[test]
    fn every_string_of_the_catalogue_is_translated() {
        let document = crate::api_docs::ApiDocument::new(crate::rest::router().1, "http://sesame.test");
        let texts: BTreeSet<String> = crate::api_docs::page::translatable_texts(document.json()).into_iter().collect();
        let mut problems = Vec::new();
        for language in Language::ALL.into_iter().filter(|language| *language != Language::En) {
            let other = catalogue(language);
            for (part, english, translated) in [
                ("console", keys(&ENGLISH.console), keys(&other.console)),
                ("docs_page", keys(&ENGLISH.docs_page), keys(&other.docs_page)),
                ("emails", keys(&ENGLISH.emails), keys(&other.emails)),
            ] {
                problems.extend(english.difference(&translated).map(|key| format!("{language:?} lacks {part}.{key}")));
                problems.extend(translated.difference(&english).map(|key| format!("{language:?} has a stray {part}.{key}")));
            }
            let translated: BTreeSet<String> = other.api_docs.keys().cloned().collect();
            problems.extend(texts.difference(&translated).map(|text| format!("{language:?} lacks api_docs {text:?}")));
            problems.extend(translated.difference(&texts).map(|text| format!("{language:?} has a stray api_docs {text:?}")));
        }
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    }
}
