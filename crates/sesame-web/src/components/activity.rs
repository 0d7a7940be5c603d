//! The Activity section: what happened with the user's keys and account (an
//! administrator: the whole organization's), newest first, a page at a time. A service
//! account's page shows the same list for the account.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use sesame_api::{
    functions::{list_activity, service_account_activity},
    wire::{ActivityView, EventKind, UserId},
};

use crate::{feedback::Feedback, i18n::*, messages::error_text, time::local_timestamp};

const PAGE_SIZE: u32 = 25;

#[component]
pub fn ActivityPanel(
    /// A service account the person manages; none: what the person may see.
    #[prop(optional)]
    of: Option<UserId>,
    /// The heading that names the list.
    #[prop(default = "drawer-title")]
    labelled_by: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    // Pages are loaded one after the other ("Show older") and kept, newest first.
    let wanted = RwSignal::new(1u32);
    let page = LocalResource::new(move || {
        let wanted = wanted.get();
        async move {
            match of {
                Some(account) => service_account_activity(account, wanted, PAGE_SIZE).await,
                None => list_activity(wanted, PAGE_SIZE).await,
            }
        }
    });
    let events = RwSignal::new(None::<Vec<ActivityView>>);
    let total = RwSignal::new(0u64);
    let shown_pages = RwSignal::new(0u32);
    Effect::new(move |_| match page.get() {
        Some(Ok(found)) if found.page == shown_pages.get_untracked() + 1 => {
            events.update(|list| list.get_or_insert_with(Vec::new).extend(found.events));
            total.set(found.total);
            shown_pages.set(found.page);
        }
        Some(Err(error)) => feedback.error(error_text(i18n, &error)),
        _ => {}
    });
    let loading = move || shown_pages.get() < wanted.get();
    let load_more = move || {
        if !loading() {
            wanted.update(|page| *page += 1);
        }
    };
    let more_left = move || events.with(|list| list.as_ref().map_or(0, Vec::len) as u64) < total.get();

    view! {
        <section class="drawer-section activity">
            {move || match events.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="muted">{t!(i18n, no_activity)}</p> }.into_any(),
                // Focusable, so that a keyboard can scroll the drawer when the events fill more
                // than the screen and there is no "Show older" button to reach yet (axe:
                // scrollable-region-focusable).
                Some(list) => view! {
                    <ol class="activity-list" tabindex="0" aria-labelledby=labelled_by>
                        <For each=move || list.clone() key=|event| event.id let:event>
                            <ActivityRow event />
                        </For>
                    </ol>
                }.into_any(),
            }}
            <Show when=more_left>
                <button class="btn btn-secondary btn-block" disabled=loading on:click=move |_| load_more()>
                    {t!(i18n, load_more)}
                </button>
            </Show>
        </section>
    }
}

fn event_text(i18n: I18nContext<Locale>, event: EventKind) -> String {
    match event {
        EventKind::LoginSucceeded => t_string!(i18n, event_login_succeeded).to_string(),
        EventKind::LoginFailed => t_string!(i18n, event_login_failed).to_string(),
        EventKind::Logout => t_string!(i18n, event_logout).to_string(),
        EventKind::KeyCreated => t_string!(i18n, event_key_created).to_string(),
        EventKind::KeyRenamed => t_string!(i18n, event_key_renamed).to_string(),
        EventKind::KeyDeleted => t_string!(i18n, event_key_deleted).to_string(),
        EventKind::KeyDisabled => t_string!(i18n, event_key_disabled).to_string(),
        EventKind::KeyEnabled => t_string!(i18n, event_key_enabled).to_string(),
        EventKind::KeyRevokedAsLeaked => t_string!(i18n, event_key_revoked_as_leaked).to_string(),
        EventKind::KeyRolled => t_string!(i18n, event_key_rolled).to_string(),
        EventKind::KeyOverlapEnded => t_string!(i18n, event_key_overlap_ended).to_string(),
        EventKind::KeyUsedWithPreviousSecret => t_string!(i18n, event_key_used_with_previous_secret).to_string(),
        EventKind::KeyUsedFromNewAddress => t_string!(i18n, event_key_used_from_new_address).to_string(),
        EventKind::KeyExpiresSoon => t_string!(i18n, event_key_expires_soon).to_string(),
        EventKind::KeyShortenedByPolicy => t_string!(i18n, event_key_shortened_by_policy).to_string(),
        EventKind::KeyPolicyChanged => t_string!(i18n, event_key_policy_changed).to_string(),
        EventKind::KeyScopesChanged => t_string!(i18n, event_key_scopes_changed).to_string(),
        EventKind::KeyOutOfScope => t_string!(i18n, event_key_out_of_scope).to_string(),
        EventKind::KeyAddressesChanged => t_string!(i18n, event_key_addresses_changed).to_string(),
        EventKind::KeyAddressNotAllowed => t_string!(i18n, event_key_address_not_allowed).to_string(),
        EventKind::KeyRateLimitChanged => t_string!(i18n, event_key_rate_limit_changed).to_string(),
        EventKind::KeyTransferred => t_string!(i18n, event_key_transferred).to_string(),
        EventKind::PasswordChanged => t_string!(i18n, event_password_changed).to_string(),
        EventKind::PasswordChangeFailed => t_string!(i18n, event_password_change_failed).to_string(),
        EventKind::UserCreated => t_string!(i18n, event_user_created).to_string(),
        EventKind::UserDisabled => t_string!(i18n, event_user_disabled).to_string(),
        EventKind::UserEnabled => t_string!(i18n, event_user_enabled).to_string(),
        EventKind::UserRoleChanged => t_string!(i18n, event_user_role_changed).to_string(),
        EventKind::ServiceAccountCreated => t_string!(i18n, event_service_account_created).to_string(),
        EventKind::ServiceAccountChanged => t_string!(i18n, event_service_account_changed).to_string(),
        EventKind::ServiceAccountDeleted => t_string!(i18n, event_service_account_deleted).to_string(),
        EventKind::TrustRuleCreated => t_string!(i18n, event_trust_rule_created).to_string(),
        EventKind::TrustRuleChanged => t_string!(i18n, event_trust_rule_changed).to_string(),
        EventKind::TrustRuleDeleted => t_string!(i18n, event_trust_rule_deleted).to_string(),
        EventKind::KeyMinted => t_string!(i18n, event_key_minted).to_string(),
        EventKind::TokenExchangeRefused => t_string!(i18n, event_token_exchange_refused).to_string(),
    }
}

#[component]
fn ActivityRow(event: ActivityView) -> impl IntoView {
    let i18n = use_i18n();
    let kind = event.event;
    let data_event = kind.as_str();
    // What it was about: the key by name, or the user concerned when not the actor.
    let object = event
        .key
        .as_ref()
        .map(|key| key.name.clone())
        .or_else(|| event.subject.clone().filter(|subject| Some(subject) != event.actor.as_ref()));
    let who = event.actor.clone().unwrap_or_else(|| "—".into());
    view! {
        <li class="activity-row" data-event=data_event>
            <div class="activity-what">
                <strong>{move || event_text(i18n, kind)}</strong>
                {object.map(|object| view! { " · " <span class="activity-object">{object}</span> })}
                {event.detail.clone().map(|detail| view! { " → " <span>{detail}</span> })}
            </div>
            <div class="activity-meta muted">
                <span>{local_timestamp(event.at)}</span>
                " · " <span>{who}</span>
                " · " <span>{event.ip.map_or_else(|| "—".to_owned(), |ip| ip.to_string())}</span>
            </div>
        </li>
    }
}
