//! The organization's maximum key lifetime and the reminders before a key expires, on
//! SQLite (and on PostgreSQL with `SESAME_TEST_POSTGRES_URL`), by a clock the tests move.

mod common;

use std::net::IpAddr;

use chrono::TimeDelta;
use common::{events, fixture, signed_in, user_in, Fixture};
use sesame_model::POLICY_LEEWAY;
use sesame_core::{
    actor::{Actor, Client},
    keys::{KeyError, NewKey, Roll},
    model::{EventKind, Role},
    notices::NoticeKind,
    organization::OrganizationError,
    verifier::VerifyError,
};
use sesame_model::{Language, MaxKeyLifetime};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

fn days(days: i64) -> TimeDelta {
    TimeDelta::days(days)
}

/// An administrator and a user of Acme, signed in to the console; the clock stopped.
async fn acme(f: &Fixture) -> (Actor, Actor) {
    f.clock.set(f.clock.now());
    user_in(f, "ada", "Acme", Role::Admin).await;
    user_in(f, "bob", "Acme", Role::User).await;
    let client = Client::new(IP, None);
    (signed_in(f, "ada", &client).await, signed_in(f, "bob", &client).await)
}

fn thirty_days() -> Option<MaxKeyLifetime> {
    Some(MaxKeyLifetime::from_days(30).unwrap())
}

#[tokio::test]
async fn setting_a_maximum_lifetime_shortens_longer_keys_on_the_spot_and_tells_their_owners() {
    let f = fixture().await;
    let (ada, bob) = acme(&f).await;
    let now = f.clock.now();
    let forever = f.services.keys.create(&bob, NewKey::named(Some("forever"))).await.unwrap();
    let long = f.services.keys.create(&bob, NewKey { name: Some("long"), expires_at: Some(now + days(60)), ..NewKey::default() }).await.unwrap();
    let short = f.services.keys.create(&bob, NewKey { name: Some("short"), expires_at: Some(now + days(10)), ..NewKey::default() }).await.unwrap();
    // Cached on this node with no expiry: the change must reach the cache.
    assert!(f.services.verifier.verify(forever.secret.expose(), IP).await.is_ok());

    let change = f.services.organization.set_max_key_lifetime(&ada, thirty_days()).await.unwrap();
    assert_eq!((change.shortened_keys, change.organization.max_key_lifetime), (2, thirty_days()));
    let limit = now + days(30);
    let mut expiries: Vec<_> = f.services.keys.list(&bob).await.unwrap().into_iter().map(|key| (key.name, key.expires_at)).collect();
    expiries.sort();
    assert_eq!(
        expiries,
        [("forever".to_owned(), Some(limit)), ("long".to_owned(), Some(limit)), ("short".to_owned(), short.key.expires_at)]
    );
    let shortened = events(&f, &bob, EventKind::KeyShortenedByPolicy).await;
    let mut named: Vec<_> = shortened.iter().map(|event| event.key.as_ref().unwrap().name.clone()).collect();
    named.sort();
    assert_eq!(named, ["forever", "long"]);
    assert_eq!(events(&f, &ada, EventKind::KeyPolicyChanged).await[0].detail.as_deref(), Some("30"));
    assert_eq!(f.services.organization.get(&bob).await.unwrap().max_key_lifetime, thirty_days());

    f.clock.set(limit - TimeDelta::milliseconds(1));
    assert!(f.services.verifier.verify(forever.secret.expose(), IP).await.is_ok());
    f.clock.set(limit);
    assert!(matches!(f.services.verifier.verify(forever.secret.expose(), IP).await, Err(VerifyError::Expired)));
    assert!(matches!(f.services.verifier.verify(long.secret.expose(), IP).await, Err(VerifyError::Expired)));
}

