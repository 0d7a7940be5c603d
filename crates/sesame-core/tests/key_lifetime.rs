//! Keys that expire and keys that are disabled, on SQLite (and on PostgreSQL with
//! `SESAME_TEST_POSTGRES_URL`): refused like a deleted key, cached or not, by the clock
//! (moved by the tests, never slept on), and all-or-nothing changes.

mod common;

use std::net::IpAddr;

use chrono::TimeDelta;
use common::{fixture, signed_in, through_api, user};
use sesame_core::{
    accounts::AccountError,
    actor::Client,
    rights::Refusal,
    keys::{KeyChange, KeyError, NewKey, Roll, EXPIRED_KEYS_KEPT},
    model::{EventKind, PageRequest, Status},
    verifier::VerifyError,
};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

#[tokio::test]
async fn a_key_works_until_the_millisecond_it_expires_cached_or_not() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let expires_at = f.clock.now() + TimeDelta::hours(1);
    let created = f.services.keys.create(&alice, NewKey { name: Some("ci"), expires_at: Some(expires_at), ..NewKey::default() }).await.unwrap();
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
    let created = f.services.keys.create(&alice, NewKey { expires_at: Some(expires_at), ..NewKey::default() }).await.unwrap();
    let through_api = through_api(&f, created.secret.expose()).await;
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
        let refused = f.services.keys.create(&alice, NewKey { name: Some("late"), expires_at: Some(expires_at), ..NewKey::default() }).await;
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
    let through_api = through_api(&f, created.secret.expose()).await;
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
    let both = KeyChange { name: Some("TAKEN".into()), status: Some(Status::Disabled), ..KeyChange::default() };
    assert!(matches!(f.services.keys.update(&alice, created.key.id, both).await, Err(KeyError::NameTaken)));
    let bad_name = KeyChange { name: Some("\u{7}".into()), status: Some(Status::Disabled), ..KeyChange::default() };
    assert!(matches!(f.services.keys.update(&alice, created.key.id, bad_name).await, Err(KeyError::InvalidName(_))));
    assert!(matches!(f.services.keys.update(&alice, created.key.id, KeyChange::default()).await, Err(KeyError::NothingToChange)));
    // Neither the name nor the status moved, and the key still works.
    let keys = f.services.keys.list(&alice).await.unwrap();
    let mine = keys.iter().find(|key| key.id == created.key.id).unwrap();
    assert_eq!((mine.name.as_str(), mine.status), ("mine", Status::Active));
    assert!(f.services.verifier.verify(created.secret.expose(), IP).await.is_ok());

    let both = KeyChange { name: Some("renamed".into()), status: Some(Status::Disabled), ..KeyChange::default() };
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
    let soon = NewKey { name: Some("soon"), expires_at: Some(start + TimeDelta::hours(1)), ..NewKey::default() };
    let later = NewKey { name: Some("later"), expires_at: Some(start + TimeDelta::days(2)), ..NewKey::default() };
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

#[tokio::test]
async fn a_rolled_key_answers_to_both_secrets_until_the_millisecond_its_overlap_ends() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let created = f.services.keys.create(&alice, NewKey::named(Some("ci"))).await.unwrap();
    let old = created.secret.expose().to_owned();
    assert!(f.services.verifier.verify(&old, IP).await.is_ok(), "cached before the roll");

    f.clock.set(f.clock.now());
    let rolled = f.services.keys.roll(&alice, created.key.id, Roll::grace(TimeDelta::hours(1))).await.unwrap();
    let until = f.clock.now() + TimeDelta::hours(1);
    assert_eq!((rolled.key.id, rolled.key.name.as_str()), (created.key.id, "ci"));
    assert_eq!(rolled.key.previous_secret_valid_until, Some(until));
    assert_eq!(f.services.keys.list(&alice).await.unwrap()[0].previous_secret_valid_until, Some(until));
    let new = rolled.secret.expose().to_owned();
    assert_ne!(new, old);

    let with_old = f.services.verifier.verify(&old, IP).await.unwrap();
    assert!(with_old.with_previous_secret && with_old.key_id == created.key.id);
    assert!(!f.services.verifier.verify(&new, IP).await.unwrap().with_previous_secret);
    f.clock.set(until - TimeDelta::milliseconds(1));
    assert!(f.services.verifier.verify(&old, IP).await.is_ok());
    f.clock.set(until);
    assert!(matches!(f.services.verifier.verify(&old, IP).await, Err(VerifyError::Expired)));
    assert!(f.services.verifier.verify(&new, IP).await.is_ok());
}

