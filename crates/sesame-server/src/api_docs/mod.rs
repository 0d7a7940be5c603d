//! The API's documentation, both from one OpenAPI document generated from the handlers:
//! `/api/v1/openapi.json` for tools, and `/api-docs` (the panel's *API docs* link) for
//! people — rendered by us from that same document, no CDN, in English, French or Spanish
//! and in the console's theme, with a ready curl example per endpoint that uses this
//! instance's endpoint URL.

pub(crate) mod page;

use std::sync::Arc;

use axum::{
    extract::Query,
    http::{header, HeaderMap, HeaderValue},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::Value;
use utoipa::openapi::{OpenApi, Server};

pub use crate::i18n::Language;
use sesame_api::preferences::{chosen_language, Theme};

/// Built once at start-up.
pub struct ApiDocument {
    json: String,
    document: Value,
}

impl ApiDocument {
    /// The document as served: `servers` is this instance's public URL, so tools and the
    /// curl examples call this very server.
    pub fn new(mut openapi: OpenApi, public_url: &str) -> Arc<Self> {
        openapi.servers = Some(vec![Server::new(public_url)]);
        let mut document = serde_json::to_value(&openapi).expect("the OpenAPI document serializes");
        // For inventory tools: this server is meant for the public (its users' scripts).
        document["servers"][0]["x-internal"] = Value::Bool(false);
        let json = serde_json::to_string_pretty(&document).expect("a JSON value serializes");
        Arc::new(Self { json, document })
    }

    pub fn json(&self) -> &Value {
        &self.document
    }

    /// The document as served, pretty-printed.
    pub fn text(&self) -> &str {
        &self.json
    }

    pub fn render(&self, language: Language, theme: Theme) -> String {
        page::render(&self.document, language, theme)
    }
}

/// The page's style sheet: a file of its own, so the page needs no inline style.
pub async fn style_sheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        include_str!("api_docs.css"),
    )
        .into_response()
}

pub async fn openapi_json(document: Arc<ApiDocument>) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        document.json.clone(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

/// In `?lang=en|fr|es` (the console's link passes its language), else the language chosen
/// in the console, else the browser's first preference; in the theme chosen in the console,
/// else the system's.
pub async fn docs_page(document: Arc<ApiDocument>, query: Query<PageQuery>, headers: HeaderMap) -> Response {
    let cookies: Vec<&str> = headers.get_all(header::COOKIE).iter().filter_map(|value| value.to_str().ok()).collect();
    let language = query
        .lang
        .as_deref()
        .and_then(Language::from_tag)
        .or_else(|| cookies.iter().find_map(|cookies| chosen_language(cookies)))
        .unwrap_or_else(|| crate::i18n::language::from_accept_language(&headers));
    let theme = cookies.iter().map(|cookies| Theme::from_cookies(cookies)).find(|theme| *theme != Theme::System).unwrap_or_default();
    (
        [
            (header::CONTENT_LANGUAGE, HeaderValue::from_static(language.as_str())),
            (header::VARY, HeaderValue::from_static("Accept-Language, Cookie")),
        ],
        Html(document.render(language, theme)),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Arc<ApiDocument> {
        ApiDocument::new(crate::rest::router().1, "http://sesame.test")
    }

    #[test]
    fn the_page_shows_every_operation_with_a_curl_example() {
        let document = document();
        for language in Language::ALL {
            let html = document.render(language, Theme::System);
            assert!(html.contains(&format!(r#"<html lang="{}">"#, language.as_str())));
            for (path, item) in document.json()["paths"].as_object().unwrap() {
                for (method, operation) in item.as_object().unwrap() {
                    let id = operation["operationId"].as_str().unwrap();
                    assert!(html.contains(&format!(r#"id="{id}""#)), "{id} in {language:?}");
                    let curl = format!(
                        "curl --request {} \\\n  --url 'http://sesame.test{path}'",
                        method.to_uppercase()
                    );
                    assert!(html.contains(&curl), "{curl} in {language:?}");
                }
            }
        }
    }
}
