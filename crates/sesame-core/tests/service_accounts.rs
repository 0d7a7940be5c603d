//! Service accounts on storage (SQLite, and PostgreSQL when `SESAME_TEST_POSTGRES_URL` is
//! set): who makes and sees them, who manages their keys, what bad input leaves behind, and
//! how a role change or a delete reaches their keys at once.

mod common;

use std::net::IpAddr;

use common::{fixture, org, signed_in, through_api, Fixture, Org, PASSWORD};
use sesame_core::{
    actor::{Actor, Client},
    fields::ServiceAccountFieldError,
    keys::{KeyChange, KeyError, NewKey},
    model::{EventKind, PageRequest, Role, ServiceAccount, Status, UserChange, UserId},
    password::Password,
    rights::Refusal,
    service_accounts::{NewServiceAccount, ServiceAccountChange, ServiceAccountError},
    users::UserError,
    verifier::VerifyError,
};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

fn new_account(name: &str, role: Role, managers: &[UserId]) -> NewServiceAccount {
    NewServiceAccount { name: name.into(), description: "Deploys from CI".into(), role, managers: managers.to_vec() }
}

/// A service account alice manages.
async fn ci_deploy(f: &Fixture, o: &Org) -> ServiceAccount {
    f.services.service_accounts.create(&o.admin, new_account("ci-deploy", Role::User, &[o.alice.user.id])).await.unwrap()
}

async fn names_seen_by(f: &Fixture, actor: &Actor) -> Vec<String> {
    let page = f.services.service_accounts.list(actor, PageRequest::first()).await.unwrap();
    page.items.into_iter().map(|account| account.name).collect()
}

#[tokio::test]
async fn administrators_see_every_service_account_and_managers_the_ones_they_manage() {
    let f = fixture().await;
    let o = org(&f).await;
    let account = ci_deploy(&f, &o).await;
    assert_eq!(account.managers, vec![o.alice.user.id]);
    assert_eq!(account.description, "Deploys from CI");
    // A long description of several lines is fine (500 characters at most).
    let long = ServiceAccountChange { description: Some(format!("{}\n{}", "x".repeat(300), "y".repeat(199))), ..Default::default() };
    f.services.service_accounts.update(&o.admin, account.id, long).await.unwrap();
    let account = f.services.service_accounts.get(&o.admin, account.id).await.unwrap();
    assert_eq!(names_seen_by(&f, &o.admin).await, ["ci-deploy"]);
    assert_eq!(names_seen_by(&f, &o.alice).await, ["ci-deploy"]);
    assert!(names_seen_by(&f, &o.bob).await.is_empty());
    assert!(names_seen_by(&f, &o.stranger).await.is_empty());
    let accounts = &f.services.service_accounts;
    assert_eq!(accounts.get(&o.alice, account.id).await.unwrap(), account);
    assert!(matches!(accounts.get(&o.bob, account.id).await, Err(ServiceAccountError::NotFound)));
    assert!(matches!(accounts.get(&o.stranger, account.id).await, Err(ServiceAccountError::NotFound)));
    // The activity shows what people do in the console and the API (the operator's command
    // line, which the fixture acts through, writes the audit log only).
    let console = signed_in(&f, "admin", &Client::default()).await;
    let nightly = new_account("nightly", Role::User, &[o.alice.user.id]);
    let account = f.services.service_accounts.create(&console, nightly).await.unwrap();
    let created = f.services.activity.list(&o.admin, PageRequest::first()).await.unwrap().items;
    let event = created.iter().find(|event| event.kind == EventKind::ServiceAccountCreated).expect("a creation event");
    assert_eq!(event.actor.as_ref().map(|party| party.id), Some(o.admin.user.id), "names the person who made it");
    assert_eq!(event.subject.as_ref().map(|party| party.id), Some(account.id));
}

