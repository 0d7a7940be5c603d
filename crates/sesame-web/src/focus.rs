//! Moving keyboard focus to an element that is being shown.

use leptos::{html::ElementType, prelude::*};
use wasm_bindgen::JsCast;

/// Focuses `node` on the next frame, once it is in the page. Does nothing if the element
/// is gone by then (its row deleted, its dialog closed).
pub fn focus_next_frame<E>(node: NodeRef<E>)
where
    E: ElementType + 'static,
    E::Output: JsCast + Clone + 'static,
{
    request_animation_frame(move || {
        if let Some(element) = node.try_get_untracked().flatten() {
            let _ = element.unchecked_ref::<web_sys::HtmlElement>().focus();
        }
    });
}
