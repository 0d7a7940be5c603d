//! The storage suite, written once: it runs on a fresh SQLite file, and on PostgreSQL when
//! `SESAME_TEST_POSTGRES_URL` names a server (the README's test command starts one).

use chrono::{Duration, Utc};
use sesame_core::{
    accounts::{AccountError, ClientInfo},
    key::ApiKeySecret,
    keys::KeyError,
    model::Role,
    password::Password,
    verifier::VerifyError,
};

mod common;

use common::{fixture, input, user};

#[tokio::test]
async fn keys_round_trip_and_only_the_hash_is_stored() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let (key, secret) = f.services.keys.generate(&alice, Some("deploy")).await.unwrap();
    assert_eq!(key.name, "deploy");
    let listed = f.services.keys.list(&alice).await.unwrap();
    assert_eq!(listed, vec![key.clone()]);
    let found = f.services.store.key_owner(&secret.hash()).await.unwrap().unwrap();
    assert_eq!(found.0, key.id);
    assert_eq!(found.1.username, "alice");
    // Nothing was stored that equals the key itself.
    let by_plain = ApiKeySecret::parse(secret.expose()).unwrap();
    assert_eq!(by_plain.hash(), secret.hash());
}

#[tokio::test]
async fn names_are_unique_per_user_ignoring_case() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let bob = user(&f, "bob").await;
    f.services.keys.generate(&alice, Some("Deploy")).await.unwrap();
    assert!(matches!(f.services.keys.generate(&alice, Some("deploy")).await, Err(KeyError::NameTaken)));
    // Another user may use the same name.
    f.services.keys.generate(&bob, Some("deploy")).await.unwrap();
    let (other, _) = f.services.keys.generate(&alice, Some("other")).await.unwrap();
    let clash = f.services.keys.rename(&alice, other.id.as_str(), "DEPLOY").await;
    assert!(matches!(clash, Err(KeyError::NameTaken)));
    // Renaming to itself with another case is fine.
    let renamed = f.services.keys.rename(&alice, other.id.as_str(), "OTHER").await.unwrap();
    assert_eq!(renamed.name, "OTHER");
}

#[tokio::test]
async fn another_users_key_cannot_be_renamed_or_deleted() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let bob = user(&f, "bob").await;
    let (key, secret) = f.services.keys.generate(&alice, Some("mine")).await.unwrap();
    assert!(matches!(f.services.keys.rename(&bob, key.id.as_str(), "x").await, Err(KeyError::NotFound)));
    assert!(matches!(f.services.keys.delete(&bob, key.id.as_str()).await, Err(KeyError::NotFound)));
    assert!(matches!(f.services.keys.delete(&alice, "garbage").await, Err(KeyError::NotFound)));
    assert_eq!(f.services.keys.list(&alice).await.unwrap()[0].name, "mine");
    assert!(f.services.verifier.verify(secret.expose(), "192.0.2.1".parse().unwrap()).await.is_ok());
}

#[tokio::test]
async fn a_deleted_key_is_refused_at_once() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let (key, secret) = f.services.keys.generate(&alice, None).await.unwrap();
    assert!(f.services.verifier.verify(secret.expose(), "192.0.2.1".parse().unwrap()).await.is_ok());
    f.services.keys.delete(&alice, key.id.as_str()).await.unwrap();
    assert!(matches!(
        f.services.verifier.verify(secret.expose(), "192.0.2.1".parse().unwrap()).await,
        Err(VerifyError::Unknown)
    ));
    assert!(f.services.keys.list(&alice).await.unwrap().is_empty());
}

#[tokio::test]
async fn malformed_keys_are_refused_before_any_lookup() {
    let f = fixture().await;
    let result = f.services.verifier.verify("sesame_short", "192.0.2.1".parse().unwrap()).await;
    assert!(matches!(result, Err(VerifyError::Malformed(_))));
}

