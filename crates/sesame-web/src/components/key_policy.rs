//! The Users page's API key policy: the organization's maximum key lifetime, which an
//! administrator sets here. The server shortens longer keys and enforces it; this section
//! only offers its choices and says what the change did.

use leptos::prelude::*;
use sesame_api::{
    functions::{get_organization_policy, set_key_lifetime_policy},
    wire::{MaxKeyLifetime, OrganizationPolicyChange},
};

use crate::{feedback::Feedback, i18n::*, messages::error_text};

#[component]
pub fn KeyPolicySection() -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let current = LocalResource::new(get_organization_policy);
    feedback.report_load_failure(i18n, current);
    // The choice in the menu: days, or 0 for no maximum.
    let chosen = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(policy)) = current.get() {
            chosen.set(policy.max_key_lifetime_days.map_or(0, MaxKeyLifetime::days));
        }
    });
    let save = Action::new_local(|days: &u32| {
        let max = MaxKeyLifetime::from_days(*days).ok();
        set_key_lifetime_policy(max)
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(OrganizationPolicyChange { shortened_keys, .. })) => {
            feedback.success(t_string!(i18n, policy_saved, count = shortened_keys).to_string());
        }
        Some(Err(error)) => feedback.error(error_text(i18n, &error)),
        None => {}
    });
    let label = move |days: u32| match days {
        0 => t_string!(i18n, lifetime_none).to_string(),
        365 => t_string!(i18n, expiry_year).to_string(),
        days => t_string!(i18n, expiry_days, count = days).to_string(),
    };
    let choices = std::iter::once(0).chain(MaxKeyLifetime::CHOICES);
    // Until the current policy is known the menu cannot be used: a choice made before it
    // arrived would be replaced by it (and saved as it was).
    let loading = move || !matches!(current.get(), Some(Ok(_)));

    view! {
        <section class="key-policy" aria-labelledby="key-policy-title">
            <h2 id="key-policy-title">{t!(i18n, key_policy)}</h2>
            <p class="muted">{t!(i18n, key_policy_intro)}</p>
            <form
                class="key-policy-form"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    if !save.pending().get_untracked() {
                        save.dispatch(chosen.get_untracked());
                    }
                }
            >
                <label>
                    <span>{t!(i18n, max_key_lifetime)}</span>
                    <select
                        class="max-key-lifetime"
                        disabled=loading
                        on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))
                    >
                        {choices
                            .map(|days| view! {
                                <option value=days.to_string() selected=move || chosen.get() == days>{move || label(days)}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get() || loading()>{t!(i18n, save)}</button>
            </form>
        </section>
    }
}
