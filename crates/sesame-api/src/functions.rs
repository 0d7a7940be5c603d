//! The server functions behind the console. Each one takes typed arguments, calls the one
//! core function of its use case with the signed-in actor, and encodes the answer: the
//! rules, the parsing of what was sent, the clock, the change, its activity event and the
//! audit line all live in `sesame-core`. Cross-site calls are refused before any of them
//! runs, by the server's origin check on the whole prefix.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use sesame_model::{
    ids::{ApiKeyId, SessionId, TrustRuleId, UserId},
    KeyRateLimit, Language, MaxKeyLifetime, Permission, Status,
};

use crate::{
    error::AppError,
    wire::{
        ActivityPage, ApiKeyDetails, ApiKeyView, CreatedKey, KeyNotices, KeyUsageView, KeyWeekView, ManagerView, NewUserForm, OffboardingView, OrganizationPolicy, OrganizationPolicyChange,
        PasswordChange, ServiceAccountForm, ServiceAccountUpdate, ServiceAccountView, ServiceAccountsPage, SessionState, SessionView, SetupForm, TokenTestView,
        TrustRuleForm, TrustRuleView, UsageRange, UserUpdate, UserView, UsersPage,
    },
};

/// Who is signed in, whether setup is pending, and the endpoint URL. Never fails for a
/// visitor who is not signed in: that is a normal state, not an error.
#[server(input = Json, endpoint = "load_session")]
pub async fn load_session() -> Result<SessionState, AppError> {
    let context = expect_context::<crate::server::ServerContext>();
    let needs_setup = context.services.accounts.needs_setup().await?;
    let me = crate::server::signed_in(&context).await?.map(|actor| UserView::from(&*actor.user));
    Ok(SessionState { me, needs_setup, endpoint_url: context.endpoint_url() })
}

/// The one-time setup: creates the first administrator and signs them in.
#[server(input = Json, endpoint = "setup_first_admin")]
pub async fn setup_first_admin(form: SetupForm) -> Result<UserView, AppError> {
    let (context, client, _) = crate::server::visitor();
    let (token, input) = form.into_parts();
    let logged_in = context.services.accounts.set_up(&token, input, &client).await?;
    crate::server::sign_in_cookies(&context, &logged_in);
    Ok(UserView::from(&logged_in.user))
}

/// Checks the password and opens a session. Throttled per address and per account (see
/// `sesame_core::throttle`); a wrong password and an unknown user answer the same.
#[server(input = Json, endpoint = "log_in")]
pub async fn log_in(username: String, password: String) -> Result<UserView, AppError> {
    // The session this browser had, if any, is replaced by the new one.
    let (context, client, replacing) = crate::server::visitor();
    let password = sesame_core::password::Password::new(password);
    let logged_in = context.services.accounts.log_in(&username, &password, &client, replacing.as_ref()).await?;
    crate::server::sign_in_cookies(&context, &logged_in);
    Ok(UserView::from(&logged_in.user))
}

#[server(input = Json, endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    let (context, client, session) = crate::server::visitor();
    if let Some(token) = session {
        context.services.accounts.log_out(&token, client).await?;
    }
    crate::server::expired_session_cookie(&context);
    Ok(())
}

/// The signed-in user's keys, or (`owner`) those of a service account they manage.
#[server(input = Json, endpoint = "list_api_keys")]
pub async fn list_api_keys(owner: Option<UserId>) -> Result<Vec<ApiKeyView>, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.keys.list_of(&actor, owner).await?.iter().map(ApiKeyView::from).collect())
}

/// Generates a key; `name` empty or absent gets the random default, `expires_at` absent
/// never expires, `scopes` absent has full access; `owner` absent is the signed-in user, or a
/// service account they manage. The secret is in this answer and nowhere else, ever.
#[server(input = Json, endpoint = "generate_api_key")]
pub async fn generate_api_key(
    name: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    scopes: Option<Vec<Permission>>,
    owner: Option<UserId>,
) -> Result<CreatedKey, AppError> {
    use sesame_core::keys::NewKey;
    let (context, actor) = crate::server::actor().await?;
    let new = NewKey { name: name.as_deref(), expires_at, scopes, owner, ..NewKey::default() };
    let created = context.services.keys.create(&actor, new).await?;
    Ok(CreatedKey::from(&created))
}

