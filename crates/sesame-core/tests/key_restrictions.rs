//! Keys kept to some addresses and to a pace, on SQLite (and on PostgreSQL with
//! `SESAME_TEST_POSTGRES_URL`): a key is refused from anywhere its allow-list does not
//! cover and over its own limit, a change applies to its very next request, and a
//! restricted key never makes or manages a key less restricted than itself.

mod common;

use std::time::Duration;

use common::{events, eventually, fixture, fixture_with, ip, signed_in, through_api, user_in, Fixture};
use sesame_core::{
    actor::{Actor, Client},
    api_access::ApiRefusal,
    keys::{KeyChange, KeyError, NewKey, Roll},
    model::{AllowedAddresses, ApiKeyId, EventKind, KeyRateLimit, RatePeriod, Restrictions, Role},
    rights::Refusal,
};

fn allowed(entries: &[&str]) -> AllowedAddresses {
    AllowedAddresses::parse(entries).unwrap()
}

fn per_second(requests: u32) -> Option<KeyRateLimit> {
    Some(KeyRateLimit::new(requests, RatePeriod::Second).unwrap())
}

/// A key of `owner` with `restrictions`: its id and secret.
async fn restricted_key(f: &Fixture, owner: &Actor, name: &str, restrictions: Restrictions) -> (ApiKeyId, String) {
    let new = NewKey {
        name: Some(name),
        allowed_addresses: Some(restrictions.allowed_addresses.to_list()),
        rate_limit: restrictions.rate_limit,
        ..NewKey::default()
    };
    let created = f.services.keys.create(owner, new).await.unwrap();
    assert_eq!(created.key.restrictions, restrictions);
    (created.key.id, created.secret.expose().to_owned())
}

/// The actor a request with `secret` from `from` is, as the REST API's door makes it.
async fn as_api(f: &Fixture, secret: &str, from: &str) -> Result<Actor, ApiRefusal> {
    let authenticated = f.services.api.authenticate(Some(secret), ip(from)).await?;
    Ok(authenticated.actor(Client::new(ip(from), None)))
}

#[tokio::test]
async fn a_key_works_only_from_the_addresses_it_allows_and_its_owner_sees_the_others() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::User).await;
    let runner = Restrictions { allowed_addresses: allowed(&["198.51.100.0/24", "2001:db8::7"]), rate_limit: None };
    let (_, secret) = restricted_key(&f, &ada, "ci-runner", runner).await;

    for inside in ["198.51.100.1", "198.51.100.255", "::ffff:198.51.100.9", "2001:db8::7"] {
        assert!(as_api(&f, &secret, inside).await.is_ok(), "{inside}");
    }
    // Refused however often it is tried: a valid key from the wrong place guesses nothing,
    // so the address is never made to wait as a guesser would be.
    for _ in 0..30 {
        let refused = as_api(&f, &secret, "192.0.2.7").await;
        assert!(matches!(refused, Err(ApiRefusal::AddressNotAllowed)), "{refused:?}");
    }
    assert!(matches!(as_api(&f, &secret, "2001:db8::8").await, Err(ApiRefusal::AddressNotAllowed)));

    // Recorded with the address, once per address (each record is a write).
    let refusals = eventually(&f, &ada, EventKind::KeyAddressNotAllowed, 2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(events(&f, &ada, EventKind::KeyAddressNotAllowed).await.len(), 2);
    let mut details: Vec<_> = refusals.iter().filter_map(|event| event.detail.clone()).collect();
    details.sort();
    assert_eq!(details, ["192.0.2.7", "2001:db8::8"]);
    assert_eq!(refusals[0].key.as_ref().map(|key| key.name.as_str()), Some("ci-runner"));
}

#[tokio::test]
async fn a_changed_allow_list_applies_to_the_next_request_and_to_one_in_flight() {
    let f = fixture().await;
    user_in(&f, "ada", "Acme", Role::User).await;
    // Changes made on the command line are not in the activity log: the console's are.
    let ada = signed_in(&f, "ada", &Client::new(ip("203.0.113.1"), None)).await;
    let (id, secret) = restricted_key(&f, &ada, "deploy", Restrictions::default()).await;
    // Cached as usable from anywhere, and a request authenticated from there is in flight.
    let in_flight = as_api(&f, &secret, "192.0.2.7").await.unwrap();

    let change = KeyChange { allowed_addresses: Some(vec!["198.51.100.0/24".to_owned()]), ..KeyChange::default() };
    let changed = f.services.keys.update(&ada, id, change).await.unwrap();
    assert_eq!(changed.restrictions.allowed_addresses.to_list(), ["198.51.100.0/24"]);

    assert!(matches!(as_api(&f, &secret, "192.0.2.7").await, Err(ApiRefusal::AddressNotAllowed)), "the cache forgot the key");
    assert!(as_api(&f, &secret, "198.51.100.4").await.is_ok());
    let late = f.services.keys.create(&in_flight, NewKey::named(Some("late"))).await;
    assert!(matches!(late, Err(KeyError::Unauthenticated)), "{late:?}");

    let changes = events(&f, &ada, EventKind::KeyAddressesChanged).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].detail.as_deref(), Some("198.51.100.0/24"));

    // Emptied: anywhere again.
    let change = KeyChange { allowed_addresses: Some(Vec::new()), ..KeyChange::default() };
    f.services.keys.update(&ada, id, change).await.unwrap();
    assert!(as_api(&f, &secret, "192.0.2.7").await.is_ok());
    assert_eq!(events(&f, &ada, EventKind::KeyAddressesChanged).await[0].detail.as_deref(), Some("anywhere"));
}