#[tokio::test]
async fn only_an_administrator_sets_the_policy_and_lifting_it_changes_no_key() {
    let f = fixture().await;
    let (ada, bob) = acme(&f).await;
    let refused = f.services.organization.set_max_key_lifetime(&bob, thirty_days()).await;
    assert!(matches!(refused, Err(OrganizationError::Refused(sesame_core::rights::Refusal::Role))), "{refused:?}");
    assert_eq!(f.services.organization.get(&ada).await.unwrap().max_key_lifetime, None);

    f.services.organization.set_max_key_lifetime(&ada, thirty_days()).await.unwrap();
    let key = f.services.keys.create(&bob, NewKey::named(Some("ci"))).await.unwrap().key;
    let lifted = f.services.organization.set_max_key_lifetime(&ada, None).await.unwrap();
    assert_eq!((lifted.shortened_keys, lifted.organization.max_key_lifetime), (0, None));
    assert_eq!(f.services.keys.list(&bob).await.unwrap()[0].expires_at, key.expires_at);
}

#[tokio::test]
async fn under_a_policy_keys_are_made_and_rolled_within_it_on_both_sides_of_the_limit() {
    let f = fixture().await;
    let (ada, bob) = acme(&f).await;
    f.services.organization.set_max_key_lifetime(&ada, thirty_days()).await.unwrap();
    let now = f.clock.now();
    let latest = now + days(30);

    // No expiry asked for: the longest allowed.
    let default = f.services.keys.create(&bob, NewKey::named(Some("default"))).await.unwrap();
    assert_eq!(default.key.expires_at, Some(latest));
    // At the limit (with the clock leeway) it is made; a millisecond beyond, refused.
    let at_limit = NewKey { name: Some("at-limit"), expires_at: Some(latest + POLICY_LEEWAY), ..NewKey::default() };
    assert!(f.services.keys.create(&bob, at_limit).await.is_ok());
    let beyond = NewKey { name: Some("beyond"), expires_at: Some(latest + POLICY_LEEWAY + TimeDelta::milliseconds(1)), ..NewKey::default() };
    let refused = f.services.keys.create(&bob, beyond).await;
    assert!(matches!(refused, Err(KeyError::BeyondPolicy(beyond)) if beyond.latest == latest), "{refused:?}");
    assert_eq!(f.services.keys.list(&bob).await.unwrap().len(), 2);

    // A roll keeps the expiry, or takes a new one within the policy.
    let id = default.key.id;
    let kept = f.services.keys.roll(&bob, id, Roll::grace(TimeDelta::zero())).await.unwrap();
    assert_eq!(kept.key.expires_at, Some(latest));
    f.clock.advance(days(10));
    let renewed = Roll { grace: TimeDelta::zero(), expires_at: Some(f.clock.now() + days(30)) };
    assert_eq!(f.services.keys.roll(&bob, id, renewed).await.unwrap().key.expires_at, renewed.expires_at);
    let too_long = Roll { grace: TimeDelta::zero(), expires_at: Some(f.clock.now() + days(31)) };
    let refused = f.services.keys.roll(&bob, id, too_long).await;
    assert!(matches!(refused, Err(KeyError::BeyondPolicy(_))), "{refused:?}");
    assert_eq!(f.services.keys.get(&bob, id).await.unwrap().key.expires_at, renewed.expires_at);
}

