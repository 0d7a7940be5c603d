//! The User settings drawer: who you are, and the menu of settings sections. Each section
//! has its address (`/settings/<section>`), so reload, back and forward work as anywhere
//! else; closing goes back to the console's home.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::{hooks::use_navigate, NavigateOptions};
use sesame_api::{
    functions::log_out,
    routes::{self, Section},
    wire::UserView,
};

use crate::{
    components::{
        activity::ActivityPanel,
        confirm_dialog::ConfirmDialog,
        api_credentials::ApiCredentialsPanel,
        icons::{BackIcon, ChevronIcon, CloseIcon},
        preference_switches::{LanguageSwitch, ThemeSwitch},
        security::SecurityPanel,
    },
    feedback::Feedback,
    focus::focus_next_frame,
    i18n::*,
    messages::{error_text, role_text},
    session::Session,
};

/// A section's name, as its menu entry and the drawer's title say it.
fn section_name(i18n: I18nContext<Locale>, section: Section) -> String {
    match section {
        Section::Account => t_string!(i18n, account_information).to_string(),
        Section::ApiCredentials => t_string!(i18n, api_credentials).to_string(),
        Section::Security => t_string!(i18n, security).to_string(),
        Section::Activity => t_string!(i18n, activity).to_string(),
        Section::Language => t_string!(i18n, language).to_string(),
        Section::Theme => t_string!(i18n, theme).to_string(),
    }
}

/// The drawer's title: the section's name, or User settings for the menu.
fn section_title(i18n: I18nContext<Locale>, section: Option<Section>) -> String {
    section.map_or_else(|| t_string!(i18n, user_settings).to_string(), |section| section_name(i18n, section))
}

/// `section`: `None` for the menu.
#[component]
pub fn UserSettingsDrawer(section: Signal<Option<Section>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::get();
    let navigate = use_navigate();
    let me = session.me().expect("the drawer shows only once signed in");
    let close = {
        let navigate = navigate.clone();
        move || navigate(routes::HOME, NavigateOptions::default())
    };
    let back_to_menu = move |_| navigate(routes::SETTINGS, NavigateOptions::default());
    // Escape closes the drawer wherever the focus is (it may not have reached the drawer
    // yet: the page was just loaded at a section's address), unless a dialog is open or an
    // editor inside handled it first.
    let dialog = ConfirmDialog::get();
    let escape = window_event_listener(leptos::ev::keydown, {
        let close = close.clone();
        move |ev| {
            // Never while a new secret is shown: closing would lose its only copy.
            if ev.key() == "Escape" && !ev.default_prevented() && !dialog.is_open() && !secret_showing() {
                close();
            }
        }
    });
    on_cleanup(move || escape.remove());
    // Closed (Escape, the close button, the avatar again): the focus, gone with the drawer,
    // goes back to the button that opens it, so a keyboard user carries on from there.
    on_cleanup(|| request_animation_frame(focus_back_on_user_settings));
    let is_menu = Memo::new(move |_| section.get().is_none());
    // Keyboard focus follows the drawer: to its title when it opens and on each section,
    // so that Escape closes it and Tab starts inside it, however it was opened (a click, a
    // reload, a link).
    let title_ref = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        section.track();
        focus_next_frame(title_ref);
    });

    view! {
        <aside class="drawer" aria-labelledby="drawer-title">
            <header class="drawer-header">
                <Show when=move || !is_menu.get()>
                    <button
                        class="icon-button back-button"
                        aria-label=move || t_string!(i18n, back)
                        on:click=back_to_menu.clone()
                    >
                        <BackIcon />
                    </button>
                </Show>
                <h2 id="drawer-title" tabindex="-1" node_ref=title_ref>{move || section_title(i18n, section.get())}</h2>
                <button
                    class="icon-button close-button"
                    aria-label=move || t_string!(i18n, close)
                    on:click=move |_| close()
                >
                    <CloseIcon />
                </button>
            </header>
            <div class="drawer-body">
                {move || match section.get() {
                    None => view! { <Menu me=me.clone() /> }.into_any(),
                    Some(Section::Account) => view! { <AccountInformation me=me.clone() /> }.into_any(),
                    Some(Section::ApiCredentials) => view! { <ApiCredentialsPanel endpoint_url=session.endpoint_url() /> }.into_any(),
                    Some(Section::Security) => view! { <SecurityPanel /> }.into_any(),
                    Some(Section::Activity) => view! { <ActivityPanel /> }.into_any(),
                    Some(Section::Language) => view! {
                        <section class="drawer-section">
                            <p>{t!(i18n, language_intro)}</p>
                            <LanguageSwitch />
                        </section>
                    }.into_any(),
                    Some(Section::Theme) => view! {
                        <section class="drawer-section">
                            <p>{t!(i18n, theme_intro)}</p>
                            <ThemeSwitch />
                        </section>
                    }.into_any(),
                }}
            </div>
        </aside>
    }
}

