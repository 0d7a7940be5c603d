//! The server functions behind the console. Each one that needs a user resolves the
//! caller from the session cookie first and acts only on that user's own keys: another
//! user's key id answers `NotFound` and changes nothing. Cross-site calls are refused
//! before any of them runs, by the server's origin check on the whole prefix.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use sesame_core::activity::{About, EventKind};

use crate::{
    error::AppError,
    wire::{
        ActivityPage, ApiKeyView, GeneratedKey, Me, NewUserForm, PasswordChange, SessionState,
        SessionView, SetupForm, UserUpdate, UserView, UsersPage,
    },
};

#[cfg(feature = "ssr")]
mod convert {
    use crate::wire::{ApiKeyView, Me, UserRole, UserView};
    use sesame_core::model::{ApiKey, Role, User};

    pub fn me(user: &User) -> Me {
        Me {
            id: user.id.to_string(),
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            email: user.email.clone(),
            organization: user.organization_name.clone(),
            role: user.role.as_str().to_owned(),
        }
    }

    pub fn role(role: Role) -> UserRole {
        match role {
            Role::Admin => UserRole::Admin,
            Role::User => UserRole::User,
        }
    }

    pub fn core_role(role: UserRole) -> Role {
        match role {
            UserRole::Admin => Role::Admin,
            UserRole::User => Role::User,
        }
    }

    pub fn user(user: &User) -> UserView {
        UserView {
            id: user.id.to_string(),
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            email: user.email.clone(),
            role: role(user.role),
            active: !user.disabled,
            created_at: user.created_at,
        }
    }

    pub fn session(session: sesame_core::accounts::SessionInfo) -> crate::wire::SessionView {
        crate::wire::SessionView {
            id: session.id,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            ip: session.ip,
            user_agent: session.user_agent,
            current: session.current,
        }
    }

    pub fn event(event: &sesame_core::activity::Event) -> crate::wire::ActivityView {
        crate::wire::ActivityView {
            id: event.id.clone(),
            at: event.at,
            event: event.kind.as_str().to_owned(),
            actor: event.actor.as_ref().map(|p| p.username.clone()),
            subject: event.subject.as_ref().map(|p| p.username.clone()),
            key_name: event.key.as_ref().map(|k| k.name.clone()),
            key_id: event.key.as_ref().map(|k| k.id.to_string()),
            ip: event.ip.clone(),
            user_agent: event.user_agent.clone(),
            detail: event.detail.clone(),
        }
    }

    pub fn key(key: &ApiKey) -> ApiKeyView {
        ApiKeyView {
            id: key.id.to_string(),
            name: key.name.clone(),
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            last_used_ip: key.last_used_ip.clone(),
        }
    }
}

/// Who is signed in, whether setup is pending, and the endpoint URL. Never fails for a
/// visitor who is not signed in: that is a normal state, not an error.
#[server(prefix = "/rpc", input = Json)]
pub async fn load_session() -> Result<SessionState, AppError> {
    use crate::ssr::{signed_in_user, ServerContext};
    let context = expect_context::<ServerContext>();
    let needs_setup = context.services.accounts.needs_setup().await?;
    let me = signed_in_user(&context).await?.as_ref().map(convert::me);
    Ok(SessionState { me, needs_setup, endpoint_url: context.endpoint_url.clone() })
}

/// The one-time setup: creates the first administrator and signs them in.
#[server(prefix = "/rpc", input = Json)]
pub async fn setup_first_admin(form: SetupForm) -> Result<Me, AppError> {
    use crate::ssr::{client_info, session_cookie, ServerContext};
    use sesame_core::{accounts::UserInput, model::Role, password::Password};
    let context = expect_context::<ServerContext>();
    let parts = expect_context::<http::request::Parts>();
    let password = Password::new(form.password);
    let input = UserInput {
        organization: form.organization.trim().to_owned(),
        full_name: form.full_name.trim().to_owned(),
        username: form.username.trim().to_owned(),
        email: form.email.trim().to_owned(),
        role: Role::Admin,
        password: password.clone(),
    };
    let accounts = &context.services.accounts;
    let user = accounts.create_first_admin(input).await?;
    tracing::info!(target: "sesame::audit", user = %user.username, "first administrator created");
    let (user, token) = accounts.login(&user.username, &password, &client_info(&context, &parts)).await?;
    session_cookie(&context, &token);
    Ok(convert::me(&user))
}

