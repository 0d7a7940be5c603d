//! A key carries its owner's privileges: every operation, done by an administrator,
//! a user and a disabled administrator, through the console's server functions (session)
//! and through the REST API (key). The outcome of each is written down, and the key column
//! must equal the session column row for row.
//!
//! The rows for service accounts act on the organization's `robot`, which the user column
//! (alice) manages: she sees it, but only administrators make, change or delete one.
//!
//! Unless it carries less: four more columns, by key only, for an administrator's read-only
//! key, a key scoped to `api_keys:write` alone, a key scoped to `users:read` and
//! `users:write`, and the previous secret of the administrator's full-access key after a
//! roll. Refusals for a scope name the permission missing, which must be the one the
//! OpenAPI document gives the operation; a scoped key does not touch its owner's
//! full-access keys; only a key with all its owner's power makes or promotes an
//! administrator, or enables an account; and a previous secret manages no key.
//!
//! Each column runs on a fresh server with the same people, and runs the operations in the
//! same order, so the state every operation sees is the same in both columns.

mod support;

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use sesame_core::{
    keys::NewKey,
    model::{Permission, Role, Scopes, User},
    service_accounts::NewServiceAccount,
};
use sesame_api::functions::{
    ApiKeyUsage, ChangePassword, CreateServiceAccount, CreateUser, DeleteApiKey, DeleteServiceAccount, EndApiKeyOverlap, EndSession, GenerateApiKey, GetApiKey,
    GetOrganizationPolicy, GetServiceAccount, GetUser, ListActivity, ListApiKeys, ListServiceAccounts, ListSessions, ListUsers, LoadSession, RollApiKey,
    SetKeyLifetimePolicy, TransferApiKey, UpdateApiKey, UpdateServiceAccount, UpdateUser, UserOffboarding,
};
use support::{Browser, TestServer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Admin,
    User,
    DisabledAdmin,
    /// The administrator, through a key with the *Read only* preset.
    ReadOnlyKey,
    /// The administrator, through a key scoped to `api_keys:write` alone.
    KeysWriteKey,
    /// The administrator, through a key scoped to `users:read` and `users:write`.
    UsersWriteKey,
    /// The administrator, through their full-access key's previous secret, in the overlap
    /// after a roll.
    PreviousSecret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Session,
    Key,
}

/// What happened, in terms both channels share.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Done; for lists, the usernames or key count seen.
    Allowed(String),
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    /// 403 `insufficient_scope`, naming the permission the key lacks.
    OutOfScope(&'static str),
    /// 403 `scope_exceeds_key`: a scoped key acting on a key that may do more.
    BeyondScopes,
    /// 403 `account_exceeds_key`: a key with less than its owner's power making or raising
    /// an account.
    BeyondAccount,
    /// 403 `previous_secret_not_allowed`: a previous secret managing keys.
    PreviousSecret,
}
use Outcome::*;

fn ok() -> Outcome {
    Allowed(String::new())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Me,
    ListKeys,
    GetOwnKey,
    CreateKey,
    CreateExpiringKey,
    RenameOwnKey,
    DeleteOwnKey,
    DisableAndEnableOwnKey,
    RollOwnKeyAndEndOverlap,
    RenameOthersKey,
    DeleteOthersKey,
    DisableOthersKey,
    RollOthersKey,
    GetOthersKey,
    GetOwnKeyUsage,
    GetOthersKeyUsage,
    /// A spare full-access key of the actor's, handed over to `robot` (a `user`).
    TransferOwnKey,
    /// A spare full-access key of carol's, handed over to `robot`.
    TransferColleaguesKey,
    ListUsers,
    GetSelf,
    GetColleague,
    GetStranger,
    CreateUser,
    UpdateColleague,
    UpdateSelf,
    UpdateStranger,
    CreateAdministrator,
    DisableAndEnableColleague,
    ListActivity,
    ListSessions,
    EndStrangersSession,
    ReadKeyPolicy,
    SetKeyPolicy,
    ChangePasswordWrongly,
    /// What disabling carol would break.
    OffboardingOfColleague,
    ListServiceAccounts,
    GetServiceAccount,
    CreateServiceAccount,
    CreateAdministratorServiceAccount,
    UpdateServiceAccount,
    /// Last: the rows above use the account.
    DeleteServiceAccount,
}

