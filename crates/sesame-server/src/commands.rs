//! `sesame user …` and `sesame key …`: the operator's commands.

use std::io::BufRead;

use anyhow::{bail, Context};
use sesame_core::{
    accounts::UserInput,
    model::Role,
    password::Password,
    store::Store,
    Services,
};

use crate::cli::{KeyCommand, RoleArg, UserCommand};

async fn services(database_url: &str) -> anyhow::Result<Services> {
    let store = Store::connect(database_url).await.context("opening the database")?;
    Ok(Services::new(store, 1))
}

pub async fn user(database_url: &str, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create { username, email, role, password_stdin, full_name, organization } =
        command;
    if !password_stdin {
        bail!("pass --password-stdin and the password on standard input");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    let services = services(database_url).await?;
    let organization = match organization {
        Some(name) => name,
        None => services.store.first_organization().await?.unwrap_or_else(|| "Default".into()),
    };
    let input = UserInput {
        organization,
        full_name: full_name.unwrap_or_else(|| username.clone()),
        username,
        email,
        role: match role {
            RoleArg::Admin => Role::Admin,
            RoleArg::User => Role::User,
        },
        password: Password::new(password),
    };
    let user = services.accounts.create_user(input).await?;
    // On standard error through the logger, so `--log-format json` applies to it too.
    tracing::info!(role = user.role.as_str(), user = %user.username, organization = %user.organization_name, "user created");
    Ok(())
}

pub async fn key(database_url: &str, command: KeyCommand) -> anyhow::Result<()> {
    let KeyCommand::Create { username, name } = command;
    let services = services(database_url).await?;
    let Some(user) = services.store.user_by_username(&username).await? else {
        bail!("no user named {username:?}");
    };
    let (key, secret) = services.keys.generate(&user, name.as_deref()).await?;
    tracing::info!(key_name = %key.name, key_id = %key.id, user = %user.username, "API key created");
    // The key alone on standard output, for provisioning scripts.
    println!("{}", secret.expose());
    Ok(())
}