#[tokio::test]
async fn only_administrators_make_change_and_delete_service_accounts() {
    let f = fixture().await;
    let o = org(&f).await;
    let accounts = &f.services.service_accounts;
    let refused = accounts.create(&o.alice, new_account("mine", Role::User, &[o.alice.user.id])).await;
    assert!(matches!(refused, Err(ServiceAccountError::Refused(Refusal::Role))), "{refused:?}");
    let account = ci_deploy(&f, &o).await;
    let rename = ServiceAccountChange { name: Some("renamed".into()), ..Default::default() };
    assert!(matches!(accounts.update(&o.alice, account.id, rename.clone()).await, Err(ServiceAccountError::Refused(Refusal::Role))));
    assert!(matches!(accounts.delete(&o.alice, account.id).await, Err(ServiceAccountError::Refused(Refusal::Role))));
    assert!(matches!(accounts.update(&o.stranger, account.id, rename.clone()).await, Err(ServiceAccountError::NotFound)));
    assert!(matches!(accounts.delete(&o.stranger, account.id).await, Err(ServiceAccountError::NotFound)));
    assert_eq!(accounts.update(&o.admin, account.id, rename).await.unwrap().name, "renamed");
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    let f = fixture().await;
    let o = org(&f).await;
    let accounts = &f.services.service_accounts;
    let invalid = |result: Result<ServiceAccount, ServiceAccountError>| match result {
        Err(ServiceAccountError::Invalid(problem)) => problem,
        other => panic!("expected invalid input, got {other:?}"),
    };
    let alice = o.alice.user.id;
    assert_eq!(invalid(accounts.create(&o.admin, new_account("ci deploy", Role::User, &[alice])).await), ServiceAccountFieldError::Name);
    assert_eq!(invalid(accounts.create(&o.admin, new_account("ci-deploy", Role::User, &[])).await), ServiceAccountFieldError::ManagerCount);
    let stranger = o.stranger.user.id;
    let unknown = UserId::new_random();
    for managers in [vec![alice, stranger], vec![unknown]] {
        let refused = accounts.create(&o.admin, new_account("ci-deploy", Role::User, &managers)).await;
        assert!(matches!(refused, Err(ServiceAccountError::UnknownManager)), "{managers:?}: {refused:?}");
    }
    let mut described = new_account("ci-deploy", Role::User, &[alice]);
    described.description = "x".repeat(501);
    assert_eq!(invalid(accounts.create(&o.admin, described).await), ServiceAccountFieldError::Description);
    let mut described = new_account("ci-deploy", Role::User, &[alice]);
    described.description = "tab\tseparated".into();
    assert_eq!(invalid(accounts.create(&o.admin, described).await), ServiceAccountFieldError::Description);
    let taken = accounts.create(&o.admin, new_account("Bob", Role::User, &[alice])).await;
    assert!(matches!(taken, Err(ServiceAccountError::NameTaken)), "a person's username, in any case: {taken:?}");
    assert!(names_seen_by(&f, &o.admin).await.is_empty(), "nothing was made");

    let account = ci_deploy(&f, &o).await;
    // Another service account is no manager either, and a refused change changes nothing.
    let other = accounts.create(&o.admin, new_account("nightly", Role::User, &[alice])).await.unwrap();
    let managers = ServiceAccountChange { managers: Some(vec![other.id]), description: Some("changed".into()), ..Default::default() };
    assert!(matches!(accounts.update(&o.admin, account.id, managers).await, Err(ServiceAccountError::UnknownManager)));
    let none_left = ServiceAccountChange { managers: Some(Vec::new()), ..Default::default() };
    assert_eq!(invalid(accounts.update(&o.admin, account.id, none_left).await), ServiceAccountFieldError::ManagerCount);
    let renamed = ServiceAccountChange { name: Some("NIGHTLY".into()), ..Default::default() };
    assert!(matches!(accounts.update(&o.admin, account.id, renamed).await, Err(ServiceAccountError::NameTaken)));
    assert!(matches!(accounts.update(&o.admin, account.id, ServiceAccountChange::default()).await, Err(ServiceAccountError::NothingToChange)));
    assert_eq!(accounts.get(&o.admin, account.id).await.unwrap(), account);
}