/// The rule, written out: (operation, admin, user, disabled administrator, the
/// administrator's read-only key, `api_keys:write` key, `users:read users:write` key, and
/// full-access key's previous secret).
fn expected() -> Vec<(Operation, [Outcome; 7])> {
    use Operation as O;
    let org = || Allowed("admin,alice,carol,dave".into());
    let one = || Allowed("1".into());
    let (keys_read, keys_write) = (OutOfScope("api_keys:read"), OutOfScope("api_keys:write"));
    let (users_read, users_write) = (OutOfScope("users:read"), OutOfScope("users:write"));
    let (security, activity) = (OutOfScope("security:write"), OutOfScope("activity:read"));
    let unauth = Unauthenticated;
    vec![
        (O::Me, [ok(), ok(), unauth.clone(), ok(), OutOfScope("me:read"), OutOfScope("me:read"), ok()]),
        (O::ListKeys, [one(), one(), unauth.clone(), one(), keys_read.clone(), keys_read.clone(), one()]),
        (O::GetOwnKey, [ok(), ok(), unauth.clone(), ok(), keys_read.clone(), keys_read.clone(), ok()]),
        (O::CreateKey, [ok(), ok(), unauth.clone(), keys_write.clone(), ok(), keys_write.clone(), PreviousSecret]),
        (O::CreateExpiringKey, [ok(), ok(), unauth.clone(), keys_write.clone(), ok(), keys_write.clone(), PreviousSecret]),
        (O::RenameOwnKey, [ok(), ok(), unauth.clone(), keys_write.clone(), ok(), keys_write.clone(), PreviousSecret]),
        // The spare own key these rows act on has full access: more than the scoped key.
        (O::DeleteOwnKey, [ok(), ok(), unauth.clone(), keys_write.clone(), BeyondScopes, keys_write.clone(), PreviousSecret]),
        (O::DisableAndEnableOwnKey, [ok(), ok(), unauth.clone(), keys_write.clone(), BeyondScopes, keys_write.clone(), PreviousSecret]),
        (O::RollOwnKeyAndEndOverlap, [ok(), ok(), unauth.clone(), keys_write.clone(), BeyondScopes, keys_write.clone(), PreviousSecret]),
        (O::RenameOthersKey, [NotFound, NotFound, unauth.clone(), keys_write.clone(), NotFound, keys_write.clone(), PreviousSecret]),
        (O::DeleteOthersKey, [NotFound, NotFound, unauth.clone(), keys_write.clone(), NotFound, keys_write.clone(), PreviousSecret]),
        (O::DisableOthersKey, [NotFound, NotFound, unauth.clone(), keys_write.clone(), NotFound, keys_write.clone(), PreviousSecret]),
        (O::RollOthersKey, [NotFound, NotFound, unauth.clone(), keys_write.clone(), NotFound, keys_write.clone(), PreviousSecret]),
        (O::GetOthersKey, [NotFound, NotFound, unauth.clone(), NotFound, keys_read.clone(), keys_read.clone(), NotFound]),
        (O::GetOwnKeyUsage, [ok(), ok(), unauth.clone(), ok(), keys_read.clone(), keys_read.clone(), ok()]),
        (O::GetOthersKeyUsage, [NotFound, NotFound, unauth.clone(), NotFound, keys_read.clone(), keys_read.clone(), NotFound]),
        // Before the key policy row below shortens the acting key (the spare keys never
        // expire). An administrator's full-access key would lose users:write under robot's role.
        (O::TransferOwnKey, [BeyondScopes, ok(), unauth.clone(), keys_write.clone(), BeyondScopes, keys_write.clone(), PreviousSecret]),
        (O::TransferColleaguesKey, [ok(), NotFound, unauth.clone(), keys_write.clone(), BeyondScopes, keys_write.clone(), PreviousSecret]),
        (O::ListUsers, [org(), Allowed("alice".into()), unauth.clone(), org(), users_read.clone(), org(), org()]),
        (O::GetSelf, [ok(), ok(), unauth.clone(), ok(), users_read.clone(), ok(), ok()]),
        (O::GetColleague, [ok(), NotFound, unauth.clone(), ok(), users_read.clone(), ok(), ok()]),
        (O::GetStranger, [NotFound, NotFound, unauth.clone(), NotFound, users_read.clone(), NotFound, NotFound]),
        (O::CreateUser, [ok(), Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), ok(), ok()]),
        // Carol is promoted to administrator.
        (O::UpdateColleague, [ok(), Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), BeyondAccount, BeyondAccount]),
        (O::UpdateSelf, [Conflict, Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), Conflict, Conflict]),
        (O::UpdateStranger, [NotFound, Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), BeyondAccount, BeyondAccount]),
        (O::CreateAdministrator, [ok(), Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), BeyondAccount, BeyondAccount]),
        // Disabling is allowed to a users:write key; enabling again is not.
        (O::DisableAndEnableColleague, [ok(), Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), BeyondAccount, BeyondAccount]),
        (O::ListActivity, [ok(), ok(), unauth.clone(), ok(), activity.clone(), activity, ok()]),
        (O::ListSessions, [ok(), ok(), unauth.clone(), security.clone(), security.clone(), security.clone(), ok()]),
        (O::EndStrangersSession, [NotFound, NotFound, unauth.clone(), security.clone(), security.clone(), security.clone(), NotFound]),
        (O::ReadKeyPolicy, [ok(), ok(), unauth.clone(), ok(), users_read.clone(), ok(), ok()]),
        (O::SetKeyPolicy, [ok(), Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), ok(), ok()]),
        (O::ChangePasswordWrongly, [Forbidden, Forbidden, unauth.clone(), security.clone(), security.clone(), security, Forbidden]),
        // The organization's service account `robot`, which alice manages.
        // It shows keys and their addresses: api_keys:read, an administrator's.
        (O::OffboardingOfColleague, [ok(), NotFound, unauth.clone(), ok(), keys_read.clone(), keys_read.clone(), ok()]),
        (O::ListServiceAccounts, [one(), one(), unauth.clone(), one(), users_read.clone(), one(), one()]),
        (O::GetServiceAccount, [ok(), ok(), unauth.clone(), ok(), users_read, ok(), ok()]),
        (O::CreateServiceAccount, [ok(), Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), ok(), ok()]),
        (O::CreateAdministratorServiceAccount, [ok(), Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), BeyondAccount, BeyondAccount]),
        (O::UpdateServiceAccount, [ok(), Forbidden, unauth.clone(), users_write.clone(), users_write.clone(), ok(), ok()]),
        (O::DeleteServiceAccount, [ok(), Forbidden, unauth, users_write.clone(), users_write, ok(), ok()]),
    ]
}

