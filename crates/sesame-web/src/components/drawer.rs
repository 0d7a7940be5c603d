//! The User settings drawer: who you are, and the menu of settings sections.

use leptos::{prelude::*, task::spawn_local};
use leptos_i18n::I18nContext;
use sesame_shared::{functions::log_out, wire::Me};

use crate::{
    app::Session,
    components::{
        activity::ActivityPanel,
        api_credentials::ApiCredentialsPanel,
        icons::{BackIcon, ChevronIcon, CloseIcon},
        language_switch::LanguageSwitch,
        security::SecurityPanel,
    },
    feedback::Feedback,
    i18n::*,
    messages::error_text,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Menu,
    Account,
    ApiCredentials,
    Security,
    Activity,
    Language,
}

#[component]
pub fn UserSettingsDrawer(me: Me, endpoint_url: String, on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let section = RwSignal::new(Section::Menu);

    let title = move || match section.get() {
        Section::Menu => t_string!(i18n, user_settings).to_string(),
        Section::Account => t_string!(i18n, account_information).to_string(),
        Section::ApiCredentials => t_string!(i18n, api_credentials).to_string(),
        Section::Security => t_string!(i18n, security).to_string(),
        Section::Activity => t_string!(i18n, activity).to_string(),
        Section::Language => t_string!(i18n, language).to_string(),
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        // Escape closes the drawer, unless a dialog or editor inside handled it first.
        if ev.key() == "Escape" && !ev.default_prevented() {
            on_close.run(());
        }
    };

    view! {
        <aside class="drawer" aria-labelledby="drawer-title" on:keydown=on_keydown>
            <header class="drawer-header">
                <Show when=move || section.get() != Section::Menu>
                    <button
                        class="icon-button back-button"
                        aria-label=move || t_string!(i18n, back).to_string()
                        on:click=move |_| section.set(Section::Menu)
                    >
                        <BackIcon />
                    </button>
                </Show>
                <h2 id="drawer-title">{title}</h2>
                <button
                    class="icon-button close-button"
                    aria-label=move || t_string!(i18n, close).to_string()
                    on:click=move |_| on_close.run(())
                >
                    <CloseIcon />
                </button>
            </header>
            <div class="drawer-body">
                {move || match section.get() {
                    Section::Menu => view! { <Menu me=me.clone() section /> }.into_any(),
                    Section::Account => view! { <AccountInformation me=me.clone() /> }.into_any(),
                    Section::ApiCredentials => {
                        view! { <ApiCredentialsPanel endpoint_url=endpoint_url.clone() /> }.into_any()
                    }
                    Section::Security => view! { <SecurityPanel /> }.into_any(),
                    Section::Activity => view! { <ActivityPanel /> }.into_any(),
                    Section::Language => view! {
                        <section class="drawer-section">
                            <p>{t!(i18n, language_intro)}</p>
                            <LanguageSwitch />
                        </section>
                    }.into_any(),
                }}
            </div>
        </aside>
    }
}

fn role_label(i18n: I18nContext<Locale>, role: &str) -> String {
    if role == "admin" {
        t_string!(i18n, role_admin).to_string()
    } else {
        t_string!(i18n, role_user).to_string()
    }
}

#[component]
fn Menu(me: Me, section: RwSignal<Section>) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::get();
    let feedback = Feedback::get();
    let role = me.role.clone();
    let log_out_now = move |_| {
        spawn_local(async move {
            match log_out().await {
                Ok(()) => session.signed_out(),
                Err(error) => feedback.error(error_text(i18n, &error)),
            }
        });
    };
    let entry = move |label: fn(I18nContext<Locale>) -> String, target: Section| {
        view! {
            <li>
                <button class="menu-entry" on:click=move |_| section.set(target)>
                    <span>{move || label(i18n)}</span>
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
                <dd class="accent">{me.organization.clone()}</dd>
                <dt>{t!(i18n, primary_role)}</dt>
                <dd>{move || role_label(i18n, &role)}</dd>
            </dl>
        </section>
        <nav>
            <ul class="menu">
                {entry(|i18n| t_string!(i18n, account_information).to_string(), Section::Account)}
                {entry(|i18n| t_string!(i18n, api_credentials).to_string(), Section::ApiCredentials)}
                {entry(|i18n| t_string!(i18n, security).to_string(), Section::Security)}
                {entry(|i18n| t_string!(i18n, activity).to_string(), Section::Activity)}
                {entry(|i18n| t_string!(i18n, language).to_string(), Section::Language)}
                <li>
                    <button class="menu-entry" on:click=log_out_now>
                        <span>{t!(i18n, log_out)}</span>
                    </button>
                </li>
            </ul>
        </nav>
    }
}

#[component]
fn AccountInformation(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let role = me.role.clone();
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
                <dd>{me.organization}</dd>
                <dt>{t!(i18n, primary_role)}</dt>
                <dd>{move || role_label(i18n, &role)}</dd>
            </dl>
        </section>
    }
}
