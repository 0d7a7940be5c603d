//! The Users page: an administrator sees the organization's users, creates one, changes a
//! role, disables or enables an account (disabling shows first what it would break, and
//! offers to move the person's keys to service accounts). Every rule is the server's (the
//! same one the REST API applies); this page only offers what the rule allows and shows what
//! it answers.

use leptos::{html, prelude::*};
use sesame_api::{
    functions::{create_user, list_users, update_user},
    wire::{NewUserForm, Role, Status, UserUpdate, UserView},
};

use crate::{
    components::{
        confirm_dialog::{ConfirmDialog, ConfirmRequest},
        key_policy::KeyPolicySection,
        offboarding::{OffboardingPlan, OffboardingPreview},
        pager::{listed_total, Pager},
        text_field::TextField,
    },
    feedback::Feedback,
    focus::focus_next_frame,
    i18n::*,
    messages::{error_text, role_text},
    pages::service_accounts::UnmanagedAccountsNotice,
};

const PAGE_SIZE: u32 = 50;

#[component]
pub fn UsersPage(me: UserView) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let page = RwSignal::new(1u32);
    let listing = LocalResource::new(move || list_users(page.get(), PAGE_SIZE));
    feedback.report_load_failure(i18n, listing);
    let listing_now = move || listing.get().and_then(Result::ok);
    let form_open = RwSignal::new(false);
    let create_ref = NodeRef::<html::Button>::new();
    // Counts the changes made here: a disabled manager may leave a service account with none.
    let changes = RwSignal::new(0u32);

    let replace = Callback::new(move |changed: UserView| {
        changes.update(|count| *count += 1);
        listing.update(|listing| {
            if let Some(Ok(listing)) = listing {
                if let Some(slot) = listing.users.iter_mut().find(|u| u.id == changed.id) {
                    *slot = changed;
                }
            }
        });
    });
    let on_created = Callback::new(move |created: UserView| {
        form_open.set(false);
        feedback.success(t_string!(i18n, user_created, name = created.username.clone()).to_string());
        listing.refetch();
        focus_next_frame(create_ref);
    });
    let on_cancel = Callback::new(move |_| {
        form_open.set(false);
        focus_next_frame(create_ref);
    });
    let total = listed_total(listing, |found| found.total);
    let me_id = me.id;

    view! {
        <section class="users-page" aria-labelledby="users-title">
            <div class="page-heading">
                <h1 id="users-title">{t!(i18n, users)}</h1>
                <button
                    class="btn btn-primary"
                    node_ref=create_ref
                    aria-expanded=move || form_open.get().to_string()
                    on:click=move |_| form_open.set(true)
                >
                    {t!(i18n, create_user)}
                </button>
            </div>
            <p class="muted">{move || t_string!(i18n, users_intro, organization = me.organization.name.clone()).to_string()}</p>
            <UnmanagedAccountsNotice changes=changes.into() />
            <Show when=move || form_open.get()>
                <NewUserFormView on_created on_cancel />
            </Show>
            {move || match listing_now() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                // Scrolls sideways by itself on a narrow screen, not the whole page.
                Some(found) => view! {
                    // Scrolls sideways on a narrow screen: a region the keyboard can reach.
                    <div class="table-scroll" tabindex="0">
                    <table class="users-table">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, name)}</th>
                                <th scope="col">{t!(i18n, email)}</th>
                                <th scope="col">{t!(i18n, role)}</th>
                                <th scope="col">{t!(i18n, status)}</th>
                                <th scope="col"><span class="visually-hidden">{t!(i18n, actions)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || found.users.clone() key=|user| (user.id, user.role, user.status) let:user>
                                <UserRow user=user.clone() is_me=user.id == me_id on_changed=replace />
                            </For>
                        </tbody>
                    </table>
                    </div>
                }.into_any(),
            }}
            <Pager page total page_size=PAGE_SIZE />
        </section>
        <KeyPolicySection />
    }
}


