//! What each key did, on SQLite (and on PostgreSQL with `SESAME_TEST_POSTGRES_URL`): after a
//! known sequence of requests the usage counts are exact, by hour and outcome; a request
//! refused for its scopes (or its owner's role) moves from accepted to out of scope; old
//! hours are purged.

mod common;

use chrono::{DurationRound, TimeDelta};
use common::{fixture, ip, signed_in, user_in, Fixture};
use sesame_core::{
    actor::{Actor, Client},
    api_access::ApiRefusal,
    keys::{KeyError, NewKey, UsageWindow},
    model::{Permission, RatePeriod, Role},
    model::KeyRateLimit,
    password::Password,
    rights::Refusal,
    usage::{Counts, Granularity, Outcome},
    users::{NewColleague, UserError},
};

async fn request(f: &Fixture, secret: &str, from: &str) -> Result<Actor, ApiRefusal> {
    Ok(f.services.api.authenticate(Some(secret), ip(from)).await?.actor(Client::new(ip(from), None)))
}

#[tokio::test]
async fn usage_counts_are_exact_by_hour_and_outcome() {
    let f = fixture().await;
    user_in(&f, "ada", "Acme", Role::User).await;
    let ada = signed_in(&f, "ada", &Client::new(ip("203.0.113.1"), None)).await;
    // Half past the hour, so the hour after is a bucket of its own.
    let start = (f.clock.now().duration_trunc(TimeDelta::hours(1)).unwrap()) + TimeDelta::minutes(30);
    f.clock.set(start);
    let new = NewKey {
        name: Some("monitor"),
        scopes: Some(vec![Permission::MeRead]),
        allowed_addresses: Some(vec!["192.0.2.0/24".to_owned()]),
        rate_limit: Some(KeyRateLimit::new(3, RatePeriod::Minute).unwrap()),
        ..NewKey::default()
    };
    let created = f.services.keys.create(&ada, new).await.unwrap();
    let (id, secret) = (created.key.id, created.secret.expose().to_owned());

    // Three accepted, one of which then asks for what its scopes lack; one over the limit;
    // two from an address the key does not allow.
    let first = request(&f, &secret, "192.0.2.7").await.unwrap();
    request(&f, &secret, "192.0.2.7").await.unwrap();
    assert!(matches!(f.services.keys.list(&first).await, Err(KeyError::Refused(_))));
    f.services.flush_last_use().await.unwrap();
    // The next hour: one accepted (written with the refusal above already on disk).
    f.clock.set(start + TimeDelta::hours(1));
    request(&f, &secret, "192.0.2.7").await.unwrap();
    assert!(matches!(request(&f, &secret, "192.0.2.7").await, Err(ApiRefusal::Throttled(_))));
    for _ in 0..2 {
        assert!(matches!(request(&f, &secret, "198.51.100.1").await, Err(ApiRefusal::AddressNotAllowed)));
    }
    f.services.flush_last_use().await.unwrap();
    assert_eq!(f.services.pending_usage(), 0);

    let hours = f.services.keys.usage(&ada, id, UsageWindow::between(Granularity::Hour, start - TimeDelta::hours(1), start + TimeDelta::minutes(90))).await.unwrap();
    let counts: Vec<Counts> = hours.buckets.iter().map(|(_, counts)| *counts).collect();
    assert_eq!(counts, [Counts::default(), Counts([1, 1, 0, 0]), Counts([1, 0, 2, 1])], "accepted, out of scope, address, throttled");
    assert_eq!(hours.totals().total(), 6);
    assert_eq!(hours.totals().of(Outcome::AddressNotAllowed), 2);
    let days = f.services.keys.usage(&ada, id, UsageWindow::between(Granularity::Day, start - TimeDelta::days(1), start + TimeDelta::hours(2))).await.unwrap();
    assert_eq!(days.totals(), hours.totals());
    let week = f.services.keys.daily_usage(&ada, 7).await.unwrap();
    assert_eq!(week.len(), 1);
    assert_eq!(week[0].1.buckets.len(), 7);
    assert_eq!(week[0].1.totals().total(), 6);

    // A range that ends before it starts has no buckets; one too long for hours is cut to
    // its last 31 days.
    let backwards = f.services.keys.usage(&ada, id, UsageWindow::between(Granularity::Hour, start, start - TimeDelta::hours(1))).await.unwrap();
    assert!(backwards.buckets.is_empty(), "{backwards:?}");
    let end = start + TimeDelta::minutes(30);
    let too_long = f.services.keys.usage(&ada, id, UsageWindow::between(Granularity::Hour, end - TimeDelta::days(400), end)).await.unwrap();
    assert_eq!(too_long.buckets.len(), 31 * 24);
    assert_eq!(too_long.from, end - TimeDelta::days(31));

    // Another user's key is no one's business.
    user_in(&f, "bob", "Acme", Role::User).await;
    let bob = signed_in(&f, "bob", &Client::new(ip("203.0.113.2"), None)).await;
    let other = f.services.keys.usage(&bob, id, UsageWindow::between(Granularity::Hour, start, start + TimeDelta::hours(1))).await;
    assert!(matches!(other, Err(KeyError::NotFound)), "{other:?}");

    // Kept 90 days.
    f.clock.set(start + TimeDelta::days(91));
    f.services.housekeeping().await.unwrap();
    let gone = f.services.keys.usage(&ada, id, UsageWindow::between(Granularity::Day, start - TimeDelta::days(1), start + TimeDelta::days(2))).await.unwrap();
    assert_eq!(gone.totals().total(), 0);
}

/// A request its owner's role does not allow (a user's full-access key creating a user) is
/// refused for what it may not do, like one its scopes do not allow: not counted as accepted.
#[tokio::test]
async fn a_request_refused_for_its_owners_role_is_not_counted_as_accepted() {
    let f = fixture().await;
    user_in(&f, "ada", "Acme", Role::User).await;
    let ada = signed_in(&f, "ada", &Client::new(ip("203.0.113.1"), None)).await;
    let created = f.services.keys.create(&ada, NewKey { name: Some("full"), ..NewKey::default() }).await.unwrap();
    let (id, secret) = (created.key.id, created.secret.expose().to_owned());

    let actor = request(&f, &secret, "192.0.2.7").await.unwrap();
    let colleague = NewColleague {
        full_name: "New Colleague".into(),
        username: "dave".into(),
        email: "dave@example.com".into(),
        role: Role::User,
        password: Password::new(common::PASSWORD),
    };
    let refused = f.services.users.create(&actor, colleague).await;
    assert!(matches!(refused, Err(UserError::Refused(Refusal::Role))), "{refused:?}");
    f.services.flush_last_use().await.unwrap();

    let now = f.clock.now();
    let hours = f.services.keys.usage(&ada, id, UsageWindow::between(Granularity::Hour, now - TimeDelta::hours(1), now + TimeDelta::hours(1))).await.unwrap();
    assert_eq!(hours.totals().of(Outcome::Accepted), 0, "{hours:?}");
    assert_eq!(hours.totals().of(Outcome::OutOfScope), 1, "{hours:?}");
}
