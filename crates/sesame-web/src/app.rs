//! The root: the language, the session, and the console's addresses (see
//! `sesame_api::routes`): `/login`, `/setup`, `/`, `/users`, `/service-accounts` and each
//! account's page, `/settings` and its sections. Reloading keeps the screen, back and forward move between screens, and a link
//! opened while signed out comes back to its screen after login.

use leptos::prelude::*;
use leptos_router::{
    components::{ParentRoute, Redirect, Route, Router, Routes},
    hooks::{use_location, use_query_map},
    path, NavigateOptions,
};
use sesame_api::routes::{self, login_returning_to, safe_return_path};

use crate::{
    feedback::{Feedback, FeedbackRegion},
    i18n::*,
    language::{language_of, restore_chosen_language},
    messages::error_text,
    pages::{
        console::{ConsoleLayout, Home, ServiceAccountScreen, ServiceAccountsScreen, SettingsScreen, TrustRuleScreen, UsersScreen},
        login::LoginPage,
        not_found::NotFoundPage,
        setup::SetupPage,
    },
    session::Session,
    theme::ThemeChoice,
};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <I18nContextProvider>
            <Root />
        </I18nContextProvider>
    }
}

#[component]
fn Root() -> impl IntoView {
    let i18n = use_i18n();
    restore_chosen_language(i18n);
    Feedback::provide();
    Session::provide();
    ThemeChoice::provide();

    // Keep <html lang> in step with the chosen language, for screen readers.
    Effect::new(move |_| {
        let lang = language_of(i18n.get_locale()).as_str();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang);
        }
        document().set_title(t_string!(i18n, app_title));
    });

    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/login") view=|| view! { <Gate screen=Screen::Login /> } />
                <Route path=path!("/setup") view=|| view! { <Gate screen=Screen::Setup /> } />
                <ParentRoute path=path!("") view=|| view! { <Gate screen=Screen::Console /> }>
                    <Route path=path!("") view=Home />
                    <Route path=path!("users") view=UsersScreen />
                    <Route path=path!("service-accounts") view=ServiceAccountsScreen />
                    <Route path=path!("service-accounts/:id") view=ServiceAccountScreen />
                    <Route path=path!("service-accounts/:id/trust-rules/:rule") view=TrustRuleScreen />
                    // One route for the menu and its sections: moving between them keeps the
                    // page and the drawer, only the section changes.
                    <Route path=path!("settings/:section?") view=SettingsScreen />
                </ParentRoute>
            </Routes>
        </Router>
        <FeedbackRegion />
    }
}

/// What an address asks for, before knowing who is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Login,
    Setup,
    Console,
}

/// Sends each visitor where they belong: the setup form while no user exists, the login
/// form while signed out (remembering where they were going), the console once signed in.
#[component]
fn Gate(screen: Screen) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::get();
    let location = use_location();
    let query = use_query_map();
    let replace = || NavigateOptions { replace: true, ..Default::default() };
    // Back where the visitor was going before they had to log in.
    let after_login = move || {
        let next = query.with_untracked(|query| query.get("next"));
        next.as_deref().and_then(safe_return_path).unwrap_or(routes::HOME).to_owned()
    };
    move || match session.state() {
        None => view! { <p class="page-loading">{t!(i18n, loading)}</p> }.into_any(),
        Some(Err(error)) => view! { <p class="page-error" role="alert">{error_text(i18n, &error)}</p> }.into_any(),
        Some(Ok(state)) => match (screen, state.needs_setup, state.me.is_some()) {
            (Screen::Setup, true, _) => view! { <SetupPage /> }.into_any(),
            (_, true, _) => view! { <Redirect path=routes::SETUP options=replace() /> }.into_any(),
            (Screen::Login, false, false) => view! { <LoginPage /> }.into_any(),
            (Screen::Console, false, false) => {
                let target = login_returning_to(&location.pathname.get_untracked());
                view! { <Redirect path=target options=replace() /> }.into_any()
            }
            (Screen::Login, false, true) => view! { <Redirect path=after_login() options=replace() /> }.into_any(),
            (Screen::Setup, false, true) => view! { <Redirect path=routes::HOME options=replace() /> }.into_any(),
            (Screen::Setup, false, false) => view! { <Redirect path=routes::LOGIN options=replace() /> }.into_any(),
            (Screen::Console, false, true) => view! { <ConsoleLayout /> }.into_any(),
        },
    }
}
