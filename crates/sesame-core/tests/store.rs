//! The storage suite, written once: it runs on a fresh SQLite file, and on PostgreSQL when
//! `SESAME_TEST_POSTGRES_URL` names a server (the README's test command starts one).

use chrono::{Duration, Utc};
use sesame_core::{
    accounts::AccountError,
    actor::Client,
    key::ApiKeySecret,
    keys::{KeyChange, KeyError, NewKey},
    model::{ApiKeyId, PageRequest, Role},
    names::KeyName,
    password::Password,
    verifier::VerifyError,
};

mod common;

use common::{fixture, input, ip, signed_in, user};

#[tokio::test]
async fn keys_round_trip_and_only_the_hash_is_stored() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let created = f.services.keys.create(&alice, NewKey::named(Some("deploy"))).await.unwrap();
    assert_eq!(created.key.name, "deploy");
    let listed = f.services.keys.list(&alice).await.unwrap();
    assert_eq!(listed, vec![created.key.clone()]);
    let found = f.services.verifier.verify(created.secret.expose(), ip("192.0.2.1")).await.unwrap();
    assert_eq!(found.key_id, created.key.id);
    assert_eq!(found.user.username, "alice");
    // What is stored is the hash: parsing the key again gives the same one.
    let by_plain = ApiKeySecret::parse(created.secret.expose()).unwrap();
    assert_eq!(by_plain.hash(), created.secret.hash());
}

#[tokio::test]
async fn names_are_unique_per_user_ignoring_case() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let bob = user(&f, "bob").await;
    f.services.keys.create(&alice, NewKey::named(Some("Deploy"))).await.unwrap();
    assert!(matches!(f.services.keys.create(&alice, NewKey::named(Some("deploy"))).await, Err(KeyError::NameTaken)));
    // Another user may use the same name.
    f.services.keys.create(&bob, NewKey::named(Some("deploy"))).await.unwrap();
    let other = f.services.keys.create(&alice, NewKey::named(Some("other"))).await.unwrap().key;
    let clash = f.services.keys.update(&alice, other.id, KeyChange::rename("DEPLOY")).await;
    assert!(matches!(clash, Err(KeyError::NameTaken)));
    // Renaming to itself with another case is fine.
    let renamed = f.services.keys.update(&alice, other.id, KeyChange::rename("OTHER")).await.unwrap();
    assert_eq!(renamed.name, "OTHER");
}

#[tokio::test]
async fn another_users_key_cannot_be_renamed_or_deleted() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let bob = user(&f, "bob").await;
    let created = f.services.keys.create(&alice, NewKey::named(Some("mine"))).await.unwrap();
    assert!(matches!(f.services.keys.update(&bob, created.key.id, KeyChange::rename("x")).await, Err(KeyError::NotFound)));
    assert!(matches!(f.services.keys.remove(&bob, created.key.id).await, Err(KeyError::NotFound)));
    assert!(matches!(f.services.keys.remove(&alice, ApiKeyId::new_random()).await, Err(KeyError::NotFound)));
    assert_eq!(f.services.keys.list(&alice).await.unwrap()[0].name, "mine");
    assert!(f.services.verifier.verify(created.secret.expose(), ip("192.0.2.1")).await.is_ok());
}

#[tokio::test]
async fn a_deleted_key_is_refused_at_once() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let created = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    assert!(f.services.verifier.verify(created.secret.expose(), ip("192.0.2.1")).await.is_ok());
    f.services.keys.remove(&alice, created.key.id).await.unwrap();
    assert!(matches!(f.services.verifier.verify(created.secret.expose(), ip("192.0.2.1")).await, Err(VerifyError::Unknown)));
    assert!(f.services.keys.list(&alice).await.unwrap().is_empty());
}

#[tokio::test]
async fn malformed_keys_are_refused_before_any_lookup() {
    let f = fixture().await;
    let result = f.services.verifier.verify("sesame_short", ip("192.0.2.1")).await;
    assert!(matches!(result, Err(VerifyError::Malformed(_))));
}

#[tokio::test]
async fn last_use_is_recorded_and_only_moves_forward() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let created = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    f.services.verifier.verify(created.secret.expose(), ip("198.51.100.1")).await.unwrap();
    // Noted in memory, not yet written: the API call did not wait for a write.
    assert_eq!(f.services.keys.list(&alice).await.unwrap()[0].last_used_at, None);
    assert_eq!(f.services.flush_last_use().await.unwrap(), 1);
    assert_eq!(f.services.flush_last_use().await.unwrap(), 0);
    let first = f.services.keys.list(&alice).await.unwrap().remove(0);
    assert_eq!(first.last_used_ip, Some(ip("198.51.100.1")));
    let first_time = first.last_used_at.unwrap();

    // An older report (a slow node, say) never overwrites a newer one.
    f.services.last_use.record(created.key.id, ip("203.0.113.9"), first_time - Duration::minutes(5));
    f.services.flush_last_use().await.unwrap();
    let after = f.services.keys.list(&alice).await.unwrap().remove(0);
    assert_eq!(after.last_used_ip, Some(ip("198.51.100.1")));
    assert_eq!(after.last_used_at, Some(first_time));

    f.services.last_use.record(created.key.id, ip("203.0.113.9"), Utc::now() + Duration::seconds(1));
    f.services.flush_last_use().await.unwrap();
    let latest = f.services.keys.list(&alice).await.unwrap().remove(0);
    assert_eq!(latest.last_used_ip, Some(ip("203.0.113.9")));
}