/// Sets what a key may do: `scopes` a non-empty list, or absent for full access. Applies to
/// the key's next request, on every node.
#[server(input = Json, endpoint = "set_api_key_scopes")]
pub async fn set_api_key_scopes(id: ApiKeyId, scopes: Option<Vec<Permission>>) -> Result<ApiKeyView, AppError> {
    use sesame_core::keys::KeyChange;
    let (context, actor) = crate::server::actor().await?;
    let change = KeyChange { scopes: Some(scopes), ..KeyChange::default() };
    Ok(ApiKeyView::from(&context.services.keys.update(&actor, id, change).await?))
}

/// Renames, disables or enables a key (`None` leaves that part as it is).
#[server(input = Json, endpoint = "update_api_key")]
pub async fn update_api_key(id: ApiKeyId, name: Option<String>, status: Option<Status>) -> Result<ApiKeyView, AppError> {
    use sesame_core::keys::KeyChange;
    let (context, actor) = crate::server::actor().await?;
    Ok(ApiKeyView::from(&context.services.keys.update(&actor, id, KeyChange { name, status, ..KeyChange::default() }).await?))
}

/// Sets where a key may be used from (`allowed_addresses`: addresses and CIDR ranges, at
/// most 50; empty: anywhere) and its own request limit (none: no limit of its own). Applies
/// to the key's next request, on every node.
#[server(input = Json, endpoint = "set_api_key_restrictions")]
pub async fn set_api_key_restrictions(
    id: ApiKeyId,
    allowed_addresses: Vec<String>,
    rate_limit: Option<KeyRateLimit>,
) -> Result<ApiKeyView, AppError> {
    use sesame_core::keys::KeyChange;
    let (context, actor) = crate::server::actor().await?;
    let change = KeyChange { allowed_addresses: Some(allowed_addresses), rate_limit: Some(rate_limit), ..KeyChange::default() };
    Ok(ApiKeyView::from(&context.services.keys.update(&actor, id, change).await?))
}

/// One of the signed-in user's keys, with its recent addresses.
#[server(input = Json, endpoint = "get_api_key")]
pub async fn get_api_key(id: ApiKeyId) -> Result<ApiKeyDetails, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(ApiKeyDetails::from(&context.services.keys.get(&actor, id).await?))
}

/// One of the signed-in user's keys' usage over `range`: the last 24 hours by hour, or the
/// last 7 or 30 days (UTC, today included) by day.
#[server(input = Json, endpoint = "api_key_usage")]
pub async fn api_key_usage(id: ApiKeyId, range: UsageRange) -> Result<KeyUsageView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(KeyUsageView::from(&context.services.keys.usage(&actor, id, range.window()).await?))
}

/// Each of the signed-in user's keys' requests per day over the last 7 days (UTC, today
/// last), for the panel's sparklines; or (`owner`) those of a service account they manage.
#[server(input = Json, endpoint = "api_keys_week")]
pub async fn api_keys_week(owner: Option<UserId>) -> Result<Vec<KeyWeekView>, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.keys.daily_usage_of(&actor, owner, 7).await?.iter().map(KeyWeekView::from).collect())
}

/// Gives a key a new secret (in this answer and nowhere else, ever); the previous one keeps
/// working for `grace_seconds`. `expires_at`: a new expiry (none keeps the key's).
#[server(input = Json, endpoint = "roll_api_key")]
pub async fn roll_api_key(id: ApiKeyId, grace_seconds: u32, expires_at: Option<DateTime<Utc>>) -> Result<CreatedKey, AppError> {
    use sesame_core::keys::Roll;
    let (context, actor) = crate::server::actor().await?;
    let grace = chrono::TimeDelta::seconds(i64::from(grace_seconds));
    Ok(CreatedKey::from(&context.services.keys.roll(&actor, id, Roll { grace, expires_at }).await?))
}

/// Stops a rolled key's previous secret now.
#[server(input = Json, endpoint = "end_api_key_overlap")]
pub async fn end_api_key_overlap(id: ApiKeyId) -> Result<ApiKeyView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(ApiKeyView::from(&context.services.keys.end_overlap(&actor, id).await?))
}

/// Hands a key over to a service account (see `sesame_core::keys::Keys::transfer`).
#[server(input = Json, endpoint = "transfer_api_key")]
pub async fn transfer_api_key(id: ApiKeyId, owner: UserId) -> Result<ApiKeyView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(ApiKeyView::from(&context.services.keys.transfer(&actor, id, owner).await?))
}