#[tokio::test]
async fn a_key_is_reminded_seven_days_and_one_day_before_it_expires_once_each() {
    let f = fixture().await;
    let (_, bob) = acme(&f).await;
    f.services.accounts.set_language(&bob, Language::Fr).await.unwrap();
    let expires_at = f.clock.now() + days(10);
    let key = f.services.keys.create(&bob, NewKey { name: Some("deploy"), expires_at: Some(expires_at), ..NewKey::default() }).await.unwrap().key;

    assert!(f.services.reminders.claim_due().await.unwrap().is_empty());
    f.clock.set(expires_at - days(7) - TimeDelta::seconds(1));
    assert!(f.services.reminders.claim_due().await.unwrap().is_empty());
    f.clock.set(expires_at - days(7));
    // A key made to live 7 days (or less) gets only the 1-day reminder.
    let brief_end = expires_at;
    f.services.keys.create(&bob, NewKey { name: Some("brief"), expires_at: Some(brief_end), ..NewKey::default() }).await.unwrap();
    let due = f.services.reminders.claim_due().await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!((due[0].key.id, &due[0].kind), (key.id, &NoticeKind::ExpiresSoon { expires_at, days_before: 7 }));
    assert_eq!((due[0].to.email.as_str(), due[0].to.language), ("bob@example.com", Language::Fr));
    assert!(f.services.reminders.claim_due().await.unwrap().is_empty(), "sent once");

    f.clock.set(expires_at - days(1));
    let due = f.services.reminders.claim_due().await.unwrap();
    let mut kinds: Vec<_> = due.iter().map(|notice| (notice.key.name.clone(), notice.kind.clone())).collect();
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        kinds,
        [
            ("brief".to_owned(), NoticeKind::ExpiresSoon { expires_at: brief_end, days_before: 1 }),
            ("deploy".to_owned(), NoticeKind::ExpiresSoon { expires_at, days_before: 1 }),
        ]
    );
    assert!(f.services.reminders.claim_due().await.unwrap().is_empty());
    let reminded = events(&f, &bob, EventKind::KeyExpiresSoon).await;
    assert_eq!(reminded.len(), 3);
    assert!(reminded.iter().all(|event| event.actor.is_none() && event.subject.as_ref().unwrap().username == "bob"));

    // Expired keys are reminded of nothing.
    f.clock.set(expires_at);
    assert!(f.services.reminders.claim_due().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_key_whose_expiry_moves_is_reminded_of_the_new_one_and_disabled_keys_are_not() {
    let f = fixture().await;
    let (_, bob) = acme(&f).await;
    let now = f.clock.now();
    let key = f.services.keys.create(&bob, NewKey { name: Some("moving"), expires_at: Some(now + days(60)), ..NewKey::default() }).await.unwrap().key;
    let paused = f.services.keys.create(&bob, NewKey { name: Some("paused"), expires_at: Some(now + days(60)), ..NewKey::default() }).await.unwrap().key;
    f.services.keys.update(&bob, paused.id, sesame_core::keys::KeyChange::status(sesame_core::model::Status::Disabled)).await.unwrap();
    f.clock.set(now + days(53));
    let due = f.services.reminders.claim_due().await.unwrap();
    assert_eq!(due.iter().map(|notice| notice.key.id).collect::<Vec<_>>(), [key.id]);

    // Rolled with a later expiry: the 7-day reminder of the new date is due in its time.
    let later = now + days(80);
    f.services.keys.roll(&bob, key.id, Roll { grace: TimeDelta::zero(), expires_at: Some(later) }).await.unwrap();
    f.clock.set(later - days(7));
    let due = f.services.reminders.claim_due().await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].kind, NoticeKind::ExpiresSoon { expires_at: later, days_before: 7 });
}

#[tokio::test]
async fn leak_reports_and_expiring_keys_ask_for_their_owners_attention() {
    let f = fixture().await;
    let (_, bob) = acme(&f).await;
    let now = f.clock.now();
    f.services.keys.create(&bob, NewKey { name: Some("later"), expires_at: Some(now + days(30)), ..NewKey::default() }).await.unwrap();
    let soon = f.services.keys.create(&bob, NewKey { name: Some("soon"), expires_at: Some(now + days(2)), ..NewKey::default() }).await.unwrap();
    let leaked = f.services.keys.create(&bob, NewKey::named(Some("leaked"))).await.unwrap();
    let notices = f.services.keys.revoke_leaked(&[leaked.secret.expose().to_owned()], &Client::new(IP, None)).await.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, NoticeKind::RevokedAsLeaked { reporter: Some(IP), previous_secret_only: false });

    let attention = f.services.keys.attention(&bob).await.unwrap();
    assert_eq!(attention.expiring_soon.iter().map(|key| key.id).collect::<Vec<_>>(), [soon.key.id]);
    assert_eq!(attention.revoked_as_leaked.len(), 1);
    assert_eq!(attention.revoked_as_leaked[0].key.as_ref().unwrap().name, "leaked");
}
