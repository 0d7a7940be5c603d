//! The API credentials section: docs link, endpoint with copy, generate, and the key list —
//! of the signed-in person's keys, or of a service account's they manage (`owner`): the same
//! panel on both pages.

use leptos::{html, prelude::*};
use sesame_model::names::KeyName;
use sesame_api::{
    error::{AppError, ErrorCode, Invalid},
    functions::{api_keys_week, delete_api_key, generate_api_key, get_organization_policy, list_api_keys},
    wire::{ActivityView, ApiKeyId, ApiKeyView, CreatedKey, Permission, UserId},
};

use crate::{
    clipboard::copy_with_feedback,
    components::{
        confirm_dialog::{ConfirmDialog, ConfirmRequest},
        generated_key::GeneratedKeyBox,
        scopes::{ScopesDraft, ScopesPicker},
        icons::ClipboardIcon,
        key_row::KeyRow,
    },
    expiry::{browser_now, latest_local_date, local_today, ExpiryChoice, ListClock},
    feedback::Feedback,
    focus::focus_next_frame,
    i18n::*,
    language::language_of,
    messages::error_text,
    notices::KeyNoticesState,
    time::local_timestamp,
};

/// What the key list shows: only a change of state rebuilds it (a rename, say, does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListState {
    Loading,
    Failed,
    Empty,
    Listed,
}

/// Past this many keys the list gets a filter box.
const FILTER_FROM: usize = 8;

/// Rows drawn at first, and added by "Show more": a user with thousands of keys gets a
/// usable panel at once, and the filter searches them all.
const ROWS_PER_STEP: usize = 100;

fn docs_url() -> String {
    let origin = window().location().origin().unwrap_or_default();
    format!("{origin}/api-docs")
}

/// The docs open in the console's current language.
fn docs_href(locale: Locale) -> String {
    format!("/api-docs?lang={}", language_of(locale).as_str())
}

