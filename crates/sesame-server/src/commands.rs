//! `sesame user …` and `sesame key …`: the operator's commands, through the same doors as
//! the console and the API (as the command line: no credential, whoever runs it owns the
//! database).

use std::io::BufRead;

use anyhow::{bail, Context};
use sesame_core::{accounts::OperatorUser, actor::Actor, keys::NewKey, password::Password, Services, Settings};

use crate::cli::{KeyCommand, UserCommand};

async fn services(database_url: &str) -> anyhow::Result<Services> {
    services_with(database_url, Settings::default()).await
}

async fn services_with(database_url: &str, settings: Settings) -> anyhow::Result<Services> {
    Services::connect(database_url, settings).await.context("opening the database")
}

pub async fn user(database_url: &str, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create { username, email, role, password_stdin, full_name, organization } = command;
    if !password_stdin {
        bail!("pass --password-stdin and the password on standard input");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    let services = services(database_url).await?;
    // The defaults (the organization, the full name) are the core's; so is the audit line.
    let user = OperatorUser { organization, full_name, username, email, role: role.into(), password: Password::new(password) };
    services.accounts.create_user_by_operator(user).await?;
    Ok(())
}

/// `sesame setup-token`: the token the setup form asks for, alone on standard output.
pub async fn setup_token(database_url: &str) -> anyhow::Result<()> {
    let services = services(database_url).await?;
    match services.accounts.setup_token().await? {
        Some(token) => {
            println!("{token}");
            Ok(())
        }
        None => bail!("setup is done: there is no setup token any more"),
    }
}

/// `sesame openapi`: the API's document on standard output (no database needed), for
/// linters and client generators.
pub fn openapi(public_url: &str) {
    let (_, document) = crate::rest::router();
    let document = crate::api_docs::ApiDocument::new(document, public_url.trim_end_matches('/'));
    println!("{}", document.text());
}

pub async fn key(database_url: &str, max_keys_per_owner: u32, command: KeyCommand) -> anyhow::Result<()> {
    let KeyCommand::Create { username, name } = command;
    let services = services_with(database_url, Settings { max_keys_per_owner, ..Settings::default() }).await?;
    let Some(user) = services.accounts.user_named(&username).await? else {
        bail!("no user named {username:?}");
    };
    let created = services.keys.create(&Actor::command_line(user), NewKey::named(name.as_deref())).await?;
    // The key alone on standard output, for provisioning scripts.
    println!("{}", created.secret.expose());
    Ok(())
}