/// What asks for the signed-in user's attention about their keys (the badge on *User
/// settings*, the panel's notices).
#[server(input = Json, endpoint = "load_key_notices")]
pub async fn load_key_notices() -> Result<KeyNotices, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(KeyNotices::from(&context.services.keys.attention(&actor).await?))
}

/// The signed-in user's organization and its key policy.
#[server(input = Json, endpoint = "get_organization_policy")]
pub async fn get_organization_policy() -> Result<OrganizationPolicy, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(OrganizationPolicy::from(&context.services.organization.get(&actor).await?))
}

/// Sets the organization's maximum key lifetime (administrators); longer keys are shortened.
#[server(input = Json, endpoint = "set_key_lifetime_policy")]
pub async fn set_key_lifetime_policy(max_key_lifetime_days: Option<MaxKeyLifetime>) -> Result<OrganizationPolicyChange, AppError> {
    let (context, actor) = crate::server::actor().await?;
    let change = context.services.organization.set_max_key_lifetime(&actor, max_key_lifetime_days).await?;
    Ok(OrganizationPolicyChange::from(&change))
}

/// Remembers the language the signed-in user reads the console in (their e-mails follow it).
#[server(input = Json, endpoint = "save_language")]
pub async fn save_language(language: Language) -> Result<(), AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.accounts.set_language(&actor, language).await?)
}

#[server(input = Json, endpoint = "delete_api_key")]
pub async fn delete_api_key(id: ApiKeyId) -> Result<(), AppError> {
    let (context, actor) = crate::server::actor().await?;
    context.services.keys.remove(&actor, id).await?;
    Ok(())
}

/// The users the caller may see (an administrator: the organization's; a user: themself),
/// one page at a time.
#[server(input = Json, endpoint = "list_users")]
pub async fn list_users(page: u32, page_size: u32) -> Result<UsersPage, AppError> {
    let (context, actor) = crate::server::actor().await?;
    let request = crate::server::page_request(page, page_size)?;
    Ok(UsersPage::from(&context.services.users.list(&actor, request).await?))
}

/// One user the caller may see. The console itself never asks: only the tests' privilege
/// table does, through the session (the `testing` feature).
#[cfg(feature = "testing")]
#[server(input = Json, endpoint = "get_user")]
pub async fn get_user(id: UserId) -> Result<UserView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(UserView::from(&context.services.users.get(&actor, id).await?))
}

/// An administrator adds a colleague to their organization (the form as typed: the browser
/// trims what a person typed).
#[server(input = Json, endpoint = "create_user")]
pub async fn create_user(form: NewUserForm) -> Result<UserView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(UserView::from(&context.services.users.create(&actor, form.into_colleague()).await?))
}

/// An administrator changes a colleague's role or status; see `sesame_core::users`.
#[server(input = Json, endpoint = "update_user")]
pub async fn update_user(id: UserId, update: UserUpdate) -> Result<UserView, AppError> {
    use sesame_core::model::UserChange;
    let (context, actor) = crate::server::actor().await?;
    let change = UserChange { role: update.role, status: update.status };
    Ok(UserView::from(&context.services.users.update(&actor, id, change).await?))
}

/// What disabling or deleting a person would break (administrators): the console's
/// preview before it does either.
#[server(input = Json, endpoint = "user_offboarding")]
pub async fn user_offboarding(id: UserId) -> Result<OffboardingView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(OffboardingView::from(&context.services.offboarding.preview(&actor, id).await?))
}

/// The service accounts the caller may manage (an administrator: the organization's; anyone
/// else: the ones they manage), one page at a time.
#[server(input = Json, endpoint = "list_service_accounts")]
pub async fn list_service_accounts(page: u32, page_size: u32) -> Result<ServiceAccountsPage, AppError> {
    let (context, actor) = crate::server::actor().await?;
    let request = crate::server::page_request(page, page_size)?;
    Ok(ServiceAccountsPage::from(&context.services.service_accounts.list(&actor, request).await?))
}

/// One service account the caller may manage.
#[server(input = Json, endpoint = "get_service_account")]
pub async fn get_service_account(id: UserId) -> Result<ServiceAccountView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(ServiceAccountView::from(&context.services.service_accounts.get(&actor, id).await?))
}

