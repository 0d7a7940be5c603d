//! Keys that expire and keys that are disabled, on SQLite (and on PostgreSQL with
//! `SESAME_TEST_POSTGRES_URL`): refused like a deleted key, cached or not, by the clock
//! (moved by the tests, never slept on), and all-or-nothing changes.

mod common;

use std::net::IpAddr;

use chrono::TimeDelta;
use common::{fixture, signed_in, user};
use sesame_core::{
    actor::{Actor, Client},
    keys::{KeyChange, KeyError, NewKey, EXPIRED_KEYS_KEPT},
    model::{EventKind, PageRequest, Status},
    verifier::VerifyError,
};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

#[tokio::test]
async fn a_key_works_until_the_millisecond_it_expires_cached_or_not() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let expires_at = f.clock.now() + TimeDelta::hours(1);
    let created = f.services.keys.create(&alice, NewKey { name: Some("ci"), expires_at: Some(expires_at) }).await.unwrap();
    assert_eq!(created.key.expires_at, Some(expires_at));
    assert_eq!(f.services.keys.list(&alice).await.unwrap()[0].expires_at, Some(expires_at));

    // Verified once: a cached key from now on.
    assert!(f.services.verifier.verify(created.secret.expose(), IP).await.is_ok());
    f.clock.set(expires_at - TimeDelta::milliseconds(1));
    assert!(f.services.verifier.verify(created.secret.expose(), IP).await.is_ok());
    f.clock.set(expires_at);
    assert!(matches!(f.services.verifier.verify(created.secret.expose(), IP).await, Err(VerifyError::Expired)));
    // Still listed, so its owner sees what stopped working.
    assert!(f.services.keys.list(&alice).await.unwrap()[0].has_expired(f.clock.now()));
}

