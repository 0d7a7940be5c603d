//! The Security section: change the password (the current one is asked; the other
//! sessions end), and the list of active sessions with "sign out" for each and for all
//! the others.

use leptos::{prelude::*, task::spawn_local};
use sesame_shared::{
    functions::{change_password, end_other_sessions, end_session, list_sessions},
    wire::{PasswordChange, SessionView},
};

use crate::{
    components::text_field::TextField, feedback::Feedback, i18n::*, messages::error_text,
    time::local_timestamp,
};

#[component]
pub fn SecurityPanel() -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let sessions = RwSignal::new(None::<Vec<SessionView>>);
    let reload = move || {
        spawn_local(async move {
            match list_sessions().await {
                Ok(found) => {
                    sessions.try_set(Some(found));
                }
                Err(error) => feedback.error(error_text(i18n, &error)),
            }
        });
    };
    reload();

    let end_others = move |_| {
        spawn_local(async move {
            match end_other_sessions().await {
                Ok(count) => {
                    feedback.success(t_string!(i18n, sessions_ended, count = count).to_string());
                    reload();
                }
                Err(error) => feedback.error(error_text(i18n, &error)),
            }
        });
    };
    let others = move || sessions.with(|list| list.iter().flatten().filter(|s| !s.current).count());

    view! {
        <section class="drawer-section security">
            <PasswordForm on_changed=Callback::new(move |_| reload()) />
            <h3 class="panel-heading">{t!(i18n, active_sessions)}</h3>
            {move || match sessions.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(list) => view! {
                    <ul class="session-list">
                        <For each=move || list.clone() key=|session| session.id.clone() let:session>
                            <SessionRow session on_ended=Callback::new(move |_| reload()) />
                        </For>
                    </ul>
                }.into_any(),
            }}
            <Show when=move || { others() > 0 }>
                <button class="btn btn-secondary btn-block" on:click=end_others>
                    {t!(i18n, sign_out_others)}
                </button>
            </Show>
        </section>
    }
}

#[component]
fn PasswordForm(on_changed: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let change = PasswordChange { current: current.get_untracked(), new: new.get_untracked() };
        spawn_local(async move {
            match change_password(change).await {
                Ok(()) => {
                    current.try_set(String::new());
                    new.try_set(String::new());
                    feedback.success(t_string!(i18n, password_changed).to_string());
                    on_changed.run(());
                }
                Err(failure) => {
                    error.try_set(Some(error_text(i18n, &failure)));
                }
            }
            busy.try_set(false);
        });
    };

    view! {
        <form class="password-form" on:submit=submit>
            <h3 class="panel-heading">{t!(i18n, change_password)}</h3>
            {move || view! { <TextField label=t_string!(i18n, current_password).to_string() value=current kind="password" autocomplete="current-password" /> }}
            {move || view! { <TextField label=t_string!(i18n, new_password).to_string() value=new kind="password" autocomplete="new-password" /> }}
            <p class="muted small">{t!(i18n, change_password_hint)}</p>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <button class="btn btn-primary btn-block" type="submit" disabled=busy>{t!(i18n, change_password)}</button>
        </form>
    }
}

/// "Chrome · Linux" from a user agent, for the common browsers and systems; anything else is
/// shown shortened. The full text is in the row's tooltip.
fn device(user_agent: Option<&str>) -> String {
    let agent = user_agent.unwrap_or("—");
    let browser = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl")]
        .into_iter()
        .find(|(marker, _)| agent.contains(marker))
        .map(|(_, name)| name);
    let system = [("Android", "Android"), ("iPhone", "iOS"), ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux")]
        .into_iter()
        .find(|(marker, _)| agent.contains(marker))
        .map(|(_, name)| name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} · {system}"),
        (Some(name), None) | (None, Some(name)) => name.to_owned(),
        (None, None) => {
            let short: String = agent.chars().take(40).collect();
            if short.len() < agent.len() { format!("{short}…") } else { short }
        }
    }
}

#[component]
fn SessionRow(session: SessionView, on_ended: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let ip = session.ip.clone().unwrap_or_else(|| "—".into());
    let id = StoredValue::new(session.id.clone());
    let label_ip = ip.clone();
    let sign_out = move |_| {
        spawn_local(async move {
            match end_session(id.get_value()).await {
                Ok(()) => {
                    feedback.success(t_string!(i18n, session_ended).to_string());
                    on_ended.run(());
                }
                Err(error) => feedback.error(error_text(i18n, &error)),
            }
        });
    };
    view! {
        <li class="session-row">
            <div class="session-device" title=session.user_agent.clone().unwrap_or_default()>
                {device(session.user_agent.as_deref())}
                {session.current.then(|| view! { <span class="badge badge-active">{t!(i18n, this_device)}</span> })}
            </div>
            <dl class="key-usage">
                <dt>{t!(i18n, last_ip)}</dt>
                <dd>{ip}</dd>
                <dt>{t!(i18n, last_seen)}</dt>
                <dd>{local_timestamp(session.last_seen_at)}</dd>
            </dl>
            {(!session.current).then(|| view! {
                <button
                    class="btn btn-secondary btn-small"
                    aria-label=move || t_string!(i18n, sign_out_session, ip = label_ip.clone()).to_string()
                    on:click=sign_out
                >
                    {t!(i18n, sign_out)}
                </button>
            })}
        </li>
    }
}
