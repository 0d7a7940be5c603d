//! One key in the list: name (with *Disabled* or *Expired* when it is), last IP, last
//! activity, expiry, and the previous secret's end while a roll's overlap lasts; the pencil
//! turns the name into an inline editor (Enter or Save saves, Escape cancels), the arrows
//! open the roll editor (how long the previous secret keeps working), pause / play
//! disables or enables the key, the red circle asks to delete; *Change* next to its
//! permissions opens their editor.

use leptos::{html, prelude::*};
use leptos_router::components::A;
use sesame_model::{names::KeyName, Status};
use sesame_api::{
    error::{AppError, ErrorCode, Invalid},
    functions::{end_api_key_overlap, get_api_key, roll_api_key, update_api_key},
    routes::trust_rule_path,
    wire::{ApiKeyView, CreatedKey},
};

use crate::{
    components::{
        icons::{DeleteIcon, PauseIcon, PencilIcon, PlayIcon, RollIcon},
        move_key::MoveKeyEditor,
        restrictions::{restrictions_summary, KeyRestrictionsEditor},
        usage::{KeyUsage, Sparkline},
        scopes::{scopes_summary, KeyScopesEditor},
    },
    expiry::{expires_soon, expiry_state, ExpiryState, ListClock},
    feedback::Feedback,
    focus::focus_next_frame,
    i18n::*,
    messages::error_text,
    time::local_timestamp,
};

/// How long a rolled key's previous secret may keep working, in seconds: now, an hour, a
/// day (the default), a week.
const GRACE_CHOICES: [u32; 4] = [0, 3600, 86_400, 604_800];