#[tokio::test]
async fn a_key_that_expired_while_its_request_was_in_flight_changes_nothing() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let expires_at = f.clock.now() + TimeDelta::minutes(5);
    let created = f.services.keys.create(&alice, NewKey { name: None, expires_at: Some(expires_at) }).await.unwrap();
    let principal = f.services.verifier.verify(created.secret.expose(), IP).await.unwrap();
    let through_api = Actor::api(&principal, Client::new(IP, None));
    f.clock.set(expires_at);
    let refused = f.services.keys.create(&through_api, NewKey::named(Some("made-too-late"))).await;
    assert!(matches!(refused, Err(KeyError::Unauthenticated)), "{refused:?}");
    assert_eq!(f.services.keys.list(&alice).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_expiry_that_is_not_in_the_future_is_refused_and_nothing_is_made() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    for expires_at in [f.clock.now() - TimeDelta::days(1), f.clock.now()] {
        let refused = f.services.keys.create(&alice, NewKey { name: Some("late"), expires_at: Some(expires_at) }).await;
        assert!(matches!(refused, Err(KeyError::ExpiryInPast)), "{refused:?}");
    }
    assert!(f.services.keys.list(&alice).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_disabled_key_is_refused_until_enabled_again_and_both_are_in_the_activity() {
    let f = fixture().await;
    user(&f, "alice").await;
    let alice = signed_in(&f, "alice", &Client::new(IP, None)).await;
    let created = f.services.keys.create(&alice, NewKey::named(Some("deploy"))).await.unwrap();
    assert!(f.services.verifier.verify(created.secret.expose(), IP).await.is_ok());

    let disabled = f.services.keys.update(&alice, created.key.id, KeyChange::status(Status::Disabled)).await.unwrap();
    assert_eq!(disabled.status, Status::Disabled);
    assert!(matches!(f.services.verifier.verify(created.secret.expose(), IP).await, Err(VerifyError::Unknown)));
    assert_eq!(f.services.keys.list(&alice).await.unwrap()[0].status, Status::Disabled);
    // Disabling twice changes nothing and says nothing more.
    f.services.keys.update(&alice, created.key.id, KeyChange::status(Status::Disabled)).await.unwrap();

    let enabled = f.services.keys.update(&alice, created.key.id, KeyChange::status(Status::Active)).await.unwrap();
    assert_eq!((enabled.status, enabled.name.as_str()), (Status::Active, "deploy"));
    assert!(f.services.verifier.verify(created.secret.expose(), IP).await.is_ok());

    let events = f.services.activity.list(&alice, PageRequest::first()).await.unwrap().items;
    let count = |kind| events.iter().filter(|event| event.kind == kind).count();
    assert_eq!((count(EventKind::KeyDisabled), count(EventKind::KeyEnabled)), (1, 1));
}

#[tokio::test]
async fn a_disabled_key_cannot_be_used_by_a_request_already_in_flight() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let created = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    let principal = f.services.verifier.verify(created.secret.expose(), IP).await.unwrap();
    let through_api = Actor::api(&principal, Client::new(IP, None));
    f.services.keys.update(&alice, created.key.id, KeyChange::status(Status::Disabled)).await.unwrap();
    let refused = f.services.keys.create(&through_api, NewKey::named(Some("x"))).await;
    assert!(matches!(refused, Err(KeyError::Unauthenticated)), "{refused:?}");
}

#[tokio::test]
async fn a_change_is_all_or_nothing_and_an_empty_one_is_refused() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    f.services.keys.create(&alice, NewKey::named(Some("taken"))).await.unwrap();
    let created = f.services.keys.create(&alice, NewKey::named(Some("mine"))).await.unwrap();
    let both = KeyChange { name: Some("TAKEN".into()), status: Some(Status::Disabled) };
    assert!(matches!(f.services.keys.update(&alice, created.key.id, both).await, Err(KeyError::NameTaken)));
    let bad_name = KeyChange { name: Some("\u{7}".into()), status: Some(Status::Disabled) };
    assert!(matches!(f.services.keys.update(&alice, created.key.id, bad_name).await, Err(KeyError::InvalidName(_))));
    assert!(matches!(f.services.keys.update(&alice, created.key.id, KeyChange::default()).await, Err(KeyError::NothingToChange)));
    // Neither the name nor the status moved, and the key still works.
    let keys = f.services.keys.list(&alice).await.unwrap();
    let mine = keys.iter().find(|key| key.id == created.key.id).unwrap();
    assert_eq!((mine.name.as_str(), mine.status), ("mine", Status::Active));
    assert!(f.services.verifier.verify(created.secret.expose(), IP).await.is_ok());

    let both = KeyChange { name: Some("renamed".into()), status: Some(Status::Disabled) };
    let changed = f.services.keys.update(&alice, created.key.id, both).await.unwrap();
    assert_eq!((changed.name.as_str(), changed.status), ("renamed", Status::Disabled));
    assert!(f.services.verifier.verify(created.secret.expose(), IP).await.is_err());
}

#[tokio::test]
async fn another_users_key_cannot_be_disabled() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let bob = user(&f, "bob").await;
    let created = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    let refused = f.services.keys.update(&bob, created.key.id, KeyChange::status(Status::Disabled)).await;
    assert!(matches!(refused, Err(KeyError::NotFound)));
    assert!(f.services.verifier.verify(created.secret.expose(), IP).await.is_ok());
}

#[tokio::test]
async fn expired_keys_stay_listed_for_thirty_days_then_are_purged() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let start = f.clock.now();
    let soon = NewKey { name: Some("soon"), expires_at: Some(start + TimeDelta::hours(1)) };
    let later = NewKey { name: Some("later"), expires_at: Some(start + TimeDelta::days(2)) };
    f.services.keys.create(&alice, soon).await.unwrap();
    f.services.keys.create(&alice, later).await.unwrap();
    f.services.keys.create(&alice, NewKey::named(Some("forever"))).await.unwrap();

    f.clock.set(start + TimeDelta::hours(1) + EXPIRED_KEYS_KEPT - TimeDelta::seconds(1));
    f.services.housekeeping().await.unwrap();
    assert_eq!(f.services.keys.list(&alice).await.unwrap().len(), 3);

    f.clock.set(start + TimeDelta::hours(1) + EXPIRED_KEYS_KEPT + TimeDelta::seconds(1));
    f.services.housekeeping().await.unwrap();
    let mut names: Vec<String> = f.services.keys.list(&alice).await.unwrap().into_iter().map(|key| key.name).collect();
    names.sort();
    assert_eq!(names, ["forever", "later"]);
}
