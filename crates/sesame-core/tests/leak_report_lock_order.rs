//! A leak report that names a key while a change made with another of the owner's keys is
//! in flight, with the worst interleaving forced: the change holds its locks (paused), the
//! report comes and waits, then the change goes on. Every change locks the keys it touches
//! in one order (by id) and runs again if PostgreSQL breaks a deadlock, so the report
//! always completes: the keys are revoked and nothing fails. On its own test binary: the
//! pause it sets is process-wide.

mod common;

use std::{net::IpAddr, time::Duration};

use common::{fixture, through_api, user};
use sesame_core::{actor::Client, keys::{KeyChange, NewKey}};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

#[tokio::test]
async fn a_leak_report_completes_while_a_change_with_another_key_is_in_flight() {
    std::env::set_var("SESAME_PAUSE", "key-change-authorized:1500");
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let keys = &f.services.keys;
    // The key acted on sorts before the key acting, so that locking the acting key first
    // (as a change did before it locked both in id order) is the reverse of the report's order.
    let (acting, target) = {
        let first = keys.create(&alice, NewKey::named(None)).await.unwrap();
        let second = keys.create(&alice, NewKey::named(None)).await.unwrap();
        let (low, high) = if first.key.id.to_string() < second.key.id.to_string() { (first, second) } else { (second, first) };
        (high, low)
    };
    let actor = through_api(&f, acting.secret.expose()).await;
    let in_flight = {
        let (keys, id) = (keys.clone(), target.key.id);
        tokio::spawn(async move { keys.update(&actor, id, KeyChange::rename("renamed")).await })
    };
    // The change holds its locks; the report comes while it is paused and within a second
    // of its going on.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let leaked = [target.secret.expose().to_owned(), acting.secret.expose().to_owned()];
    let reported = keys.revoke_leaked(&leaked, &Client::new(IP, None)).await;
    assert!(reported.is_ok(), "the report failed: {reported:?}");
    assert_eq!(reported.unwrap().len(), 2, "both keys revoked");
    assert!(keys.list(&alice).await.unwrap().is_empty());
    // The change either happened before the report or found its key gone: never a failure.
    let changed = in_flight.await.unwrap();
    assert!(changed.is_ok() || matches!(changed, Err(sesame_core::keys::KeyError::Unauthenticated)), "{changed:?}");
}
