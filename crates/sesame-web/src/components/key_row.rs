//! One key in the list: name, last IP, last activity; the pencil turns the name into an
//! inline editor (Enter or Save saves, Escape cancels), the red circle asks to delete.

use leptos::{html, prelude::*};
use sesame_model::names::KeyName;
use sesame_shared::{error::AppError, functions::rename_api_key, wire::ApiKeyView};

use crate::{
    components::icons::{DeleteIcon, PencilIcon},
    feedback::Feedback,
    focus::focus_next_frame,
    i18n::*,
    messages::error_text,
    time::local_timestamp,
};

#[component]
pub fn KeyRow(
    key: ApiKeyView,
    on_renamed: Callback<ApiKeyView>,
    on_delete: Callback<ApiKeyView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let rename = Action::new_local(|(key, name): &(ApiKeyView, String)| rename_api_key(key.id.to_string(), name.clone()));
    let input_ref = NodeRef::<html::Input>::new();
    let pencil_ref = NodeRef::<html::Button>::new();
    // The row keeps its own copy, so a rename updates it in place and focus can return to
    // its pencil (the list is keyed by id and does not rebuild the row).
    let current = RwSignal::new(key);

    let start_editing = move |_| {
        draft.set(current.with_untracked(|key| key.name.clone()));
        error.set(None);
        editing.set(true);
        // Focus the editor with its text selected, ready to type over.
        request_animation_frame(move || {
            if let Some(input) = input_ref.try_get_untracked().flatten() {
                let _ = input.focus();
                input.select();
            }
        });
    };
    let stop_editing = move || {
        editing.set(false);
        error.set(None);
        focus_next_frame(pencil_ref);
    };
    let save = move || {
        if rename.pending().get_untracked() {
            return;
        }
        // The server's own rule, checked here first (a huge paste gets its message, not a
        // request over the body limit).
        if let Err(problem) = draft.with_untracked(|name| KeyName::parse(name)) {
            error.set(Some(error_text(i18n, &AppError::InvalidName(problem))));
            return;
        }
        rename.dispatch((current.get_untracked(), draft.get_untracked()));
    };
    Effect::new(move |_| match rename.value().get() {
        Some(Ok(renamed)) => {
            feedback.success(t_string!(i18n, renamed).to_string());
            current.set(renamed.clone());
            stop_editing();
            on_renamed.run(renamed);
        }
        // The draft stays as typed, so nothing is lost; the message says why.
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            save();
        }
        "Escape" => {
            // Handled here: the drawer must not close as well.
            ev.prevent_default();
            ev.stop_propagation();
            stop_editing();
        }
        _ => {}
    };

    let name = move || current.with(|key| key.name.clone());
    let last_ip = move || current.with(|key| key.last_used_ip.map_or_else(|| "—".to_owned(), |ip| ip.to_string()));
    let last_used = move || current.with(|key| key.last_used_at);
    let error_id = current.with_untracked(|key| format!("rename-error-{}", key.id));
    let error_id_attr = error_id.clone();

    view! {
        <li class="key-row">
            <div class="key-row-top">
                <Show
                    when=move || editing.get()
                    fallback=move || view! { <span class="key-name">{name}</span> }
                >
                    <div class="rename-editor">
                        <input
                            node_ref=input_ref
                            class="rename-input"
                            maxlength="100"
                            aria-label=move || t_string!(i18n, new_name, name = name()).to_string()
                            aria-invalid=move || error.get().is_some().to_string()
                            aria-describedby=error_id_attr.clone()
                            prop:value=draft
                            on:input=move |ev| draft.set(event_target_value(&ev))
                            on:keydown=on_keydown
                        />
                        <button class="btn btn-small btn-primary" disabled=rename.pending() on:click=move |_| save()>
                            {t!(i18n, save)}
                        </button>
                        <button class="btn btn-small btn-secondary" on:click=move |_| stop_editing()>
                            {t!(i18n, cancel)}
                        </button>
                    </div>
                </Show>
                <Show when=move || !editing.get()>
                    <span class="key-actions">
                        <button
                            class="icon-button"
                            node_ref=pencil_ref
                            aria-label=move || t_string!(i18n, rename_label, name = name()).to_string()
                            title=move || t_string!(i18n, rename).to_string()
                            on:click=start_editing
                        >
                            <PencilIcon />
                        </button>
                        <button
                            class="icon-button"
                            aria-label=move || t_string!(i18n, delete_label, name = name()).to_string()
                            title=move || t_string!(i18n, delete).to_string()
                            on:click=move |_| on_delete.run(current.get_untracked())
                        >
                            <DeleteIcon />
                        </button>
                    </span>
                </Show>
            </div>
            <p class="form-error" id=error_id role="alert">{move || error.get()}</p>
            <dl class="key-usage">
                <div>
                    <dt>{t!(i18n, last_ip)}</dt>
                    <dd class="key-last-ip">{last_ip}</dd>
                </div>
                <div>
                    <dt>{t!(i18n, last_activity)}</dt>
                    <dd class="key-last-activity">
                        {move || match last_used() {
                            Some(time) => local_timestamp(time),
                            None => t_string!(i18n, never_used).to_string(),
                        }}
                    </dd>
                </div>
            </dl>
        </li>
    }
}
