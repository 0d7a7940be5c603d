//! The console once signed in: the top bar, the screen the address names (a welcome, for
//! an administrator the Users page, the Service accounts pages for the people who manage
//! some), and on `/settings…` the User settings drawer over the welcome.

use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, A},
    hooks::{use_location, use_navigate, use_params_map},
    NavigateOptions,
};
use sesame_api::{
    functions::{list_service_accounts, save_language},
    routes::{self, Section},
    wire::{Role, TrustRuleId, UserId, UserView},
};

use crate::{
    components::{
        confirm_dialog::{ConfirmDialog, ConfirmDialogHost},
        drawer::UserSettingsDrawer,
    },
    i18n::*,
    language::language_of,
    notices::KeyNoticesState,
    pages::{
        not_found::NotFoundPage,
        service_accounts::{ServiceAccountPage, ServiceAccountsPage},
        trust_rule::TrustRulePage,
        users::UsersPage,
    },
    session::Session,
};

/// The signed-in user, for the console's screens (they render only once signed in).
fn me() -> UserView {
    Session::get().me().expect("the console shows only once signed in")
}

#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let i18n = use_i18n();
    let dialog = ConfirmDialog::provide();
    let notices = KeyNoticesState::provide();
    remember_language(i18n);
    let location = use_location();
    let navigate = use_navigate();
    // While the dialog is open everything else is inert: no focus, no clicks, hidden from
    // assistive technology.
    let inert = move || dialog.is_open();
    let me = me();
    let initials = me.initials();
    let organization = me.organization.name.clone();
    let is_admin = me.role == Role::Admin;
    // A person who is no administrator gets the Service accounts entry once they manage one.
    let manages_accounts = LocalResource::new(move || async move {
        !is_admin && list_service_accounts(1, 1).await.is_ok_and(|page| page.total > 0)
    });
    let shows_accounts = move || is_admin || manages_accounts.get().unwrap_or(false);
    let drawer_open = move || location.pathname.with(|path| path.starts_with(routes::SETTINGS));
    let toggle_drawer = move |_| {
        let target = if drawer_open() { routes::HOME } else { routes::SETTINGS };
        navigate(target, NavigateOptions::default());
    };

    view! {
        <div class="console" inert=inert aria-hidden=move || inert().then_some("true")>
            <header class="topbar">
                <span class="brand">"CloudOps"</span>
                {move || shows_accounts().then(|| view! {
                    <nav class="topbar-nav" aria-label="CloudOps">
                        <A href=routes::HOME exact=true attr:class="topbar-link">{move || t_string!(i18n, home)}</A>
                        {is_admin.then(|| view! { <A href=routes::USERS attr:class="topbar-link">{move || t_string!(i18n, users)}</A> })}
                        <A href=routes::SERVICE_ACCOUNTS attr:class="topbar-link">{move || t_string!(i18n, service_accounts)}</A>
                    </nav>
                })}
                <span class="topbar-org">
                    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
                        <path d="M7 1h2v3H7zM2 9h12v1H2zM2 9h1v3H2zM7.5 4h1v5h-1zM13 9h1v3h-1zM0 12h5v3H0zM5.5 12h5v3h-5zM11 12h5v3h-5z" fill="currentColor" />
                    </svg>
                    {organization}
                </span>
                // The button keeps its name; the count of notices is its description.
                <button
                    class="avatar-button"
                    aria-label=move || t_string!(i18n, user_settings)
                    aria-describedby=move || (notices.count() > 0).then_some("settings-notices")
                    title=move || t_string!(i18n, user_settings)
                    aria-expanded=move || drawer_open().to_string()
                    on:click=toggle_drawer
                >
                    // The initials and the count are pictures drawn by the style sheet, not the
                    // button's text: its name is "User settings" (WCAG 2.5.3 asks a control's
                    // visible text to be in its name; the count is in its description).
                    <span class="avatar avatar-small" aria-hidden="true" data-initials=initials></span>
                    <Show when=move || { notices.count() > 0 }>
                        <span class="notice-badge" aria-hidden="true" data-count=move || notices.count().to_string()></span>
                    </Show>
                </button>
                <span id="settings-notices" class="visually-hidden">
                    {move || t_string!(i18n, user_settings_notices, count = notices.count()).to_string()}
                </span>
            </header>
            <Outlet />
        </div>
        <ConfirmDialogHost />
    }
}

/// Tells the server the language the console is read in, now and whenever it changes: the
/// e-mails Sésame sends this person are written in it. Best effort: a failure only means
/// the next e-mail comes in the language known before.
fn remember_language(i18n: leptos_i18n::I18nContext<Locale>) {
    Effect::new(move |_| {
        let language = language_of(i18n.get_locale());
        leptos::task::spawn_local(async move {
            let _ = save_language(language).await;
        });
    });
}

/// `/`: the welcome.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let me = me();
    let first_name = me.full_name.split_whitespace().next().unwrap_or(&me.username).to_owned();
    view! {
        <main class="console-main">
            <h1>{move || t_string!(i18n, welcome, name = first_name.clone()).to_string()}</h1>
            <p class="muted">{t!(i18n, welcome_text)}</p>
        </main>
    }
}

/// `/users`: administrators only; anyone else finds nothing here.
#[component]
pub fn UsersScreen() -> impl IntoView {
    let me = me();
    if me.role == Role::Admin {
        view! { <main class="console-main"><UsersPage me /></main> }.into_any()
    } else {
        view! { <NotFoundPage /> }.into_any()
    }
}

/// `/settings` and `/settings/<section>`: the drawer, open over the welcome.
#[component]
pub fn SettingsScreen() -> impl IntoView {
    let params = use_params_map();
    // `/settings` is the menu (`None`); an unknown section (`Some(None)`) is not a page.
    let section = Memo::new(move |_| params.with(|params| params.get("section").map(|slug| Section::from_slug(&slug))));
    let unknown = Memo::new(move |_| matches!(section.get(), Some(None)));
    move || {
        if unknown.get() {
            view! { <NotFoundPage /> }.into_any()
        } else {
            view! {
                <Home />
                <UserSettingsDrawer section=Signal::derive(move || section.get().flatten()) />
            }
            .into_any()
        }
    }
}

/// `/service-accounts`: the accounts the person may manage (all, for an administrator).
#[component]
pub fn ServiceAccountsScreen() -> impl IntoView {
    view! { <main class="console-main"><ServiceAccountsPage me=me() /></main> }
}

/// `/service-accounts/{id}`: one account's page, or "page not found" for an id that is not
/// one the person manages.
#[component]
pub fn ServiceAccountScreen() -> impl IntoView {
    let params = use_params_map();
    move || match params.with(|params| params.get("id").and_then(|id| UserId::parse(&id))) {
        Some(id) => view! { <ServiceAccountPage id me=me() /> }.into_any(),
        None => view! { <NotFoundPage /> }.into_any(),
    }
}

/// `/service-accounts/{id}/trust-rules/{ruleId}`: one trust rule, or "page not found".
#[component]
pub fn TrustRuleScreen() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        params.with(|params| {
            let account = params.get("id").and_then(|id| UserId::parse(&id))?;
            let rule = params.get("rule").and_then(|id| TrustRuleId::parse(&id))?;
            Some((account, rule))
        })
    };
    move || match ids() {
        Some((account, rule)) => view! { <TrustRulePage account rule /> }.into_any(),
        None => view! { <NotFoundPage /> }.into_any(),
    }
}