#[tokio::test]
async fn a_service_account_never_logs_in_and_is_not_one_of_the_people() {
    let f = fixture().await;
    let o = org(&f).await;
    let accounts = &f.services.service_accounts;
    let robot = accounts.create(&o.admin, new_account("robot", Role::Admin, &[o.alice.user.id])).await.unwrap();
    let login = f.services.accounts.log_in("robot", &Password::new(PASSWORD), &Client::default(), None).await;
    assert!(login.is_err());
    let people = f.services.users.list(&o.admin, PageRequest::first()).await.unwrap();
    assert!(people.items.iter().all(|user| user.id != robot.id));
    assert_eq!(people.total, 3);
    assert!(matches!(f.services.users.get(&o.admin, robot.id).await, Err(UserError::NotFound)));
    let disable = UserChange { role: None, status: Some(Status::Disabled) };
    assert!(matches!(f.services.users.update(&o.admin, robot.id, disable).await, Err(UserError::NotFound)));
    // A service account's administrator role does not count as an administrator of the
    // organization: its key cannot demote the last person who administers it.
    let key = NewKey { owner: Some(robot.id), ..NewKey::default() };
    let secret = f.services.keys.create(&o.admin, key).await.unwrap().secret;
    let robot_key = through_api(&f, secret.expose()).await;
    let demote = UserChange { role: Some(Role::User), status: None };
    let refused = f.services.users.update(&robot_key, o.admin.user.id, demote).await;
    assert!(matches!(refused, Err(UserError::NoAdminLeft)), "{refused:?}");
}

#[tokio::test]
async fn managers_and_administrators_manage_its_keys_and_no_one_else_does() {
    let f = fixture().await;
    let o = org(&f).await;
    let account = ci_deploy(&f, &o).await;
    let keys = &f.services.keys;
    let for_account = |name| NewKey { owner: Some(account.id), name: Some(name), ..NewKey::default() };
    let created = keys.create(&o.alice, for_account("deploy")).await.unwrap();
    assert_eq!(created.key.user_id, account.id);
    keys.create(&o.admin, for_account("release")).await.unwrap();
    for outsider in [&o.bob, &o.stranger] {
        assert!(matches!(keys.create(outsider, for_account("mine")).await, Err(KeyError::OwnerNotFound)));
        assert!(matches!(keys.list_page(outsider, Some(account.id), PageRequest::first()).await, Err(KeyError::OwnerNotFound)));
        assert!(matches!(keys.get(outsider, created.key.id).await, Err(KeyError::NotFound)));
        assert!(matches!(keys.remove(outsider, created.key.id).await, Err(KeyError::NotFound)));
    }
    // A person is not an owner another person may name, even their administrator.
    let bobs = NewKey { owner: Some(o.bob.user.id), ..NewKey::default() };
    assert!(matches!(keys.create(&o.admin, bobs).await, Err(KeyError::OwnerNotFound)));
    let listed = keys.list_page(&o.alice, Some(account.id), PageRequest::first()).await.unwrap();
    assert_eq!(listed.items.iter().map(|key| key.name.as_str()).collect::<Vec<_>>(), ["deploy", "release"]);
    assert!(keys.list_page(&o.alice, None, PageRequest::first()).await.unwrap().items.is_empty(), "alice's own keys are hers");
    let rename = KeyChange { name: Some("deploy-prod".into()), ..KeyChange::default() };
    assert_eq!(keys.update(&o.alice, created.key.id, rename).await.unwrap().name, "deploy-prod");

    // The key acts as the service account, with its role.
    let verified = f.services.verifier.verify(created.secret.expose(), IP).await.unwrap();
    assert_eq!((verified.user.id, verified.user.role), (account.id, Role::User));
    let its_own = through_api(&f, created.secret.expose()).await;
    let made_by_itself = keys.create(&its_own, NewKey::named(Some("child"))).await.unwrap();
    assert_eq!(made_by_itself.key.user_id, account.id);
    assert!(names_seen_by(&f, &its_own).await.is_empty(), "a service account manages no service account");
    keys.remove(&o.admin, created.key.id).await.unwrap();
    assert!(matches!(f.services.verifier.verify(created.secret.expose(), IP).await, Err(VerifyError::Unknown)));
}

