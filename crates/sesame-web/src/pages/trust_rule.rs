//! `/service-accounts/{id}/trust-rules/{ruleId}`: one trust rule, its deletion (which ends
//! every key it minted), and **Test a token**: paste a job's token to see its claims and,
//! condition by condition, what matched — why a job is refused, without minting anything.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate, NavigateOptions};
use sesame_model::TokenRefusal;
use sesame_api::{
    error::{AppError, ErrorCode, Missing},
    functions::{delete_trust_rule, get_service_account, get_trust_rule, test_trust_rule},
    routes::{self, service_account_path},
    wire::{TokenTestView, TrustRuleId, TrustRuleView, UserId},
};

use crate::{
    components::{
        confirm_dialog::{ConfirmDialog, ConfirmRequest},
        scopes::scopes_summary,
    },
    feedback::Feedback,
    i18n::*,
    language::language_of,
    messages::error_text,
    pages::{not_found::NotFoundPage, trust_rules::provider_text},
    time::local_timestamp,
};

#[component]
pub fn TrustRulePage(account: UserId, rule: TrustRuleId) -> impl IntoView {
    let i18n = use_i18n();
    let found = LocalResource::new(move || async move {
        let rule = get_trust_rule(account, rule).await?;
        let name = get_service_account(account).await?.name;
        Ok::<_, AppError>((name, rule))
    });
    move || match found.get() {
        None => view! { <main class="console-main"><p class="muted">{t!(i18n, loading)}</p></main> }.into_any(),
        Some(Err(AppError::Server(ErrorCode::NotFound(Missing::ServiceAccount | Missing::TrustRule)))) => view! { <NotFoundPage /> }.into_any(),
        Some(Err(failure)) => view! { <main class="console-main"><p class="form-error" role="alert">{error_text(i18n, &failure)}</p></main> }.into_any(),
        Some(Ok((account_name, rule))) => view! { <TrustRuleDetails account_name rule /> }.into_any(),
    }
}

#[component]
fn TrustRuleDetails(account_name: String, rule: TrustRuleView) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let dialog = ConfirmDialog::get();
    let navigate = use_navigate();
    let (account, id, provider) = (rule.service_account_id, rule.id, rule.provider);
    let delete = Action::new_local(move |_: &()| delete_trust_rule(account, id));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            feedback.success(t_string!(i18n, trust_rule_deleted).to_string());
            navigate(&service_account_path(account), NavigateOptions::default());
        }
        Some(Err(failure)) => feedback.error(error_text(i18n, &failure)),
        None => {}
    });
    let ask_delete = move |_| {
        dialog.ask(ConfirmRequest {
            title: t_string!(i18n, delete_trust_rule_title).to_string(),
            question: t_string!(i18n, delete_trust_rule_question).to_string(),
            confirm_label: t_string!(i18n, delete).to_string(),
            on_confirm: Callback::new(move |_| {
                delete.dispatch(());
            }),
            details: None,
        });
    };
    let seconds = rule.lifetime_seconds;
    let scopes = rule.scopes.clone();

    view! {
        <main class="console-main service-account-page trust-rule-page">
            <nav class="breadcrumb" aria-label=move || t_string!(i18n, breadcrumb).to_string()>
                <A href=routes::SERVICE_ACCOUNTS exact=true>{t!(i18n, service_accounts)}</A>
                " / "
                <A href=service_account_path(account) exact=true>{account_name}</A>
                " / "
                <span aria-current="page">{t!(i18n, trust_rule)}</span>
            </nav>
            <div class="page-heading">
                <h1>{move || t_string!(i18n, trust_rule_heading, provider = provider_text(i18n, provider)).to_string()}</h1>
                <button class="btn btn-secondary" disabled=delete.pending() on:click=ask_delete>{t!(i18n, delete)}</button>
            </div>
            <div class="service-account-columns">
                <section class="trust-rule-facts" aria-labelledby="trust-rule-facts-title">
                    <h2 id="trust-rule-facts-title">{t!(i18n, trust_rule_what)}</h2>
                    <dl class="facts trust-rule-facts-list">
                        <dt>{t!(i18n, issuer)}</dt>
                        <dd><code>{rule.issuer.clone()}</code></dd>
                        <dt>{t!(i18n, audience)}</dt>
                        <dd><code>{rule.audience.clone()}</code></dd>
                        <dt>{t!(i18n, conditions)}</dt>
                        <dd>
                            <ul class="condition-list">
                                {rule.conditions.iter().map(|(claim, value)| view! {
                                    <li><code>{claim.clone()}" = "{value.clone()}</code></li>
                                }).collect_view()}
                            </ul>
                        </dd>
                        <dt>{t!(i18n, permissions)}</dt>
                        <dd>{move || scopes_summary(i18n, scopes.as_deref())}</dd>
                        <dt>{t!(i18n, keys_lifetime)}</dt>
                        <dd>{move || {
                            if seconds % 60 == 0 {
                                t_string!(i18n, minutes_count, count = seconds / 60).to_string()
                            } else {
                                t_string!(i18n, seconds_count, count = seconds).to_string()
                            }
                        }}</dd>
                        {(!rule.allowed_addresses.is_empty()).then(|| view! {
                            <dt>{t!(i18n, allowed_addresses)}</dt>
                            <dd>{rule.allowed_addresses.join(", ")}</dd>
                        })}
                        <dt>{t!(i18n, created)}</dt>
                        <dd>{local_timestamp(rule.created_at)}</dd>
                    </dl>
                    <p class="muted section-intro">
                        {t!(i18n, trust_rule_use)}" "
                        // The docs page is the server's, not a console screen: a new tab, in
                        // the reader's language.
                        <a href=move || format!("/api-docs?lang={}#keyless-ci", language_of(i18n.get_locale()).as_str()) target="_blank" rel="noopener">
                            {t!(i18n, trust_rule_use_link)}
                        </a>
                    </p>
                </section>
                <TokenTestBox account rule=id />
            </div>
        </main>
    }
}

