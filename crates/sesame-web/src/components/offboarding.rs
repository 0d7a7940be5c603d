//! What disabling a person would break, shown in the confirmation dialog before an
//! administrator disables them: their keys (last use, requests in the last 30 days, the
//! addresses they came from), each with *Let it stop* or *Move to* a service account (an
//! existing one, or one made here), and the service accounts they are the only manager of.
//! The moves are made first, one by one with the transfer call; the person is disabled only
//! if every move succeeded. A refusal stops there: the moves made before it stay made (each
//! is whole: that key works as the account's), and the administrator is told which.

use leptos::prelude::*;
use sesame_api::{
    error::AppError,
    functions::{create_service_account, transfer_api_key, user_offboarding},
    wire::{ApiKeyId, KeyAtStakeView, ServiceAccountForm, UserId, UserView},
};

use crate::{components::move_key::{destinations, Destinations}, feedback::Feedback, i18n::*, messages::error_text, session::Session, time::local_timestamp};

/// The keys to move before disabling, and where: the administrator's choices in the preview.
#[derive(Clone, Copy)]
pub struct OffboardingPlan {
    moves: RwSignal<Vec<(ApiKeyId, UserId)>>,
}

impl OffboardingPlan {
    pub fn new() -> Self {
        Self { moves: RwSignal::new(Vec::new()) }
    }

    fn destination(&self, key: ApiKeyId) -> Option<UserId> {
        self.moves.with(|moves| moves.iter().find(|(moved, _)| *moved == key).map(|(_, owner)| *owner))
    }

    fn choose(&self, key: ApiKeyId, owner: Option<UserId>) {
        self.moves.update(|moves| {
            moves.retain(|(moved, _)| *moved != key);
            moves.extend(owner.map(|owner| (key, owner)));
        });
    }

    /// Makes the moves chosen, in order; the first refusal stops them and is returned with
    /// how many were made before it.
    pub async fn carry_out(self) -> Result<usize, (usize, AppError)> {
        let moves = self.moves.get_untracked();
        for (done, (key, owner)) in moves.iter().enumerate() {
            transfer_api_key(*key, *owner).await.map_err(|failure| (done, failure))?;
        }
        Ok(moves.len())
    }
}

#[component]
pub fn OffboardingPreview(person: UserView, plan: OffboardingPlan) -> impl IntoView {
    let i18n = use_i18n();
    let preview = LocalResource::new(move || user_offboarding(person.id));
    let accounts = destinations();
    view! {
        <div class="offboarding">
            {move || match preview.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(failure)) => view! { <p class="form-error">{error_text(i18n, &failure)}</p> }.into_any(),
                Some(Ok(found)) => {
                    let sole: Vec<String> = found.sole_manager_of.iter().map(|account| account.name.clone()).collect();
                    view! {
                        {if found.keys.is_empty() {
                            view! { <p class="muted">{t!(i18n, offboarding_no_keys)}</p> }.into_any()
                        } else {
                            view! {
                                <p>{t!(i18n, offboarding_keys_intro)}</p>
                                <div class="table-scroll" tabindex="0">
                                    <table class="users-table offboarding-keys">
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, name)}</th>
                                                <th scope="col">{t!(i18n, last_activity)}</th>
                                                <th scope="col">{t!(i18n, requests_30_days)}</th>
                                                <th scope="col">{t!(i18n, addresses)}</th>
                                                <th scope="col">{t!(i18n, what_happens)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {found.keys.into_iter().map(|at_stake| view! { <KeyAtStakeRow at_stake plan accounts /> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <NewAccountInPlace person=person.clone() accounts />
                            }.into_any()
                        }}
                        {(!sole.is_empty()).then(|| view! {
                            <p class="key-notice">{move || t_string!(i18n, offboarding_sole_manager, accounts = sole.join(", ")).to_string()}</p>
                        })}
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn KeyAtStakeRow(at_stake: KeyAtStakeView, plan: OffboardingPlan, accounts: Destinations) -> impl IntoView {
    let i18n = use_i18n();
    let key = at_stake.key;
    let id = key.id;
    let key_name = key.name.clone();
    let addresses = at_stake.addresses.iter().map(|address| address.ip.to_string()).collect::<Vec<_>>().join(", ");
    view! {
        <tr>
            <td class="user-name">{key.name.clone()}</td>
            <td>{move || key.last_used_at.map_or_else(|| t_string!(i18n, never_used).to_string(), local_timestamp)}</td>
            <td>{at_stake.recent_requests}</td>
            <td class="user-email">{if addresses.is_empty() { "—".to_owned() } else { addresses }}</td>
            <td>
                <select
                    aria-label=move || t_string!(i18n, key_fate_label, name = key_name.clone()).to_string()
                    on:change=move |ev| plan.choose(id, UserId::parse(&event_target_value(&ev)))
                >
                    <option value="" selected=move || plan.destination(id).is_none()>{t!(i18n, let_it_stop)}</option>
                    {move || accounts.get().and_then(Result::ok).map(|page| page.accounts.into_iter().map(|account| {
                        let account_id = account.id;
                        view! {
                            <option value=account.id.to_string() selected=move || plan.destination(id) == Some(account_id)>
                                {move || t_string!(i18n, move_to_account, account = account.name.clone()).to_string()}
                            </option>
                        }
                    }).collect_view())}
                </select>
            </td>
        </tr>
    }
}

/// A service account made from the dialog, managed by the administrator, with the person's
/// role (so that their keys' permissions fit it); it then appears in every key's choice.
#[component]
fn NewAccountInPlace(person: UserView, accounts: Destinations) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let me = Session::get().me().map(|me| me.id);
    let person_name = StoredValue::new(person.full_name.clone());
    let create = Action::new_local(move |form: &ServiceAccountForm| create_service_account(form.clone()));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(created)) => {
            feedback.success(t_string!(i18n, service_account_created, name = created.name.clone()).to_string());
            name.set(String::new());
            error.set(None);
            accounts.refetch();
        }
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
    let submit = move |_| {
        if create.pending().get_untracked() {
            return;
        }
        create.dispatch(ServiceAccountForm {
            name: name.get_untracked().trim().to_owned(),
            description: t_string!(i18n, took_over_keys_of, name = person_name.get_value()).to_string(),
            role: person.role,
            managers: me.into_iter().collect(),
        });
    };
    view! {
        <div class="add-manager new-account-in-place">
            <label>
                <span>{t!(i18n, new_service_account_name)}</span>
                <input maxlength="64" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <button type="button" class="btn btn-secondary btn-small" disabled=create.pending() on:click=submit>
                {t!(i18n, create_service_account)}
            </button>
        </div>
        {move || error.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
    }
}