/// The operation (its OpenAPI `operationId`) a row's refusal for a missing scope comes from.
fn operation_id(operation: Operation) -> &'static str {
    use Operation as O;
    match operation {
        O::Me => "getMe",
        O::ListKeys => "listApiKeys",
        O::GetOwnKey | O::GetOthersKey => "getApiKey",
        O::GetOwnKeyUsage | O::GetOthersKeyUsage => "getApiKeyUsage",
        O::CreateKey | O::CreateExpiringKey => "createApiKey",
        O::RenameOwnKey | O::DisableAndEnableOwnKey | O::RenameOthersKey | O::DisableOthersKey => "updateApiKey",
        O::DeleteOwnKey | O::DeleteOthersKey => "deleteApiKey",
        O::RollOwnKeyAndEndOverlap | O::RollOthersKey => "rollApiKey",
        O::ListUsers => "listUsers",
        O::GetSelf | O::GetColleague | O::GetStranger => "getUser",
        O::CreateUser | O::CreateAdministrator => "createUser",
        O::UpdateColleague | O::UpdateSelf | O::UpdateStranger | O::DisableAndEnableColleague => "updateUser",
        O::ListActivity => "listActivity",
        O::ListSessions => "listSessions",
        O::EndStrangersSession => "endSession",
        O::ReadKeyPolicy => "getOrganization",
        O::SetKeyPolicy => "updateOrganization",
        O::ChangePasswordWrongly => "changePassword",
        O::OffboardingOfColleague => "getUserOffboarding",
        O::ListServiceAccounts => "listServiceAccounts",
        O::GetServiceAccount => "getServiceAccount",
        O::CreateServiceAccount | O::CreateAdministratorServiceAccount => "createServiceAccount",
        O::UpdateServiceAccount => "updateServiceAccount",
        O::DeleteServiceAccount => "deleteServiceAccount",
        O::TransferOwnKey | O::TransferColleaguesKey => "transferApiKey",
    }
}

/// One column's world: an organization (admin, alice, carol, dave), a stranger in another
/// organization, and the actor signed in and holding a key.
struct World {
    server: TestServer,
    actor: User,
    browser: Browser,
    key: String,
    own_key_id: String,
    carol: User,
    carols_key_id: String,
    stranger: User,
    strangers_session_id: sesame_core::model::SessionId,
    /// The organization's service account, managed by alice.
    robot: String,
}