/// Checks the password and opens a session. Throttled per address and per account (see
/// `sesame_core::throttle`); a wrong password and an unknown user answer the same.
#[server(prefix = "/rpc", input = Json)]
pub async fn log_in(username: String, password: String) -> Result<Me, AppError> {
    use crate::ssr::{client_info, client_ip, respond_with, session_cookie, ServerContext};
    use sesame_core::{accounts::AccountError, password::Password};
    let context = expect_context::<ServerContext>();
    let parts = expect_context::<http::request::Parts>();
    let client = client_info(&context, &parts);
    let ip = client_ip(&parts, &context.trusted_proxies);
    let username = username.trim();
    let throttles = &context.services.throttles;
    if let Err(retry) = throttles.check_login(username, ip) {
        tracing::warn!(target: "sesame::auth", %ip, "login throttled");
        return Err(respond_with(AppError::TooManyAttempts(retry.seconds())));
    }
    let result = context.services.accounts.login(username, &Password::new(password), &client).await;
    match result {
        Ok((user, token)) => {
            throttles.login_succeeded(username, ip);
            tracing::info!(target: "sesame::audit", user = %user.username, %ip, "login succeeded");
            context.services.activity.record(EventKind::LoginSucceeded, &user, &client, About::default()).await;
            session_cookie(&context, &token);
            Ok(convert::me(&user))
        }
        Err(error) => {
            if matches!(error, AccountError::InvalidCredentials) {
                throttles.login_failed(username, ip);
                // On a real account, its owner and administrators see the attempt.
                if let Ok(Some(account)) = context.services.store.user_by_username(username).await {
                    context.services.activity.record_failed_login(&account, &client).await;
                }
            }
            tracing::warn!(target: "sesame::auth", %ip, "login failed");
            Err(error.into())
        }
    }
}

#[server(prefix = "/rpc", input = Json)]
pub async fn log_out() -> Result<(), AppError> {
    use crate::ssr::{current_session_token, expired_session_cookie, ServerContext};
    let context = expect_context::<ServerContext>();
    let parts = expect_context::<http::request::Parts>();
    if let Some(token) = current_session_token(&parts) {
        if let Some(user) = context.services.accounts.session_user(&token).await? {
            let client = crate::ssr::client_info(&context, &parts);
            context.services.activity.record(EventKind::Logout, &user, &client, About::default()).await;
        }
        context.services.accounts.logout(&token).await?;
    }
    expired_session_cookie(&context);
    Ok(())
}

#[server(prefix = "/rpc", input = Json)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    let (context, user) = crate::ssr::caller().await?;
    let keys = context.services.keys.list(&user).await?;
    Ok(keys.iter().map(convert::key).collect())
}

/// Generates a key; `name` empty or absent gets the random default. The secret is in this
/// answer and nowhere else, ever.
#[server(prefix = "/rpc", input = Json)]
pub async fn generate_api_key(name: Option<String>) -> Result<GeneratedKey, AppError> {
    let (context, user) = crate::ssr::caller().await?;
    let (key, secret) = context.services.keys.generate(&user, name.as_deref()).await?;
    tracing::info!(target: "sesame::audit", user = %user.username, key_id = %key.id, key_name = %key.name, "API key created");
    let client = crate::ssr::calling_client(&context);
    context.services.activity.record(EventKind::KeyCreated, &user, &client, About::key(&key)).await;
    Ok(GeneratedKey { key: convert::key(&key), secret: secret.expose().to_owned() })
}

#[server(prefix = "/rpc", input = Json)]
pub async fn rename_api_key(id: String, name: String) -> Result<ApiKeyView, AppError> {
    let (context, user) = crate::ssr::caller().await?;
    let key = context.services.keys.rename(&user, &id, &name).await?;
    tracing::info!(target: "sesame::audit", user = %user.username, key_id = %key.id, key_name = %key.name, "API key renamed");
    let client = crate::ssr::calling_client(&context);
    context.services.activity.record(EventKind::KeyRenamed, &user, &client, About::key(&key)).await;
    Ok(convert::key(&key))
}

#[server(prefix = "/rpc", input = Json)]
pub async fn delete_api_key(id: String) -> Result<(), AppError> {
    let (context, user) = crate::ssr::caller().await?;
    let key = context.services.keys.delete(&user, &id).await?;
    tracing::info!(target: "sesame::audit", user = %user.username, key_id = %key.id, key_name = %key.name, "API key deleted");
    let client = crate::ssr::calling_client(&context);
    context.services.activity.record(EventKind::KeyDeleted, &user, &client, About::key(&key)).await;
    Ok(())
}

/// The users the caller may see (an administrator: the organization's; a user: themself),
/// one page at a time.
#[server(prefix = "/rpc", input = Json)]
pub async fn list_users(page: u32, page_size: u32) -> Result<UsersPage, AppError> {
    let (context, user) = crate::ssr::caller().await?;
    let request = crate::ssr::page_request(page, page_size)?;
    let found = context.services.users.list(&user, request).await?;
    Ok(UsersPage {
        users: found.items.iter().map(convert::user).collect(),
        page: found.request.number(),
        page_size: found.request.size(),
        total: found.total,
    })
}

#[server(prefix = "/rpc", input = Json)]
pub async fn get_user(id: String) -> Result<UserView, AppError> {
    let (context, user) = crate::ssr::caller().await?;
    Ok(convert::user(&context.services.users.get(&user, &id).await?))
}