#[tokio::test]
async fn a_role_change_and_a_delete_reach_its_keys_at_once() {
    let f = fixture().await;
    let o = org(&f).await;
    let account = ci_deploy(&f, &o).await;
    let secret = f.services.keys.create(&o.alice, NewKey { owner: Some(account.id), ..NewKey::default() }).await.unwrap().secret;
    assert_eq!(f.services.verifier.verify(secret.expose(), IP).await.unwrap().user.role, Role::User);
    let console = signed_in(&f, "admin", &Client::default()).await;
    let promote = ServiceAccountChange { role: Some(Role::Admin), ..Default::default() };
    f.services.service_accounts.update(&console, account.id, promote).await.unwrap();
    assert_eq!(f.services.verifier.verify(secret.expose(), IP).await.unwrap().user.role, Role::Admin);

    let deleted = f.services.service_accounts.delete(&console, account.id).await.unwrap();
    assert_eq!(deleted.id, account.id);
    assert!(matches!(f.services.verifier.verify(secret.expose(), IP).await, Err(VerifyError::Unknown)));
    assert!(matches!(f.services.service_accounts.get(&o.admin, account.id).await, Err(ServiceAccountError::NotFound)));
    let events = f.services.activity.list(&o.admin, PageRequest::first()).await.unwrap().items;
    let kinds: Vec<EventKind> = events.iter().map(|event| event.kind).collect();
    assert!(kinds.contains(&EventKind::ServiceAccountChanged) && kinds.contains(&EventKind::ServiceAccountDeleted), "{kinds:?}");
}

#[tokio::test]
async fn a_scoped_key_makes_no_administrator_service_account() {
    let f = fixture().await;
    let o = org(&f).await;
    let scoped = NewKey { scopes: Some(vec![sesame_core::model::Permission::UsersWrite, sesame_core::model::Permission::UsersRead]), ..NewKey::default() };
    let secret = f.services.keys.create(&o.admin, scoped).await.unwrap().secret;
    let key = through_api(&f, secret.expose()).await;
    let accounts = &f.services.service_accounts;
    let admin_account = accounts.create(&key, new_account("robot", Role::Admin, &[o.alice.user.id])).await;
    assert!(matches!(admin_account, Err(ServiceAccountError::Refused(Refusal::BeyondKeyAccount))), "{admin_account:?}");
    accounts.create(&key, new_account("robot", Role::User, &[o.alice.user.id])).await.unwrap();
}

#[tokio::test]
async fn its_active_managers_hear_of_its_leaked_keys() {
    let f = fixture().await;
    let o = org(&f).await;
    let accounts = &f.services.service_accounts;
    let managers = [o.alice.user.id, o.bob.user.id];
    let account = accounts.create(&o.admin, new_account("ci-deploy", Role::User, &managers)).await.unwrap();
    let disable = UserChange { role: None, status: Some(Status::Disabled) };
    f.services.users.update(&o.admin, o.bob.user.id, disable).await.unwrap();
    let leaked = f.services.keys.create(&o.alice, NewKey { owner: Some(account.id), ..NewKey::default() }).await.unwrap();
    let notices = f.services.keys.revoke_leaked(&[leaked.secret.expose().to_owned()], &Client::new(IP, None)).await.unwrap();
    let told: Vec<&str> = notices.iter().map(|notice| notice.to.email.as_str()).collect();
    assert_eq!(told, ["alice@example.com"], "a disabled manager is not told, nor the account (no mailbox)");
}

