//! Users and roles on storage (SQLite, and PostgreSQL when `SESAME_TEST_POSTGRES_URL` is
//! set): who sees whom, who may change whom, and how a change reaches existing keys and
//! sessions at once.

mod common;

use std::net::IpAddr;

use common::{fixture, org, PASSWORD};
use sesame_core::{
    actor::{Actor, Client},
    keys::NewKey,
    model::{PageRequest, Role, Status, User, UserChange, UserId},
    password::Password,
    users::{NewColleague, UserError},
    verifier::VerifyError,
};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

fn colleague(username: &str, role: Role) -> NewColleague {
    NewColleague {
        full_name: "New Colleague".into(),
        username: username.into(),
        email: format!("{username}@example.com"),
        role,
        password: Password::new(PASSWORD),
    }
}

fn disable() -> UserChange {
    UserChange { role: None, status: Some(Status::Disabled) }
}

fn enable() -> UserChange {
    UserChange { role: None, status: Some(Status::Active) }
}

fn make(role: Role) -> UserChange {
    UserChange { role: Some(role), status: None }
}

fn usernames(users: &[User]) -> Vec<&str> {
    users.iter().map(|user| user.username.as_str()).collect()
}

#[tokio::test]
async fn an_admin_sees_their_organization_and_a_user_only_themself() {
    let f = fixture().await;
    let o = org(&f).await;
    let users = &f.services.users;
    let page = users.list(&o.admin, PageRequest::first()).await.unwrap();
    assert_eq!(usernames(&page.items), ["admin", "alice", "bob"]);
    assert_eq!(page.total, 3);
    let page = users.list(&o.alice, PageRequest::first()).await.unwrap();
    assert_eq!(usernames(&page.items), ["alice"]);
    assert_eq!(page.total, 1);

    assert_eq!(users.get(&o.admin, o.bob.user.id).await.unwrap().username, "bob");
    assert_eq!(users.get(&o.alice, o.alice.user.id).await.unwrap().username, "alice");
    for (actor, target) in [(&o.alice, &o.bob), (&o.alice, &o.admin), (&o.admin, &o.stranger), (&o.stranger, &o.alice)] {
        let result = users.get(actor, target.user.id).await;
        assert!(matches!(result, Err(UserError::NotFound)), "{} → {}", actor.user.username, target.user.username);
    }
    assert!(matches!(users.get(&o.admin, UserId::new_random()).await, Err(UserError::NotFound)));
}

#[tokio::test]
async fn lists_are_paginated() {
    let f = fixture().await;
    let o = org(&f).await;
    for i in 0..4 {
        f.services.users.create(&o.admin, colleague(&format!("user{i}"), Role::User)).await.unwrap();
    }
    let second = f.services.users.list(&o.admin, PageRequest::new(2, 3).unwrap()).await.unwrap();
    assert_eq!(usernames(&second.items), ["user0", "user1", "user2"]);
    assert_eq!(second.total, 7);
    let beyond = f.services.users.list(&o.admin, PageRequest::new(9, 3).unwrap()).await.unwrap();
    assert!(beyond.items.is_empty());
    assert!(f.services.users.list(&o.alice, PageRequest::new(2, 3).unwrap()).await.unwrap().items.is_empty());

    for i in 0..5 {
        f.services.keys.create(&o.alice, NewKey::named(Some(&format!("key-{i}")))).await.unwrap();
    }
    // Pages of 2 walk through all 5 keys once, in the list's order.
    let mut walked = Vec::new();
    for number in 1..=3 {
        let page = f.services.keys.list_page(&o.alice, None, PageRequest::new(number, 2).unwrap()).await.unwrap();
        assert_eq!(page.total, 5);
        walked.extend(page.items);
    }
    assert_eq!(walked, f.services.keys.list(&o.alice).await.unwrap());
}

#[tokio::test]
async fn only_an_admin_creates_users_in_their_own_organization() {
    let f = fixture().await;
    let o = org(&f).await;
    let users = &f.services.users;
    let carol = users.create(&o.admin, colleague("carol", Role::User)).await.unwrap();
    assert_eq!(carol.organization_id, o.admin.user.organization_id);
    assert!(matches!(users.create(&o.alice, colleague("dave", Role::Admin)).await, Err(UserError::Refused(sesame_core::rights::Refusal::Role))));
    assert!(matches!(users.create(&o.admin, colleague("CAROL", Role::User)).await, Err(UserError::UsernameTaken)));
    assert!(matches!(users.create(&o.admin, colleague("bad name", Role::User)).await, Err(UserError::Invalid(_))));
    // Nothing was created by the refused calls.
    assert_eq!(users.list(&o.admin, PageRequest::first()).await.unwrap().total, 4);
    // The new user can log in.
    assert!(f.services.accounts.log_in("carol", &Password::new(PASSWORD), &Client::default(), None).await.is_ok());
}