#[tokio::test]
async fn last_use_is_recorded_and_only_moves_forward() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let (key, secret) = f.services.keys.generate(&alice, None).await.unwrap();
    f.services.verifier.verify(secret.expose(), "198.51.100.1".parse().unwrap()).await.unwrap();
    // Noted in memory, not yet written: the API call did not wait for a write.
    assert_eq!(f.services.keys.list(&alice).await.unwrap()[0].last_used_at, None);
    assert_eq!(f.services.flush_last_use().await.unwrap(), 1);
    assert_eq!(f.services.flush_last_use().await.unwrap(), 0);
    let first = f.services.keys.list(&alice).await.unwrap().remove(0);
    assert_eq!(first.last_used_ip.as_deref(), Some("198.51.100.1"));
    let first_time = first.last_used_at.unwrap();

    // An older report (a slow node, say) never overwrites a newer one.
    let older = first_time - Duration::minutes(5);
    f.services.store.record_key_use(&key.id, "203.0.113.9", older).await.unwrap();
    let after = f.services.keys.list(&alice).await.unwrap().remove(0);
    assert_eq!(after.last_used_ip.as_deref(), Some("198.51.100.1"));
    assert_eq!(after.last_used_at, Some(first_time));

    let newer = Utc::now() + Duration::seconds(1);
    f.services.store.record_key_use(&key.id, "203.0.113.9", newer).await.unwrap();
    let latest = f.services.keys.list(&alice).await.unwrap().remove(0);
    assert_eq!(latest.last_used_ip.as_deref(), Some("203.0.113.9"));
}

#[tokio::test]
async fn sessions_and_login() {
    let f = fixture().await;
    user(&f, "alice").await;
    let client = ClientInfo { ip: Some("192.0.2.7".into()), user_agent: Some("test".into()) };
    let accounts = &f.services.accounts;
    let (me, token) = accounts.login("ALICE", &Password::new("correct horse battery"), &client).await.unwrap();
    assert_eq!(me.username, "alice");
    assert_eq!(accounts.session_user(&token).await.unwrap().unwrap().id, me.id);
    accounts.logout(&token).await.unwrap();
    assert!(accounts.session_user(&token).await.unwrap().is_none());
    for (username, password) in [("alice", "wrong password!"), ("nobody", "correct horse battery")] {
        let result = accounts.login(username, &Password::new(password), &client).await;
        assert!(matches!(result, Err(AccountError::InvalidCredentials)), "{username}");
    }
}

#[tokio::test]
async fn the_first_admin_is_created_once_and_usernames_are_unique() {
    let f = fixture().await;
    let accounts = &f.services.accounts;
    assert!(accounts.needs_setup().await.unwrap());
    let admin = accounts.create_first_admin(input("root", "Acme Corporation")).await.unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.organization_name, "Acme Corporation");
    assert!(!accounts.needs_setup().await.unwrap());
    assert!(matches!(
        accounts.create_first_admin(input("other", "Elsewhere")).await,
        Err(AccountError::SetupAlreadyDone)
    ));
    assert!(matches!(accounts.create_user(input("ROOT", "Acme Corporation")).await, Err(AccountError::UsernameTaken)));
    // Users join an existing organization by name.
    let bob = accounts.create_user(input("bob", "Acme Corporation")).await.unwrap();
    assert_eq!(bob.organization_id, admin.organization_id);
}

#[tokio::test]
async fn two_setup_forms_at_once_create_one_administrator() {
    let f = fixture().await;
    let accounts = f.services.accounts.clone();
    let (first, second) = tokio::join!(
        accounts.create_first_admin(input("first", "Acme")),
        accounts.create_first_admin(input("second", "Acme")),
    );
    let created = [first.is_ok(), second.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(created, 1, "{first:?} / {second:?}");
    let loser = if first.is_ok() { second } else { first };
    assert!(matches!(loser, Err(AccountError::SetupAlreadyDone) | Err(AccountError::Store(_))), "{loser:?}");
}

#[tokio::test]
async fn keys_are_inserted_in_bulk() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let secrets: Vec<ApiKeySecret> = (0..1_200).map(|_| ApiKeySecret::generate()).collect();
    let rows: Vec<_> = secrets
        .iter()
        .enumerate()
        .map(|(i, secret)| (sesame_core::names::KeyName::parse(&format!("bulk-{i}")).unwrap(), secret.hash()))
        .collect();
    f.services.store.insert_keys(&alice.id, &rows).await.unwrap();
    assert_eq!(f.services.keys.list(&alice).await.unwrap().len(), 1_200);
    let principal = f.services.verifier.verify(secrets[777].expose(), "192.0.2.1".parse().unwrap()).await.unwrap();
    assert_eq!(principal.user.id, alice.id);
}
