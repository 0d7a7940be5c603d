//! Copying to the clipboard, with the feedback every copy button gives.

use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use wasm_bindgen_futures::JsFuture;

use crate::{feedback::Feedback, i18n::*};

/// Writes `text` to the clipboard; false if the browser refused.
async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// Copies `text` and says whether it worked ("Copied to the clipboard." or why not).
pub fn copy_with_feedback(text: String, i18n: I18nContext<Locale>, feedback: Feedback) {
    spawn_local(async move {
        if copy(&text).await {
            feedback.success(t_string!(i18n, copied).to_string());
        } else {
            feedback.error(t_string!(i18n, copy_failed).to_string());
        }
    });
}