#[tokio::test]
async fn sessions_and_login() {
    let f = fixture().await;
    user(&f, "alice").await;
    let client = Client::new(ip("192.0.2.7"), Some("test"));
    let accounts = &f.services.accounts;
    let logged_in = accounts.log_in("ALICE", &Password::new("correct horse battery"), &client, None).await.unwrap();
    let (me, token) = (logged_in.user, logged_in.session);
    assert_eq!(me.username, "alice");
    assert_eq!(accounts.console_actor(&token, client.clone()).await.unwrap().unwrap().user.id, me.id);
    accounts.log_out(&token, client.clone()).await.unwrap();
    assert!(accounts.console_actor(&token, client.clone()).await.unwrap().is_none());
    for (username, password) in [("alice", "wrong password!"), ("nobody", "correct horse battery")] {
        let result = accounts.log_in(username, &Password::new(password), &client, None).await;
        assert!(matches!(result, Err(AccountError::InvalidCredentials)), "{username}");
    }
}

#[tokio::test]
async fn the_first_admin_is_created_once_and_usernames_are_unique() {
    let f = fixture().await;
    let accounts = &f.services.accounts;
    let client = Client::new(ip("192.0.2.7"), None);
    assert!(accounts.needs_setup().await.unwrap());
    let token = accounts.setup_token().await.unwrap().unwrap();
    assert!(matches!(accounts.set_up("wrong", input("root", "Acme"), &client).await, Err(AccountError::InvalidSetupToken)));
    let admin = accounts.set_up(&token, input("root", "Acme Corporation"), &client).await.unwrap().user;
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.organization_name, "Acme Corporation");
    assert!(!accounts.needs_setup().await.unwrap());
    assert!(matches!(accounts.set_up(&token, input("other", "Elsewhere"), &client).await, Err(AccountError::SetupAlreadyDone)));
    assert!(matches!(
        accounts.create_user_by_operator(input("ROOT", "Acme Corporation")).await,
        Err(AccountError::UsernameTaken)
    ));
    // Users join an existing organization by name.
    let bob = accounts.create_user_by_operator(input("bob", "Acme Corporation")).await.unwrap();
    assert_eq!(bob.organization_id, admin.organization_id);
}

#[tokio::test]
async fn two_setup_forms_at_once_create_one_administrator() {
    let f = fixture().await;
    let accounts = f.services.accounts.clone();
    let client = Client::new(ip("192.0.2.7"), None);
    let token = accounts.setup_token().await.unwrap().unwrap();
    let (first, second) = tokio::join!(
        accounts.set_up(&token, input("first", "Acme"), &client),
        accounts.set_up(&token, input("second", "Acme"), &client),
    );
    let created = [first.is_ok(), second.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(created, 1, "{first:?} / {second:?}");
    let loser = if first.is_ok() { second } else { first };
    assert!(matches!(loser, Err(AccountError::SetupAlreadyDone) | Err(AccountError::Store(_))), "{loser:?}");
}

#[tokio::test]
async fn keys_are_imported_in_bulk() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let secrets: Vec<ApiKeySecret> = (0..1_200).map(|_| ApiKeySecret::generate()).collect();
    let rows: Vec<_> = secrets
        .iter()
        .enumerate()
        .map(|(i, secret)| (KeyName::parse(&format!("bulk-{i}")).unwrap(), secret.hash()))
        .collect();
    f.services.import_keys(&alice.user, &rows).await.unwrap();
    assert_eq!(f.services.keys.list(&alice).await.unwrap().len(), 1_200);
    let principal = f.services.verifier.verify(secrets[777].expose(), ip("192.0.2.1")).await.unwrap();
    assert_eq!(principal.user.id, alice.user.id);
}

/// A change and its activity event are one: the event names the actor, the key and the
/// client, and is there as soon as the change returns.
#[tokio::test]
async fn every_change_comes_with_its_event() {
    let f = fixture().await;
    user(&f, "alice").await;
    let client = Client::new(ip("198.51.100.4"), Some("tests"));
    let alice = signed_in(&f, "alice", &client).await;
    let created = f.services.keys.create(&alice, NewKey::named(Some("ci"))).await.unwrap();
    f.services.keys.update(&alice, created.key.id, KeyChange::rename("deploy")).await.unwrap();
    f.services.keys.remove(&alice, created.key.id).await.unwrap();
    let events = f.services.activity.list(&alice, PageRequest::first()).await.unwrap().items;
    // (Within one millisecond, newest-first has no order to keep.)
    let mut kinds: Vec<&str> = events[..3].iter().map(|event| event.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["key_created", "key_deleted", "key_renamed"]);
    for event in &events[..3] {
        assert_eq!(event.actor.as_ref().map(|party| party.username.as_str()), Some("alice"));
        assert_eq!(event.key.as_ref().map(|key| key.id), Some(created.key.id));
        assert_eq!(event.ip, client.ip);
        assert_eq!(event.user_agent.as_deref(), Some("tests"));
    }
}

/// A database that can no longer be written (a read-only remount, a full disk) still opens
/// and serves reads once it has been set up: starting takes nothing that writes.
#[tokio::test]
async fn a_database_set_up_once_opens_read_only() {
    if std::env::var("SESAME_TEST_POSTGRES_URL").is_ok() {
        return; // SQLite's read-only mode; PostgreSQL has its own read-only roles.
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("sesame.db").display());
    let settings = sesame_core::Settings { argon2_permits: 2, ..Default::default() };
    let services = sesame_core::Services::connect(&url, settings.clone()).await.unwrap();
    let alice = services.accounts.create_user_by_operator(input("alice", "Acme")).await.unwrap();
    let alice = sesame_core::actor::Actor::command_line(alice);
    services.keys.create(&alice, NewKey::named(Some("deploy"))).await.unwrap();
    drop(services);
    let read_only = sesame_core::Services::connect(&format!("{url}?mode=ro"), settings).await.unwrap();
    assert_eq!(read_only.keys.list(&alice).await.unwrap().len(), 1);
}