#[tokio::test]
async fn a_key_over_its_own_limit_waits_and_others_do_not() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::User).await;
    let limited = Restrictions { allowed_addresses: AllowedAddresses::anywhere(), rate_limit: per_second(3) };
    let (_, secret) = restricted_key(&f, &ada, "slow", limited).await;
    let (_, free) = restricted_key(&f, &ada, "free", Restrictions::default()).await;

    for _ in 0..3 {
        as_api(&f, &secret, "192.0.2.7").await.unwrap();
    }
    let Err(ApiRefusal::Throttled(retry)) = as_api(&f, &secret, "192.0.2.8").await else { panic!("a fourth request in the second") };
    assert!(retry.0 <= Duration::from_millis(334) && retry.seconds() == 1, "{retry:?}");
    for _ in 0..10 {
        as_api(&f, &free, "192.0.2.7").await.expect("another key of the same owner is not limited");
    }
    tokio::time::sleep(retry.0).await;
    as_api(&f, &secret, "192.0.2.7").await.expect("one more once its share came back");
    assert!(matches!(as_api(&f, &secret, "192.0.2.7").await, Err(ApiRefusal::Throttled(_))));
}

#[tokio::test]
async fn a_changed_limit_is_recorded_and_applies_to_the_next_request() {
    let f = fixture().await;
    user_in(&f, "ada", "Acme", Role::User).await;
    let ada = signed_in(&f, "ada", &Client::new(ip("203.0.113.1"), None)).await;
    let (id, secret) = restricted_key(&f, &ada, "job", Restrictions::default()).await;
    as_api(&f, &secret, "192.0.2.7").await.unwrap();
    f.services.keys.update(&ada, id, KeyChange { rate_limit: Some(per_second(1)), ..KeyChange::default() }).await.unwrap();
    as_api(&f, &secret, "192.0.2.7").await.unwrap();
    assert!(matches!(as_api(&f, &secret, "192.0.2.7").await, Err(ApiRefusal::Throttled(_))));
    f.services.keys.update(&ada, id, KeyChange { rate_limit: Some(None), ..KeyChange::default() }).await.unwrap();
    let details: Vec<_> = events(&f, &ada, EventKind::KeyRateLimitChanged).await.into_iter().filter_map(|event| event.detail).collect();
    assert_eq!(details, ["none", "1/second"], "newest first");
}

#[tokio::test]
async fn a_raised_limit_applies_at_once_and_a_request_in_flight_keeps_to_the_new_one() {
    let f = fixture().await;
    user_in(&f, "ada", "Acme", Role::User).await;
    let ada = signed_in(&f, "ada", &Client::new(ip("203.0.113.1"), None)).await;
    let slow = Restrictions { allowed_addresses: AllowedAddresses::anywhere(), rate_limit: Some(KeyRateLimit::new(1, RatePeriod::Minute).unwrap()) };
    let (id, secret) = restricted_key(&f, &ada, "job", slow).await;
    as_api(&f, &secret, "192.0.2.7").await.unwrap();
    assert!(matches!(as_api(&f, &secret, "192.0.2.7").await, Err(ApiRefusal::Throttled(_))), "a minute to wait");
    f.services.keys.update(&ada, id, KeyChange { rate_limit: Some(per_second(100)), ..KeyChange::default() }).await.unwrap();
    // The minute's debt is not carried over to the new limit.
    let in_flight = as_api(&f, &secret, "192.0.2.7").await.expect("the raised limit applies at once");

    // Narrowed while that request is in flight: it may not make a key as wide as it was.
    f.services.keys.update(&ada, id, KeyChange { rate_limit: Some(per_second(1)), ..KeyChange::default() }).await.unwrap();
    let late = f.services.keys.create(&in_flight, NewKey::named(Some("as-fast-as-before"))).await;
    assert!(matches!(late, Err(KeyError::Unauthenticated)), "{late:?}");
}