async fn world(actor: Actor) -> World {
    // The disabled administrator's key is refused on every row: more rows than the default
    // burst of failed authentications an address gets before it waits.
    let throttles = sesame_core::throttle::ThrottleSettings { failed_auth_burst: 100, ..Default::default() };
    let server = TestServer::start_with_settings(sesame_core::Settings { throttles, ..Default::default() }).await;
    let admin = server.create_user("admin", Role::Admin).await;
    let alice = server.create_user("alice", Role::User).await;
    let alice_id = alice.id;
    let carol = server.create_user("carol", Role::User).await;
    let dave = server.create_user("dave", Role::Admin).await;
    let stranger = server.create_user_in("stranger", "Globex", Role::Admin).await;
    let scopes = match actor {
        Actor::ReadOnlyKey => Scopes::read_only(),
        Actor::KeysWriteKey => Scopes::from_list(Some(&[Permission::ApiKeysWrite])).unwrap(),
        Actor::UsersWriteKey => Scopes::from_list(Some(&[Permission::UsersRead, Permission::UsersWrite])).unwrap(),
        Actor::Admin | Actor::User | Actor::DisabledAdmin | Actor::PreviousSecret => Scopes::Full,
    };
    let rolled = actor == Actor::PreviousSecret;
    let actor = match actor {
        Actor::Admin | Actor::ReadOnlyKey | Actor::KeysWriteKey | Actor::UsersWriteKey | Actor::PreviousSecret => admin.clone(),
        Actor::User => alice,
        Actor::DisabledAdmin => dave,
    };
    let browser = server.browser(&actor.username).await;
    let new_key = NewKey { name: Some("own"), expires_at: None, scopes: scopes.to_list(), ..NewKey::default() };
    let created = server.services.keys.create(&as_operator(&actor), new_key).await.unwrap();
    let (own, secret) = (created.key, created.secret);
    if rolled {
        // The column acts with the secret the roll replaced, during the overlap.
        let overlap = sesame_core::keys::Roll::grace(chrono::TimeDelta::hours(1));
        server.services.keys.roll(&as_operator(&actor), own.id, overlap).await.unwrap();
    }
    let (carols, _) = server.generate_key(&carol, Some("carols")).await;
    let robot = NewServiceAccount { name: "robot".into(), description: String::new(), role: Role::User, managers: vec![alice_id] };
    let robot = server.services.service_accounts.create(&as_operator(&admin), robot).await.unwrap().id.to_string();
    let password = sesame_core::password::Password::new(support::PASSWORD);
    server.services.accounts.log_in("stranger", &password, &Default::default(), None).await.unwrap();
    let strangers_session_id = server.services.security.sessions(&as_operator(&stranger)).await.unwrap().remove(0).id;
    if actor.username == "dave" {
        // Disabled after signing in and making a key: both must stop working.
        server.services.users.update(&as_operator(&admin), actor.id, disable()).await.unwrap();
    }
    World {
        key: secret.expose().to_owned(),
        own_key_id: own.id.to_string(),
        carols_key_id: carols.id.to_string(),
        server,
        actor,
        browser,
        carol,
        stranger,
        strangers_session_id,
        robot,
    }
}

fn disable() -> sesame_core::model::UserChange {
    sesame_core::model::UserChange { role: None, status: Some(sesame_core::model::Status::Disabled) }
}

/// `user` acting through the operator's command line: reads what storage holds, with no
/// boundary of its own in the way.
fn as_operator(user: &User) -> sesame_core::actor::Actor {
    sesame_core::actor::Actor::command_line(user.clone())
}

fn outcome_of_status(status: StatusCode) -> Outcome {
    match status {
        StatusCode::UNAUTHORIZED => Unauthenticated,
        // Told apart from `insufficient_scope` by the body (see `outcome`).
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::NOT_FOUND => NotFound,
        StatusCode::CONFLICT => Conflict,
        status if status.is_success() => ok(),
        other => panic!("unexpected status {other}"),
    }
}

