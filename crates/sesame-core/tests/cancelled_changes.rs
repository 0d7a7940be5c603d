//! A caller that stops waiting (a client gone, a timeout) while a change commits must not
//! leave what the change undoes in a cache: the change runs to its end on its own. The
//! gap between commit and cache is widened with a pause; on its own test binary, as the
//! pause is process-wide.

mod common;

use std::{net::IpAddr, time::Duration};

use common::{fixture, user_in};
use sesame_core::{
    keys::NewKey,
    model::{Role, UserChange, Status},
    verifier::VerifyError,
};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

#[tokio::test]
async fn a_deletion_or_disabling_whose_caller_gives_up_still_reaches_the_cache() {
    std::env::set_var("SESAME_PAUSE", "change-committed:300");
    let f = fixture().await;
    let admin = user_in(&f, "admin", "Acme", Role::Admin).await;
    let alice = user_in(&f, "alice", "Acme", Role::User).await;
    let deleted = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    let kept = f.services.keys.create(&alice, NewKey::named(None)).await.unwrap();
    // Both verified once: this node's cache holds them.
    for created in [&deleted, &kept] {
        f.services.verifier.verify(created.secret.expose(), IP).await.unwrap();
    }

    let gave_up = tokio::time::timeout(Duration::from_millis(50), f.services.keys.remove(&alice, deleted.key.id)).await;
    assert!(gave_up.is_err(), "the caller stopped waiting during the change");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = f.services.verifier.verify(deleted.secret.expose(), IP).await;
    assert!(matches!(refused, Err(VerifyError::Unknown)), "{refused:?}");

    let disable = UserChange { role: None, status: Some(Status::Disabled) };
    let gave_up = tokio::time::timeout(Duration::from_millis(50), f.services.users.update(&admin, alice.user.id, disable)).await;
    assert!(gave_up.is_err());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = f.services.verifier.verify(kept.secret.expose(), IP).await;
    assert!(refused.is_err(), "a disabled user's key: {refused:?}");
}
