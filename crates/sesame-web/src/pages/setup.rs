//! `/setup`: the one-time form shown on a fresh database; creates the first administrator.

use leptos::prelude::*;
use sesame_api::{functions::setup_first_admin, wire::SetupForm};

use crate::{
    components::{preference_switches::LanguageSwitch, text_field::TextField},
    i18n::*,
    messages::error_text,
    session::Session,
};

#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::get();
    let setup_token = RwSignal::new(String::new());
    let organization = RwSignal::new(String::new());
    let full_name = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let create = Action::new_local(|form: &SetupForm| setup_first_admin(form.clone()));

    Effect::new(move |_| match create.value().get() {
        // Signed in: the app's gate opens the console.
        Some(Ok(me)) => session.signed_in(me),
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // What a person typed, without the spaces around it (the server takes fields as sent).
        let typed = |field: RwSignal<String>| field.get_untracked().trim().to_owned();
        create.dispatch(SetupForm {
            setup_token: typed(setup_token),
            organization: typed(organization),
            full_name: typed(full_name),
            username: typed(username),
            email: typed(email),
            password: password.get_untracked(),
        });
    };

    view! {
        <main class="auth-page">
            <form class="auth-card" on:submit=submit>
                <h1>{t!(i18n, setup_title)}</h1>
                <p class="muted">{t!(i18n, setup_intro)}</p>
                {move || view! { <TextField label=t_string!(i18n, setup_token).to_string() value=setup_token autocomplete="off" /> }}
                <p class="muted small">{t!(i18n, setup_token_hint)}</p>
                {move || view! { <TextField label=t_string!(i18n, organization_name).to_string() value=organization autocomplete="organization" /> }}
                {move || view! { <TextField label=t_string!(i18n, full_name).to_string() value=full_name autocomplete="name" /> }}
                {move || view! { <TextField label=t_string!(i18n, username).to_string() value=username autocomplete="username" /> }}
                {move || view! { <TextField label=t_string!(i18n, email).to_string() value=email kind="email" autocomplete="email" /> }}
                {move || view! { <TextField label=t_string!(i18n, password).to_string() value=password kind="password" autocomplete="new-password" /> }}
                {move || error.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
                <button class="btn btn-primary" type="submit" disabled=create.pending()>{t!(i18n, create_admin)}</button>
                <LanguageSwitch />
            </form>
        </main>
    }
}
