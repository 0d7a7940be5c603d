//! The last distinct addresses each key was used from, written with the batched last-use
//! writes, on SQLite (and on PostgreSQL with `SESAME_TEST_POSTGRES_URL`).

mod common;

use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use common::{fixture, signed_in, user};
use sesame_core::{
    actor::Client,
    keys::{KeyError, NewKey},
    model::{EventKind, PageRequest},
};

/// The address 198.51.100.`n` (the documentation range), the `n`th a key is used from.
fn address(n: u8) -> IpAddr {
    IpAddr::from([198, 51, 100, n])
}

#[tokio::test]
async fn each_address_is_kept_with_its_first_and_last_use_and_a_new_one_is_told() {
    let f = fixture().await;
    user(&f, "alice").await;
    let alice = signed_in(&f, "alice", &Client::new(address(200), None)).await;
    let created = f.services.keys.create(&alice, NewKey::named(Some("ci"))).await.unwrap();
    let secret = created.secret.expose();
    let at = |seconds: i64| -> DateTime<Utc> { f.clock.now() + TimeDelta::seconds(seconds) };
    let start = f.clock.now();
    f.clock.set(start);

    // First batch: one address, used twice.
    f.services.verifier.verify(secret, address(1)).await.unwrap();
    f.clock.set(at(5));
    f.services.verifier.verify(secret, address(1)).await.unwrap();
    f.services.flush_last_use().await.unwrap();
    // Second batch: the same address and two new ones.
    f.clock.set(start + TimeDelta::seconds(10));
    f.services.verifier.verify(secret, address(2)).await.unwrap();
    f.clock.set(start + TimeDelta::seconds(20));
    f.services.verifier.verify(secret, address(1)).await.unwrap();
    f.services.verifier.verify(secret, address(3)).await.unwrap();
    f.services.flush_last_use().await.unwrap();

    let details = f.services.keys.get(&alice, created.key.id).await.unwrap();
    let seen: Vec<(IpAddr, DateTime<Utc>, DateTime<Utc>)> =
        details.recent_addresses.iter().map(|a| (a.ip, a.first_seen, a.last_seen)).collect();
    let s = |n| start + TimeDelta::seconds(n);
    // Most recently seen first (ties by address).
    assert_eq!(seen, [(address(1), s(0), s(20)), (address(3), s(20), s(20)), (address(2), s(10), s(10))]);
    assert_eq!(details.key.last_used_ip.map(|last| last == address(1) || last == address(3)), Some(true));

    // The first address is no news; each one after it is.
    let events = f.services.activity.list(&alice, PageRequest::first()).await.unwrap().items;
    let mut told: Vec<IpAddr> = events.iter().filter(|e| e.kind == EventKind::KeyUsedFromNewAddress).filter_map(|e| e.ip).collect();
    told.sort();
    assert_eq!(told, [address(2), address(3)]);
    assert!(events.iter().filter(|e| e.kind == EventKind::KeyUsedFromNewAddress).all(|e| e.key.as_ref().is_some_and(|k| k.name == "ci")));
}

#[tokio::test]
async fn only_the_ten_most_recent_addresses_are_kept_and_only_the_owner_sees_them() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let bob = user(&f, "bob").await;
    let created = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    let start = f.clock.now();
    for n in 1..=12u8 {
        f.clock.set(start + TimeDelta::seconds(i64::from(n)));
        f.services.verifier.verify(created.secret.expose(), address(n)).await.unwrap();
        // A batch each: one batch holds ten addresses per key at most.
        f.services.flush_last_use().await.unwrap();
    }
    let kept: Vec<IpAddr> = f.services.keys.get(&alice, created.key.id).await.unwrap().recent_addresses.iter().map(|a| a.ip).collect();
    assert_eq!(kept, (3..=12u8).rev().map(address).collect::<Vec<_>>());
    assert!(matches!(f.services.keys.get(&bob, created.key.id).await, Err(KeyError::NotFound)));

    // A slow node's older batch does not move an address's last use back.
    f.services.last_use.record(created.key.id, address(12), start);
    f.services.flush_last_use().await.unwrap();
    let newest = f.services.keys.get(&alice, created.key.id).await.unwrap().recent_addresses[0];
    assert_eq!((newest.ip, newest.last_seen), (address(12), start + TimeDelta::seconds(12)));

    // Deleted with the key.
    f.services.keys.remove(&alice, created.key.id).await.unwrap();
    assert!(matches!(f.services.keys.get(&alice, created.key.id).await, Err(KeyError::NotFound)));
}

#[tokio::test]
async fn a_key_deleted_before_its_uses_are_written_holds_nothing_back() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let gone = f.services.keys.create(&alice, NewKey::named(Some("gone"))).await.unwrap();
    let kept = f.services.keys.create(&alice, NewKey::named(Some("kept"))).await.unwrap();
    f.services.verifier.verify(gone.secret.expose(), address(1)).await.unwrap();
    f.services.verifier.verify(kept.secret.expose(), address(2)).await.unwrap();
    f.services.keys.remove(&alice, gone.key.id).await.unwrap();
    f.services.flush_last_use().await.unwrap();
    assert_eq!(f.services.last_use.pending(), 0, "nothing left to retry");
    let kept_addresses = f.services.keys.get(&alice, kept.key.id).await.unwrap().recent_addresses;
    assert_eq!(kept_addresses.iter().map(|a| a.ip).collect::<Vec<_>>(), [address(2)]);
}
