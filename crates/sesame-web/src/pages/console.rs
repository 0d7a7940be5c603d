//! The console once signed in: the top bar, a welcome area, and the User settings drawer.

use leptos::prelude::*;
use sesame_shared::wire::Me;

use crate::{
    components::{
        confirm_dialog::{ConfirmDialog, ConfirmDialogHost},
        drawer::UserSettingsDrawer,
    },
    i18n::*,
};

#[component]
pub fn ConsolePage(me: Me, endpoint_url: String) -> impl IntoView {
    let i18n = use_i18n();
    let drawer_open = RwSignal::new(false);
    let dialog = ConfirmDialog::provide();
    // While the dialog is open everything else is inert: no focus, no clicks, hidden from
    // assistive technology.
    let inert = move || dialog.is_open();
    let initials = me.initials();
    let first_name = me.full_name.split_whitespace().next().unwrap_or(&me.username).to_owned();
    let organization = me.organization.clone();

    view! {
        <div class="console" inert=inert aria-hidden=move || inert().then_some("true")>
        <header class="topbar">
            <span class="brand">"CloudOps"</span>
            <span class="topbar-org">
                <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
                    <path d="M7 1h2v3H7zM2 9h12v1H2zM2 9h1v3H2zM7.5 4h1v5h-1zM13 9h1v3h-1zM0 12h5v3H0zM5.5 12h5v3h-5zM11 12h5v3h-5z" fill="currentColor" />
                </svg>
                {organization}
            </span>
            <button
                class="avatar-button"
                aria-label=move || t_string!(i18n, user_settings).to_string()
                title=move || t_string!(i18n, user_settings).to_string()
                aria-expanded=move || drawer_open.get().to_string()
                on:click=move |_| drawer_open.update(|open| *open = !*open)
            >
                <span class="avatar avatar-small" aria-hidden="true">{initials}</span>
            </button>
        </header>
        <main class="console-main">
            <h1>{move || t_string!(i18n, welcome, name = first_name.clone()).to_string()}</h1>
            <p class="muted">{t!(i18n, welcome_text)}</p>
        </main>
        <Show when=move || drawer_open.get()>
            <UserSettingsDrawer
                me=me.clone()
                endpoint_url=endpoint_url.clone()
                on_close=Callback::new(move |_| drawer_open.set(false))
            />
        </Show>
        </div>
        <ConfirmDialogHost />
    }
}
