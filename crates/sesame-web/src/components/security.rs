//! The Security section: change the password (the current one is asked; the other
//! sessions end), and the list of active sessions with "sign out" for each and for all
//! the others.

use leptos::prelude::*;
use sesame_api::{
    functions::{change_password, end_other_sessions, end_session, list_sessions},
    wire::{PasswordChange, SessionId, SessionView},
};

use crate::{
    components::text_field::TextField, feedback::Feedback, i18n::*, messages::error_text,
    time::local_timestamp,
};

#[component]
pub fn SecurityPanel() -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let listed = LocalResource::new(list_sessions);
    let reload = move || listed.refetch();
    feedback.report_load_failure(i18n, listed);
    let sessions = move || listed.get().and_then(Result::ok);

    let end_others = Action::new_local(|_: &()| end_other_sessions());
    Effect::new(move |_| match end_others.value().get() {
        Some(Ok(count)) => {
            feedback.success(t_string!(i18n, sessions_ended, count = count).to_string());
            reload();
        }
        Some(Err(error)) => feedback.error(error_text(i18n, &error)),
        None => {}
    });
    let others = move || {
        listed.with(|listed| match listed {
            Some(Ok(sessions)) => sessions.iter().filter(|s| !s.current).count(),
            _ => 0,
        })
    };

    view! {
        <section class="drawer-section security">
            <PasswordForm on_changed=Callback::new(move |_| reload()) />
            <h3 class="panel-heading">{t!(i18n, active_sessions)}</h3>
            {move || match sessions() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(list) => view! {
                    <ul class="session-list">
                        <For each=move || list.clone() key=|session| session.id let:session>
                            <SessionRow session on_ended=Callback::new(move |_| reload()) />
                        </For>
                    </ul>
                }.into_any(),
            }}
            <Show when=move || { others() > 0 }>
                <button class="btn btn-secondary btn-block" disabled=end_others.pending() on:click=move |_| { end_others.dispatch(()); }>
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
    let change = Action::new_local(|change: &PasswordChange| change_password(change.clone()));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if change.pending().get_untracked() {
            return;
        }
        error.set(None);
        change.dispatch(PasswordChange { current: current.get_untracked(), new: new.get_untracked() });
    };
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            current.set(String::new());
            new.set(String::new());
            feedback.success(t_string!(i18n, password_changed).to_string());
            on_changed.run(());
        }
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });

    view! {
        <form class="password-form" on:submit=submit>
            <h3 class="panel-heading">{t!(i18n, change_password)}</h3>
            {move || view! { <TextField label=t_string!(i18n, current_password).to_string() value=current kind="password" autocomplete="current-password" /> }}
            {move || view! { <TextField label=t_string!(i18n, new_password).to_string() value=new kind="password" autocomplete="new-password" /> }}
            <p class="muted small">{t!(i18n, change_password_hint)}</p>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <button class="btn btn-primary btn-block" type="submit" disabled=change.pending()>{t!(i18n, change_password)}</button>
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
    let ip = session.ip.map_or_else(|| "—".to_owned(), |ip| ip.to_string());
    let label_ip = ip.clone();
    let sign_out = Action::new_local(|id: &SessionId| end_session(*id));
    Effect::new(move |_| match sign_out.value().get() {
        Some(Ok(())) => {
            feedback.success(t_string!(i18n, session_ended).to_string());
            on_ended.run(());
        }
        Some(Err(error)) => feedback.error(error_text(i18n, &error)),
        None => {}
    });
    let id = session.id;
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
                    disabled=sign_out.pending()
                    on:click=move |_| { sign_out.dispatch(id); }
                >
                    {t!(i18n, sign_out)}
                </button>
            })}
        </li>
    }
}
