//! Where a key may be used from, and how fast: its allow-list and its own request limit,
//! shown and changed under its row. The server decides: it parses the list (its refusal
//! names the entry at fault) and a change applies to the key's next request on every node.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use sesame_api::{
    functions::set_api_key_restrictions,
    wire::{AllowedAddresses, ApiKeyId, ApiKeyView, KeyRateLimit, RatePeriod},
};

use crate::{
    components::row_editor::{on_saved, RowEditor},
    i18n::*,
};

/// Entries shown in a row's summary before "+N".
const SUMMARY_ENTRIES: usize = 3;

/// A key's restrictions in a few words: *From anywhere · no limit of its own*, or the
/// first addresses and the limit.
pub fn restrictions_summary(i18n: I18nContext<Locale>, key: &ApiKeyView) -> String {
    let addresses = match key.allowed_addresses.as_slice() {
        [] => t_string!(i18n, anywhere).to_string(),
        list => {
            let mut shown = list.iter().take(SUMMARY_ENTRIES).cloned().collect::<Vec<_>>().join(", ");
            if list.len() > SUMMARY_ENTRIES {
                shown.push_str(&format!(" +{}", list.len() - SUMMARY_ENTRIES));
            }
            t_string!(i18n, only_from, list = shown).to_string()
        }
    };
    format!("{addresses} · {}", rate_text(i18n, key.rate_limit))
}

fn rate_text(i18n: I18nContext<Locale>, limit: Option<KeyRateLimit>) -> String {
    match limit {
        None => t_string!(i18n, no_rate_limit).to_string(),
        Some(limit) => match limit.per() {
            RatePeriod::Second => t_string!(i18n, rate_per_second, count = limit.requests()).to_string(),
            RatePeriod::Minute => t_string!(i18n, rate_per_minute, count = limit.requests()).to_string(),
        },
    }
}

/// A key's allow-list and request limit, changed under its row.
#[component]
pub fn KeyRestrictionsEditor(
    current: RwSignal<ApiKeyView>,
    on_changed: Callback<ApiKeyView>,
    /// Closes the editor (saved or cancelled); the row puts the focus back.
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (addresses, limit) = current.with_untracked(|key| (key.allowed_addresses.join("\n"), key.rate_limit));
    let addresses = RwSignal::new(addresses);
    let limited = RwSignal::new(limit.is_some());
    let requests = RwSignal::new(limit.map_or(10, KeyRateLimit::requests).to_string());
    let per = RwSignal::new(limit.map_or(RatePeriod::Second, KeyRateLimit::per));
    let error = RwSignal::new(None::<String>);
    let save = Action::new_local(|(id, addresses, limit): &(ApiKeyId, Vec<String>, Option<KeyRateLimit>)| {
        set_api_key_restrictions(*id, addresses.clone(), *limit)
    });
    on_saved(save, current, on_changed, on_close, error, move || t_string!(i18n, restrictions_saved).to_string());
    let on_save = Callback::new(move |()| {
        // Checked by the server alone (its answer names the entry at fault): parsing
        // addresses here would add their parser to the app's download.
        let entries = AllowedAddresses::entries_typed(&addresses.get_untracked());
        let limit = if limited.get_untracked() {
            let parsed = requests.get_untracked().trim().parse().ok().and_then(|n| KeyRateLimit::new(n, per.get_untracked()).ok());
            let Some(limit) = parsed else {
                error.set(Some(t_string!(i18n, rate_limit_out_of_bounds).to_string()));
                return;
            };
            Some(limit)
        } else {
            None
        };
        error.set(None);
        save.dispatch((current.with_untracked(|key| key.id), entries, limit));
    });
    // One per row: several editors may be open at once.
    let hint_id = format!("allowed-addresses-hint-{}", current.with_untracked(|key| key.id));
    let period_text = move |period: RatePeriod| match period {
        RatePeriod::Second => t_string!(i18n, period_second).to_string(),
        RatePeriod::Minute => t_string!(i18n, period_minute).to_string(),
    };
    view! {
        <RowEditor class="restrictions-editor" error saving=save.pending().into() on_save on_close>
            <label class="restrictions-addresses">
                <span>{t!(i18n, allowed_addresses)}</span>
                <textarea
                    rows="3"
                    spellcheck="false"
                    aria-describedby=hint_id.clone()
                    prop:value=move || addresses.get()
                    on:input=move |ev| addresses.set(event_target_value(&ev))
                ></textarea>
            </label>
            <p id=hint_id class="muted hint">{t!(i18n, allowed_addresses_hint)}</p>
            <label class="scope-choice">
                <input type="checkbox" prop:checked=move || limited.get() on:change=move |ev| limited.set(event_target_checked(&ev)) />
                <span>{t!(i18n, limit_requests)}</span>
            </label>
            <Show when=move || limited.get()>
                <div class="rate-limit-fields">
                    <label>
                        <span>{t!(i18n, requests_count)}</span>
                        <input
                            type="number"
                            min="1"
                            max="1000"
                            inputmode="numeric"
                            prop:value=move || requests.get()
                            on:input=move |ev| requests.set(event_target_value(&ev))
                        />
                    </label>
                    <label>
                        <span>{t!(i18n, per_period)}</span>
                        <select on:change=move |ev| {
                            per.set(if event_target_value(&ev) == "minute" { RatePeriod::Minute } else { RatePeriod::Second })
                        }>
                            {RatePeriod::ALL
                                .map(|period| view! {
                                    <option value=period.as_str() selected=move || per.get() == period>{move || period_text(period)}</option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                </div>
            </Show>
        </RowEditor>
    }
}
