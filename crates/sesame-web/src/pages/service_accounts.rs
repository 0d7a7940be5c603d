//! The Service accounts pages. `/service-accounts` lists the accounts the person manages (an
//! administrator: all of the organization's, and a form to make one); `/service-accounts/{id}`
//! shows one: its details, its managers (an administrator adds and removes them), its keys in
//! the same panel as *API credentials*, and its activity. Every rule is the server's; these
//! pages only offer what it allows and show what it answers.

use leptos::{html, prelude::*};
use leptos_router::{components::A, hooks::use_navigate, NavigateOptions};
use sesame_api::{
    error::{AppError, ErrorCode, Missing},
    functions::{
        create_service_account, delete_service_account, get_service_account, list_service_accounts, list_users, service_account_managers,
        unmanaged_service_accounts, update_service_account,
    },
    routes::{self, service_account_path},
    wire::{ManagerView, Role, ServiceAccountForm, ServiceAccountUpdate, ServiceAccountView, UserId, UserView},
};

use crate::{
    components::{
        activity::ActivityPanel,
        api_credentials::ApiCredentialsPanel,
        confirm_dialog::{ConfirmDialog, ConfirmRequest},
        pager::{listed_total, Pager},
        text_field::TextField,
    },
    feedback::Feedback,
    focus::focus_next_frame,
    i18n::*,
    messages::{error_text, role_text},
    pages::{not_found::NotFoundPage, trust_rules::TrustRulesSection},
    session::Session,
};

const PAGE_SIZE: u32 = 50;

/// The people an administrator may pick as managers: the organization's first 500 (the
/// REST API takes any of them).
const PEOPLE_LISTED: u32 = 500;