/// A service account's managers, active or not, for whoever may see the account.
#[server(input = Json, endpoint = "service_account_managers")]
pub async fn service_account_managers(id: UserId) -> Result<Vec<ManagerView>, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.service_accounts.managers(&actor, id).await?.iter().map(ManagerView::from).collect())
}

/// For an administrator, the service accounts no active manager may manage (the console
/// warns about them); for anyone else, none.
#[server(input = Json, endpoint = "unmanaged_service_accounts")]
pub async fn unmanaged_service_accounts() -> Result<Vec<ServiceAccountView>, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.service_accounts.without_active_manager(&actor).await?.iter().map(ServiceAccountView::from).collect())
}

/// An administrator makes a service account; see `sesame_core::service_accounts`.
#[server(input = Json, endpoint = "create_service_account")]
pub async fn create_service_account(form: ServiceAccountForm) -> Result<ServiceAccountView, AppError> {
    use sesame_core::service_accounts::NewServiceAccount;
    let (context, actor) = crate::server::actor().await?;
    let new = NewServiceAccount { name: form.name, description: form.description, role: form.role, managers: form.managers };
    Ok(ServiceAccountView::from(&context.services.service_accounts.create(&actor, new).await?))
}

/// An administrator renames a service account, or changes its description, role or managers.
#[server(input = Json, endpoint = "update_service_account")]
pub async fn update_service_account(id: UserId, update: ServiceAccountUpdate) -> Result<ServiceAccountView, AppError> {
    use sesame_core::service_accounts::ServiceAccountChange;
    let (context, actor) = crate::server::actor().await?;
    let change = ServiceAccountChange { name: update.name, description: update.description, role: update.role, managers: update.managers };
    Ok(ServiceAccountView::from(&context.services.service_accounts.update(&actor, id, change).await?))
}

/// An administrator deletes a service account and its keys, refused on every node before
/// this returns.
#[server(input = Json, endpoint = "delete_service_account")]
pub async fn delete_service_account(id: UserId) -> Result<(), AppError> {
    let (context, actor) = crate::server::actor().await?;
    context.services.service_accounts.delete(&actor, id).await?;
    Ok(())
}

/// A service account's trust rules (keyless CI), oldest first, for whoever manages it.
#[server(input = Json, endpoint = "list_trust_rules")]
pub async fn list_trust_rules(account: UserId) -> Result<Vec<TrustRuleView>, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.trust_rules.list(&actor, account).await?.iter().map(TrustRuleView::from).collect())
}

#[server(input = Json, endpoint = "get_trust_rule")]
pub async fn get_trust_rule(account: UserId, rule: TrustRuleId) -> Result<TrustRuleView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(TrustRuleView::from(&context.services.trust_rules.get(&actor, account, rule).await?))
}

/// Trusts a CI provider for a service account; see `sesame_core::trust`. The audience is
/// the instance's public URL unless the form names another.
#[server(input = Json, endpoint = "create_trust_rule")]
pub async fn create_trust_rule(account: UserId, form: TrustRuleForm) -> Result<TrustRuleView, AppError> {
    use sesame_core::trust::NewTrustRule;
    let (context, actor) = crate::server::actor().await?;
    let new = NewTrustRule {
        provider: Some(form.provider),
        issuer: form.issuer,
        audience: form.audience.unwrap_or_else(|| context.public_url.clone()),
        conditions: form.conditions,
        scopes: form.scopes,
        allowed_addresses: None,
        rate_limit: None,
        lifetime: Some(chrono::TimeDelta::seconds(i64::from(form.lifetime_seconds))),
    };
    Ok(TrustRuleView::from(&context.services.trust_rules.create(&actor, account, new).await?))
}

/// Deletes a rule; every key it minted ends on every node before this returns.
#[server(input = Json, endpoint = "delete_trust_rule")]
pub async fn delete_trust_rule(account: UserId, rule: TrustRuleId) -> Result<(), AppError> {
    let (context, actor) = crate::server::actor().await?;
    context.services.trust_rules.delete(&actor, account, rule).await?;
    Ok(())
}