/// An administrator adds a colleague to their organization.
#[server(prefix = "/rpc", input = Json)]
pub async fn create_user(form: NewUserForm) -> Result<UserView, AppError> {
    use sesame_core::{password::Password, users::NewColleague};
    let (context, actor) = crate::ssr::caller().await?;
    let colleague = NewColleague {
        full_name: form.full_name.trim().to_owned(),
        username: form.username.trim().to_owned(),
        email: form.email.trim().to_owned(),
        role: convert::core_role(form.role),
        password: Password::new(form.password),
    };
    let user = context.services.users.create(&actor, colleague).await?;
    tracing::info!(target: "sesame::audit", actor = %actor.username, user = %user.username, "user created");
    let client = crate::ssr::calling_client(&context);
    context.services.activity.record(EventKind::UserCreated, &actor, &client, About::user(&user)).await;
    Ok(convert::user(&user))
}

/// An administrator changes a colleague's role or status; see `sesame_core::users`.
#[server(prefix = "/rpc", input = Json)]
pub async fn update_user(id: String, update: UserUpdate) -> Result<UserView, AppError> {
    use sesame_core::store::UserChange;
    let (context, actor) = crate::ssr::caller().await?;
    let change = UserChange {
        role: update.role.map(convert::core_role),
        disabled: update.active.map(|active| !active),
    };
    let user = context.services.users.update(&actor, &id, change).await?;
    tracing::info!(target: "sesame::audit", actor = %actor.username, user = %user.username, role = user.role.as_str(), disabled = user.disabled, "user changed");
    let client = crate::ssr::calling_client(&context);
    context.services.activity.record_user_change(&actor, &client, &user, &change).await;
    Ok(convert::user(&user))
}

/// Changes the signed-in user's password (the current one is asked) and ends their other
/// sessions; this browser stays signed in.
#[server(prefix = "/rpc", input = Json)]
pub async fn change_password(change: PasswordChange) -> Result<(), AppError> {
    use crate::ssr::current_session_token;
    use sesame_core::password::Password;
    let (context, user) = crate::ssr::caller().await?;
    let token = current_session_token(&expect_context::<http::request::Parts>());
    let accounts = &context.services.accounts;
    accounts
        .change_password(&user, &Password::new(change.current), &Password::new(change.new), token.as_ref())
        .await?;
    tracing::info!(target: "sesame::audit", user = %user.username, "password changed");
    let client = crate::ssr::calling_client(&context);
    context.services.activity.record(EventKind::PasswordChanged, &user, &client, About::default()).await;
    Ok(())
}

/// The signed-in user's live sessions, this one marked.
#[server(prefix = "/rpc", input = Json)]
pub async fn list_sessions() -> Result<Vec<SessionView>, AppError> {
    use crate::ssr::current_session_token;
    let (context, user) = crate::ssr::caller().await?;
    let token = current_session_token(&expect_context::<http::request::Parts>());
    let sessions = context.services.accounts.sessions(&user, token.as_ref()).await?;
    Ok(sessions.into_iter().map(convert::session).collect())
}

/// Signs one of the user's sessions out (another device, or this one).
#[server(prefix = "/rpc", input = Json)]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let (context, user) = crate::ssr::caller().await?;
    if context.services.accounts.end_session(&user, &id).await? {
        Ok(())
    } else {
        Err(crate::ssr::respond_with(AppError::SessionNotFound))
    }
}

/// Signs out every session of the user but this one; how many were ended.
#[server(prefix = "/rpc", input = Json)]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    use crate::ssr::current_session_token;
    let (context, user) = crate::ssr::caller().await?;
    let token = current_session_token(&expect_context::<http::request::Parts>());
    Ok(context.services.accounts.end_other_sessions(&user, token.as_ref()).await?)
}

/// The activity the caller may see (theirs; an administrator, the organization's), newest
/// first.
#[server(prefix = "/rpc", input = Json)]
pub async fn list_activity(page: u32, page_size: u32) -> Result<ActivityPage, AppError> {
    let (context, user) = crate::ssr::caller().await?;
    let request = crate::ssr::page_request(page, page_size)?;
    let found = context.services.activity.list(&user, request).await.map_err(crate::ssr::store_error)?;
    Ok(ActivityPage {
        events: found.items.iter().map(convert::event).collect(),
        page: found.request.number(),
        page_size: found.request.size(),
        total: found.total,
    })
}

/// Registers every server function with the server. The `sesame` binary calls this so
/// the functions cannot fall out at link time.
#[cfg(feature = "ssr")]
pub fn register_server_functions() {
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<LoadSession>();
    register_explicit::<SetupFirstAdmin>();
    register_explicit::<LogIn>();
    register_explicit::<LogOut>();
    register_explicit::<ListApiKeys>();
    register_explicit::<GenerateApiKey>();
    register_explicit::<RenameApiKey>();
    register_explicit::<DeleteApiKey>();
    register_explicit::<ListUsers>();
    register_explicit::<GetUser>();
    register_explicit::<CreateUser>();
    register_explicit::<UpdateUser>();
    register_explicit::<ChangePassword>();
    register_explicit::<ListSessions>();
    register_explicit::<EndSession>();
    register_explicit::<EndOtherSessions>();
    register_explicit::<ListActivity>();
}