#[component]
pub fn KeyRow(
    key: ApiKeyView,
    /// Its requests per day over the last 7 days, once read (none: not shown).
    week: Signal<Option<Vec<u64>>>,
    /// The key as changed here (renamed, disabled, enabled, its overlap ended).
    on_changed: Callback<ApiKeyView>,
    /// The key rolled here, with its new secret to show once.
    on_rolled: Callback<CreatedKey>,
    on_delete: Callback<ApiKeyView>,
    /// The key moved to a service account here; none: the row offers no move (a service
    /// account's own keys move through the REST API).
    on_moved: Option<Callback<ApiKeyView>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let rename =
        Action::new_local(|(key, name): &(ApiKeyView, String)| update_api_key(key.id, Some(name.clone()), None));
    let set_status = Action::new_local(|(key, status): &(ApiKeyView, Status)| update_api_key(key.id, None, Some(*status)));
    let rolling = RwSignal::new(false);
    let addresses_shown = RwSignal::new(false);
    let usage_shown = RwSignal::new(false);
    let scopes_open = RwSignal::new(false);
    let scopes_ref = NodeRef::<html::Button>::new();
    let restrictions_open = RwSignal::new(false);
    let restrictions_ref = NodeRef::<html::Button>::new();
    let moving = RwSignal::new(false);
    let move_ref = NodeRef::<html::Button>::new();
    let grace_seconds = RwSignal::new(GRACE_CHOICES[2]);
    // The panel's roll keeps the key's expiry (the API may give a new one).
    let roll = Action::new_local(|(key, grace): &(ApiKeyView, u32)| roll_api_key(key.id, *grace, None));
    let end_overlap = Action::new_local(|key: &ApiKeyView| end_api_key_overlap(key.id));
    let roll_ref = NodeRef::<html::Button>::new();
    let grace_ref = NodeRef::<html::Select>::new();
    let input_ref = NodeRef::<html::Input>::new();
    let pencil_ref = NodeRef::<html::Button>::new();
    // A key a CI job got for its OIDC token: the rule that minted it, and for whom.
    let (minted, owner_id) = (key.minted.clone(), key.owner_id);
    // The row keeps its own copy, so a rename updates it in place and focus can return to
    // its pencil (the list is keyed by id and does not rebuild the row).
    let current = RwSignal::new(key);

    let start_editing = move |_| {
        draft.set(current.with_untracked(|key| key.name.clone()));
        error.set(None);
        editing.set(true);
        // Focus the editor with its text selected, ready to type over.
        request_animation_frame(move || {
            if let Some(input) = input_ref.try_get_untracked().flatten() {
                let _ = input.focus();
                input.select();
            }
        });
    };
    let stop_editing = move || {
        editing.set(false);
        error.set(None);
        focus_next_frame(pencil_ref);
    };
    let save = move || {
        if rename.pending().get_untracked() {
            return;
        }
        // The server's own rule, checked here first (a huge paste gets its message, not a
        // request over the body limit).
        if let Err(problem) = draft.with_untracked(|name| KeyName::parse(name)) {
            error.set(Some(error_text(i18n, &AppError::Server(ErrorCode::InvalidRequest(Invalid::Name(problem))))));
            return;
        }
        rename.dispatch((current.get_untracked(), draft.get_untracked()));
    };
    Effect::new(move |_| match rename.value().get() {
        Some(Ok(renamed)) => {
            feedback.success(t_string!(i18n, renamed).to_string());
            current.set(renamed.clone());
            stop_editing();
            on_changed.run(renamed);
        }
        // The draft stays as typed, so nothing is lost; the message says why.
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
    let start_rolling = move |_| {
        rolling.set(true);
        focus_next_frame(grace_ref);
    };
    let stop_rolling = move || {
        rolling.set(false);
        focus_next_frame(roll_ref);
    };
    Effect::new(move |_| match roll.value().get() {
        Some(Ok(rolled)) => {
            rolling.set(false);
            current.set(rolled.key.clone());
            on_rolled.run(rolled);
        }
        Some(Err(failure)) => feedback.error(error_text(i18n, &failure)),
        None => {}
    });
    Effect::new(move |_| match end_overlap.value().get() {
        Some(Ok(changed)) => {
            feedback.success(t_string!(i18n, overlap_ended).to_string());
            current.set(changed.clone());
            on_changed.run(changed);
        }
        Some(Err(failure)) => feedback.error(error_text(i18n, &failure)),
        None => {}
    });
    let grace_text = move |seconds: u32| match seconds {
        0 => t_string!(i18n, grace_now).to_string(),
        3600 => t_string!(i18n, grace_hour).to_string(),
        86_400 => t_string!(i18n, grace_day).to_string(),
        _ => t_string!(i18n, grace_week).to_string(),
    };
    let toggle_status = move |_| {
        if set_status.pending().get_untracked() {
            return;
        }
        let key = current.get_untracked();
        let wanted = if key.status.is_active() { Status::Disabled } else { Status::Active };
        set_status.dispatch((key, wanted));
    };
    Effect::new(move |_| match set_status.value().get() {
        Some(Ok(changed)) => {
            feedback.success(match changed.status {
                Status::Active => t_string!(i18n, key_enabled).to_string(),
                Status::Disabled => t_string!(i18n, key_disabled).to_string(),
            });
            current.set(changed.clone());
            on_changed.run(changed);
        }
        Some(Err(failure)) => feedback.error(error_text(i18n, &failure)),
        None => {}
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            save();
        }
        "Escape" => {
            // Handled here: the drawer must not close as well.
            ev.prevent_default();
            ev.stop_propagation();
            stop_editing();
        }
        _ => {}
    };

    let name = move || current.with(|key| key.name.clone());
    let last_ip = move || current.with(|key| key.last_used_ip.map_or_else(|| "—".to_owned(), |ip| ip.to_string()));
    let last_used = move || current.with(|key| key.last_used_at);
    let active = move || current.with(|key| key.status.is_active());
    let clock = ListClock::get();
    let expiry = move || current.with(|key| (key.expires_at, expiry_state(key.expires_at, clock.now())));
    let expiry_text = move || match expiry() {
        (_, ExpiryState::Never) => t_string!(i18n, expires_never).to_string(),
        (Some(at), ExpiryState::InDays(1)) => t_string!(i18n, expires_within_day, date = local_timestamp(at)).to_string(),
        (Some(at), ExpiryState::InDays(days)) => {
            t_string!(i18n, expires_in_days, date = local_timestamp(at), count = days).to_string()
        }
        (Some(at), ExpiryState::Expired) => t_string!(i18n, expired_on, date = local_timestamp(at)).to_string(),
        (None, _) => String::new(),
    };
    let expired = move || expiry().1 == ExpiryState::Expired;
    let soon = move || active() && expires_soon(expiry().1);
    // Shown while the previous secret still works (by this browser's clock).
    let overlap_until = move || current.with(|key| key.previous_secret_valid_until.filter(|until| *until > clock.now()));
    let error_id = current.with_untracked(|key| format!("rename-error-{}", key.id));
    let error_id_attr = error_id.clone();

    view! {
        <li class="key-row" class:key-row-off=move || !active() || expired() class:key-row-soon=soon>
            <div class="key-row-top">
                <Show
                    when=move || editing.get()
                    fallback=move || view! {
                        <span class="key-name">{name}</span>
                        <Show when=move || !active()>
                            <span class="badge badge-disabled key-status">{t!(i18n, key_status_disabled)}</span>
                        </Show>
                        <Show when=expired>
                            <span class="badge badge-expired key-status">{t!(i18n, status_expired)}</span>
                        </Show>
                        <Show when=soon>
                            <span class="badge badge-soon key-status">{t!(i18n, expiring_soon)}</span>
                        </Show>
                    }
                >
                    <div class="rename-editor">
                        <input
                            node_ref=input_ref
                            class="rename-input"
                            maxlength="100"
                            aria-label=move || t_string!(i18n, new_name, name = name()).to_string()
                            aria-invalid=move || error.get().is_some().to_string()
                            aria-describedby=error_id_attr.clone()
                            prop:value=draft
                            on:input=move |ev| draft.set(event_target_value(&ev))
                            on:keydown=on_keydown
                        />
                        <button class="btn btn-small btn-primary" disabled=rename.pending() on:click=move |_| save()>
                            {t!(i18n, save)}
                        </button>
                        <button class="btn btn-small btn-secondary" on:click=move |_| stop_editing()>
                            {t!(i18n, cancel)}
                        </button>
                    </div>
                </Show>
                <Show when=move || !editing.get()>
                    <span class="key-actions">
                        <button
                            class="icon-button"
                            node_ref=pencil_ref
                            aria-label=move || t_string!(i18n, rename_label, name = name()).to_string()
                            title=move || t_string!(i18n, rename).to_string()
                            on:click=start_editing
                        >
                            <PencilIcon />
                        </button>
                        <button
                            class="icon-button"
                            node_ref=roll_ref
                            aria-label=move || t_string!(i18n, roll_label, name = name()).to_string()
                            aria-expanded=move || rolling.get().to_string()
                            title=move || t_string!(i18n, roll).to_string()
                            on:click=start_rolling
                        >
                            <RollIcon />
                        </button>
                        <button
                            class="icon-button key-toggle"
                            aria-label=move || {
                                if active() {
                                    t_string!(i18n, disable_label, name = name()).to_string()
                                } else {
                                    t_string!(i18n, enable_label, name = name()).to_string()
                                }
                            }
                            title=move || if active() { t_string!(i18n, disable).to_string() } else { t_string!(i18n, enable).to_string() }
                            disabled=set_status.pending()
                            on:click=toggle_status
                        >
                            {move || if active() { view! { <PauseIcon /> }.into_any() } else { view! { <PlayIcon /> }.into_any() }}
                        </button>
                        <button
                            class="icon-button"
                            aria-label=move || t_string!(i18n, delete_label, name = name()).to_string()
                            title=move || t_string!(i18n, delete).to_string()
                            on:click=move |_| on_delete.run(current.get_untracked())
                        >
                            <DeleteIcon />
                        </button>
                    </span>
                </Show>
            </div>
            {minted.map(|minted| view! {
                <p class="key-minted muted">
                    {t!(i18n, minted_by_rule)}" "
                    <A href=trust_rule_path(owner_id, minted.rule_id)>{short_id(minted.rule_id.to_string())}</A>" "
                    {t!(i18n, minted_for)}" "<code>{minted.subject}</code>
                </p>
            })}
            <p class="form-error" id=error_id role="alert">{move || error.get()}</p>
            <Show when=move || rolling.get()>
                <div
                    class="roll-editor"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            // Handled here: the drawer must not close as well.
                            ev.prevent_default();
                            ev.stop_propagation();
                            stop_rolling();
                        }
                    }
                >
                    <label>
                        <span>{t!(i18n, roll_grace)}</span>
                        <select
                            node_ref=grace_ref
                            on:change=move |ev| grace_seconds.set(event_target_value(&ev).parse().unwrap_or(0))
                        >
                            {GRACE_CHOICES
                                .into_iter()
                                .map(|seconds| view! {
                                    <option value=seconds.to_string() selected=move || grace_seconds.get() == seconds>
                                        {move || grace_text(seconds)}
                                    </option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <div class="form-actions">
                        <button class="btn btn-small btn-secondary" on:click=move |_| stop_rolling()>{t!(i18n, cancel)}</button>
                        <button
                            class="btn btn-small btn-primary"
                            disabled=roll.pending()
                            on:click=move |_| {
                                roll.dispatch((current.get_untracked(), grace_seconds.get_untracked()));
                            }
                        >
                            {t!(i18n, roll)}
                        </button>
                    </div>
                </div>
            </Show>
            <dl class="key-usage">
                <div>
                    <dt>{t!(i18n, last_ip)}</dt>
                    <dd class="key-last-ip">{last_ip}</dd>
                </div>
                <div>
                    <dt>{t!(i18n, last_activity)}</dt>
                    <dd class="key-last-activity">
                        {move || match last_used() {
                            Some(time) => local_timestamp(time),
                            None => t_string!(i18n, never_used).to_string(),
                        }}
                    </dd>
                    {move || week.get().map(|days| view! { <dd class="key-sparkline"><Sparkline days /></dd> })}
                </div>
                <div class="key-expiry-entry">
                    <dt>{t!(i18n, expires)}</dt>
                    <dd class="key-expiry">{expiry_text}</dd>
                </div>
                <div class="key-expiry-entry">
                    <dt>{t!(i18n, permissions)}</dt>
                    <dd class="key-scopes">
                        {move || current.with(|key| scopes_summary(i18n, key.scopes.as_deref()))}
                        " "
                        <button
                            class="link-button"
                            node_ref=scopes_ref
                            aria-label=move || t_string!(i18n, change_permissions_label, name = name()).to_string()
                            aria-expanded=move || scopes_open.get().to_string()
                            on:click=move |_| scopes_open.update(|open| *open = !*open)
                        >
                            {t!(i18n, change)}
                        </button>
                    </dd>
                </div>
                <div class="key-expiry-entry">
                    <dt>{t!(i18n, restrictions)}</dt>
                    <dd class="key-restrictions">
                        {move || current.with(|key| restrictions_summary(i18n, key))}
                        " "
                        <button
                            class="link-button"
                            node_ref=restrictions_ref
                            aria-label=move || t_string!(i18n, change_restrictions_label, name = name()).to_string()
                            aria-expanded=move || restrictions_open.get().to_string()
                            on:click=move |_| restrictions_open.update(|open| *open = !*open)
                        >
                            {t!(i18n, change)}
                        </button>
                    </dd>
                </div>
                {move || overlap_until().map(|until| view! {
                    <div class="key-expiry-entry">
                        <dt>{t!(i18n, previous_secret)}</dt>
                        <dd class="key-overlap">
                            {t_string!(i18n, previous_valid_until, date = local_timestamp(until)).to_string()}
                            " "
                            <button
                                class="link-button"
                                aria-label=move || t_string!(i18n, end_overlap_label, name = name()).to_string()
                                disabled=end_overlap.pending()
                                on:click=move |_| {
                                    end_overlap.dispatch(current.get_untracked());
                                }
                            >
                                {t!(i18n, end_overlap)}
                            </button>
                        </dd>
                    </div>
                })}
            </dl>
            <Show when=move || scopes_open.get()>
                <KeyScopesEditor
                    current
                    on_changed
                    on_close=Callback::new(move |()| {
                        scopes_open.set(false);
                        focus_next_frame(scopes_ref);
                    })
                />
            </Show>
            <Show when=move || restrictions_open.get()>
                <KeyRestrictionsEditor
                    current
                    on_changed
                    on_close=Callback::new(move |()| {
                        restrictions_open.set(false);
                        focus_next_frame(restrictions_ref);
                    })
                />
            </Show>
            <button
                class="link-button key-usage-toggle"
                aria-expanded=move || usage_shown.get().to_string()
                on:click=move |_| usage_shown.update(|shown| *shown = !*shown)
            >
                {move || if usage_shown.get() { t!(i18n, hide_usage).into_any() } else { t!(i18n, show_usage).into_any() }}
            </button>
            <Show when=move || usage_shown.get()>
                <KeyUsage id=current.with_untracked(|key| key.id) name=current.with_untracked(|key| key.name.clone()) />
            </Show>
            <button
                class="link-button key-addresses-toggle"
                aria-expanded=move || addresses_shown.get().to_string()
                on:click=move |_| addresses_shown.update(|shown| *shown = !*shown)
            >
                {move || if addresses_shown.get() { t!(i18n, hide_addresses).into_any() } else { t!(i18n, show_addresses).into_any() }}
            </button>
            <Show when=move || addresses_shown.get()>
                <RecentAddresses current />
            </Show>
            {on_moved.map(|on_moved| view! {
                <button
                    class="link-button key-move-toggle"
                    node_ref=move_ref
                    aria-label=move || t_string!(i18n, move_key_label, name = name()).to_string()
                    aria-expanded=move || moving.get().to_string()
                    on:click=move |_| moving.update(|open| *open = !*open)
                >
                    {t!(i18n, move_key)}
                </button>
                <Show when=move || moving.get()>
                    <MoveKeyEditor
                        current
                        on_moved
                        on_close=Callback::new(move |()| {
                            moving.set(false);
                            focus_next_frame(move_ref);
                        })
                    />
                </Show>
            })}
        </li>
    }
}

/// The last distinct addresses a key was used from, read when shown; the row's last use is
/// brought up to date with them (only that: a change made meanwhile in the row stands).
#[component]
fn RecentAddresses(current: RwSignal<ApiKeyView>) -> impl IntoView {
    let i18n = use_i18n();
    let (id, name) = current.with_untracked(|key| (key.id, key.name.clone()));
    let details = LocalResource::new(move || get_api_key(id));
    Effect::new(move |_| {
        if let Some(Ok(details)) = details.get() {
            current.update(|key| {
                key.last_used_at = details.key.last_used_at;
                key.last_used_ip = details.key.last_used_ip;
            });
        }
    });
    view! {
        {move || match details.get() {
            None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
            Some(Err(failure)) => view! { <p class="form-error">{error_text(i18n, &failure)}</p> }.into_any(),
            Some(Ok(details)) if details.recent_addresses.is_empty() => {
                view! { <p class="muted">{t!(i18n, no_addresses)}</p> }.into_any()
            }
            Some(Ok(details)) => {
                let name = name.clone();
                view! {
                    <table class="key-addresses">
                        <caption class="visually-hidden">
                            {move || t_string!(i18n, addresses_of, name = name.clone()).to_string()}
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, address)}</th>
                                <th scope="col">{t!(i18n, first_seen)}</th>
                                <th scope="col">{t!(i18n, last_seen)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {details
                                .recent_addresses
                                .into_iter()
                                .map(|address| view! {
                                    <tr>
                                        <td>{address.ip.to_string()}</td>
                                        <td>{local_timestamp(address.first_seen)}</td>
                                        <td>{local_timestamp(address.last_seen)}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }
        }}
    }
}

/// A rule's id as the key list names it: its first eight characters, enough to tell the
/// rules of one account apart (the link leads to the whole rule).
fn short_id(mut id: String) -> String {
    id.truncate(8);
    id
}
