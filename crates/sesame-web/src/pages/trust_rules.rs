//! Keyless CI on a service account's page: its trust rules (which CI jobs may trade their
//! OIDC token for a key of the account that lives minutes), and *Trust a CI provider…*, a
//! form with presets for GitHub Actions, GitLab CI and Kubernetes. The rules themselves are
//! the server's (`sesame_core::trust`): the form offers, the server decides.

use std::collections::BTreeMap;

use leptos::{html, prelude::*};
use leptos_i18n::I18nContext;
use leptos_router::{components::A, hooks::use_navigate, NavigateOptions};
use sesame_api::{
    functions::{create_trust_rule, list_trust_rules},
    routes::trust_rule_path,
    wire::{TrustRuleForm, TrustRuleView, UserId},
};
use sesame_model::{
    trust::{DEFAULT_LIFETIME_SECONDS, GITHUB_ISSUER, GITLAB_COM_ISSUER},
    Provider,
};

use crate::{
    components::scopes::{ScopesDraft, ScopesPicker},
    feedback::Feedback,
    focus::focus_next_frame,
    i18n::*,
    messages::error_text,
};

/// A provider as the person reads it.
pub fn provider_text(i18n: I18nContext<Locale>, provider: Provider) -> String {
    match provider {
        Provider::GithubActions => t_string!(i18n, provider_github_actions),
        Provider::Gitlab => t_string!(i18n, provider_gitlab),
        Provider::Kubernetes => t_string!(i18n, provider_kubernetes),
        Provider::Other => t_string!(i18n, provider_other),
    }
    .to_string()
}

/// A rule's conditions in one line: `repository_id = 123 · ref = refs/heads/main`.
pub fn conditions_summary(conditions: &BTreeMap<String, String>) -> String {
    conditions.iter().map(|(claim, value)| format!("{claim} = {value}")).collect::<Vec<_>>().join(" · ")
}