#[tokio::test]
async fn a_restricted_key_makes_and_manages_only_keys_as_restricted_as_itself() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::User).await;
    let runner = Restrictions { allowed_addresses: allowed(&["198.51.100.0/24"]), rate_limit: per_second(100) };
    let (_, secret) = restricted_key(&f, &ada, "runner", runner.clone()).await;
    let from_runner = as_api(&f, &secret, "198.51.100.1").await.unwrap();
    let open_key = f.services.keys.create(&ada, NewKey::named(Some("open"))).await.unwrap().key;

    // A new key gets the maker's restrictions unless it is given narrower ones.
    let child = f.services.keys.create(&from_runner, NewKey::named(Some("child"))).await.unwrap().key;
    assert_eq!(child.restrictions, runner);
    let narrower = Restrictions { allowed_addresses: allowed(&["198.51.100.7"]), rate_limit: per_second(5) };
    let new = NewKey { name: Some("narrower"), allowed_addresses: Some(narrower.allowed_addresses.to_list()), rate_limit: narrower.rate_limit, ..NewKey::default() };
    assert!(f.services.keys.create(&from_runner, new).await.is_ok());

    let anywhere = NewKey { name: Some("anywhere"), allowed_addresses: Some(Vec::new()), ..NewKey::default() };
    let elsewhere = NewKey { name: Some("elsewhere"), allowed_addresses: Some(vec!["192.0.2.0/24".to_owned()]), ..NewKey::default() };
    let faster = NewKey { name: Some("faster"), rate_limit: per_second(101), ..NewKey::default() };
    for wider in [anywhere, elsewhere, faster] {
        let refused = f.services.keys.create(&from_runner, wider.clone()).await;
        assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyRestrictions))), "{wider:?}: {refused:?}");
    }
    // Nor widen a key, nor touch one less restricted (rolling it would hand over a secret
    // that works from anywhere).
    let widen = KeyChange { allowed_addresses: Some(Vec::new()), ..KeyChange::default() };
    let refused = f.services.keys.update(&from_runner, child.id, widen).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyRestrictions))), "{refused:?}");
    let refused = f.services.keys.roll(&from_runner, open_key.id, Roll::grace(chrono::TimeDelta::zero())).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyRestrictions))), "{refused:?}");
    assert!(matches!(f.services.keys.remove(&from_runner, open_key.id).await, Err(KeyError::Refused(Refusal::BeyondKeyRestrictions))));
    // Within them, it manages keys.
    assert!(f.services.keys.roll(&from_runner, child.id, Roll::grace(chrono::TimeDelta::zero())).await.is_ok());
}

#[tokio::test]
async fn a_time_boxed_key_makes_and_rolls_no_key_that_outlives_it() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::User).await;
    let keys = &f.services.keys;
    let ends = f.clock.now() + chrono::TimeDelta::minutes(10);
    let boxed = keys.create(&ada, NewKey { name: Some("boxed"), expires_at: Some(ends), ..NewKey::default() }).await.unwrap();
    let forever = keys.create(&ada, NewKey::named(Some("forever"))).await.unwrap();
    let from_boxed = through_api(&f, boxed.secret.expose()).await;

    // A key made with no expiry expires with its maker; one asked to expire sooner may.
    let child = keys.create(&from_boxed, NewKey::named(Some("child"))).await.unwrap().key;
    assert_eq!(child.expires_at, Some(ends));
    let sooner = NewKey { name: Some("sooner"), expires_at: Some(ends - chrono::TimeDelta::minutes(5)), ..NewKey::default() };
    assert!(keys.create(&from_boxed, sooner).await.is_ok());
    // Later is refused, as is rolling itself (or a child) to 2099…
    let later = NewKey { name: Some("later"), expires_at: Some(ends + chrono::TimeDelta::days(1)), ..NewKey::default() };
    let refused = keys.create(&from_boxed, later).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyRestrictions))), "{refused:?}");
    let far = "2099-01-01T00:00:00Z".parse().unwrap();
    for id in [boxed.key.id, child.id] {
        let refused = keys.roll(&from_boxed, id, Roll { grace: chrono::TimeDelta::zero(), expires_at: Some(far) }).await;
        assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyRestrictions))), "{refused:?}");
    }
    // …and touching a key that never expires.
    let refused = keys.remove(&from_boxed, forever.key.id).await;
    assert!(matches!(refused, Err(KeyError::Refused(Refusal::BeyondKeyRestrictions))), "{refused:?}");
    let listed = keys.list(&ada).await.unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().filter(|key| key.name != "forever").all(|key| key.expires_at.is_some_and(|at| at <= ends)), "{listed:?}");
    // Within its own lifetime it rolls its child.
    assert!(keys.roll(&from_boxed, child.id, Roll::grace(chrono::TimeDelta::zero())).await.is_ok());
}