#[tokio::test]
async fn a_key_handed_over_keeps_its_secret_and_acts_as_the_service_account() {
    let f = fixture().await;
    let o = org(&f).await;
    let account = ci_deploy(&f, &o).await;
    let keys = &f.services.keys;
    let alices = keys.create(&o.alice, NewKey::named(Some("deploy"))).await.unwrap();
    assert_eq!(f.services.verifier.verify(alices.secret.expose(), IP).await.unwrap().user.id, o.alice.user.id);
    let moved = keys.transfer(&o.alice, alices.key.id, account.id).await.unwrap();
    assert_eq!((moved.id, moved.user_id, moved.name.as_str()), (alices.key.id, account.id, "deploy"));
    assert_eq!(moved.owner_kind, sesame_core::model::OwnerKind::ServiceAccount);
    let verified = f.services.verifier.verify(alices.secret.expose(), IP).await.unwrap();
    assert_eq!(verified.user.id, account.id, "the same secret, now the account's");

    // Bob manages no service account; an administrator hands his key over (he is leaving).
    let bobs = keys.create(&o.bob, NewKey::named(Some("nightly"))).await.unwrap();
    assert!(matches!(keys.transfer(&o.bob, bobs.key.id, account.id).await, Err(KeyError::OwnerNotFound)));
    assert!(matches!(keys.transfer(&o.alice, bobs.key.id, account.id).await, Err(KeyError::NotFound)), "not hers to move");
    keys.transfer(&o.admin, bobs.key.id, account.id).await.unwrap();

    // Between service accounts: administrators only.
    let other = f.services.service_accounts.create(&o.admin, new_account("other", Role::User, &[o.alice.user.id])).await.unwrap();
    let refused = keys.transfer(&o.alice, alices.key.id, other.id).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::Role))), "{refused:?}");
    keys.transfer(&o.admin, alices.key.id, other.id).await.unwrap();
    // A name the new owner has already is a conflict; nothing moves.
    let twin = keys.create(&o.alice, NewKey::named(Some("deploy"))).await.unwrap();
    assert!(matches!(keys.transfer(&o.alice, twin.key.id, other.id).await, Err(KeyError::NameTaken)));
    assert_eq!(keys.get(&o.alice, twin.key.id).await.unwrap().key.user_id, o.alice.user.id);
}

#[tokio::test]
async fn a_key_that_would_lose_power_under_its_new_owner_is_refused_not_cut() {
    let f = fixture().await;
    let o = org(&f).await;
    let user_account = ci_deploy(&f, &o).await;
    let admin_account = f.services.service_accounts.create(&o.admin, new_account("root-ci", Role::Admin, &[o.alice.user.id])).await.unwrap();
    let keys = &f.services.keys;
    let full = keys.create(&o.admin, NewKey::named(Some("full"))).await.unwrap();
    let refused = keys.transfer(&o.admin, full.key.id, user_account.id).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyScopes))), "{refused:?}");
    assert_eq!(keys.get(&o.admin, full.key.id).await.unwrap().key.user_id, o.admin.user.id);
    keys.transfer(&o.admin, full.key.id, admin_account.id).await.unwrap();
    let reader = NewKey { name: Some("reader"), scopes: Some(vec![sesame_core::model::Permission::UsersRead]), ..NewKey::default() };
    let reader = keys.create(&o.admin, reader).await.unwrap();
    keys.transfer(&o.admin, reader.key.id, user_account.id).await.unwrap();
}