/// The account's rules, and the button that opens the form for a new one.
#[component]
pub fn TrustRulesSection(account: UserId) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let rules = LocalResource::new(move || list_trust_rules(account));
    feedback.report_load_failure(i18n, rules);
    let form_open = RwSignal::new(false);
    let open_ref = NodeRef::<html::Button>::new();
    let on_cancel = Callback::new(move |_| {
        form_open.set(false);
        focus_next_frame(open_ref);
    });

    view! {
        <section class="trust-rules" aria-labelledby="trust-rules-title">
            <h2 id="trust-rules-title">{t!(i18n, trust_rules)}</h2>
            <p class="muted section-intro">{t!(i18n, trust_rules_intro)}</p>
            {move || rules.get().and_then(Result::ok).map(|list| {
                if list.is_empty() {
                    view! { <p class="muted section-intro">{t!(i18n, no_trust_rules)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="trust-rule-list">
                            {list.into_iter().map(|rule| view! { <TrustRuleRow rule /> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
            <Show
                when=move || form_open.get()
                fallback=move || view! {
                    <div class="section-actions">
                        <button class="btn btn-secondary btn-small" node_ref=open_ref on:click=move |_| form_open.set(true)>
                            {t!(i18n, trust_ci_provider)}
                        </button>
                    </div>
                }
            >
                <NewTrustRuleForm account on_cancel />
            </Show>
        </section>
    }
}

#[component]
fn TrustRuleRow(rule: TrustRuleView) -> impl IntoView {
    let i18n = use_i18n();
    let provider = rule.provider;
    view! {
        <li class="trust-rule-row">
            <A href=trust_rule_path(rule.service_account_id, rule.id) attr:class="user-name">{move || provider_text(i18n, provider)}</A>
            <span class="muted trust-rule-issuer">{rule.issuer.clone()}</span>
            <code class="trust-rule-conditions">{conditions_summary(&rule.conditions)}</code>
        </li>
    }
}

/// The issuer a preset fills in (empty: the person types their cluster's or issuer's URL).
fn preset_issuer(provider: Provider) -> &'static str {
    match provider {
        Provider::GithubActions => GITHUB_ISSUER,
        Provider::Gitlab => GITLAB_COM_ISSUER,
        Provider::Kubernetes | Provider::Other => "",
    }
}

/// One row of the conditions editor; `key` keeps the rows apart while they are edited.
#[derive(Clone, Copy)]
struct ConditionRow {
    key: usize,
    claim: RwSignal<String>,
    value: RwSignal<String>,
}

/// *Trust a CI provider…*: a preset fills the issuer and names the provider's claims,
/// immutable ids first; rows left without a value are not sent. Errors appear in the form,
/// nothing typed is lost; once made, the rule's page opens (to test a token against it).
#[component]
fn NewTrustRuleForm(account: UserId, on_cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let navigate = use_navigate();
    let provider = RwSignal::new(Provider::GithubActions);
    let issuer = RwSignal::new(GITHUB_ISSUER.to_owned());
    let audience = RwSignal::new(String::new());
    let next_key = StoredValue::new(0usize);
    let new_row = move |claim: &str| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        ConditionRow { key, claim: RwSignal::new(claim.to_owned()), value: RwSignal::new(String::new()) }
    };
    let rows = RwSignal::new(Provider::GithubActions.suggested_claims().iter().map(|claim| new_row(claim)).collect::<Vec<_>>());
    let scopes = ScopesDraft::new();
    let lifetime_minutes = RwSignal::new((DEFAULT_LIFETIME_SECONDS / 60).to_string());
    let error = RwSignal::new(None::<String>);
    let create = Action::new_local(move |form: &TrustRuleForm| create_trust_rule(account, form.clone()));
    let select_ref = NodeRef::<html::Select>::new();
    focus_next_frame(select_ref);

    let choose_provider = move |chosen: Provider| {
        provider.set(chosen);
        issuer.set(preset_issuer(chosen).to_owned());
        rows.set(chosen.suggested_claims().iter().map(|claim| new_row(claim)).collect());
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        error.set(None);
        let mut conditions = BTreeMap::new();
        for row in rows.get_untracked() {
            let (claim, value) = (row.claim.get_untracked().trim().to_owned(), row.value.get_untracked().trim().to_owned());
            if value.is_empty() {
                continue;
            }
            // A claim named twice would keep only its last value: said, not dropped.
            if claim.is_empty() || conditions.contains_key(&claim) {
                error.set(Some(t_string!(i18n, field_conditions).to_string()));
                return;
            }
            conditions.insert(claim, value);
        }
        let audience = audience.get_untracked().trim().to_owned();
        // Not a whole number: 0, which the server refuses with its own message.
        let minutes = lifetime_minutes.get_untracked().trim().parse::<u32>().unwrap_or(0);
        create.dispatch(TrustRuleForm {
            provider: provider.get_untracked(),
            issuer: issuer.get_untracked().trim().to_owned(),
            audience: (!audience.is_empty()).then_some(audience),
            conditions,
            scopes: scopes.value(),
            lifetime_seconds: minutes.saturating_mul(60),
        });
    };
    Effect::new(move |_| match create.value().get() {
        Some(Ok(rule)) => {
            feedback.success(t_string!(i18n, trust_rule_created, provider = provider_text(i18n, rule.provider)).to_string());
            navigate(&trust_rule_path(account, rule.id), NavigateOptions::default());
        }
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
    let issuer_hint = move || match provider.get() {
        Provider::GithubActions => t_string!(i18n, issuer_hint_github).to_string(),
        Provider::Gitlab => t_string!(i18n, issuer_hint_gitlab).to_string(),
        Provider::Kubernetes => t_string!(i18n, issuer_hint_kubernetes).to_string(),
        Provider::Other => t_string!(i18n, issuer_hint_other).to_string(),
    };

    view! {
        <form
            class="new-user-form trust-rule-form"
            on:submit=submit
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    on_cancel.run(());
                }
            }
        >
            <h3>{t!(i18n, trust_ci_provider)}</h3>
            <label>
                <span>{t!(i18n, provider)}</span>
                <select node_ref=select_ref on:change=move |ev| choose_provider(event_target_value(&ev).parse().unwrap_or(Provider::Other))>
                    {Provider::ALL.into_iter().map(|choice| view! {
                        <option value=choice.as_str() selected=move || provider.get() == choice>{move || provider_text(i18n, choice)}</option>
                    }).collect_view()}
                </select>
            </label>
            // The hints sit outside the labels: they describe the fields, they do not name them.
            <div class="field-with-hint">
                <label>
                    <span>{t!(i18n, issuer)}</span>
                    <input type="url" required autocomplete="off" aria-describedby="issuer-hint" prop:value=issuer on:input=move |ev| issuer.set(event_target_value(&ev)) />
                </label>
                <small id="issuer-hint" class="muted">{issuer_hint}</small>
            </div>
            <div class="field-with-hint">
                <label>
                    <span>{t!(i18n, audience)}</span>
                    <input type="text" autocomplete="off" aria-describedby="audience-hint" prop:value=audience on:input=move |ev| audience.set(event_target_value(&ev)) />
                </label>
                <small id="audience-hint" class="muted">{t!(i18n, audience_hint)}</small>
            </div>
            <fieldset class="condition-editor">
                <legend>{t!(i18n, conditions)}</legend>
                <p class="muted">{move || t_string!(i18n, conditions_hint, claims = provider.get().immutable_claims().join(" / ")).to_string()}</p>
                <For each=move || rows.get() key=|row| row.key let:row>
                    <div class="condition-row">
                        <input
                            type="text"
                            autocomplete="off"
                            aria-label=move || t_string!(i18n, claim).to_string()
                            placeholder=move || t_string!(i18n, claim).to_string()
                            prop:value=row.claim
                            on:input=move |ev| row.claim.set(event_target_value(&ev))
                        />
                        <input
                            type="text"
                            autocomplete="off"
                            aria-label=move || t_string!(i18n, condition_value_label, claim = row.claim.get()).to_string()
                            placeholder=move || t_string!(i18n, condition_value).to_string()
                            prop:value=row.value
                            on:input=move |ev| row.value.set(event_target_value(&ev))
                        />
                        <button
                            type="button"
                            class="btn btn-secondary btn-small"
                            aria-label=move || t_string!(i18n, remove_condition_label, claim = row.claim.get()).to_string()
                            on:click=move |_| rows.update(|list| list.retain(|other| other.key != row.key))
                        >
                            {t!(i18n, remove)}
                        </button>
                    </div>
                </For>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| rows.update(|list| list.push(new_row("")))>
                    {t!(i18n, add_condition)}
                </button>
            </fieldset>
            <ScopesPicker draft=scopes />
            <label>
                <span>{t!(i18n, minted_key_lifetime)}</span>
                <input type="number" min="1" max="60" required prop:value=lifetime_minutes on:input=move |ev| lifetime_minutes.set(event_target_value(&ev)) />
            </label>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <div class="form-actions">
                <button class="btn btn-secondary" type="button" on:click=move |_| on_cancel.run(())>{t!(i18n, cancel)}</button>
                <button class="btn btn-primary" type="submit" disabled=create.pending()>{t!(i18n, trust)}</button>
            </div>
        </form>
    }
}