/// "Test a token": a pasted token held against one rule. Nothing is minted or spent.
#[server(input = Json, endpoint = "test_trust_rule")]
pub async fn test_trust_rule(account: UserId, rule: TrustRuleId, token: String) -> Result<TokenTestView, AppError> {
    let (context, actor) = crate::server::actor().await?;
    let found = context.services.trust_rules.to_test(&actor, account, rule).await?;
    Ok(TokenTestView::from(context.tokens.test(&context.services.trust_rules, &found, &token).await))
}

/// Changes the signed-in user's password (the current one is asked) and ends their other
/// sessions; this browser stays signed in.
#[server(input = Json, endpoint = "change_password")]
pub async fn change_password(change: PasswordChange) -> Result<(), AppError> {
    use sesame_core::password::Password;
    let (context, actor) = crate::server::actor().await?;
    let (current, new) = (Password::new(change.current), Password::new(change.new));
    Ok(context.services.security.change_password(&actor, &current, &new).await?)
}

/// The signed-in user's live sessions, this one marked.
#[server(input = Json, endpoint = "list_sessions")]
pub async fn list_sessions() -> Result<Vec<SessionView>, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.security.sessions(&actor).await?.into_iter().map(SessionView::from).collect())
}

/// Signs one of the user's sessions out (another device, or this one).
#[server(input = Json, endpoint = "end_session")]
pub async fn end_session(id: SessionId) -> Result<(), AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.security.end_session(&actor, id).await?)
}

/// Signs out every session of the user but this one; how many were ended.
#[server(input = Json, endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    let (context, actor) = crate::server::actor().await?;
    Ok(context.services.security.end_other_sessions(&actor).await?)
}

/// The activity the caller may see (theirs; an administrator, the organization's), newest
/// first.
#[server(input = Json, endpoint = "list_activity")]
pub async fn list_activity(page: u32, page_size: u32) -> Result<ActivityPage, AppError> {
    let (context, actor) = crate::server::actor().await?;
    let request = crate::server::page_request(page, page_size)?;
    Ok(ActivityPage::from(&context.services.activity.list(&actor, request).await?))
}

/// The activity of a service account the caller manages, newest first.
#[server(input = Json, endpoint = "service_account_activity")]
pub async fn service_account_activity(id: UserId, page: u32, page_size: u32) -> Result<ActivityPage, AppError> {
    let (context, actor) = crate::server::actor().await?;
    let request = crate::server::page_request(page, page_size)?;
    let found = context.services.activity.of_service_account(&actor, id, request).await?;
    Ok(ActivityPage::from(&found.ok_or(AppError::Server(crate::error::ErrorCode::NotFound(crate::error::Missing::ServiceAccount)))?))
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
    register_explicit::<UpdateApiKey>();
    register_explicit::<RollApiKey>();
    register_explicit::<GetApiKey>();
    register_explicit::<EndApiKeyOverlap>();
    register_explicit::<TransferApiKey>();
    register_explicit::<DeleteApiKey>();
    register_explicit::<ListUsers>();
    #[cfg(feature = "testing")]
    register_explicit::<GetUser>();
    register_explicit::<CreateUser>();
    register_explicit::<UpdateUser>();
    register_explicit::<UserOffboarding>();
    register_explicit::<ListServiceAccounts>();
    register_explicit::<GetServiceAccount>();
    register_explicit::<CreateServiceAccount>();
    register_explicit::<UpdateServiceAccount>();
    register_explicit::<DeleteServiceAccount>();
    register_explicit::<ServiceAccountManagers>();
    register_explicit::<UnmanagedServiceAccounts>();
    register_explicit::<ChangePassword>();
    register_explicit::<ListSessions>();
    register_explicit::<EndSession>();
    register_explicit::<EndOtherSessions>();
    register_explicit::<ListActivity>();
    register_explicit::<ServiceAccountActivity>();
    register_explicit::<SetApiKeyScopes>();
    register_explicit::<SetApiKeyRestrictions>();
    register_explicit::<ApiKeyUsage>();
    register_explicit::<ApiKeysWeek>();
    register_explicit::<LoadKeyNotices>();
    register_explicit::<GetOrganizationPolicy>();
    register_explicit::<SetKeyLifetimePolicy>();
    register_explicit::<SaveLanguage>();
    register_explicit::<ListTrustRules>();
    register_explicit::<GetTrustRule>();
    register_explicit::<CreateTrustRule>();
    register_explicit::<DeleteTrustRule>();
    register_explicit::<TestTrustRule>();
}