/// Lists report what they saw, so "allowed" also means "saw the same things".
async fn outcome(response: Response, list: Option<&str>) -> Outcome {
    let status = response.status();
    let outcome = outcome_of_status(status);
    if status == StatusCode::FORBIDDEN {
        let challenge = response.headers().get("www-authenticate").map(|value| value.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap();
        match body["errors"][0]["code"].as_str() {
            Some("insufficient_scope") => {}
            Some("scope_exceeds_key") => return BeyondScopes,
            Some("account_exceeds_key") => return BeyondAccount,
            Some("previous_secret_not_allowed") => return PreviousSecret,
            // The console's answer: the code as the server sent it.
            _ if body["Server"] == "ScopeExceedsKey" => return BeyondScopes,
            _ => return Forbidden,
        }
        let required = body["errors"][0]["context"]["required"][0].as_str().unwrap();
        let permission = Permission::ALL.into_iter().find(|permission| permission.as_str() == required).unwrap().as_str();
        let challenge = challenge.expect("a WWW-Authenticate challenge for insufficient_scope");
        assert!(challenge.contains(r#"error="insufficient_scope""#) && challenge.contains(&format!(r#"scope="{permission}""#)), "{challenge}");
        return OutOfScope(permission);
    }
    let (Some(kind), Allowed(_)) = (list, &outcome) else { return outcome };
    let body: Value = response.json().await.unwrap();
    let items = match kind {
        "rest" => body["data"].as_array().unwrap().clone(),
        "users" => body["users"].as_array().unwrap().clone(),
        "accounts" => body["accounts"].as_array().unwrap().clone(),
        _ => body.as_array().unwrap().clone(),
    };
    if items.first().is_some_and(|item| item.get("username").is_some()) {
        let names: Vec<&str> = items.iter().map(|item| item["username"].as_str().unwrap()).collect();
        Allowed(names.join(","))
    } else {
        Allowed(items.len().to_string())
    }
}

async fn rest(world: &World, method: Method, path: &str, body: Option<Value>) -> Response {
    let mut request = Client::new()
        .request(method, world.server.url(&format!("/api/v1{path}")))
        .header("MC-Api-Key", &world.key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

fn new_colleague() -> Value {
    json!({"fullName": "Erin Example", "username": "erin", "email": "erin@example.com", "role": "user", "password": support::PASSWORD})
}

async fn by_key(world: &World, operation: Operation) -> Outcome {
    use Operation as O;
    let own = &world.own_key_id;
    let carols = &world.carols_key_id;
    let rename = || Some(json!({"name": "renamed"}));
    let role = || Some(json!({"role": "admin"}));
    match operation {
        O::Me => outcome(rest(world, Method::GET, "/me", None).await, None).await,
        O::ListKeys => outcome(rest(world, Method::GET, "/api_keys", None).await, Some("rest")).await,
        O::GetOwnKey => outcome(rest(world, Method::GET, &format!("/api_keys/{own}"), None).await, None).await,
        O::GetOthersKey => outcome(rest(world, Method::GET, &format!("/api_keys/{carols}"), None).await, None).await,
        O::GetOwnKeyUsage => outcome(rest(world, Method::GET, &format!("/api_keys/{own}/usage"), None).await, None).await,
        O::GetOthersKeyUsage => outcome(rest(world, Method::GET, &format!("/api_keys/{carols}/usage"), None).await, None).await,
        O::CreateKey => outcome(rest(world, Method::POST, "/api_keys", Some(json!({"name": "new"}))).await, None).await,
        O::CreateExpiringKey => {
            let body = json!({"name": "weekly", "expiresAt": next_week(world)});
            outcome(rest(world, Method::POST, "/api_keys", Some(body)).await, None).await
        }
        O::RenameOwnKey => outcome(rest(world, Method::PATCH, &format!("/api_keys/{own}"), rename()).await, None).await,
        // Disabling the key in use would end the column: another own key is disabled instead.
        O::DisableAndEnableOwnKey => {
            let path = format!("/api_keys/{}", own_spare_key(world).await);
            let disabled = outcome(rest(world, Method::PATCH, &path, Some(json!({"status": "disabled"}))).await, None).await;
            let enabled = outcome(rest(world, Method::PATCH, &path, Some(json!({"status": "active"}))).await, None).await;
            both(disabled, enabled)
        }
        O::DisableOthersKey => {
            let body = Some(json!({"status": "disabled"}));
            outcome(rest(world, Method::PATCH, &format!("/api_keys/{carols}"), body).await, None).await
        }
        O::RollOwnKeyAndEndOverlap => {
            let id = own_spare_key(world).await;
            let body = Some(json!({"gracePeriodSeconds": 3600}));
            let rolled = outcome(rest(world, Method::POST, &format!("/api_keys/{id}/roll"), body).await, None).await;
            let ended = outcome(rest(world, Method::DELETE, &format!("/api_keys/{id}/previous_secret"), None).await, None).await;
            both(rolled, ended)
        }
        O::RollOthersKey => {
            let body = Some(json!({"gracePeriodSeconds": 0}));
            outcome(rest(world, Method::POST, &format!("/api_keys/{carols}/roll"), body).await, None).await
        }
        // Deleting the key in use would end the column: another own key is deleted instead.
        O::DeleteOwnKey => {
            let id = own_spare_key(world).await;
            outcome(rest(world, Method::DELETE, &format!("/api_keys/{id}"), None).await, None).await
        }
        O::RenameOthersKey => outcome(rest(world, Method::PATCH, &format!("/api_keys/{carols}"), rename()).await, None).await,
        O::DeleteOthersKey => outcome(rest(world, Method::DELETE, &format!("/api_keys/{carols}"), None).await, None).await,
        O::ListUsers => outcome(rest(world, Method::GET, "/users", None).await, Some("rest")).await,
        O::GetSelf => outcome(rest(world, Method::GET, &format!("/users/{}", world.actor.id), None).await, None).await,
        O::GetColleague => outcome(rest(world, Method::GET, &format!("/users/{}", world.carol.id), None).await, None).await,
        O::GetStranger => outcome(rest(world, Method::GET, &format!("/users/{}", world.stranger.id), None).await, None).await,
        O::CreateUser => outcome(rest(world, Method::POST, "/users", Some(new_colleague())).await, None).await,
        O::UpdateColleague => outcome(rest(world, Method::PATCH, &format!("/users/{}", world.carol.id), role()).await, None).await,
        O::UpdateSelf => outcome(rest(world, Method::PATCH, &format!("/users/{}", world.actor.id), role()).await, None).await,
        O::UpdateStranger => outcome(rest(world, Method::PATCH, &format!("/users/{}", world.stranger.id), role()).await, None).await,
        O::CreateAdministrator => {
            let body = json!({"fullName": "Frank Example", "username": "frank", "email": "frank@example.com", "role": "admin", "password": support::PASSWORD});
            outcome(rest(world, Method::POST, "/users", Some(body)).await, None).await
        }
        O::DisableAndEnableColleague => {
            let path = format!("/users/{}", world.carol.id);
            let disabled = outcome(rest(world, Method::PATCH, &path, Some(json!({"status": "disabled"}))).await, None).await;
            let enabled = outcome(rest(world, Method::PATCH, &path, Some(json!({"status": "active"}))).await, None).await;
            both(disabled, enabled)
        }
        O::ListActivity => outcome(rest(world, Method::GET, "/activity", None).await, None).await,
        O::ListSessions => outcome(rest(world, Method::GET, "/me/sessions", None).await, None).await,
        O::EndStrangersSession => {
            outcome(rest(world, Method::DELETE, &format!("/me/sessions/{}", world.strangers_session_id), None).await, None).await
        }
        O::ReadKeyPolicy => outcome(rest(world, Method::GET, "/organization", None).await, None).await,
        O::SetKeyPolicy => {
            let body = Some(json!({"maxKeyLifetimeDays": 365}));
            outcome(rest(world, Method::PATCH, "/organization", body).await, None).await
        }
        O::ChangePasswordWrongly => {
            let body = json!({"currentPassword": "not the password", "newPassword": "whatever it is"});
            outcome(rest(world, Method::POST, "/me/password", Some(body)).await, None).await
        }
        O::OffboardingOfColleague => outcome(rest(world, Method::GET, &format!("/users/{}/offboarding", world.carol.id), None).await, None).await,
        O::ListServiceAccounts => outcome(rest(world, Method::GET, "/service_accounts", None).await, Some("rest")).await,
        O::GetServiceAccount => outcome(rest(world, Method::GET, &format!("/service_accounts/{}", world.robot), None).await, None).await,
        O::CreateServiceAccount => {
            let body = json!({"name": "nightly", "role": "user", "managers": [world.carol.id]});
            outcome(rest(world, Method::POST, "/service_accounts", Some(body)).await, None).await
        }
        O::CreateAdministratorServiceAccount => {
            let body = json!({"name": "root-robot", "role": "admin", "managers": [world.carol.id]});
            outcome(rest(world, Method::POST, "/service_accounts", Some(body)).await, None).await
        }
        O::UpdateServiceAccount => {
            let body = Some(json!({"description": "Deploys"}));
            outcome(rest(world, Method::PATCH, &format!("/service_accounts/{}", world.robot), body).await, None).await
        }
        O::DeleteServiceAccount => outcome(rest(world, Method::DELETE, &format!("/service_accounts/{}", world.robot), None).await, None).await,
        O::TransferOwnKey | O::TransferColleaguesKey => {
            let id = spare_key_for(world, operation).await;
            let body = Some(json!({"ownerId": world.robot}));
            outcome(rest(world, Method::POST, &format!("/api_keys/{id}/transfer"), body).await, None).await
        }
    }
}

async fn by_session(world: &World, operation: Operation) -> Outcome {
    use Operation as O;
    let b = &world.browser;
    let own = &world.own_key_id;
    let carols = &world.carols_key_id;
    let role = json!({"role": "admin", "status": null});
    match operation {
        // Loading the console is how a session learns who it is; none means signed out.
        O::Me => {
            let response = b.call::<LoadSession>(&json!({})).await;
            assert_eq!(response.status(), StatusCode::OK);
            let state: Value = response.json().await.unwrap();
            if state["me"].is_null() { Unauthenticated } else { ok() }
        }
        O::ListKeys => outcome(b.call::<ListApiKeys>(&json!({})).await, Some("fn")).await,
        O::GetOwnKey => outcome(b.call::<GetApiKey>(&json!({"id": own})).await, None).await,
        O::GetOthersKey => outcome(b.call::<GetApiKey>(&json!({"id": carols})).await, None).await,
        O::GetOwnKeyUsage => outcome(b.call::<ApiKeyUsage>(&json!({"id": own, "range": "Day"})).await, None).await,
        O::GetOthersKeyUsage => outcome(b.call::<ApiKeyUsage>(&json!({"id": carols, "range": "Day"})).await, None).await,
        O::CreateKey => outcome(b.call::<GenerateApiKey>(&json!({"name": "new"})).await, None).await,
        O::CreateExpiringKey => {
            outcome(b.call::<GenerateApiKey>(&json!({"name": "weekly", "expires_at": next_week(world)})).await, None).await
        }
        O::RenameOwnKey => outcome(b.call::<UpdateApiKey>(&json!({"id": own, "name": "renamed"})).await, None).await,
        O::DisableAndEnableOwnKey => {
            let id = own_spare_key(world).await;
            let disabled = outcome(b.call::<UpdateApiKey>(&json!({"id": id, "status": "disabled"})).await, None).await;
            let enabled = outcome(b.call::<UpdateApiKey>(&json!({"id": id, "status": "active"})).await, None).await;
            both(disabled, enabled)
        }
        O::DisableOthersKey => outcome(b.call::<UpdateApiKey>(&json!({"id": carols, "status": "disabled"})).await, None).await,
        O::RollOwnKeyAndEndOverlap => {
            let id = own_spare_key(world).await;
            let rolled = outcome(b.call::<RollApiKey>(&json!({"id": id, "grace_seconds": 3600})).await, None).await;
            let ended = outcome(b.call::<EndApiKeyOverlap>(&json!({"id": id})).await, None).await;
            both(rolled, ended)
        }
        O::RollOthersKey => outcome(b.call::<RollApiKey>(&json!({"id": carols, "grace_seconds": 0})).await, None).await,
        O::DeleteOwnKey => {
            let id = own_spare_key(world).await;
            outcome(b.call::<DeleteApiKey>(&json!({"id": id})).await, None).await
        }
        O::RenameOthersKey => outcome(b.call::<UpdateApiKey>(&json!({"id": carols, "name": "renamed"})).await, None).await,
        O::DeleteOthersKey => outcome(b.call::<DeleteApiKey>(&json!({"id": carols})).await, None).await,
        O::ListUsers => outcome(b.call::<ListUsers>(&json!({"page": 1, "page_size": 100})).await, Some("users")).await,
        O::GetSelf => outcome(b.call::<GetUser>(&json!({"id": world.actor.id})).await, None).await,
        O::GetColleague => outcome(b.call::<GetUser>(&json!({"id": world.carol.id})).await, None).await,
        O::GetStranger => outcome(b.call::<GetUser>(&json!({"id": world.stranger.id})).await, None).await,
        O::CreateUser => {
            let form = json!({"full_name": "Erin Example", "username": "erin", "email": "erin@example.com", "role": "user", "password": support::PASSWORD});
            outcome(b.call::<CreateUser>(&json!({"form": form})).await, None).await
        }
        O::UpdateColleague => outcome(b.call::<UpdateUser>(&json!({"id": world.carol.id, "update": role})).await, None).await,
        O::UpdateSelf => outcome(b.call::<UpdateUser>(&json!({"id": world.actor.id, "update": role})).await, None).await,
        O::UpdateStranger => outcome(b.call::<UpdateUser>(&json!({"id": world.stranger.id, "update": role})).await, None).await,
        O::CreateAdministrator => {
            let form = json!({"full_name": "Frank Example", "username": "frank", "email": "frank@example.com", "role": "admin", "password": support::PASSWORD});
            outcome(b.call::<CreateUser>(&json!({"form": form})).await, None).await
        }
        O::DisableAndEnableColleague => {
            let (id, disable, enable) = (world.carol.id, json!({"role": null, "status": "disabled"}), json!({"role": null, "status": "active"}));
            let disabled = outcome(b.call::<UpdateUser>(&json!({"id": id, "update": disable})).await, None).await;
            let enabled = outcome(b.call::<UpdateUser>(&json!({"id": id, "update": enable})).await, None).await;
            both(disabled, enabled)
        }
        O::ListActivity => outcome(b.call::<ListActivity>(&json!({"page": 1, "page_size": 100})).await, None).await,
        O::ListSessions => outcome(b.call::<ListSessions>(&json!({})).await, None).await,
        O::EndStrangersSession => outcome(b.call::<EndSession>(&json!({"id": world.strangers_session_id})).await, None).await,
        O::ReadKeyPolicy => outcome(b.call::<GetOrganizationPolicy>(&json!({})).await, None).await,
        O::SetKeyPolicy => outcome(b.call::<SetKeyLifetimePolicy>(&json!({"max_key_lifetime_days": 365})).await, None).await,
        O::ChangePasswordWrongly => {
            let change = json!({"change": {"current": "not the password", "new": "whatever it is"}});
            outcome(b.call::<ChangePassword>(&change).await, None).await
        }
        O::OffboardingOfColleague => outcome(b.call::<UserOffboarding>(&json!({"id": world.carol.id})).await, None).await,
        O::ListServiceAccounts => outcome(b.call::<ListServiceAccounts>(&json!({"page": 1, "page_size": 100})).await, Some("accounts")).await,
        O::GetServiceAccount => outcome(b.call::<GetServiceAccount>(&json!({"id": world.robot})).await, None).await,
        O::CreateServiceAccount => {
            let form = json!({"name": "nightly", "description": "", "role": "user", "managers": [world.carol.id]});
            outcome(b.call::<CreateServiceAccount>(&json!({"form": form})).await, None).await
        }
        O::CreateAdministratorServiceAccount => {
            let form = json!({"name": "root-robot", "description": "", "role": "admin", "managers": [world.carol.id]});
            outcome(b.call::<CreateServiceAccount>(&json!({"form": form})).await, None).await
        }
        O::UpdateServiceAccount => {
            let update = json!({"name": null, "description": "Deploys", "role": null, "managers": null});
            outcome(b.call::<UpdateServiceAccount>(&json!({"id": world.robot, "update": update})).await, None).await
        }
        O::DeleteServiceAccount => outcome(b.call::<DeleteServiceAccount>(&json!({"id": world.robot})).await, None).await,
        O::TransferOwnKey | O::TransferColleaguesKey => {
            let id = spare_key_for(world, operation).await;
            outcome(b.call::<TransferApiKey>(&json!({"id": id, "owner": world.robot})).await, None).await
        }
    }
}

/// Two steps' outcome: the first that was not allowed, else allowed.
fn both(first: Outcome, second: Outcome) -> Outcome {
    if first != ok() { first } else { second }
}

fn next_week(world: &World) -> chrono::DateTime<chrono::Utc> {
    world.server.clock.now() + chrono::TimeDelta::days(7)
}

/// A second key of the actor's, made directly in storage, for the delete and disable rows.
async fn own_spare_key(world: &World) -> String {
    spare_key_of(world, &world.actor).await
}

/// A full-access key of `owner`'s made directly in storage.
async fn spare_key_of(world: &World, owner: &User) -> String {
    let name = sesame_core::names::KeyName::parse(&format!("spare-{}", sesame_core::model::ApiKeyId::new_random())).unwrap();
    let hash = sesame_core::key::ApiKeySecret::generate().hash();
    let ids = world.server.services.import_keys(owner, &[(name, hash)]).await.unwrap();
    ids[0].to_string()
}

/// The spare key a transfer row hands over: the actor's own, or carol's.
async fn spare_key_for(world: &World, operation: Operation) -> String {
    match operation {
        Operation::TransferColleaguesKey => spare_key_of(world, &world.carol).await,
        _ => own_spare_key(world).await,
    }
}

async fn column(actor: Actor, via: Via) -> Vec<Outcome> {
    let world = world(actor).await;
    let mut outcomes = Vec::new();
    for (operation, _) in expected() {
        outcomes.push(match via {
            Via::Session => by_session(&world, operation).await,
            Via::Key => by_key(&world, operation).await,
        });
    }
    // Whatever was refused changed nothing: Carol's key, the stranger and their session are
    // as they were.
    let services = &world.server.services;
    // (Spare keys of hers that a transfer row was refused stay hers too.)
    let carols_keys = services.keys.list(&as_operator(&world.carol)).await.unwrap();
    let carols_own: Vec<&str> = carols_keys.iter().map(|k| k.name.as_str()).filter(|name| !name.starts_with("spare-")).collect();
    assert_eq!(carols_own, ["carols"], "{actor:?} {via:?}");
    let stranger = services.users.get(&as_operator(&world.stranger), world.stranger.id).await.unwrap();
    assert_eq!(stranger, world.stranger, "{actor:?} {via:?}");
    let sessions = services.security.sessions(&as_operator(&world.stranger)).await.unwrap();
    assert_eq!(sessions.len(), 1, "{actor:?} {via:?}");
    outcomes
}

#[tokio::test]
async fn every_operation_by_every_kind_of_actor_through_both_channels() {
    let table = expected();
    let mut failures = Vec::new();
    for (index, actor) in [Actor::Admin, Actor::User, Actor::DisabledAdmin].into_iter().enumerate() {
        let (by_session, by_key) = tokio::join!(column(actor, Via::Session), column(actor, Via::Key));
        for (row, (operation, outcomes)) in table.iter().enumerate() {
            let wanted = &outcomes[index];
            if by_session[row] != by_key[row] || &by_session[row] != wanted {
                failures.push(format!(
                    "{operation:?} by {actor:?}: session {:?}, key {:?}, expected {wanted:?}",
                    by_session[row], by_key[row]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[tokio::test]
async fn scoped_keys_do_what_their_scopes_allow_and_the_document_names_what_they_lack() {
    let table = expected();
    let document = TestServer::start().await;
    let openapi: Value = Client::new().get(document.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let documented = |operation_id: &str| -> Option<String> {
        let operation = openapi["paths"].as_object().unwrap().values().flat_map(|item| item.as_object().unwrap().values()).find(|op| op["operationId"] == operation_id)?;
        operation["security"][0]["MC-Api-Key"][0].as_str().map(str::to_owned)
    };
    let mut failures = Vec::new();
    for (index, actor) in [(3, Actor::ReadOnlyKey), (4, Actor::KeysWriteKey), (5, Actor::UsersWriteKey), (6, Actor::PreviousSecret)] {
        let by_key = column(actor, Via::Key).await;
        for (row, (operation, outcomes)) in table.iter().enumerate() {
            let wanted = &outcomes[index];
            if &by_key[row] != wanted {
                failures.push(format!("{operation:?} by {actor:?}: {:?}, expected {wanted:?}", by_key[row]));
            }
            if let OutOfScope(permission) = &by_key[row] {
                let in_document = documented(operation_id(*operation));
                if in_document.as_deref() != Some(*permission) {
                    failures.push(format!("{operation:?}: refused for {permission}, the document says {in_document:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
