//! The page's cookies, as the app reads and writes the person's preferences
//! (`sesame_api::preferences`): theme and language.

use leptos::prelude::document;
use wasm_bindgen::JsCast;
use web_sys::HtmlDocument;

fn html_document() -> Option<HtmlDocument> {
    document().dyn_into::<HtmlDocument>().ok()
}

pub fn document_cookies() -> String {
    html_document().and_then(|document| document.cookie().ok()).unwrap_or_default()
}

/// Assigns `document.cookie` (one cookie at a time, as the browser takes it).
pub fn write_cookie(assignment: &str) {
    if let Some(document) = html_document() {
        let _ = document.set_cookie(assignment);
    }
}