#[tokio::test]
async fn rolling_with_no_grace_again_or_ending_the_overlap_stops_the_older_secret_at_once() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let created = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    let id = created.key.id;
    let first = created.secret.expose().to_owned();
    assert!(f.services.verifier.verify(&first, IP).await.is_ok());

    // No grace: the old secret is refused from the next request, cached or not.
    let second = f.services.keys.roll(&alice, id, Roll::grace(TimeDelta::zero())).await.unwrap();
    assert_eq!(second.key.previous_secret_valid_until, None);
    assert!(matches!(f.services.verifier.verify(&first, IP).await, Err(VerifyError::Unknown)));
    let second = second.secret.expose().to_owned();

    // Rolled twice with grace: only the latest previous secret still works.
    let third = f.services.keys.roll(&alice, id, Roll::grace(TimeDelta::days(1))).await.unwrap().secret.expose().to_owned();
    assert!(f.services.verifier.verify(&second, IP).await.is_ok());
    let fourth = f.services.keys.roll(&alice, id, Roll::grace(TimeDelta::days(1))).await.unwrap().secret.expose().to_owned();
    assert!(matches!(f.services.verifier.verify(&second, IP).await, Err(VerifyError::Unknown)));
    assert!(f.services.verifier.verify(&third, IP).await.is_ok());

    // Ending the overlap: the previous secret stops, the current one works; twice is fine.
    let ended = f.services.keys.end_overlap(&alice, id).await.unwrap();
    assert_eq!(ended.previous_secret_valid_until, None);
    assert!(matches!(f.services.verifier.verify(&third, IP).await, Err(VerifyError::Unknown)));
    assert!(f.services.verifier.verify(&fourth, IP).await.is_ok());
    f.services.keys.end_overlap(&alice, id).await.unwrap();

    // Deleting a key in its overlap refuses both its secrets.
    let fifth = f.services.keys.roll(&alice, id, Roll::grace(TimeDelta::days(1))).await.unwrap().secret.expose().to_owned();
    assert!(f.services.verifier.verify(&fourth, IP).await.is_ok());
    f.services.keys.remove(&alice, id).await.unwrap();
    for secret in [&fourth, &fifth] {
        assert!(matches!(f.services.verifier.verify(secret, IP).await, Err(VerifyError::Unknown)));
    }
}

#[tokio::test]
async fn an_expired_key_is_not_rolled_nor_is_a_grace_beyond_seven_days() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let bob = user(&f, "bob").await;
    let expires_at = f.clock.now() + TimeDelta::days(1);
    let created = f.services.keys.create(&alice, NewKey { expires_at: Some(expires_at), ..NewKey::default() }).await.unwrap();
    for grace in [TimeDelta::days(7) + TimeDelta::seconds(1), TimeDelta::seconds(-1)] {
        assert!(matches!(f.services.keys.roll(&alice, created.key.id, Roll::grace(grace)).await, Err(KeyError::InvalidGracePeriod)));
    }
    assert!(matches!(f.services.keys.roll(&bob, created.key.id, Roll::grace(TimeDelta::zero())).await, Err(KeyError::NotFound)));
    // The expiry stays with the key: the new secret expires with it.
    let rolled = f.services.keys.roll(&alice, created.key.id, Roll::grace(TimeDelta::days(7))).await.unwrap();
    assert_eq!(rolled.key.expires_at, Some(expires_at));
    f.clock.set(expires_at);
    assert!(matches!(f.services.keys.roll(&alice, created.key.id, Roll::grace(TimeDelta::zero())).await, Err(KeyError::Expired)));
    // The previous secret's overlap ends with the key, not later.
    assert!(matches!(f.services.verifier.verify(created.secret.expose(), IP).await, Err(VerifyError::Expired)));
    assert!(f.services.verifier.verify(rolled.secret.expose(), IP).await.is_err());
}

