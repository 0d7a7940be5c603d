use leptos::{prelude::*, task::spawn_local};
use sesame_shared::functions::log_in;

use crate::{app::Session, components::language_switch::LanguageSwitch, i18n::*, messages::error_text};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::get();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match log_in(username.get_untracked(), password.get_untracked()).await {
                Ok(me) => session.signed_in(me),
                Err(failure) => {
                    password.try_set(String::new());
                    error.try_set(Some(error_text(i18n, &failure)));
                }
            }
            // After a successful login this page is gone; nothing to reset then.
            busy.try_set(false);
        });
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
                <button class="btn btn-primary" type="submit" disabled=busy>{t!(i18n, log_in)}</button>
                <LanguageSwitch />
            </form>
        </main>
    }
}
