//! A service account deleted while a change made with one of its own keys is in flight, with
//! the worst interleaving forced: the change has locked its key and holds it (paused before
//! it reads its owner), the delete comes and waits, then the change goes on. The delete locks the
//! account's keys (in id order) before the account's row — the order the change takes: its
//! key, then its owner — and runs again if PostgreSQL breaks a deadlock, so it always
//! completes: the account and its keys are gone, and the change either happened before or
//! finds its key gone. On its own test binary: the pause it sets is process-wide.

mod common;

use std::{net::IpAddr, time::Duration};

use common::{fixture, org, through_api};
use sesame_core::{
    keys::{KeyChange, KeyError, NewKey},
    model::Role,
    service_accounts::NewServiceAccount,
    verifier::VerifyError,
};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

#[tokio::test]
async fn deleting_a_service_account_completes_while_a_change_with_its_key_is_in_flight() {
    let f = fixture().await;
    let o = org(&f).await;
    let new = NewServiceAccount { name: "ci-deploy".into(), description: String::new(), role: Role::User, managers: vec![o.alice.user.id] };
    let account = f.services.service_accounts.create(&o.admin, new).await.unwrap();
    let keys = &f.services.keys;
    let made = keys.create(&o.alice, NewKey { owner: Some(account.id), name: Some("deploy"), ..NewKey::default() }).await.unwrap();
    let its_own = through_api(&f, made.secret.expose()).await;
    // From here on, a key change pauses once it holds its key's lock, before it reads (and
    // locks) the key's owner.
    std::env::set_var("SESAME_PAUSE", "key-change-locked:1500");
    let in_flight = {
        let (keys, id) = (keys.clone(), made.key.id);
        tokio::spawn(async move { keys.update(&its_own, id, KeyChange::rename("renamed")).await })
    };
    // The delete comes while the change is paused, and within a second of its going on.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let deleted = f.services.service_accounts.delete(&o.admin, account.id).await;
    assert!(deleted.is_ok(), "the delete failed: {deleted:?}");
    assert!(matches!(f.services.verifier.verify(made.secret.expose(), IP).await, Err(VerifyError::Unknown)));
    let changed = in_flight.await.unwrap();
    assert!(changed.is_ok() || matches!(changed, Err(KeyError::Unauthenticated | KeyError::NotFound)), "{changed:?}");
}