#[component]
pub fn ApiCredentialsPanel(
    endpoint_url: String,
    /// A service account the person manages; none: their own keys.
    #[prop(optional)]
    owner: Option<UserId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let dialog = ConfirmDialog::get();
    let listed = LocalResource::new(move || list_api_keys(owner));
    // Each key's last 7 days for its sparkline, read once with the list (a failure leaves
    // the sparklines out; the list does not depend on them).
    let weeks = LocalResource::new(move || api_keys_week(owner));
    let week_of = move |id: ApiKeyId| {
        Signal::derive(move || {
            weeks.with(|weeks| {
                weeks.as_ref().and_then(|weeks| weeks.as_ref().ok()).and_then(|weeks| weeks.iter().find(|week| week.id == id).map(|week| week.days.clone()))
            })
        })
    };
    ListClock::provide();
    let notices = KeyNoticesState::get();
    // The organization's maximum key lifetime shapes the expiry menu (the server enforces it).
    let policy = LocalResource::new(get_organization_policy);
    let max_days = move || {
        policy.with(|policy| {
            policy.as_ref().and_then(|policy| policy.as_ref().ok()).and_then(|policy| policy.max_key_lifetime_days).map(|max| max.days())
        })
    };
    // The secret to show once, and whether it is a rolled key's.
    let generated = RwSignal::new(None::<(CreatedKey, bool)>);
    let form_open = RwSignal::new(false);
    let new_name = RwSignal::new(String::new());
    let expiry = RwSignal::new(ExpiryChoice::Never);
    let expiry_date = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let filter = RwSignal::new(String::new());
    let name_ref = NodeRef::<html::Input>::new();
    let generate_ref = NodeRef::<html::Button>::new();
    let scopes = ScopesDraft::new();
    let generate = Action::new_local(
        move |(name, expires_at, scopes): &(Option<String>, Option<chrono::DateTime<chrono::Utc>>, Option<Vec<Permission>>)| {
            generate_api_key(name.clone(), *expires_at, scopes.clone(), owner)
        },
    );
    let delete = Action::new_local(|id: &ApiKeyId| {
        let id = *id;
        async move { delete_api_key(id).await.map(|()| id) }
    });

    // The list as loaded, then kept in step with this panel's own changes.
    let list_state = Memo::new(move |_| {
        listed.with(|listed| match listed {
            None => ListState::Loading,
            Some(Err(_)) => ListState::Failed,
            Some(Ok(list)) if list.is_empty() => ListState::Empty,
            Some(Ok(_)) => ListState::Listed,
        })
    });
    let update_keys = move |change: &dyn Fn(&mut Vec<ApiKeyView>)| {
        listed.update(|listed| {
            if let Some(Ok(list)) = listed {
                change(list);
            }
        });
    };
    feedback.report_load_failure(i18n, listed);

    let endpoint = StoredValue::new(endpoint_url);
    let copy_endpoint = move |_| copy_with_feedback(endpoint.get_value(), i18n, feedback);

    let open_form = move |_| {
        new_name.set(String::new());
        expiry.set(ExpiryChoice::default_for(max_days()));
        expiry_date.set(String::new());
        scopes.reset(None);
        form_error.set(None);
        form_open.set(true);
        focus_next_frame(name_ref);
    };
    let focus_generate = move || focus_next_frame(generate_ref);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if generate.pending().get_untracked() {
            return;
        }
        // The server's own rule, checked here first: a huge paste gets its message, not a
        // request over the body limit.
        let name = Some(new_name.get_untracked()).filter(|name| !name.trim().is_empty());
        if let Some(Err(problem)) = name.as_deref().map(KeyName::parse) {
            form_error.set(Some(error_text(i18n, &AppError::Server(ErrorCode::InvalidRequest(Invalid::Name(problem))))));
            return;
        }
        let Ok(expires_at) = expiry_date.with_untracked(|date| expiry.get_untracked().expires_at(browser_now(), date)) else {
            form_error.set(Some(error_text(i18n, &AppError::Server(ErrorCode::ExpiryInPast))));
            return;
        };
        generate.dispatch((name, expires_at, scopes.value()));
    };
    let expiry_label = move |choice: ExpiryChoice| match choice {
        ExpiryChoice::Never => t_string!(i18n, expiry_never).to_string(),
        ExpiryChoice::Days(365) => t_string!(i18n, expiry_year).to_string(),
        ExpiryChoice::Days(days) => t_string!(i18n, expiry_days, count = days).to_string(),
        ExpiryChoice::Date => t_string!(i18n, expiry_date).to_string(),
    };
    Effect::new(move |_| match generate.value().get() {
        Some(Ok(created)) => {
            update_keys(&|list| list.push(created.key.clone()));
            notices.reload();
            // Said in the polite live region too: a box that appears is not announced.
            feedback.success(t_string!(i18n, new_key_generated, name = created.key.name.clone()).to_string());
            form_open.set(false);
            generated.set(Some((created, false)));
        }
        Some(Err(error)) => form_error.set(Some(error_text(i18n, &error))),
        None => {}
    });

    let on_changed = Callback::new(move |changed: ApiKeyView| {
        update_keys(&|list| {
            if let Some(slot) = list.iter_mut().find(|key| key.id == changed.id) {
                *slot = changed.clone();
            }
        });
    });
    let on_rolled = Callback::new(move |rolled: CreatedKey| {
        on_changed.run(rolled.key.clone());
        notices.reload();
        feedback.success(t_string!(i18n, new_key_rolled, name = rolled.key.name.clone()).to_string());
        form_open.set(false);
        generated.set(Some((rolled, true)));
    });
    let on_delete = Callback::new(move |key: ApiKeyView| {
        dialog.ask(ConfirmRequest {
            title: t_string!(i18n, delete_title).to_string(),
            question: t_string!(i18n, delete_question, name = key.name.clone()).to_string(),
            confirm_label: t_string!(i18n, delete).to_string(),
            on_confirm: Callback::new(move |_| {
                delete.dispatch(key.id);
            }),
            details: None,
        });
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(id)) => {
            update_keys(&|list| list.retain(|key| key.id != id));
            notices.reload();
            feedback.success(t_string!(i18n, deleted).to_string());
            focus_generate();
        }
        Some(Err(error)) => feedback.error(error_text(i18n, &error)),
        None => {}
    });

    // Moved to a service account: no longer in this list (its job keeps working).
    let on_moved = owner.is_none().then(|| {
        Callback::new(move |moved: ApiKeyView| {
            update_keys(&|list| list.retain(|key| key.id != moved.id));
            // Its reminders and leak notices are no longer this person's.
            notices.reload();
            focus_generate();
        })
    });

    let row_limit = RwSignal::new(ROWS_PER_STEP);
    let matching = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        listed.with(|listed| {
            listed
                .iter()
                .flat_map(|listed| listed.iter().flatten())
                .filter(|key| needle.is_empty() || key.name.to_lowercase().contains(&needle))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let visible_keys = move || matching.with(|list| list.iter().take(row_limit.get()).cloned().collect::<Vec<_>>());
    let hidden_count = move || matching.with(Vec::len).saturating_sub(row_limit.get());
    let key_count = move || listed.with(|listed| listed.as_ref().and_then(|l| l.as_ref().ok()).map_or(0, Vec::len));

    view! {
        <section class="api-credentials">
            <h3 class="panel-heading">{t!(i18n, api_keys)}</h3>
            <div class="field">
                <div class="field-label">{t!(i18n, api_docs)}</div>
                <a class="docs-link" href=move || docs_href(i18n.get_locale()) target="_blank" rel="noopener">{docs_url()}</a>
            </div>
            <div class="field">
                <div class="field-label">{t!(i18n, endpoint)}</div>
                <div class="endpoint-row">
                    <code class="endpoint-url">{endpoint.get_value()}</code>
                    <button
                        class="icon-button"
                        aria-label=move || t_string!(i18n, copy_endpoint).to_string()
                        title=move || t_string!(i18n, copy).to_string()
                        on:click=copy_endpoint
                    >
                        <ClipboardIcon />
                    </button>
                </div>
            </div>
            <For
                // The person's own notices; a service account's page has its own keys only.
                each=move || if owner.is_none() { notices.revoked_as_leaked() } else { Vec::new() }
                key=|event| event.id
                children=move |event| view! { <LeakNotice event /> }
            />
            {move || match (generated.get(), form_open.get()) {
                (Some((created, rolled)), _) => view! {
                    <GeneratedKeyBox
                        created
                        rolled
                        on_done=Callback::new(move |_| {
                            generated.set(None);
                            focus_generate();
                        })
                    />
                }.into_any(),
                (None, true) => view! {
                    // Checked by `submit` itself, so its messages are the console's own, in its language.
                    // Escape anywhere in the form cancels it (not the whole drawer).
                    <form
                        class="generate-form"
                        novalidate
                        on:submit=submit
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Escape" {
                                ev.prevent_default();
                                ev.stop_propagation();
                                form_open.set(false);
                                focus_generate();
                            }
                        }
                    >
                        <label>
                            <span>{t!(i18n, new_key_name)}</span>
                            <input
                                node_ref=name_ref
                                maxlength="100"
                                prop:value=new_name
                                on:input=move |ev| new_name.set(event_target_value(&ev))
                            />
                            <small class="muted">{t!(i18n, new_key_name_hint)}</small>
                        </label>
                        <label>
                            <span>{t!(i18n, expiry)}</span>
                            <select
                                class="expiry-choice"
                                on:change=move |ev| expiry.set(ExpiryChoice::from_value(&event_target_value(&ev)))
                            >
                                {move || ExpiryChoice::menu(max_days())
                                    .into_iter()
                                    .map(|choice| view! {
                                        <option value=choice.value() selected=move || expiry.get() == choice>
                                            {move || expiry_label(choice)}
                                        </option>
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <Show when=move || expiry.get() == ExpiryChoice::Date>
                            <label>
                                <span>{t!(i18n, expiry_date_label)}</span>
                                <input
                                    class="expiry-date"
                                    type="date"
                                    required
                                    min=local_today()
                                    max=move || max_days().map(latest_local_date)
                                    prop:value=expiry_date
                                    on:input=move |ev| expiry_date.set(event_target_value(&ev))
                                />
                            </label>
                        </Show>
                        <ScopesPicker draft=scopes />
                        {move || form_error.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
                        <div class="form-actions">
                            <button
                                type="button"
                                class="btn btn-secondary"
                                on:click=move |_| {
                                    form_open.set(false);
                                    focus_generate();
                                }
                            >
                                {t!(i18n, cancel)}
                            </button>
                            <button type="submit" class="btn btn-primary" disabled=generate.pending()>{t!(i18n, generate)}</button>
                        </div>
                    </form>
                }.into_any(),
                (None, false) => view! {
                    <button class="btn btn-primary btn-block" node_ref=generate_ref on:click=open_form>
                        {t!(i18n, generate_api_key)}
                    </button>
                }.into_any(),
            }}
            <Show when=move || { key_count() >= FILTER_FROM }>
                <input
                    class="key-filter"
                    type="search"
                    aria-label=move || t_string!(i18n, filter_keys).to_string()
                    placeholder=move || t_string!(i18n, filter_keys).to_string()
                    prop:value=filter
                    on:input=move |ev| filter.set(event_target_value(&ev))
                />
            </Show>
            <div class="list-header">{t!(i18n, name)}</div>
            {move || match list_state.get() {
                ListState::Loading => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                ListState::Failed => view! { <p class="muted">{t!(i18n, request_failed)}</p> }.into_any(),
                ListState::Empty => view! { <p class="muted">{t!(i18n, no_keys)}</p> }.into_any(),
                ListState::Listed => view! {
                    <ul class="key-list">
                        <For
                            each=visible_keys
                            key=|key| key.id
                            children=move |key| {
                                let week = week_of(key.id);
                                view! { <KeyRow key week on_changed on_rolled on_delete on_moved /> }
                            }
                        />
                    </ul>
                    <Show when=move || { hidden_count() > 0 }>
                        <p class="muted more-keys">
                            {move || t_string!(i18n, more_keys, count = hidden_count()).to_string()}
                        </p>
                        <button class="btn btn-secondary btn-block" on:click=move |_| row_limit.update(|n| *n += ROWS_PER_STEP)>
                            {t!(i18n, show_more)}
                        </button>
                    </Show>
                }.into_any(),
            }}
        </section>
    }
}

/// A key revoked as leaked lately: what happened, when, and from where the report came.
#[component]
fn LeakNotice(event: ActivityView) -> impl IntoView {
    let i18n = use_i18n();
    let name = event.key.as_ref().map(|key| key.name.clone()).unwrap_or_default();
    let date = local_timestamp(event.at);
    let address = event.ip.map_or_else(|| "—".to_owned(), |ip| ip.to_string());
    let previous_only = event.detail.is_some();
    view! {
        <p class="key-notice" role="status">
            {move || if previous_only {
                t_string!(i18n, leaked_notice_previous, name = name.clone(), date = date.clone(), address = address.clone()).to_string()
            } else {
                t_string!(i18n, leaked_notice, name = name.clone(), date = date.clone(), address = address.clone()).to_string()
            }}
        </p>
    }
}
