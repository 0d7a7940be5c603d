//! `/login`: username and password.

use leptos::prelude::*;
use sesame_api::functions::log_in;

use crate::{components::preference_switches::LanguageSwitch, i18n::*, messages::error_text, session::Session};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::get();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let attempt = Action::new_local(|(username, password): &(String, String)| log_in(username.clone(), password.clone()));

    Effect::new(move |_| match attempt.value().get() {
        // Signed in: the app's gate takes the visitor where they were going.
        Some(Ok(me)) => session.signed_in(me),
        Some(Err(failure)) => {
            password.set(String::new());
            error.set(Some(error_text(i18n, &failure)));
        }
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempt.dispatch((username.get_untracked(), password.get_untracked()));
    };

    view! {
        <main class="auth-page">
            <form class="auth-card" on:submit=submit>
                <h1>{t!(i18n, log_in_title)}</h1>
                <label>
                    <span>{t!(i18n, username)}</span>
                    <input
                        name="username"
                        autocomplete="username"
                        required
                        prop:value=username
                        on:input=move |ev| username.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    <span>{t!(i18n, password)}</span>
                    <input
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        prop:value=password
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                {move || error.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
                <button class="btn btn-primary" type="submit" disabled=attempt.pending()>{t!(i18n, log_in)}</button>
                <LanguageSwitch />
            </form>
        </main>
    }
}