#[component]
fn Menu(me: UserView) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::get();
    let feedback = Feedback::get();
    let role = me.role;
    let sign_out = Action::new_local(|_: &()| log_out());
    Effect::new(move |_| match sign_out.value().get() {
        // Signed out: the app's gate shows the login form.
        Some(Ok(())) => session.signed_out(),
        Some(Err(error)) => feedback.error(error_text(i18n, &error)),
        None => {}
    });
    let navigate = use_navigate();
    // Buttons (the names people and tests look for are buttons' names) that go to the
    // section's address.
    let entry = move |section: Section| {
        let navigate = navigate.clone();
        view! {
            <li>
                <button class="menu-entry" on:click=move |_| navigate(&section.path(), NavigateOptions::default())>
                    <span>{move || section_name(i18n, section)}</span>
                    <ChevronIcon />
                </button>
            </li>
        }
    };
    view! {
        <section class="profile">
            <span class="avatar avatar-large" aria-hidden="true">{me.initials()}</span>
            <p class="profile-name">{me.full_name.clone()}</p>
            <p class="profile-email">{me.email.clone()}</p>
            <dl class="profile-facts">
                <dt>{t!(i18n, organization)}</dt>
                <dd class="accent">{me.organization.name.clone()}</dd>
                <dt>{t!(i18n, primary_role)}</dt>
                <dd>{move || role_text(i18n, role)}</dd>
            </dl>
        </section>
        <nav>
            <ul class="menu">
                {Section::ALL.map(entry)}
                <li>
                    <button class="menu-entry" disabled=sign_out.pending() on:click=move |_| { sign_out.dispatch(()); }>
                        <span>{t!(i18n, log_out)}</span>
                    </button>
                </li>
            </ul>
        </nav>
    }
}

#[component]
fn AccountInformation(me: UserView) -> impl IntoView {
    let i18n = use_i18n();
    let role = me.role;
    view! {
        <section class="drawer-section">
            <dl class="facts">
                <dt>{t!(i18n, full_name)}</dt>
                <dd>{me.full_name}</dd>
                <dt>{t!(i18n, username)}</dt>
                <dd>{me.username}</dd>
                <dt>{t!(i18n, email)}</dt>
                <dd>{me.email}</dd>
                <dt>{t!(i18n, organization)}</dt>
                <dd>{me.organization.name}</dd>
                <dt>{t!(i18n, primary_role)}</dt>
                <dd>{move || role_text(i18n, role)}</dd>
            </dl>
        </section>
    }
}

/// Focuses the *User settings* button if the focus was lost (on the page's body).
fn focus_back_on_user_settings() {
    use wasm_bindgen::JsCast;
    let document = document();
    let lost = document.active_element().is_none_or(|active| document.body().is_some_and(|body| *body == active));
    if lost {
        if let Some(button) = document.query_selector(".avatar-button").ok().flatten() {
            let _ = button.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    }
}

/// Whether a just generated or rolled key's secret is on screen (its box, until *Done*).
fn secret_showing() -> bool {
    document().query_selector(".new-key").ok().flatten().is_some()
}