#[tokio::test]
async fn before_a_person_is_disabled_an_administrator_sees_what_it_would_break() {
    let f = fixture().await;
    let o = org(&f).await;
    let account = ci_deploy(&f, &o).await;
    let keys = &f.services.keys;
    let busy = keys.create(&o.alice, NewKey::named(Some("busy"))).await.unwrap();
    keys.create(&o.alice, NewKey::named(Some("idle"))).await.unwrap();
    for _ in 0..3 {
        f.services.api.authenticate(Some(busy.secret.expose()), IP).await.unwrap();
    }
    f.services.flush_last_use().await.unwrap();

    let preview = f.services.offboarding.preview(&o.admin, o.alice.user.id).await.unwrap();
    let seen: Vec<(&str, u64)> = preview.keys.iter().map(|at_stake| (at_stake.key.name.as_str(), at_stake.recent_requests)).collect();
    assert_eq!(seen, [("busy", 3), ("idle", 0)], "the most used first");
    assert_eq!(preview.keys[0].addresses.iter().map(|address| address.ip).collect::<Vec<_>>(), [IP]);
    assert_eq!(preview.sole_manager_of.iter().map(|account| account.id).collect::<Vec<_>>(), [account.id]);

    // With a second active manager, alice leaving breaks no service account.
    let both = ServiceAccountChange { managers: Some(vec![o.alice.user.id, o.bob.user.id]), ..Default::default() };
    f.services.service_accounts.update(&o.admin, account.id, both).await.unwrap();
    assert!(f.services.offboarding.preview(&o.admin, o.alice.user.id).await.unwrap().sole_manager_of.is_empty());
    // Only administrators see it, and only for their organization's people.
    assert!(matches!(f.services.offboarding.preview(&o.bob, o.alice.user.id).await, Err(UserError::NotFound)));
    assert!(matches!(f.services.offboarding.preview(&o.stranger, o.alice.user.id).await, Err(UserError::NotFound)));
    assert!(matches!(f.services.offboarding.preview(&o.admin, account.id).await, Err(UserError::NotFound)), "not a person");
}

#[tokio::test]
async fn a_manager_who_is_no_administrator_gets_no_administrators_power_through_an_account() {
    let f = fixture().await;
    let o = org(&f).await;
    let robot = f.services.service_accounts.create(&o.admin, new_account("robot", Role::Admin, &[o.alice.user.id])).await.unwrap();
    let keys = &f.services.keys;
    // A full-access key of an administrator account would let alice make herself an
    // administrator: she does not manage it while she is not one.
    let refused = keys.create(&o.alice, NewKey { owner: Some(robot.id), ..NewKey::default() }).await;
    assert!(matches!(refused, Err(KeyError::OwnerNotFound)), "{refused:?}");
    assert!(names_seen_by(&f, &o.alice).await.is_empty());
    // Nor does a key move to it and gain what alice's role does not allow.
    let hers = keys.create(&o.alice, NewKey::named(Some("hers"))).await.unwrap();
    let moved = keys.transfer(&o.admin, hers.key.id, robot.id).await;
    assert!(matches!(moved, Err(KeyError::Refused(Refusal::BeyondKeyScopes))), "a key gains no power by moving: {moved:?}");
    // An administrator's key may act for it, and the account's own key makes no account.
    let robots = keys.create(&o.admin, NewKey { owner: Some(robot.id), ..NewKey::default() }).await.unwrap();
    let robot_key = through_api(&f, robots.secret.expose()).await;
    let made = f.services.service_accounts.create(&robot_key, new_account("minion", Role::User, &[o.alice.user.id])).await;
    assert!(matches!(made, Err(ServiceAccountError::Refused(Refusal::Role))), "{made:?}");
}

#[tokio::test]
async fn a_disabled_persons_key_is_not_revived_by_a_move() {
    let f = fixture().await;
    let o = org(&f).await;
    let account = ci_deploy(&f, &o).await;
    let bobs = f.services.keys.create(&o.bob, NewKey::named(Some("nightly"))).await.unwrap();
    let disable = UserChange { role: None, status: Some(Status::Disabled) };
    f.services.users.update(&o.admin, o.bob.user.id, disable).await.unwrap();
    let moved = f.services.keys.transfer(&o.admin, bobs.key.id, account.id).await;
    assert!(matches!(moved, Err(KeyError::NotFound)), "{moved:?}");
    assert!(f.services.verifier.verify(bobs.secret.expose(), IP).await.is_err());
}