/// The role a select's value names (its options are the roles' own names).
fn role_from(value: &str) -> Role {
    value.parse().unwrap_or(Role::User)
}

/// One user: role select and disable/enable. Not on one's own row: the server refuses
/// changing oneself, so the page does not offer it.
#[component]
fn UserRow(user: UserView, is_me: bool, on_changed: Callback<UserView>) -> impl IntoView {
    let i18n = use_i18n();
    let feedback = Feedback::get();
    let dialog = ConfirmDialog::get();
    let user = StoredValue::new(user);
    let name = move || user.with_value(|u| u.full_name.clone());
    let select_ref = NodeRef::<html::Select>::new();
    // Each change carries the message to show once it is done.
    let update = Action::new_local(move |(change, success): &(UserUpdate, String)| {
        let (change, success) = (*change, success.clone());
        let id = user.with_value(|u| u.id);
        async move { update_user(id, change).await.map(|changed| (changed, success)) }
    });
    Effect::new(move |_| match update.value().get() {
        Some(Ok((changed, success))) => {
            feedback.success(success);
            on_changed.run(changed);
        }
        Some(Err(error)) => {
            feedback.error(error_text(i18n, &error));
            // Put the select back to what the server still has.
            if let Some(select) = select_ref.get_untracked() {
                select.set_value(user.with_value(|u| u.role.as_str()));
            }
        }
        None => {}
    });
    // Busy while the offboarding's moves are made too: a second click would send them again.
    let moving = RwSignal::new(false);
    let pending = update.pending();
    let busy = Signal::derive(move || pending.get() || moving.get());
    let apply = move |change: UserUpdate, success: String| {
        update.dispatch((change, success));
    };
    let change_role = move |ev: leptos::ev::Event| {
        let role = role_from(&event_target_value(&ev));
        let text = t_string!(i18n, role_changed, name = name()).to_string();
        apply(UserUpdate { role: Some(role), status: None }, text);
    };
    let toggle = move |_| {
        if user.with_value(|u| u.status.is_active()) {
            let plan = OffboardingPlan::new();
            let person = user.get_value();
            dialog.ask(ConfirmRequest {
                title: t_string!(i18n, disable_title).to_string(),
                question: t_string!(i18n, disable_question, name = name()).to_string(),
                confirm_label: t_string!(i18n, disable).to_string(),
                // The keys chosen are moved first; a refusal stops there, the person stays
                // enabled, and the message says how many keys had moved already.
                on_confirm: Callback::new(move |_| {
                    let text = t_string!(i18n, user_disabled, name = name()).to_string();
                    moving.set(true);
                    leptos::task::spawn_local(async move {
                        let moved = plan.carry_out().await;
                        moving.set(false);
                        match moved {
                            Ok(_) => apply(UserUpdate { role: None, status: Some(Status::Disabled) }, text),
                            Err((done, failure)) => {
                                let reason = error_text(i18n, &failure);
                                feedback.error(t_string!(i18n, moves_stopped, count = done, reason = reason).to_string());
                            }
                        }
                    });
                }),
                details: Some(ViewFn::from(move || view! { <OffboardingPreview person=person.clone() plan /> })),
            });
        } else {
            let text = t_string!(i18n, user_enabled, name = name()).to_string();
            apply(UserUpdate { role: None, status: Some(Status::Active) }, text);
        }
    };
    let current = user.get_value();
    let role = current.role;
    let active = current.status.is_active();

    view! {
        <tr class:disabled-user=!active>
            <td>
                <span class="user-name">{current.full_name.clone()}</span>
                {is_me.then(|| view! { <span class="muted">" "{t!(i18n, you)}</span> })}
                <br />
                <span class="muted">{current.username.clone()}</span>
            </td>
            <td class="user-email">{current.email.clone()}</td>
            <td>
                {if is_me {
                    view! { <span>{move || role_text(i18n, role)}</span> }.into_any()
                } else {
                    view! {
                        <select
                            node_ref=select_ref
                            aria-label=move || t_string!(i18n, role_of, name = name()).to_string()
                            on:change=change_role
                            disabled=busy
                        >
                            <option value=Role::User.as_str() selected=role == Role::User>{move || role_text(i18n, Role::User)}</option>
                            <option value=Role::Admin.as_str() selected=role == Role::Admin>{move || role_text(i18n, Role::Admin)}</option>
                        </select>
                    }.into_any()
                }}
            </td>
            <td>
                <span class=if active { "badge badge-active" } else { "badge badge-disabled" }>
                    {move || if active { t_string!(i18n, status_active).to_string() } else { t_string!(i18n, status_disabled).to_string() }}
                </span>
            </td>
            <td class="user-actions">
                {(!is_me).then(|| view! {
                    <button
                        class=if active { "btn btn-secondary btn-small" } else { "btn btn-primary btn-small" }
                        disabled=busy
                        aria-label=move || if active {
                            t_string!(i18n, disable_label, name = name()).to_string()
                        } else {
                            t_string!(i18n, enable_label, name = name()).to_string()
                        }
                        on:click=toggle
                    >
                        {move || if active { t_string!(i18n, disable).to_string() } else { t_string!(i18n, enable).to_string() }}
                    </button>
                })}
            </td>
        </tr>
    }
}

