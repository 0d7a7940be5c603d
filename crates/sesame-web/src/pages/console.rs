//! The console once signed in: the top bar, the main area (a welcome, or for an
//! administrator the Users page), and the User settings drawer.

use leptos::prelude::*;
use sesame_shared::wire::Me;

use crate::{
    components::{
        confirm_dialog::{ConfirmDialog, ConfirmDialogHost},
        drawer::UserSettingsDrawer,
    },
    i18n::*,
    pages::users::UsersPage,
};

/// What the main area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MainView {
    Home,
    Users,
}

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
    let is_admin = me.role == "admin";
    let main_view = RwSignal::new(MainView::Home);
    let nav_entry = move |target: MainView, label: fn(leptos_i18n::I18nContext<Locale>) -> String| {
        view! {
            <button
                class="topbar-link"
                aria-current=move || (main_view.get() == target).then_some("page")
                on:click=move |_| main_view.set(target)
            >
                {move || label(i18n)}
            </button>
        }
    };
    let me_for_users = me.clone();

    view! {
        <div class="console" inert=inert aria-hidden=move || inert().then_some("true")>
        <header class="topbar">
            <span class="brand">"CloudOps"</span>
            {is_admin.then(|| view! {
                <nav class="topbar-nav" aria-label="CloudOps">
                    {nav_entry(MainView::Home, |i18n| t_string!(i18n, home).to_string())}
                    {nav_entry(MainView::Users, |i18n| t_string!(i18n, users).to_string())}
                </nav>
            })}
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
            {move || match main_view.get() {
                MainView::Home => view! {
                    <h1>{
                        let first_name = first_name.clone();
                        move || t_string!(i18n, welcome, name = first_name.clone()).to_string()
                    }</h1>
                    <p class="muted">{t!(i18n, welcome_text)}</p>
                }.into_any(),
                MainView::Users => view! { <UsersPage me=me_for_users.clone() /> }.into_any(),
            }}
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
