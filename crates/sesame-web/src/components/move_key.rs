//! *Move to a service account…* under a key's row: pick one of the service accounts the
//! person manages and hand the key over. The key keeps its secret, so the job using it
//! never notices; only its owner changes (see `sesame_core::keys::Keys::transfer`).

use leptos::{html, prelude::*};
use sesame_api::{
    functions::{list_service_accounts, transfer_api_key},
    error::AppError,
    wire::{ApiKeyView, ServiceAccountsPage, UserId},
};

use crate::{components::row_editor::RowEditor, feedback::Feedback, focus::focus_next_frame, i18n::*, messages::error_text};

/// The most service accounts a picker lists (the oldest first); past that, the REST API
/// moves keys.
const LISTED: u32 = 100;

/// The service accounts a key may move to, as read for a picker.
pub type Destinations = LocalResource<Result<ServiceAccountsPage, AppError>>;

/// The service accounts the person may move keys to, for the pickers (here and in the
/// offboarding preview).
pub fn destinations() -> Destinations {
    LocalResource::new(|| list_service_accounts(1, LISTED))
}

#[component]
pub fn MoveKeyEditor(current: RwSignal<ApiKeyView>, on_moved: Callback<ApiKeyView>, on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let accounts = destinations();
    let chosen = RwSignal::new(None::<UserId>);
    let error = RwSignal::new(None::<String>);
    let select_ref = NodeRef::<html::Select>::new();
    // The picker appears once the accounts are read: the focus goes to it then.
    Effect::new(move |_| {
        if accounts.with(Option::is_some) {
            focus_next_frame(select_ref);
        }
    });
    let transfer = Action::new_local(|(key, owner): &(ApiKeyView, UserId)| transfer_api_key(key.id, *owner));
    let account_name = move |id: UserId| {
        accounts.with_untracked(|accounts| {
            accounts.as_ref().and_then(|found| found.as_ref().ok()).and_then(|page| page.accounts.iter().find(|account| account.id == id)).map(|account| account.name.clone())
        })
    };
    Effect::new(move |_| match transfer.value().get() {
        Some(Ok(moved)) => {
            let to = account_name(moved.owner_id).unwrap_or_default();
            feedback.success(t_string!(i18n, key_moved, name = moved.name.clone(), account = to).to_string());
            on_moved.run(moved);
        }
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
    let submit = move |()| {
        if transfer.pending().get_untracked() {
            return;
        }
        match chosen.get_untracked() {
            Some(owner) => {
                transfer.dispatch((current.get_untracked(), owner));
            }
            None => error.set(Some(t_string!(i18n, choose_service_account).to_string())),
        }
    };
    let saving = transfer.pending();

    view! {
        <RowEditor
            class="move-editor"
            error
            saving=saving.into()
            on_save=Callback::new(submit)
            on_close
            save_label=|i18n| t_string!(i18n, move_action).to_string()
        >
            {move || match accounts.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(failure)) => view! { <p class="form-error">{error_text(i18n, &failure)}</p> }.into_any(),
                Some(Ok(page)) if page.accounts.is_empty() => view! { <p class="muted">{t!(i18n, no_service_accounts_to_move_to)}</p> }.into_any(),
                Some(Ok(page)) => view! {
                    <label>
                        <span>{t!(i18n, move_to)}</span>
                        <select
                            node_ref=select_ref
                            on:change=move |ev| chosen.set(UserId::parse(&event_target_value(&ev)))
                        >
                            <option value="" selected=true>{t!(i18n, choose_service_account)}</option>
                            {page.accounts.into_iter().map(|account| view! {
                                <option value=account.id.to_string()>{account.name}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <p class="muted">{t!(i18n, move_key_hint)}</p>
                }.into_any(),
            }}
        </RowEditor>
    }
}