#[component]
pub fn ServiceAccountsPage(me: UserView) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let is_admin = me.role == Role::Admin;
    let page = RwSignal::new(1u32);
    let listing = LocalResource::new(move || list_service_accounts(page.get(), PAGE_SIZE));
    feedback.report_load_failure(i18n, listing);
    let total = listed_total(listing, |found| found.total);
    let form_open = RwSignal::new(false);
    let create_ref = NodeRef::<html::Button>::new();
    let navigate = use_navigate();
    let on_created = Callback::new(move |created: ServiceAccountView| {
        feedback.success(t_string!(i18n, service_account_created, name = created.name.clone()).to_string());
        // Straight to its page: what comes next is generating its first key.
        navigate(&service_account_path(created.id), NavigateOptions::default());
    });
    let on_cancel = Callback::new(move |_| {
        form_open.set(false);
        focus_next_frame(create_ref);
    });
    let me_id = me.id;

    view! {
        <section class="users-page" aria-labelledby="service-accounts-title">
            <div class="page-heading">
                <h1 id="service-accounts-title">{t!(i18n, service_accounts)}</h1>
                {is_admin.then(|| view! {
                    <button
                        class="btn btn-primary"
                        node_ref=create_ref
                        aria-expanded=move || form_open.get().to_string()
                        on:click=move |_| form_open.set(true)
                    >
                        {t!(i18n, create_service_account)}
                    </button>
                })}
            </div>
            <p class="muted">{t!(i18n, service_accounts_intro)}</p>
            {is_admin.then(|| view! { <UnmanagedAccountsNotice changes=Signal::stored(0) /> })}
            <Show when=move || form_open.get()>
                <NewServiceAccountForm me_id on_created on_cancel />
            </Show>
            {move || match listing.get().and_then(Result::ok) {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(found) if found.accounts.is_empty() => view! { <p class="muted">{t!(i18n, no_service_accounts)}</p> }.into_any(),
                Some(found) => view! {
                    // Scrolls sideways on a narrow screen: a region the keyboard can reach.
                    <div class="table-scroll" tabindex="0">
                        <table class="users-table service-accounts-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, name)}</th>
                                    <th scope="col">{t!(i18n, description)}</th>
                                    <th scope="col">{t!(i18n, role)}</th>
                                    <th scope="col">{t!(i18n, managers)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {found.accounts.into_iter().map(|account| {
                                    let managers = account.managers.len();
                                    view! {
                                        <tr>
                                            <td><A href=service_account_path(account.id) attr:class="user-name">{account.name}</A></td>
                                            <td class="user-email">{account.description}</td>
                                            <td>{move || role_text(i18n, account.role)}</td>
                                            <td>{managers}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <Pager page total page_size=PAGE_SIZE />
        </section>
    }
}

/// For administrators: the service accounts whose every manager is disabled. Their keys keep
/// working, but only administrators manage them now. Read again whenever `changes` moves
/// (the Users page counts its changes of people).
#[component]
pub fn UnmanagedAccountsNotice(changes: Signal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let unmanaged = LocalResource::new(move || {
        changes.track();
        unmanaged_service_accounts()
    });
    move || {
        let accounts = unmanaged.get().and_then(Result::ok).unwrap_or_default();
        (!accounts.is_empty()).then(|| {
            view! {
                <div class="key-notice unmanaged-notice" role="status">
                    <p>{t!(i18n, unmanaged_accounts_notice)}</p>
                    <ul>
                        {accounts.into_iter().map(|account| view! {
                            <li><A href=service_account_path(account.id)>{account.name}</A></li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// The organization's active people, for an administrator's manager pickers.
fn active_people() -> LocalResource<Vec<UserView>> {
    LocalResource::new(|| async {
        list_users(1, PEOPLE_LISTED).await.map(|page| page.users.into_iter().filter(|user| user.status.is_active()).collect()).unwrap_or_default()
    })
}

/// An administrator's form for a new service account; they are its first manager, unless
/// they pick others. Errors appear in it, nothing typed is lost.
#[component]
fn NewServiceAccountForm(me_id: UserId, on_created: Callback<ServiceAccountView>, on_cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let role = RwSignal::new(Role::User);
    let managers = RwSignal::new(vec![me_id]);
    let people = active_people();
    let error = RwSignal::new(None::<String>);
    let create = Action::new_local(|form: &ServiceAccountForm| create_service_account(form.clone()));
    let first_ref = NodeRef::<html::Input>::new();
    focus_next_frame(first_ref);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        error.set(None);
        create.dispatch(ServiceAccountForm {
            name: name.get_untracked().trim().to_owned(),
            description: description.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            managers: managers.get_untracked(),
        });
    };
    Effect::new(move |_| match create.value().get() {
        Some(Ok(created)) => on_created.run(created),
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
    let toggle_manager = move |id: UserId, on: bool| {
        managers.update(|list| {
            list.retain(|manager| *manager != id);
            if on {
                list.push(id);
            }
        });
    };
    view! {
        <form
            class="new-user-form"
            on:submit=submit
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    on_cancel.run(());
                }
            }
        >
            <h2>{t!(i18n, create_service_account)}</h2>
            <div class="form-grid">
                {move || view! { <TextField label=t_string!(i18n, name).to_string() value=name autocomplete="off" node_ref=first_ref /> }}
                {move || view! { <TextField label=t_string!(i18n, description).to_string() value=description autocomplete="off" /> }}
                <label>
                    <span>{t!(i18n, role)}</span>
                    <select on:change=move |ev| role.set(event_target_value(&ev).parse().unwrap_or(Role::User))>
                        <option value=Role::User.as_str() selected=true>{move || role_text(i18n, Role::User)}</option>
                        <option value=Role::Admin.as_str()>{move || role_text(i18n, Role::Admin)}</option>
                    </select>
                </label>
            </div>
            <fieldset class="manager-picker">
                <legend>{t!(i18n, managers)}</legend>
                {move || people.get().map(|people| people.into_iter().map(|person| {
                    let id = person.id;
                    view! {
                        <label class="checkbox-line">
                            <input
                                type="checkbox"
                                prop:checked=move || managers.with(|list| list.contains(&id))
                                on:change=move |ev| toggle_manager(id, event_target_checked(&ev))
                            />
                            <span>{person.full_name}" "<span class="muted">{person.username}</span></span>
                        </label>
                    }
                }).collect_view())}
            </fieldset>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <div class="form-actions">
                <button class="btn btn-secondary" type="button" on:click=move |_| on_cancel.run(())>{t!(i18n, cancel)}</button>
                <button class="btn btn-primary" type="submit" disabled=create.pending()>{t!(i18n, create)}</button>
            </div>
        </form>
    }
}

/// `/service-accounts/{id}`: one the person may manage, or the console's "page not found".
#[component]
pub fn ServiceAccountPage(id: UserId, me: UserView) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let account = LocalResource::new(move || get_service_account(id));
    // Said once when it happens (an account that is not there is a page, not an error).
    Effect::new(move |_| {
        if let Some(Err(failure)) = account.get() {
            if !is_missing(&failure) {
                feedback.error(error_text(i18n, &failure));
            }
        }
    });
    move || match account.get() {
        None => view! { <main class="console-main"><p class="muted">{t!(i18n, loading)}</p></main> }.into_any(),
        Some(Err(failure)) if is_missing(&failure) => view! { <NotFoundPage /> }.into_any(),
        Some(Err(_)) => view! { <main class="console-main"><p class="muted">{t!(i18n, request_failed)}</p></main> }.into_any(),
        Some(Ok(found)) => view! { <ServiceAccountDetails account=found is_admin=me.role == Role::Admin /> }.into_any(),
    }
}

fn is_missing(failure: &AppError) -> bool {
    matches!(failure, AppError::Server(ErrorCode::NotFound(Missing::ServiceAccount)))
}

#[component]
fn ServiceAccountDetails(account: ServiceAccountView, is_admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let dialog = ConfirmDialog::get();
    let navigate = use_navigate();
    let id = account.id;
    let name = StoredValue::new(account.name.clone());
    let delete = Action::new_local(move |_: &()| delete_service_account(id));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            feedback.success(t_string!(i18n, service_account_deleted, name = name.get_value()).to_string());
            navigate(routes::SERVICE_ACCOUNTS, NavigateOptions::default());
        }
        Some(Err(failure)) => feedback.error(error_text(i18n, &failure)),
        None => {}
    });
    let ask_delete = move |_| {
        dialog.ask(ConfirmRequest {
            title: t_string!(i18n, delete_service_account_title).to_string(),
            question: t_string!(i18n, delete_service_account_question, name = name.get_value()).to_string(),
            confirm_label: t_string!(i18n, delete).to_string(),
            on_confirm: Callback::new(move |_| {
                delete.dispatch(());
            }),
            details: None,
        });
    };
    let endpoint_url = Session::get().endpoint_url();

    view! {
        <main class="console-main service-account-page">
            <nav class="breadcrumb" aria-label=move || t_string!(i18n, breadcrumb).to_string()>
                // Exact: this page is below it, not it (the span says which page this is).
                <A href=routes::SERVICE_ACCOUNTS exact=true>{t!(i18n, service_accounts)}</A>
                " / "
                <span aria-current="page">{account.name.clone()}</span>
            </nav>
            <div class="page-heading">
                <h1>{account.name.clone()}</h1>
                {is_admin.then(|| view! {
                    <button
                        class="btn btn-secondary"
                        aria-label=move || t_string!(i18n, delete_service_account_label, name = name.get_value()).to_string()
                        disabled=delete.pending()
                        on:click=ask_delete
                    >
                        {t!(i18n, delete)}
                    </button>
                })}
            </div>
            <p class="muted">{account.description.clone()}</p>
            <p>
                <span class="field-label">{t!(i18n, role)}</span>" "
                <span class="badge badge-active">{move || role_text(i18n, account.role)}</span>
            </p>
            <div class="service-account-columns">
                <section class="service-account-keys" aria-labelledby="service-account-keys-title">
                    <h2 id="service-account-keys-title">{t!(i18n, api_credentials)}</h2>
                    <ApiCredentialsPanel endpoint_url owner=id />
                </section>
                <div class="service-account-side">
                    <ManagersSection id is_admin />
                    <TrustRulesSection account=id />
                    <section aria-labelledby="service-account-activity-title">
                        <h2 id="service-account-activity-title">{t!(i18n, activity)}</h2>
                        <ActivityPanel of=id labelled_by="service-account-activity-title" />
                    </section>
                </div>
            </div>
        </main>
    }
}

/// Its managers, a disabled one marked; an administrator adds and removes them (the server
/// keeps at least one).
#[component]
fn ManagersSection(id: UserId, is_admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let managers = LocalResource::new(move || service_account_managers(id));
    feedback.report_load_failure(i18n, managers);
    let people = is_admin.then(active_people);
    let picked = RwSignal::new(None::<UserId>);
    let change = Action::new_local(move |(list, success): &(Vec<UserId>, String)| {
        let (list, success) = (list.clone(), success.clone());
        async move { update_service_account(id, ServiceAccountUpdate { managers: Some(list), ..ServiceAccountUpdate::default() }).await.map(|_| success) }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(success)) => {
            feedback.success(success);
            picked.set(None);
            managers.refetch();
        }
        Some(Err(failure)) => feedback.error(error_text(i18n, &failure)),
        None => {}
    });
    // The whole new list is sent: only ever computed from the list as read (none while it
    // loads or after it failed), so that an add never drops the others.
    let current_ids = move || managers.with(|found| found.as_ref().and_then(|found| found.as_ref().ok()).map(|list| list.iter().map(|m| m.id).collect::<Vec<_>>()));
    let remove = move |manager: ManagerView| {
        let Some(current) = current_ids() else { return };
        let list = current.into_iter().filter(|other| *other != manager.id).collect();
        change.dispatch((list, t_string!(i18n, manager_removed, name = manager.full_name.clone()).to_string()));
    };
    let add = move |_| {
        let Some(person) = picked.get_untracked() else {
            feedback.error(t_string!(i18n, choose_person).to_string());
            return;
        };
        let Some(mut list) = current_ids() else { return };
        let name = people
            .and_then(|people| people.with_untracked(|found| found.as_ref().and_then(|list| list.iter().find(|p| p.id == person)).map(|p| p.full_name.clone())))
            .unwrap_or_default();
        list.push(person);
        change.dispatch((list, t_string!(i18n, manager_added, name = name).to_string()));
    };
    let busy = change.pending();

    view! {
        <section class="managers" aria-labelledby="managers-title">
            <h2 id="managers-title">{t!(i18n, managers)}</h2>
            {move || managers.get().and_then(Result::ok).map(|list| {
                let only_one = list.len() <= 1;
                view! {
                    <ul class="manager-list">
                        {list.into_iter().map(|manager| {
                            let label_name = manager.full_name.clone();
                            let removed = manager.clone();
                            view! {
                                <li class="manager-row">
                                    <span>
                                        <span class="user-name">{manager.full_name.clone()}</span>" "
                                        <span class="muted">{manager.username.clone()}</span>
                                    </span>
                                    {(!manager.active).then(|| view! { <span class="badge badge-disabled">{t!(i18n, status_disabled)}</span> })}
                                    {is_admin.then(|| view! {
                                        <button
                                            class="btn btn-secondary btn-small"
                                            aria-label=move || t_string!(i18n, remove_manager_label, name = label_name.clone()).to_string()
                                            disabled=move || only_one || busy.get()
                                            on:click=move |_| remove(removed.clone())
                                        >
                                            {t!(i18n, remove)}
                                        </button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
            {people.map(|people| view! {
                <div class="add-manager">
                    <label>
                        <span>{t!(i18n, add_manager)}</span>
                        <select on:change=move |ev| picked.set(UserId::parse(&event_target_value(&ev)))>
                            <option value="" selected=move || picked.get().is_none()>{t!(i18n, choose_person)}</option>
                            {move || {
                                let current = current_ids().unwrap_or_default();
                                people.get().unwrap_or_default().into_iter().filter(|person| !current.contains(&person.id)).map(|person| view! {
                                    <option value=person.id.to_string()>{person.full_name}</option>
                                }).collect_view()
                            }}
                        </select>
                    </label>
                    <button class="btn btn-primary btn-small" disabled=move || busy.get() || current_ids().is_none() on:click=add>{t!(i18n, add)}</button>
                </div>
            })}
        </section>
    }
}