#[tokio::test]
async fn each_address_still_using_a_previous_secret_is_recorded_once() {
    let f = fixture().await;
    user(&f, "alice").await;
    let alice = signed_in(&f, "alice", &Client::new(IP, None)).await;
    let created = f.services.keys.create(&alice, NewKey::named(Some("deploy"))).await.unwrap();
    f.services.keys.roll(&alice, created.key.id, Roll::grace(TimeDelta::hours(1))).await.unwrap();
    let other: IpAddr = "198.51.100.9".parse().unwrap();
    for ip in [IP, IP, other, IP] {
        f.services.verifier.verify(created.secret.expose(), ip).await.unwrap();
    }
    // Written off the request's path: wait for them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut addresses = loop {
        let events = f.services.activity.list(&alice, PageRequest::first()).await.unwrap().items;
        let uses: Vec<IpAddr> =
            events.iter().filter(|e| e.kind == EventKind::KeyUsedWithPreviousSecret).filter_map(|e| e.ip).collect();
        if uses.len() >= 2 || std::time::Instant::now() > deadline {
            break uses;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    addresses.sort();
    let mut expected = vec![IP, other];
    expected.sort();
    assert_eq!(addresses, expected);
    let events = f.services.activity.list(&alice, PageRequest::first()).await.unwrap().items;
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::KeyUsedWithPreviousSecret).count(), 2, "once per address");
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::KeyRolled).count(), 1);
}

#[tokio::test]
async fn a_previous_secret_uses_the_api_but_manages_no_key_and_stops_at_the_end_of_its_overlap() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let created = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    let spare = f.services.keys.create(&alice, NewKey::named(Some("spare"))).await.unwrap();
    let rolled = f.services.keys.roll(&alice, created.key.id, Roll::grace(TimeDelta::hours(1))).await.unwrap();
    let with_old = through_api(&f, created.secret.expose()).await;
    let with_new = through_api(&f, rolled.secret.expose()).await;

    // Whoever holds the old (perhaps leaked) secret gets no fresh one, makes no key that
    // would outlive the overlap, and cannot stop the key its owner rolled.
    let id = created.key.id;
    let keys = &f.services.keys;
    let refusals = [
        keys.roll(&with_old, id, Roll::grace(TimeDelta::zero())).await.err(),
        keys.create(&with_old, NewKey::named(Some("minted"))).await.err(),
        keys.update(&with_old, id, KeyChange::status(Status::Disabled)).await.err(),
        keys.update(&with_old, spare.key.id, KeyChange::rename("renamed")).await.err(),
        keys.end_overlap(&with_old, id).await.err(),
        keys.remove(&with_old, id).await.err(),
        keys.remove(&with_old, spare.key.id).await.err(),
    ];
    for refused in refusals {
        assert!(matches!(refused, Some(KeyError::Refused(Refusal::PreviousSecret))), "{refused:?}");
    }
    assert_eq!(keys.list(&alice).await.unwrap().len(), 2, "nothing made, nothing deleted");
    assert!(f.services.verifier.verify(rolled.secret.expose(), IP).await.is_ok());
    // It still reads, as the job that holds it expects.
    assert_eq!(keys.list(&with_old).await.unwrap().len(), 2);
    // Once the overlap ends, a request already in flight with it changes nothing, while the
    // current secret still works.
    f.services.security.end_other_sessions(&with_old).await.unwrap();
    keys.end_overlap(&alice, id).await.unwrap();
    let late = f.services.security.end_other_sessions(&with_old).await;
    assert!(matches!(late, Err(AccountError::Unauthenticated)), "{late:?}");
    keys.create(&with_new, NewKey::named(Some("current"))).await.unwrap();
}

#[tokio::test]
async fn a_key_whose_stored_name_an_older_rule_let_in_is_still_disabled_and_narrowed() {
    use sqlx::Connection;
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let created = f.services.keys.create(&alice, NewKey::named(Some("deploy"))).await.unwrap();
    // As an older version stored it: an emoji with its variation selector, which names may no
    // longer hold.
    sqlx::any::install_default_drivers();
    let mut database = sqlx::AnyConnection::connect(&f.url).await.unwrap();
    sqlx::query("UPDATE api_keys SET name = $1 WHERE id = $2").bind("\u{26A0}\u{FE0F} deploy").bind(created.key.id.to_string()).execute(&mut database).await.unwrap();

    let disabled = f.services.keys.update(&alice, created.key.id, KeyChange::status(Status::Disabled)).await.unwrap();
    assert_eq!(disabled.name, "\u{26A0}\u{FE0F} deploy", "kept as stored");
    assert_eq!(f.services.keys.list(&alice).await.unwrap()[0].status, Status::Disabled);
    // A new name must follow today's rule.
    let refused = f.services.keys.update(&alice, created.key.id, KeyChange::rename("\u{26A0}\u{FE0F} again")).await;
    assert!(matches!(refused, Err(KeyError::InvalidName(_))), "{refused:?}");
}
