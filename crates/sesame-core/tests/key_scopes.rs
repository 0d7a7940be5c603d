//! Keys with less power than their owner, on SQLite (and on PostgreSQL with
//! `SESAME_TEST_POSTGRES_URL`): a key does what its scopes and its owner's current role both
//! allow, never grants more than it has, and a scope change reaches the cached key at once.

mod common;

use std::{net::IpAddr, time::Duration};

use common::{eventually, fixture, signed_in, through_api, user_in, Fixture};
use sesame_core::{
    accounts::UserInput,
    actor::{Actor, Client},
    keys::{KeyChange, KeyError, NewKey, Roll},
    model::{EventKind, KeyRateLimit, PageRequest, Permission, RatePeriod, Role, Scopes, Status, UserChange},
    rights::Refusal,
    users::{NewColleague, UserError},
};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

fn only(permissions: &[Permission]) -> Scopes {
    Scopes::from_list(Some(permissions)).unwrap()
}

/// A key of `owner` with `scopes`, as the REST API would see its requests.
async fn key_actor(f: &Fixture, owner: &Actor, name: &str, scopes: Scopes) -> (Actor, String) {
    let new = NewKey { name: Some(name), expires_at: None, scopes: scopes.to_list(), ..NewKey::default() };
    let created = f.services.keys.create(owner, new).await.unwrap();
    assert_eq!(created.key.scopes, scopes);
    let secret = created.secret.expose().to_owned();
    (through_api(f, &secret).await, secret)
}

fn colleague(username: &str) -> NewColleague {
    let input: UserInput = common::input(username, "Acme");
    NewColleague { full_name: input.full_name, username: input.username, email: input.email, role: Role::User, password: input.password }
}

#[tokio::test]
async fn a_read_only_key_reads_and_is_refused_every_write_which_its_owner_sees() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let (reader, _) = key_actor(&f, &ada, "monitoring", Scopes::read_only()).await;

    assert_eq!(f.services.keys.list(&reader).await.unwrap().len(), 1);
    assert!(f.services.users.list(&reader, PageRequest::first()).await.is_ok());
    assert!(f.services.activity.list(&reader, PageRequest::first()).await.is_ok());

    let refused = f.services.keys.create(&reader, NewKey::named(Some("sneaky"))).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::Scope(Permission::ApiKeysWrite)))), "{refused:?}");
    let refused = f.services.users.create(&reader, colleague("cole")).await;
    assert!(matches!(refused, Err(UserError::Refused(Refusal::Scope(Permission::UsersWrite)))), "{refused:?}");
    assert_eq!(f.services.keys.list(&ada).await.unwrap().len(), 1, "nothing was made");

    // Refused again: recorded once (each record is a write).
    assert!(f.services.keys.create(&reader, NewKey::named(Some("again"))).await.is_err());
    let refusals = eventually(&f, &ada, EventKind::KeyOutOfScope, 2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(eventually(&f, &ada, EventKind::KeyOutOfScope, 3).await.len(), 2, "once per key and reason");
    let details: Vec<_> = refusals.iter().filter_map(|event| event.detail.clone()).collect();
    assert!(details.contains(&"api_keys:write".to_owned()) && details.contains(&"users:write".to_owned()), "{details:?}");
    assert_eq!(refusals[0].key.as_ref().map(|key| key.name.as_str()), Some("monitoring"));
    assert_eq!(refusals[0].ip, Some(IP));
}

#[tokio::test]
async fn a_key_never_exceeds_its_owners_current_role() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let bea = user_in(&f, "bea", "Acme", Role::Admin).await;
    let (admin_key, secret) = key_actor(&f, &bea, "admin-tasks", only(&[Permission::UsersRead, Permission::UsersWrite])).await;
    f.services.users.create(&admin_key, colleague("cole")).await.unwrap();

    // Bea is made a user: her key's next request acts as a user.
    f.services.users.update(&ada, bea.user.id, UserChange { role: Some(Role::User), status: None }).await.unwrap();
    let demoted = through_api(&f, &secret).await;
    let refused = f.services.users.create(&demoted, colleague("dan")).await;
    assert!(matches!(refused, Err(UserError::Refused(Refusal::Role))), "{refused:?}");
}

