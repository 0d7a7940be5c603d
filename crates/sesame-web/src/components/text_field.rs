//! A labelled, required text input bound to a signal: the forms' one kind of field.

use leptos::{html, prelude::*};

#[component]
pub fn TextField(
    /// Already translated.
    label: String,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] node_ref: NodeRef<html::Input>,
) -> impl IntoView {
    view! {
        <label>
            <span>{label}</span>
            <input
                type=kind
                autocomplete=autocomplete
                required
                node_ref=node_ref
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}
