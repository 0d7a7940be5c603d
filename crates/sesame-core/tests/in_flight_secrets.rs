//! A request is checked again, inside the transaction of each change it makes, with the very
//! secret it presented: a secret rolled away or reported as leaked while the request was in
//! flight changes nothing, and one that became the key's previous secret manages no key.
//! On SQLite (and on PostgreSQL with `SESAME_TEST_POSTGRES_URL`).

mod common;

use std::net::IpAddr;

use chrono::TimeDelta;
use common::{fixture, through_api, user, user_in};
use sesame_core::{
    actor::Client,
    keys::{KeyChange, KeyError, NewKey, Roll},
    model::{Role, Status},
    rights::Refusal,
    users::{NewColleague, UserError},
};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

#[tokio::test]
async fn a_secret_rolled_away_while_its_request_was_in_flight_changes_nothing() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let keys = &f.services.keys;
    let created = keys.create(&alice, NewKey::named(Some("ci"))).await.unwrap();
    let in_flight = through_api(&f, created.secret.expose()).await;
    // The owner rolls with no overlap: the secret the request came with stops at once.
    let rolled = keys.roll(&alice, created.key.id, Roll::grace(TimeDelta::zero())).await.unwrap();

    let taken_over = keys.roll(&in_flight, created.key.id, Roll::grace(TimeDelta::zero())).await;
    assert!(matches!(taken_over, Err(KeyError::Unauthenticated)), "{taken_over:?}");
    let made = keys.create(&in_flight, NewKey::named(Some("minted"))).await;
    assert!(matches!(made, Err(KeyError::Unauthenticated)), "{made:?}");
    let disabled = keys.update(&in_flight, created.key.id, KeyChange::status(Status::Disabled)).await;
    assert!(matches!(disabled, Err(KeyError::Unauthenticated)), "{disabled:?}");
    let deleted = keys.remove(&in_flight, created.key.id).await;
    assert!(matches!(deleted, Err(KeyError::Unauthenticated)), "{deleted:?}");

    // Nothing changed: the owner's new secret works and the key is as it was.
    assert!(f.services.verifier.verify(rolled.secret.expose(), IP).await.is_ok());
    let listed = keys.list(&alice).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, Status::Active);
}

#[tokio::test]
async fn a_secret_reported_as_leaked_during_the_overlap_changes_nothing_in_flight() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let keys = &f.services.keys;
    let created = keys.create(&alice, NewKey::named(Some("ci"))).await.unwrap();
    let in_flight = through_api(&f, created.secret.expose()).await;
    let rolled = keys.roll(&alice, created.key.id, Roll::grace(TimeDelta::hours(1))).await.unwrap();
    keys.revoke_leaked(&[created.secret.expose().to_owned()], &Client::new(IP, None)).await.unwrap();

    let taken_over = keys.roll(&in_flight, created.key.id, Roll::grace(TimeDelta::zero())).await;
    assert!(matches!(taken_over, Err(KeyError::Unauthenticated)), "{taken_over:?}");
    let made = keys.create(&in_flight, NewKey::named(Some("minted"))).await;
    assert!(matches!(made, Err(KeyError::Unauthenticated)), "{made:?}");
    assert!(f.services.verifier.verify(rolled.secret.expose(), IP).await.is_ok());
    assert_eq!(keys.list(&alice).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_secret_that_became_the_previous_one_in_flight_manages_no_key() {
    let f = fixture().await;
    let alice = user(&f, "alice").await;
    let keys = &f.services.keys;
    let created = keys.create(&alice, NewKey::named(Some("ci"))).await.unwrap();
    let in_flight = through_api(&f, created.secret.expose()).await;
    // Rolled with an overlap: the secret still works, as the key's previous one.
    let rolled = keys.roll(&alice, created.key.id, Roll::grace(TimeDelta::hours(1))).await.unwrap();

    let taken_over = keys.roll(&in_flight, created.key.id, Roll::grace(TimeDelta::zero())).await;
    assert!(matches!(taken_over, Err(KeyError::Refused(Refusal::PreviousSecret))), "{taken_over:?}");
    let made = keys.create(&in_flight, NewKey::named(Some("minted"))).await;
    assert!(matches!(made, Err(KeyError::Refused(Refusal::PreviousSecret))), "{made:?}");
    assert!(f.services.verifier.verify(rolled.secret.expose(), IP).await.is_ok());
    assert_eq!(keys.list(&alice).await.unwrap().len(), 1);
    // What is not key management it may still do.
    f.services.security.end_other_sessions(&in_flight).await.unwrap();
}

#[tokio::test]
async fn a_secret_that_became_the_previous_one_in_flight_raises_no_account() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let created = f.services.keys.create(&ada, NewKey::named(Some("provisioning"))).await.unwrap();
    let in_flight = through_api(&f, created.secret.expose()).await;
    f.services.keys.roll(&ada, created.key.id, Roll::grace(TimeDelta::hours(1))).await.unwrap();

    let input = common::input("mallory", "Acme");
    let colleague = |role| NewColleague { full_name: input.full_name.clone(), username: input.username.clone(), email: input.email.clone(), role, password: input.password.clone() };
    let refused = f.services.users.create(&in_flight, colleague(Role::Admin)).await;
    assert!(matches!(refused, Err(UserError::Refused(Refusal::BeyondKeyAccount))), "{refused:?}");
    // A plain user it may still make: that is using the API, not raising an account.
    f.services.users.create(&in_flight, colleague(Role::User)).await.unwrap();
}