#[tokio::test]
async fn a_scoped_key_grants_no_more_than_it_has() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let keys_only = only(&[Permission::ApiKeysRead, Permission::ApiKeysWrite]);
    let (keeper, _) = key_actor(&f, &ada, "key-keeper", keys_only).await;

    let wider = vec![Permission::ApiKeysRead, Permission::UsersWrite];
    let new = NewKey { name: Some("wider"), expires_at: None, scopes: Some(wider.clone()), ..NewKey::default() };
    let refused = f.services.keys.create(&keeper, new).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyScopes))), "{refused:?}");
    let own = keeper_key(&f, &ada, "key-keeper").await;
    let refused = f.services.keys.update(&keeper, own, KeyChange { scopes: Some(None), ..KeyChange::default() }).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyScopes))), "{refused:?}");
    let refused = f.services.keys.update(&keeper, own, KeyChange { scopes: Some(Some(wider)), ..KeyChange::default() }).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyScopes))), "{refused:?}");

    // Without scopes, a key made by a scoped key gets that key's scopes, not full access.
    let made = f.services.keys.create(&keeper, NewKey::named(Some("child"))).await.unwrap();
    assert_eq!(made.key.scopes, keys_only);
    let narrower = f.services.keys.create(&keeper, NewKey { name: Some("reader"), expires_at: None, scopes: Some(vec![Permission::ApiKeysRead]), ..NewKey::default() }).await.unwrap();
    assert_eq!(narrower.key.scopes, only(&[Permission::ApiKeysRead]));
    // From the console, a key is made with full access unless told otherwise.
    assert_eq!(f.services.keys.create(&ada, NewKey::named(Some("console"))).await.unwrap().key.scopes, Scopes::Full);
}

async fn keeper_key(f: &Fixture, owner: &Actor, name: &str) -> sesame_core::model::ApiKeyId {
    f.services.keys.list(owner).await.unwrap().into_iter().find(|key| key.name == name).unwrap().id
}

#[tokio::test]
async fn a_scope_change_applies_to_the_cached_key_on_its_next_request() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let (full, secret) = key_actor(&f, &ada, "ci", Scopes::Full).await;
    assert!(f.services.users.create(&full, colleague("cole")).await.is_ok());
    let id = keeper_key(&f, &ada, "ci").await;

    // From the console (the command line's changes go to the audit log only).
    let console = signed_in(&f, "ada", &Client::new(IP, None)).await;
    let changed = f.services.keys.update(&console, id, KeyChange { scopes: Some(Scopes::read_only().to_list()), ..KeyChange::default() }).await.unwrap();
    assert_eq!(changed.scopes, Scopes::read_only());
    let principal = f.services.verifier.verify(&secret, IP).await.unwrap();
    assert_eq!(principal.scopes, Scopes::read_only(), "the cache forgot the key's old scopes");
    let events = eventually(&f, &ada, EventKind::KeyScopesChanged, 1).await;
    assert_eq!(events[0].detail.as_deref(), Some("me:read api_keys:read users:read activity:read"));

    // Back to full access.
    let changed = f.services.keys.update(&ada, id, KeyChange { scopes: Some(None), ..KeyChange::default() }).await.unwrap();
    assert_eq!(changed.scopes, Scopes::Full);
    assert_eq!(f.services.verifier.verify(&secret, IP).await.unwrap().scopes, Scopes::Full);
    assert_eq!(f.services.keys.list(&ada).await.unwrap()[0].scopes, Scopes::Full, "stored");
}

#[tokio::test]
async fn a_scoped_key_cannot_take_over_or_touch_a_key_that_may_do_more() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let admin_key = f.services.keys.create(&ada, NewKey::named(Some("admin"))).await.unwrap().key;
    let (keeper, _) = key_actor(&f, &ada, "key-keeper", only(&[Permission::ApiKeysRead, Permission::ApiKeysWrite])).await;

    // Rolling the full-access key would hand its new secret to the scoped key.
    let rolled = f.services.keys.roll(&keeper, admin_key.id, Roll::grace(chrono::TimeDelta::days(7))).await;
    assert!(matches!(rolled, Err(KeyError::Refused(Refusal::BeyondKeyScopes))), "{rolled:?}");
    for change in [KeyChange::status(Status::Disabled), KeyChange::rename("mine-now")] {
        let refused = f.services.keys.update(&keeper, admin_key.id, change).await;
        assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyScopes))), "{refused:?}");
    }
    assert!(matches!(f.services.keys.remove(&keeper, admin_key.id).await, Err(KeyError::Refused(Refusal::BeyondKeyScopes))));
    assert!(matches!(f.services.keys.end_overlap(&keeper, admin_key.id).await, Err(KeyError::Refused(Refusal::BeyondKeyScopes))));
    assert_eq!(f.services.keys.list(&ada).await.unwrap().iter().find(|key| key.id == admin_key.id), Some(&admin_key), "untouched");

    // A key listing every permission there is today still does not make full-access keys.
    let (everything, _) = key_actor(&f, &ada, "everything", only(&Permission::ALL)).await;
    let listing = f.services.keys.create(&everything, NewKey::named(Some("listing"))).await.unwrap().key;
    assert_eq!(listing.scopes, only(&Permission::ALL), "its own list, not full access");
    let full = f.services.keys.update(&everything, listing.id, KeyChange { scopes: Some(None), ..KeyChange::default() }).await;
    assert!(matches!(full, Err(KeyError::Refused(Refusal::BeyondKeyScopes))), "{full:?}");

    // Within its scopes, it manages keys: a key it made rolls.
    let child = f.services.keys.create(&keeper, NewKey::named(Some("child"))).await.unwrap().key;
    assert!(f.services.keys.roll(&keeper, child.id, Roll::grace(chrono::TimeDelta::zero())).await.is_ok());
}

