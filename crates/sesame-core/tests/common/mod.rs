//! The fixture both storage suites share: a fresh SQLite file, or a fresh database on the
//! PostgreSQL server named by `SESAME_TEST_POSTGRES_URL`.

#![allow(dead_code)]

use std::{net::IpAddr, time::Duration};

use sesame_core::{
    accounts::UserInput,
    actor::{Actor, Client},
    clock::Clock,
    model::{Event, EventKind, PageRequest, Role, User},
    password::Password,
    Backend, Services, Settings,
};

pub const PASSWORD: &str = "correct horse battery";

pub struct Fixture {
    pub services: Services,
    /// The database's URL, for a test that must write what the services never would (a
    /// value an older version stored).
    pub url: String,
    /// The services' clock: tests move it instead of sleeping.
    pub clock: Clock,
    _dir: Option<tempfile::TempDir>,
}

pub async fn fixture() -> Fixture {
    fixture_with(|_| {}).await
}

/// A fixture whose services run with the settings `adjust` makes.
pub async fn fixture_with(adjust: impl FnOnce(&mut Settings)) -> Fixture {
    let clock = Clock::adjustable();
    let mut settings = Settings { argon2_permits: 2, clock: clock.clone(), ..Default::default() };
    adjust(&mut settings);
    if let Ok(url) = std::env::var("SESAME_TEST_POSTGRES_URL") {
        let name = format!("sesame_store_{}", uuid::Uuid::new_v4().simple());
        sesame_core::testing::create_postgres_database(&url, &name).await.unwrap();
        let base = url.rsplit_once('/').unwrap().0;
        let url = format!("{base}/{name}");
        let services = Services::connect(&url, settings).await.unwrap();
        assert_eq!(services.backend(), Backend::Postgres);
        return Fixture { services, url, clock, _dir: None };
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nested/dir/sesame.db").display());
    let services = Services::connect(&url, settings).await.unwrap();
    assert_eq!(services.backend(), Backend::Sqlite);
    Fixture { services, url, clock, _dir: Some(dir) }
}

pub fn input(username: &str, organization: &str) -> UserInput {
    UserInput {
        organization: organization.into(),
        full_name: "Test User".into(),
        username: username.into(),
        email: format!("{username}@example.com"),
        role: Role::User,
        password: Password::new(PASSWORD),
    }
}

/// A user created by the operator, acting from the command line.
pub async fn user(fixture: &Fixture, username: &str) -> Actor {
    user_in(fixture, username, "Acme", Role::User).await
}

pub async fn user_in(fixture: &Fixture, username: &str, organization: &str, role: Role) -> Actor {
    let mut input = input(username, organization);
    input.role = role;
    Actor::command_line(fixture.services.accounts.create_user_by_operator(input).await.unwrap())
}

/// An organization of people, and a stranger: the cast of the suites about accounts.
pub struct Org {
    /// Acme's administrator.
    pub admin: Actor,
    /// Acme's users.
    pub alice: Actor,
    pub bob: Actor,
    /// An administrator of another organization.
    pub stranger: Actor,
}

pub async fn org(f: &Fixture) -> Org {
    Org {
        admin: user_in(f, "admin", "Acme", Role::Admin).await,
        alice: user_in(f, "alice", "Acme", Role::User).await,
        bob: user_in(f, "bob", "Acme", Role::User).await,
        stranger: user_in(f, "stranger", "Globex", Role::Admin).await,
    }
}

/// `user` signed in to the console from `client`.
pub async fn signed_in(fixture: &Fixture, username: &str, client: &Client) -> Actor {
    let logged_in = fixture.services.accounts.log_in(username, &Password::new(PASSWORD), client, None).await.unwrap();
    fixture.services.accounts.console_actor(&logged_in.session, client.clone()).await.unwrap().unwrap()
}

/// The actor a request presenting `secret` is, as the REST API's door makes it (from
/// 192.0.2.1, its use counted).
pub async fn through_api(fixture: &Fixture, secret: &str) -> Actor {
    let ip = std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    fixture.services.api.authenticate(Some(secret), ip).await.unwrap().actor(Client::new(ip, None))
}

/// The same actor, as their user is stored now (after a role change, say).
pub async fn refreshed(fixture: &Fixture, actor: &Actor) -> Actor {
    let user: User = fixture.services.accounts.user_named(&actor.user.username).await.unwrap().unwrap();
    Actor::command_line(user)
}

/// An address written as text (`"192.0.2.7"`), as the suites name clients and allow-lists.
pub fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// The owner's events of `kind` on the first page of their activity, newest first.
pub async fn events(fixture: &Fixture, owner: &Actor, kind: EventKind) -> Vec<Event> {
    let all = fixture.services.activity.list(owner, PageRequest::first()).await.unwrap().items;
    all.into_iter().filter(|event| event.kind == kind).collect()
}

/// The owner's events of `kind` once there are `count` (two seconds at most), waiting for those written off the request's path.
pub async fn eventually(fixture: &Fixture, owner: &Actor, kind: EventKind, count: usize) -> Vec<Event> {
    for _ in 0..100 {
        let found = events(fixture, owner, kind).await;
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    events(fixture, owner, kind).await
}