/// The administrator's form for a new colleague; errors appear in it, nothing typed is lost.
#[component]
fn NewUserFormView(on_created: Callback<UserView>, on_cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let full_name = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::User);
    let error = RwSignal::new(None::<String>);
    let create = Action::new_local(|form: &NewUserForm| create_user(form.clone()));
    let first_ref = NodeRef::<html::Input>::new();
    focus_next_frame(first_ref);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        error.set(None);
        // What a person typed, without the spaces around it (the server takes fields as sent).
        let typed = |field: RwSignal<String>| field.get_untracked().trim().to_owned();
        create.dispatch(NewUserForm {
            full_name: typed(full_name),
            username: typed(username),
            email: typed(email),
            role: role.get_untracked(),
            password: password.get_untracked(),
        });
    };
    Effect::new(move |_| match create.value().get() {
        Some(Ok(created)) => on_created.run(created),
        Some(Err(failure)) => error.set(Some(error_text(i18n, &failure))),
        None => {}
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_cancel.run(());
        }
    };
    view! {
        <form class="new-user-form" on:submit=submit on:keydown=on_keydown>
            <h2>{t!(i18n, create_user)}</h2>
            <div class="form-grid">
                {move || view! { <TextField label=t_string!(i18n, full_name).to_string() value=full_name autocomplete="off" node_ref=first_ref /> }}
                {move || view! { <TextField label=t_string!(i18n, username).to_string() value=username autocomplete="off" /> }}
                {move || view! { <TextField label=t_string!(i18n, email).to_string() value=email kind="email" autocomplete="off" /> }}
                {move || view! { <TextField label=t_string!(i18n, initial_password).to_string() value=password kind="password" autocomplete="new-password" /> }}
                <label>
                    <span>{t!(i18n, role)}</span>
                    <select on:change=move |ev| role.set(role_from(&event_target_value(&ev)))>
                        <option value=Role::User.as_str() selected=true>{move || role_text(i18n, Role::User)}</option>
                        <option value=Role::Admin.as_str()>{move || role_text(i18n, Role::Admin)}</option>
                    </select>
                </label>
            </div>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <div class="form-actions">
                <button class="btn btn-secondary" type="button" on:click=move |_| on_cancel.run(())>{t!(i18n, cancel)}</button>
                <button class="btn btn-primary" type="submit" disabled=create.pending()>{t!(i18n, create)}</button>
            </div>
        </form>
    }
}