#[tokio::test]
async fn a_key_narrowed_while_its_request_is_in_flight_does_nothing_with_its_old_scopes() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let (in_flight, _) = key_actor(&f, &ada, "slow-job", Scopes::Full).await;
    let id = keeper_key(&f, &ada, "slow-job").await;
    // Authenticated with full access; narrowed before its change runs.
    f.services.keys.update(&ada, id, KeyChange { scopes: Some(Scopes::read_only().to_list()), ..KeyChange::default() }).await.unwrap();
    let refused = f.services.users.create(&in_flight, colleague("cole")).await;
    assert!(matches!(refused, Err(UserError::Unauthenticated)), "{refused:?}");
    let refused = f.services.keys.create(&in_flight, NewKey::named(Some("late"))).await;
    assert!(matches!(refused, Err(KeyError::Unauthenticated)), "{refused:?}");
}

#[tokio::test]
async fn only_a_key_with_all_its_owners_power_creates_or_promotes_an_administrator_or_enables_an_account() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let users = &f.services.users;
    let admin = |username: &str| NewColleague { role: Role::Admin, ..colleague(username) };
    let (provisioner, _) = key_actor(&f, &ada, "provisioner", only(&[Permission::UsersRead, Permission::UsersWrite])).await;

    // A users:write key makes and disables plain users…
    let bob = users.create(&provisioner, colleague("bob")).await.unwrap();
    let disable = UserChange { role: None, status: Some(Status::Disabled) };
    users.update(&provisioner, bob.id, disable).await.unwrap();
    // …but makes no account that could log in from anywhere with every permission.
    let refused = users.create(&provisioner, admin("mallory")).await;
    assert!(matches!(refused, Err(UserError::Refused(Refusal::BeyondKeyAccount))), "{refused:?}");
    let promote = UserChange { role: Some(Role::Admin), status: None };
    let refused = users.update(&provisioner, bob.id, promote).await;
    assert!(matches!(refused, Err(UserError::Refused(Refusal::BeyondKeyAccount))), "{refused:?}");
    let enable = UserChange { role: None, status: Some(Status::Active) };
    let refused = users.update(&provisioner, bob.id, enable).await;
    assert!(matches!(refused, Err(UserError::Refused(Refusal::BeyondKeyAccount))), "{refused:?}");

    // Nor does a full-access key kept to some addresses, or to a pace.
    let kept = NewKey {
        name: Some("kept"),
        allowed_addresses: Some(vec!["192.0.2.0/24".to_owned()]),
        ..NewKey::default()
    };
    let kept = f.services.keys.create(&ada, kept).await.unwrap();
    let paced = NewKey { name: Some("paced"), rate_limit: KeyRateLimit::new(100, RatePeriod::Second).ok(), ..NewKey::default() };
    let paced = f.services.keys.create(&ada, paced).await.unwrap();
    for secret in [kept.secret.expose(), paced.secret.expose()] {
        let limited = through_api(&f, secret).await;
        let refused = users.create(&limited, admin("mallory")).await;
        assert!(matches!(refused, Err(UserError::Refused(Refusal::BeyondKeyAccount))), "{refused:?}");
    }
    let listed = users.list(&ada, PageRequest::first()).await.unwrap().items;
    assert!(listed.iter().all(|user| user.username != "mallory"));
    assert_eq!(listed.iter().find(|user| user.id == bob.id).unwrap().role, Role::User);

    // A full-access key with no restriction (one that expires too: where the organization
    // limits lifetimes, every key does), and the console, may.
    let expiring = NewKey { name: Some("full"), expires_at: Some(f.clock.now() + chrono::TimeDelta::days(30)), ..NewKey::default() };
    let full = through_api(&f, f.services.keys.create(&ada, expiring).await.unwrap().secret.expose()).await;
    users.update(&full, bob.id, UserChange { role: Some(Role::Admin), status: Some(Status::Active) }).await.unwrap();
    let console = signed_in(&f, "ada", &Client::new(IP, None)).await;
    users.create(&console, admin("grace")).await.unwrap();
}
