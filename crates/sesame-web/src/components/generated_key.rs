//! The key just generated (or its new secret, just rolled), shown once: masked, an eye to
//! reveal it, a button to copy it, the warning, and *Done*, after which it is gone from the
//! page for good.

use leptos::prelude::*;
use sesame_api::wire::CreatedKey;

use crate::{
    clipboard::copy_with_feedback,
    components::icons::{ClipboardIcon, EyeIcon},
    feedback::Feedback,
    i18n::*,
};

const MASK: &str = "••••••••••••••••••••••••";

#[component]
pub fn GeneratedKeyBox(
    created: CreatedKey,
    /// A new secret for an existing key rather than a new key.
    #[prop(optional)]
    rolled: bool,
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let revealed = RwSignal::new(false);
    let secret = StoredValue::new(created.secret);
    let name = created.key.name;

    let copy = move |_| copy_with_feedback(secret.get_value(), i18n, feedback);

    view! {
        <div class="new-key" role="group" aria-labelledby="new-key-title">
            <p id="new-key-title" class="new-key-title">
                {move || {
                    if rolled {
                        t_string!(i18n, new_key_rolled, name = name.clone()).to_string()
                    } else {
                        t_string!(i18n, new_key_generated, name = name.clone()).to_string()
                    }
                }}
            </p>
            <div class="field-label" id="new-key-label">{t!(i18n, new_key_label)}</div>
            // The secret, with its eye and copy buttons, named by the label above.
            <div class="new-key-value" role="group" aria-labelledby="new-key-label">
                <code class="secret" data-testid="new-key-value">
                    {move || if revealed.get() { secret.get_value() } else { MASK.to_owned() }}
                </code>
                <button
                    class="icon-button"
                    aria-pressed=move || revealed.get().to_string()
                    aria-label=move || {
                        if revealed.get() {
                            t_string!(i18n, hide_key).to_string()
                        } else {
                            t_string!(i18n, show_key).to_string()
                        }
                    }
                    on:click=move |_| revealed.update(|shown| *shown = !*shown)
                >
                    <EyeIcon crossed=revealed />
                </button>
                <button
                    class="icon-button"
                    aria-label=move || t_string!(i18n, copy).to_string()
                    title=move || t_string!(i18n, copy_key).to_string()
                    on:click=copy
                >
                    <ClipboardIcon />
                </button>
            </div>
            <p class="warning" role="note">{t!(i18n, new_key_warning)}</p>
            <button class="btn btn-primary btn-block" on:click=move |_| on_done.run(())>
                {t!(i18n, done)}
            </button>
        </div>
    }
}
