//! The fixture both storage suites share: a fresh SQLite file, or a fresh database on the
//! PostgreSQL server named by `SESAME_TEST_POSTGRES_URL`.

#![allow(dead_code)]

use sesame_core::{
    accounts::UserInput,
    model::{Role, User},
    password::Password,
    store::{Backend, Store},
    Services,
};

pub const PASSWORD: &str = "correct horse battery";

pub struct Fixture {
    pub services: Services,
    _dir: Option<tempfile::TempDir>,
}

pub async fn fixture() -> Fixture {
    if let Ok(url) = std::env::var("SESAME_TEST_POSTGRES_URL") {
        let name = format!("sesame_store_{}", uuid::Uuid::new_v4().simple());
        Store::create_postgres_database(&url, &name).await.unwrap();
        let base = url.rsplit_once('/').unwrap().0;
        let store = Store::connect(&format!("{base}/{name}")).await.unwrap();
        assert_eq!(store.backend(), Backend::Postgres);
        return Fixture { services: Services::new(store, 2), _dir: None };
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nested/dir/sesame.db").display());
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    Fixture { services: Services::new(store, 2), _dir: Some(dir) }
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

pub async fn user(fixture: &Fixture, username: &str) -> User {
    fixture.services.accounts.create_user(input(username, "Acme")).await.unwrap()
}

pub async fn user_in(fixture: &Fixture, username: &str, organization: &str, role: Role) -> User {
    let mut input = input(username, organization);
    input.role = role;
    fixture.services.accounts.create_user(input).await.unwrap()
}