#[tokio::test]
async fn the_console_reads_its_keys_usage_managers_and_activity_for_its_managers_only() {
    let f = fixture().await;
    let o = org(&f).await;
    let account = ci_deploy(&f, &o).await;
    let keys = &f.services.keys;
    // Made in the console (the fixture's command line writes no activity).
    let console = signed_in(&f, "alice", &Client::default()).await;
    let made = keys.create(&console, NewKey { owner: Some(account.id), name: Some("deploy"), ..NewKey::default() }).await.unwrap();
    for reader in [&o.alice, &o.admin] {
        let listed = keys.list_of(reader, Some(account.id)).await.unwrap();
        assert_eq!(listed.iter().map(|key| key.id).collect::<Vec<_>>(), [made.key.id]);
        let week = keys.daily_usage_of(reader, Some(account.id), 7).await.unwrap();
        assert_eq!(week.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [made.key.id]);
        let managers = f.services.service_accounts.managers(reader, account.id).await.unwrap();
        assert_eq!(managers.iter().map(|manager| manager.id).collect::<Vec<_>>(), [o.alice.user.id]);
        let activity = f.services.activity.of_service_account(reader, account.id, PageRequest::first()).await.unwrap().expect("theirs to see");
        assert!(activity.items.iter().any(|event| event.kind == EventKind::KeyCreated), "its key's creation is in its activity");
    }
    assert!(keys.list_of(&o.alice, None).await.unwrap().is_empty(), "alice's own list has her keys only");
    // A key alice moves to it brings its move, not her history with it.
    let hers = keys.create(&console, NewKey::named(Some("hers"))).await.unwrap();
    keys.transfer(&console, hers.key.id, account.id).await.unwrap();
    let activity = f.services.activity.of_service_account(&o.admin, account.id, PageRequest::first()).await.unwrap().unwrap().items;
    let of_hers: Vec<EventKind> = activity.iter().filter(|event| event.key.as_ref().is_some_and(|key| key.id == hers.key.id)).map(|event| event.kind).collect();
    assert_eq!(of_hers, [EventKind::KeyTransferred], "only what happened since it came to the account");
    for outsider in [&o.bob, &o.stranger] {
        assert!(matches!(keys.list_of(outsider, Some(account.id)).await, Err(KeyError::OwnerNotFound)));
        assert!(matches!(keys.daily_usage_of(outsider, Some(account.id), 7).await, Err(KeyError::OwnerNotFound)));
        assert!(matches!(f.services.service_accounts.managers(outsider, account.id).await, Err(ServiceAccountError::NotFound)));
        assert!(f.services.activity.of_service_account(outsider, account.id, PageRequest::first()).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn administrators_are_warned_of_an_account_whose_every_manager_is_disabled() {
    let f = fixture().await;
    let o = org(&f).await;
    let account = ci_deploy(&f, &o).await;
    let accounts = &f.services.service_accounts;
    assert!(accounts.without_active_manager(&o.admin).await.unwrap().is_empty());
    let disable = UserChange { role: None, status: Some(Status::Disabled) };
    f.services.users.update(&o.admin, o.alice.user.id, disable).await.unwrap();
    let unmanaged = accounts.without_active_manager(&o.admin).await.unwrap();
    assert_eq!(unmanaged.iter().map(|account| account.id).collect::<Vec<_>>(), [account.id]);
    // Still listed as a manager, marked disabled: the page says who it was.
    let managers = accounts.managers(&o.admin, account.id).await.unwrap();
    assert_eq!(managers.iter().map(|manager| (manager.id, manager.status)).collect::<Vec<_>>(), [(o.alice.user.id, Status::Disabled)]);
    // Not the business of anyone else, nor of another organization's administrator.
    assert!(accounts.without_active_manager(&o.bob).await.unwrap().is_empty());
    assert!(accounts.without_active_manager(&o.stranger).await.unwrap().is_empty(), "another organization's administrator");
    let enable = UserChange { role: None, status: Some(Status::Active) };
    f.services.users.update(&o.admin, o.alice.user.id, enable).await.unwrap();
    assert!(accounts.without_active_manager(&o.admin).await.unwrap().is_empty());
    // An `admin` account whose managers are no administrators has no one but them either.
    let to_admin = ServiceAccountChange { role: Some(Role::Admin), ..Default::default() };
    accounts.update(&o.admin, account.id, to_admin).await.unwrap();
    let unmanaged = accounts.without_active_manager(&o.admin).await.unwrap();
    assert_eq!(unmanaged.iter().map(|account| account.id).collect::<Vec<_>>(), [account.id]);
}