/// Paste a token, see what the rule makes of it. Nothing is minted and the token stays
/// usable; what it claims is shown even when it is refused.
#[component]
fn TokenTestBox(account: UserId, rule: TrustRuleId) -> impl IntoView {
    let i18n = use_i18n();
    let token = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let test = Action::new_local(move |token: &String| test_trust_rule(account, rule, token.clone()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        test.dispatch(token.get_untracked().trim().to_owned());
    };
    Effect::new(move |_| {
        if let Some(Err(failure)) = test.value().get() {
            error.set(Some(error_text(i18n, &failure)));
        }
    });
    let result = move || test.value().get().and_then(Result::ok);

    view! {
        <section class="token-test" aria-labelledby="token-test-title">
            <h2 id="token-test-title">{t!(i18n, test_a_token)}</h2>
            <form class="token-test-form" on:submit=submit>
                <p class="muted">{t!(i18n, test_a_token_intro)}</p>
                <label>
                    <span>{t!(i18n, token)}</span>
                    <textarea
                        rows="4"
                        maxlength="16384"
                        required
                        spellcheck="false"
                        autocomplete="off"
                        prop:value=token
                        on:input=move |ev| token.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <p class="form-error" role="alert">{move || error.get()}</p>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=test.pending()>{t!(i18n, test)}</button>
                </div>
            </form>
            <div class="token-test-result">
                {move || result().map(|found| view! { <TokenTestResult found /> })}
            </div>
        </section>
    }
}

fn refusal_text(i18n: leptos_i18n::I18nContext<Locale>, refusal: TokenRefusal) -> String {
    match refusal {
        TokenRefusal::Malformed => t_string!(i18n, refusal_malformed),
        TokenRefusal::Algorithm => t_string!(i18n, refusal_algorithm),
        TokenRefusal::UnknownIssuer => t_string!(i18n, refusal_unknown_issuer),
        TokenRefusal::UnknownKey => t_string!(i18n, refusal_unknown_key),
        TokenRefusal::KeysUnavailable => t_string!(i18n, refusal_keys_unavailable),
        TokenRefusal::BadSignature => t_string!(i18n, refusal_bad_signature),
        TokenRefusal::Expired => t_string!(i18n, refusal_expired),
        TokenRefusal::NotYetValid => t_string!(i18n, refusal_not_yet_valid),
        TokenRefusal::IssuedInFuture => t_string!(i18n, refusal_issued_in_future),
        TokenRefusal::Audiences => t_string!(i18n, refusal_audiences),
        TokenRefusal::NoJti => t_string!(i18n, refusal_no_jti),
        TokenRefusal::NoSubject => t_string!(i18n, refusal_no_subject),
        TokenRefusal::OtherIssuer => t_string!(i18n, refusal_other_issuer),
        TokenRefusal::OtherAudience => t_string!(i18n, refusal_other_audience),
    }
    .to_string()
}

#[component]
fn TokenTestResult(found: TokenTestView) -> impl IntoView {
    let i18n = use_i18n();
    let verdict = match (&found.refused, found.would_mint) {
        (_, true) => view! { <p class="token-verdict token-verdict-ok" role="status">{t!(i18n, token_would_mint)}</p> }.into_any(),
        (Some(reason), false) => {
            // In the reader's language when it is one Sésame says (the server's text as a
            // last resort).
            let reason = match reason.parse::<TokenRefusal>() {
                Ok(known) => refusal_text(i18n, known),
                Err(_) => reason.clone(),
            };
            view! { <p class="token-verdict token-verdict-refused" role="status">{t!(i18n, token_refused)}" "<strong>{reason}</strong></p> }.into_any()
        }
        (None, false) => view! { <p class="token-verdict token-verdict-refused" role="status">{t!(i18n, token_condition_failed)}</p> }.into_any(),
    };
    // Indented by the server; only ever shown, never sent back.
    let claims = found.claims.get().to_owned();
    view! {
        {verdict}
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || t_string!(i18n, conditions).to_string()>
            <table class="users-table condition-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, claim)}</th>
                        <th scope="col">{t!(i18n, expected)}</th>
                        <th scope="col">{t!(i18n, got)}</th>
                        <th scope="col">{t!(i18n, result)}</th>
                    </tr>
                </thead>
                <tbody>
                    {found.conditions.into_iter().map(|check| view! {
                        <tr class:condition-failed=!check.matched>
                            <td><code>{check.claim}</code></td>
                            <td><code>{check.expected}</code></td>
                            <td>{match check.got {
                                Some(got) => view! { <code>{got}</code> }.into_any(),
                                None => view! { <span class="muted">{t!(i18n, claim_missing)}</span> }.into_any(),
                            }}</td>
                            <td>{if check.matched {
                                view! { <span class="badge badge-active">{t!(i18n, matched)}</span> }.into_any()
                            } else {
                                view! { <span class="badge badge-disabled">{t!(i18n, not_matched)}</span> }.into_any()
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h3 class="claims-title">{t!(i18n, token_claims)}</h3>
        <pre class="token-claims" tabindex="0"><code>{claims}</code></pre>
    }
}