#[tokio::test]
async fn keys_made_by_a_limited_key_share_its_allowance() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::User).await;
    let three_a_minute = Some(KeyRateLimit::new(3, RatePeriod::Minute).unwrap());
    let (_, parent) = restricted_key(&f, &ada, "parent", Restrictions { rate_limit: three_a_minute, ..Restrictions::default() }).await;
    let from_parent = as_api(&f, &parent, "192.0.2.1").await.unwrap();
    let child = f.services.keys.create(&from_parent, NewKey::named(Some("child"))).await.unwrap();
    let from_child = as_api(&f, child.secret.expose(), "192.0.2.1").await.unwrap();
    let grandchild = f.services.keys.create(&from_child, NewKey::named(Some("grandchild"))).await.unwrap();
    assert!(as_api(&f, grandchild.secret.expose(), "192.0.2.1").await.is_ok(), "the family's third request");

    // Three requests in a minute for the whole family, whichever key makes them.
    for secret in [parent.as_str(), child.secret.expose(), grandchild.secret.expose()] {
        let refused = as_api(&f, secret, "192.0.2.1").await;
        assert!(matches!(refused, Err(ApiRefusal::Throttled(_))), "{refused:?}");
    }
    // A key the owner limits from the console counts on its own again.
    let own = KeyChange { rate_limit: Some(Some(KeyRateLimit::new(2, RatePeriod::Minute).unwrap())), ..KeyChange::default() };
    f.services.keys.update(&ada, grandchild.key.id, own).await.unwrap();
    assert!(as_api(&f, grandchild.secret.expose(), "192.0.2.1").await.is_ok());
}

#[tokio::test]
async fn keys_are_made_in_bursts_at_most_and_an_owner_has_a_bounded_number() {
    let f = fixture_with(|settings| {
        settings.max_keys_per_owner = 5;
        settings.throttles.key_creation_burst = 7;
        settings.throttles.key_creation_refill = Duration::from_secs(60);
    })
    .await;
    let ada = user_in(&f, "ada", "Acme", Role::User).await;
    let console = signed_in(&f, "ada", &Client::new(ip("192.0.2.1"), None)).await;
    for n in 0..5 {
        f.services.keys.create(&console, NewKey::named(Some(&format!("key {n}")))).await.unwrap();
    }
    let refused = f.services.keys.create(&console, NewKey::named(Some("sixth"))).await;
    assert!(matches!(refused, Err(KeyError::TooManyKeys { max: 5 })), "{refused:?}");
    assert_eq!(f.services.keys.list(&ada).await.unwrap().len(), 5, "nothing made");

    // Room again, but the burst is spent: each call above counted, refused or not.
    let first = f.services.keys.list(&ada).await.unwrap()[0].id;
    f.services.keys.remove(&console, first).await.unwrap();
    f.services.keys.create(&console, NewKey::named(Some("again"))).await.unwrap();
    let refused = f.services.keys.create(&console, NewKey::named(Some("too soon"))).await;
    assert!(matches!(refused, Err(KeyError::Throttled(_))), "{refused:?}");
    // The operator's command line is not limited in pace (only in number).
    let refused = f.services.keys.create(&ada, NewKey::named(Some("operator"))).await;
    assert!(matches!(refused, Err(KeyError::TooManyKeys { .. })), "{refused:?}");
}

#[tokio::test]
async fn a_key_rolled_by_a_limited_key_joins_its_allowance() {
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::User).await;
    let limit = Restrictions { rate_limit: Some(KeyRateLimit::new(2, RatePeriod::Minute).unwrap()), ..Restrictions::default() };
    let (_, runner) = restricted_key(&f, &ada, "runner", limit.clone()).await;
    // A sibling with the same limit, made by its owner: a bucket of its own.
    let (sibling, _) = restricted_key(&f, &ada, "sibling", limit).await;
    let from_runner = as_api(&f, &runner, "192.0.2.1").await.unwrap();
    let rolled = f.services.keys.roll(&from_runner, sibling, Roll::grace(chrono::TimeDelta::zero())).await.unwrap();
    // The runner's second request; its family's allowance is spent, the sibling's included.
    assert!(as_api(&f, rolled.secret.expose(), "192.0.2.1").await.is_ok());
    let refused = as_api(&f, rolled.secret.expose(), "192.0.2.1").await;
    assert!(matches!(refused, Err(ApiRefusal::Throttled(_))), "{refused:?}");
}