#[tokio::test]
async fn who_may_change_whom() {
    let f = fixture().await;
    let o = org(&f).await;
    let users = &f.services.users;
    assert!(matches!(users.update(&o.alice, o.bob.user.id, disable()).await, Err(UserError::Refused(sesame_core::rights::Refusal::Role))));
    assert!(matches!(users.update(&o.alice, o.alice.user.id, make(Role::Admin)).await, Err(UserError::Refused(sesame_core::rights::Refusal::Role))));
    assert!(matches!(users.update(&o.admin, o.admin.user.id, disable()).await, Err(UserError::OwnAccount)));
    assert!(matches!(users.update(&o.admin, o.stranger.user.id, disable()).await, Err(UserError::NotFound)));
    assert!(matches!(users.update(&o.stranger, o.alice.user.id, disable()).await, Err(UserError::NotFound)));
    assert!(matches!(users.update(&o.admin, o.bob.user.id, UserChange::default()).await, Err(UserError::NothingToChange)));
    // None of that changed anyone.
    for actor in [&o.alice, &o.bob, &o.stranger, &o.admin] {
        let stored = users.get(actor, actor.user.id).await.unwrap();
        assert_eq!(&stored, &*actor.user);
    }
    let bob = users.update(&o.admin, o.bob.user.id, make(Role::Admin)).await.unwrap();
    assert_eq!(bob.role, Role::Admin);
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let f = fixture().await;
    let o = org(&f).await;
    let bob = Actor::command_line(f.services.users.update(&o.admin, o.bob.user.id, make(Role::Admin)).await.unwrap());
    let users = f.services.users.clone();
    let (first, second) = tokio::join!(
        users.update(&o.admin, bob.user.id, make(Role::User)),
        users.update(&bob, o.admin.user.id, make(Role::User)),
    );
    let succeeded = [first.is_ok(), second.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(succeeded, 1, "{first:?} / {second:?}");
    // The loser was demoted by the winner before their own change committed: their change
    // is checked against who they are then, no longer an administrator.
    let loser = if first.is_ok() { second } else { first };
    assert!(matches!(loser, Err(UserError::Refused(sesame_core::rights::Refusal::Role))), "{loser:?}");
}

#[tokio::test]
async fn a_role_change_reaches_existing_keys_at_once() {
    let f = fixture().await;
    let o = org(&f).await;
    let secret = f.services.keys.create(&o.alice, NewKey::named(None)).await.unwrap().secret;
    // Verified once, so a node with a cache now holds it.
    assert_eq!(f.services.verifier.verify(secret.expose(), IP).await.unwrap().user.role, Role::User);
    f.services.users.update(&o.admin, o.alice.user.id, make(Role::Admin)).await.unwrap();
    assert_eq!(f.services.verifier.verify(secret.expose(), IP).await.unwrap().user.role, Role::Admin);
    f.services.users.update(&o.admin, o.alice.user.id, make(Role::User)).await.unwrap();
    assert_eq!(f.services.verifier.verify(secret.expose(), IP).await.unwrap().user.role, Role::User);
}

#[tokio::test]
async fn disabling_ends_sessions_and_refuses_keys_until_enabled() {
    let f = fixture().await;
    let o = org(&f).await;
    let accounts = &f.services.accounts;
    let client = Client::default();
    let session = accounts.log_in("alice", &Password::new(PASSWORD), &client, None).await.unwrap().session;
    let secret = f.services.keys.create(&o.alice, NewKey::named(None)).await.unwrap().secret;
    assert!(f.services.verifier.verify(secret.expose(), IP).await.is_ok());

    let disabled = f.services.users.update(&o.admin, o.alice.user.id, disable()).await.unwrap();
    assert_eq!(disabled.status, Status::Disabled);
    assert!(accounts.console_actor(&session, client.clone()).await.unwrap().is_none());
    assert!(matches!(f.services.verifier.verify(secret.expose(), IP).await, Err(VerifyError::Unknown)));
    let login = accounts.log_in("alice", &Password::new(PASSWORD), &client, None).await;
    assert!(login.is_err());

    f.services.users.update(&o.admin, o.alice.user.id, enable()).await.unwrap();
    assert!(f.services.verifier.verify(secret.expose(), IP).await.is_ok());
    // The old session stays ended; a new login works.
    assert!(accounts.console_actor(&session, client.clone()).await.unwrap().is_none());
    assert!(accounts.log_in("alice", &Password::new(PASSWORD), &client, None).await.is_ok());
    // Keys survived the whole time.
    assert_eq!(f.services.keys.list(&o.alice).await.unwrap().len(), 1);
}

/// A change to one user forgets that user's cached keys only: an administrator flipping a
/// colleague's role in a loop must not push every other key of every organization back to
/// the database.
#[tokio::test]
async fn a_user_change_forgets_only_that_users_cached_keys() {
    let f = fixture().await;
    // PostgreSQL: the cache serves only while this process takes part in the cluster.
    let _membership = f.services.join_cluster();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !f.services.serves_cached_keys() {
        assert!(std::time::Instant::now() < deadline, "no cluster lease");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let o = org(&f).await;
    let alice_key = f.services.keys.create(&o.alice, NewKey::named(None)).await.unwrap().secret;
    let bob_key = f.services.keys.create(&o.bob, NewKey::named(None)).await.unwrap().secret;
    let stranger_key = f.services.keys.create(&o.stranger, NewKey::named(None)).await.unwrap().secret;
    for key in [&alice_key, &bob_key, &stranger_key] {
        f.services.verifier.verify(key.expose(), IP).await.unwrap();
    }
    assert_eq!(f.services.cached_keys(), 3);

    f.services.users.update(&o.admin, o.alice.user.id, make(Role::Admin)).await.unwrap();
    assert_eq!(f.services.cached_keys(), 2, "only alice's key is forgotten");
    assert_eq!(f.services.verifier.verify(alice_key.expose(), IP).await.unwrap().user.role, Role::Admin);
}
