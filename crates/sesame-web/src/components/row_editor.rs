//! The frame of an editor opened under a key's row (its permissions, its restrictions):
//! Escape cancels without closing the drawer (not while a save is in flight, whose answer
//! the row waits for), the server's error is shown in an alert, and *Cancel* / *Save* close
//! it. What is edited, and how it is sent, is the caller's.

use leptos::prelude::*;
use sesame_api::{error::AppError, wire::ApiKeyView};

use leptos_i18n::I18nContext;

use crate::{feedback::Feedback, i18n::*, messages::error_text};

/// What a saved change does: the row shows the key as changed, the panel hears of it, a
/// toast says `saved`, and the editor closes; a refusal is shown in `error`.
pub fn on_saved(
    save: Action<impl Send + Sync + 'static, Result<ApiKeyView, AppError>>,
    current: RwSignal<ApiKeyView>,
    on_changed: Callback<ApiKeyView>,
    on_close: Callback<()>,
    error: RwSignal<Option<String>>,
    saved: impl Fn() -> String + 'static,
) {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(key)) => {
            current.set(key.clone());
            on_changed.run(key);
            feedback.success(saved());
            on_close.run(());
        }
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
}

#[component]
pub fn RowEditor(
    /// Added to the frame's class, naming what it edits.
    class: &'static str,
    error: RwSignal<Option<String>>,
    /// While a save is in flight, *Save* waits.
    saving: Signal<bool>,
    on_save: Callback<()>,
    on_close: Callback<()>,
    /// The confirming button's text, when it is not *Save* (a move says *Move*).
    #[prop(optional)]
    save_label: Option<fn(I18nContext<Locale>) -> String>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let save_text = move || save_label.map_or_else(|| t_string!(i18n, save).to_string(), |label| label(i18n));
    view! {
        <div
            class=format!("roll-editor {class}")
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    // Handled here: the drawer must not close as well.
                    ev.prevent_default();
                    ev.stop_propagation();
                    // A save in flight finishes first: closing now would lose its answer.
                    if !saving.get_untracked() {
                        on_close.run(());
                    }
                }
            }
        >
            {children()}
            {move || error.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
            <div class="form-actions">
                <button class="btn btn-small btn-secondary" disabled=saving on:click=move |_| on_close.run(())>{t!(i18n, cancel)}</button>
                <button class="btn btn-small btn-primary" disabled=saving on:click=move |_| on_save.run(())>
                    {save_text}
                </button>
            </div>
        </div>
    }
}
