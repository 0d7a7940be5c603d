//! The Activity section: what happened with the user's keys and account (an
//! administrator: the whole organization's), newest first, a page at a time.

use leptos::{prelude::*, task::spawn_local};
use leptos_i18n::I18nContext;
use sesame_shared::{functions::list_activity, wire::ActivityView};

use crate::{feedback::Feedback, i18n::*, messages::error_text, time::local_timestamp};

const PAGE_SIZE: u32 = 25;

#[component]
pub fn ActivityPanel() -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let events = RwSignal::new(None::<Vec<ActivityView>>);
    let total = RwSignal::new(0u64);
    let next_page = RwSignal::new(1u32);
    let busy = RwSignal::new(false);

    let load_more = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let page = next_page.get_untracked();
        spawn_local(async move {
            match list_activity(page, PAGE_SIZE).await {
                Ok(found) => {
                    events.try_update(|list| list.get_or_insert_with(Vec::new).extend(found.events));
                    total.try_set(found.total);
                    next_page.try_set(page + 1);
                }
                Err(error) => feedback.error(error_text(i18n, &error)),
            }
            busy.try_set(false);
        });
    };
    load_more();
    let more_left = move || events.with(|list| list.as_ref().map_or(0, Vec::len) as u64) < total.get();

    view! {
        <section class="drawer-section activity">
            {move || match events.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="muted">{t!(i18n, no_activity)}</p> }.into_any(),
                Some(list) => view! {
                    <ol class="activity-list">
                        <For each=move || list.clone() key=|event| event.id.clone() let:event>
                            <ActivityRow event />
                        </For>
                    </ol>
                }.into_any(),
            }}
            <Show when=more_left>
                <button class="btn btn-secondary btn-block" disabled=busy on:click=move |_| load_more()>
                    {t!(i18n, load_more)}
                </button>
            </Show>
        </section>
    }
}

fn event_text(i18n: I18nContext<Locale>, event: &str) -> String {
    match event {
        "login_succeeded" => t_string!(i18n, event_login_succeeded).to_string(),
        "login_failed" => t_string!(i18n, event_login_failed).to_string(),
        "logout" => t_string!(i18n, event_logout).to_string(),
        "key_created" => t_string!(i18n, event_key_created).to_string(),
        "key_renamed" => t_string!(i18n, event_key_renamed).to_string(),
        "key_deleted" => t_string!(i18n, event_key_deleted).to_string(),
        "password_changed" => t_string!(i18n, event_password_changed).to_string(),
        "user_created" => t_string!(i18n, event_user_created).to_string(),
        "user_disabled" => t_string!(i18n, event_user_disabled).to_string(),
        "user_enabled" => t_string!(i18n, event_user_enabled).to_string(),
        "user_role_changed" => t_string!(i18n, event_user_role_changed).to_string(),
        other => other.to_owned(),
    }
}

#[component]
fn ActivityRow(event: ActivityView) -> impl IntoView {
    let i18n = use_i18n();
    let kind = event.event.clone();
    let data_event = event.event.clone();
    // What it was about: the key by name, or the user concerned when not the actor.
    let object = event
        .key_name
        .clone()
        .or_else(|| event.subject.clone().filter(|subject| Some(subject) != event.actor.as_ref()));
    let who = event.actor.clone().unwrap_or_else(|| "—".into());
    view! {
        <li class="activity-row" data-event=data_event>
            <div class="activity-what">
                <strong>{move || event_text(i18n, &kind)}</strong>
                {object.map(|object| view! { " · " <span class="activity-object">{object}</span> })}
                {event.detail.clone().map(|detail| view! { " → " <span>{detail}</span> })}
            </div>
            <div class="activity-meta muted">
                <span>{local_timestamp(event.at)}</span>
                " · " <span>{who}</span>
                " · " <span>{event.ip.clone().unwrap_or_else(|| "—".into())}</span>
            </div>
        </li>
    }
}
