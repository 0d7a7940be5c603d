//! The activity log records every kind of event with its actor, address and user agent,
//! through the console and through the API; readers see what the rules allow. The Security
//! section: password change and sessions.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use sesame_core::{model::{EventKind, Role}, throttle::ThrottleSettings};
use sesame_api::functions::{
    ChangePassword, CreateServiceAccount, CreateUser, DeleteApiKey, DeleteServiceAccount, EndApiKeyOverlap, SetApiKeyRestrictions, SetApiKeyScopes,
    EndOtherSessions, EndSession, GenerateApiKey, ListActivity, ListApiKeys, ListSessions, LogOut, RollApiKey, SetKeyLifetimePolicy, TransferApiKey,
    UpdateApiKey, UpdateServiceAccount, UpdateUser,
};
use support::{Browser, TestServer, PASSWORD};

const CONSOLE_IP: &str = "192.0.2.10";
const GUESSER_IP: &str = "203.0.113.66";
const SCRIPT_IP: &str = "198.51.100.20";

async fn rest(server: &TestServer, key: &str, method: Method, path: &str, body: Option<Value>) -> Response {
    let mut request = Client::new()
        .request(method, server.url(path))
        .header("MC-Api-Key", key)
        .header("x-forwarded-for", SCRIPT_IP)
        .header("user-agent", "deploy-script/1.0");
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn ok(response: Response) -> Value {
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

/// (event, actor, subject, ip) for every event the key may read.
async fn activity(server: &TestServer, key: &str) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
    let body = ok(rest(server, key, Method::GET, "/api/v1/activity?page_size=500", None).await).await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |field: &str| e[field].as_str().map(str::to_owned);
            (text("event").unwrap(), text("actor"), text("subject"), text("ip"))
        })
        .collect()
}

#[tokio::test]
async fn every_event_is_recorded_with_its_actor_and_address_through_both_channels() {
    let server = TestServer::start_with_throttles(ThrottleSettings::default()).await;
    let ada = server.create_user("ada", Role::Admin).await;
    server.create_user("bob", Role::User).await;
    let (_, secret) = server.generate_key(&ada, Some("ada-script")).await;
    let ada_key = secret.expose().to_owned();
    let bob = server.user("bob").await;
    let (_, bob_secret) = server.generate_key(&bob, Some("bob-script")).await;

    // Through the console, from CONSOLE_IP.
    let console = Browser::new(&server);
    assert_eq!(console.log_in_via("ada", PASSWORD, CONSOLE_IP).await.status(), StatusCode::OK);
    assert_eq!(server.log_in_from("bob", "wrong password!", GUESSER_IP).await.status(), StatusCode::UNAUTHORIZED);
    let key = ok(console.call_via::<GenerateApiKey>(&json!({"name": "console-key"}), CONSOLE_IP).await).await;
    let id = key["id"].as_str().unwrap().to_owned();
    ok(console.call_via::<UpdateApiKey>(&json!({"id": id, "name": "renamed"}), CONSOLE_IP).await).await;
    for status in ["disabled", "active"] {
        ok(console.call_via::<UpdateApiKey>(&json!({"id": id, "status": status}), CONSOLE_IP).await).await;
    }
    ok(console.call_via::<RollApiKey>(&json!({"id": id, "grace_seconds": 3600}), CONSOLE_IP).await).await;
    ok(console.call_via::<EndApiKeyOverlap>(&json!({"id": id}), CONSOLE_IP).await).await;
    ok(console.call_via::<SetApiKeyScopes>(&json!({"id": id, "scopes": ["me:read"]}), CONSOLE_IP).await).await;
    let restrictions = json!({"id": id, "allowed_addresses": ["198.51.100.0/24"], "rate_limit": {"requests": 5, "per": "second"}});
    ok(console.call_via::<SetApiKeyRestrictions>(&restrictions, CONSOLE_IP).await).await;
    ok(console.call_via::<DeleteApiKey>(&json!({"id": id}), CONSOLE_IP).await).await;
    let form = json!({"full_name": "Carol", "username": "carol", "email": "carol@example.com", "role": "user", "password": PASSWORD});
    let carol = ok(console.call_via::<CreateUser>(&json!({"form": form}), CONSOLE_IP).await).await;
    let carol_id = carol["id"].as_str().unwrap().to_owned();
    for update in [json!({"role": "admin"}), json!({"status": "disabled"}), json!({"status": "active"})] {
        ok(console.call_via::<UpdateUser>(&json!({"id": carol_id, "update": update}), CONSOLE_IP).await).await;
    }
    // A service account bob manages; ada's key handed over to it, then the account deleted.
    let robot = json!({"name": "robot", "description": "", "role": "admin", "managers": [bob.id]});
    let robot = ok(console.call_via::<CreateServiceAccount>(&json!({"form": robot}), CONSOLE_IP).await).await;
    let robot_id = robot["id"].as_str().unwrap().to_owned();
    let described = json!({"name": null, "description": "Deploys", "role": null, "managers": null});
    ok(console.call_via::<UpdateServiceAccount>(&json!({"id": robot_id, "update": described}), CONSOLE_IP).await).await;
    let handed = ok(console.call_via::<GenerateApiKey>(&json!({"name": "handed-over"}), CONSOLE_IP).await).await;
    ok(console.call_via::<TransferApiKey>(&json!({"id": handed["id"], "owner": robot_id}), CONSOLE_IP).await).await;
    ok(console.call_via::<DeleteServiceAccount>(&json!({"id": robot_id}), CONSOLE_IP).await).await;
    // A maximum lifetime shortens ada's keys, which never expired.
    ok(console.call_via::<SetKeyLifetimePolicy>(&json!({"max_key_lifetime_days": 365}), CONSOLE_IP).await).await;
    let wrong = json!({"change": {"current": "not my password", "new": "a brand new passphrase"}});
    assert_eq!(console.call_via::<ChangePassword>(&wrong, CONSOLE_IP).await.status(), StatusCode::FORBIDDEN);
    let change = json!({"change": {"current": PASSWORD, "new": "a brand new passphrase"}});
    ok(console.call_via::<ChangePassword>(&change, CONSOLE_IP).await).await;
    ok(console.call_via::<LogOut>(&json!({}), CONSOLE_IP).await).await;

    let by_console = activity(&server, &ada_key).await;
    let kinds: BTreeSet<&str> = by_console.iter().map(|e| e.0.as_str()).collect();
    // Events that API traffic causes, not a person in the console: a key reported as leaked
    // (tests/revoking_leaked_keys.rs), a previous secret still in use (core key_lifetime.rs),
    // a key used from a new address (core key_addresses.rs), a reminder that a key expires
    // soon (core key_policy.rs, e_mail_notices.rs), a request refused for its key's scopes
    // (tests/key_scopes.rs; a console session has every scope), or for its allow-list
    // (tests/key_restrictions.rs); a CI job's token exchanged for a key, or refused
    // (tests/keyless_ci.rs). Trust rules are made, changed and deleted through the REST API
    // only until the console's trust-rule page lands (tests/keyless_ci.rs).
    let not_from_console = [
        EventKind::KeyMinted,
        EventKind::TokenExchangeRefused,
        EventKind::TrustRuleCreated,
        EventKind::TrustRuleChanged,
        EventKind::TrustRuleDeleted,
        EventKind::KeyRevokedAsLeaked,
        EventKind::KeyUsedWithPreviousSecret,
        EventKind::KeyUsedFromNewAddress,
        EventKind::KeyExpiresSoon,
        EventKind::KeyOutOfScope,
        EventKind::KeyAddressNotAllowed,
    ];
    let all: BTreeSet<&str> =
        EventKind::ALL.iter().filter(|k| !not_from_console.contains(k)).map(|k| k.as_str()).collect();
    assert_eq!(kinds, all, "every kind of event, from the console alone");
    for (event, actor, subject, ip) in &by_console {
        if event == "login_failed" {
            assert_eq!((actor.as_deref(), subject.as_deref(), ip.as_deref()), (None, Some("bob"), Some(GUESSER_IP)));
        } else {
            assert_eq!((actor.as_deref(), ip.as_deref()), (Some("ada"), Some(CONSOLE_IP)), "{event}");
        }
    }
    // Newest first: the logout is on top.
    assert_eq!(by_console[0].0, "logout");

    // Through the API, from SCRIPT_IP: the same events, the same actor, the script's address.
    let created = ok(rest(&server, &ada_key, Method::POST, "/api/v1/api_keys", Some(json!({"name": "api-key"}))).await).await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    // Renamed and disabled in one change: two events.
    let both = json!({"name": "api-renamed", "status": "disabled"});
    ok(rest(&server, &ada_key, Method::PATCH, &format!("/api/v1/api_keys/{id}"), Some(both)).await).await;
    ok(rest(&server, &ada_key, Method::DELETE, &format!("/api/v1/api_keys/{id}"), None).await).await;
    let dave = ok(rest(&server, &ada_key, Method::POST, "/api/v1/users", Some(json!({"username": "dave", "email": "d@example.com", "fullName": "Dave", "role": "user", "password": PASSWORD}))).await).await;
    let dave_id = dave["data"]["id"].as_str().unwrap().to_owned();
    ok(rest(&server, &ada_key, Method::PATCH, &format!("/api/v1/users/{dave_id}"), Some(json!({"role": "admin", "status": "disabled"}))).await).await;
    ok(rest(&server, &ada_key, Method::POST, "/api/v1/me/password", Some(json!({"currentPassword": "a brand new passphrase", "newPassword": "another passphrase!"}))).await).await;

    let from_script: BTreeMap<String, usize> = activity(&server, &ada_key)
        .await
        .into_iter()
        .filter(|(_, actor, _, ip)| actor.as_deref() == Some("ada") && ip.as_deref() == Some(SCRIPT_IP))
        .fold(BTreeMap::new(), |mut counts, (event, ..)| {
            *counts.entry(event).or_default() += 1;
            counts
        });
    let expected: BTreeMap<String, usize> = [
        "key_created", "key_renamed", "key_disabled", "key_deleted", "user_created", "user_role_changed", "user_disabled", "password_changed",
    ]
    .into_iter()
    .map(|event| (event.to_owned(), 1))
    .collect();
    assert_eq!(from_script, expected);

    // A user sees only what they did or what concerns them: here, the failed login on their
    // account and the policy shortening their key. Never the administrator's own doings.
    let bobs = activity(&server, bob_secret.expose()).await;
    let shortened = ("key_shortened_by_policy".to_owned(), Some("ada".to_owned()), Some("bob".to_owned()), Some(CONSOLE_IP.to_owned()));
    let failed = ("login_failed".to_owned(), None, Some("bob".to_owned()), Some(GUESSER_IP.to_owned()));
    assert_eq!(bobs, vec![shortened, failed]);
    // The console's list is the same log: Bob signed in sees the same one event, with the
    // guesser's user agent recorded; signed out, nothing.
    let bob_console = Browser::new(&server);
    bob_console.log_in_via("bob", PASSWORD, CONSOLE_IP).await;
    let page = ok(bob_console.call::<ListActivity>(&json!({"page": 1, "page_size": 10})).await).await;
    let events: Vec<&str> = page["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["login_succeeded", "key_shortened_by_policy", "login_failed"]);
    assert_eq!(page["events"][2]["userAgent"], "sesame-tests");
    let anonymous = Browser::new(&server).call::<ListActivity>(&json!({"page": 1, "page_size": 10})).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_the_password_asks_the_current_one_and_ends_the_other_sessions() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    let laptop = server.browser("alice").await;
    let phone = server.browser("alice").await;
    let new = "a brand new passphrase";

    let wrong = laptop.call::<ChangePassword>(&json!({"change": {"current": "not it at all", "new": new}})).await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong.json::<Value>().await.unwrap(), support::console_error(sesame_api::error::ErrorCode::Forbidden(sesame_api::error::Forbidden::WrongCurrentPassword)));
    let short = laptop.call::<ChangePassword>(&json!({"change": {"current": PASSWORD, "new": "short"}})).await;
    assert_eq!(short.json::<Value>().await.unwrap(), json!({"Server": {"InvalidRequest": {"NewPassword": "TooShort"}}}));
    // Neither attempt changed anything.
    assert_eq!(phone.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::OK);

    let changed = laptop.call::<ChangePassword>(&json!({"change": {"current": PASSWORD, "new": new}})).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(laptop.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::OK, "this session stays");
    assert_eq!(phone.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::UNAUTHORIZED, "others end");
    assert_eq!(server.log_in_from("alice", PASSWORD, "192.0.2.1").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.log_in_from("alice", new, "192.0.2.1").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sessions_are_listed_and_signed_out_one_by_one_or_all_others() {
    let server = TestServer::start().await;
    server.create_user("alice", Role::User).await;
    server.create_user("bob", Role::User).await;
    let laptop = server.browser("alice").await;
    let phone = server.browser("alice").await;
    let tablet = server.browser("alice").await;
    let bob = server.browser("bob").await;

    let sessions = ok(laptop.call::<ListSessions>(&json!({})).await).await;
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(sessions.iter().all(|s| s["ip"] == "127.0.0.1" && s.get("token_hash").is_none()));

    // Someone else's session id is not found, and ends nothing.
    let bobs = ok(bob.call::<ListSessions>(&json!({})).await).await;
    let bobs_id = bobs[0]["id"].as_str().unwrap();
    assert_eq!(laptop.call::<EndSession>(&json!({"id": bobs_id})).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(bob.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::OK);

    // The phone's session, seen from the laptop, signed out.
    let phones = ok(phone.call::<ListSessions>(&json!({})).await).await;
    let phone_id = phones.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(laptop.call::<EndSession>(&json!({"id": phone_id})).await.status(), StatusCode::OK);
    assert_eq!(phone.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(tablet.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::OK);

    assert_eq!(ok(laptop.call::<EndOtherSessions>(&json!({})).await).await, json!(1));
    assert_eq!(tablet.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(laptop.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::OK);

    // The same through the API: a key lists the sessions and ends one.
    let alice = server.user("alice").await;
    let (_, secret) = server.generate_key(&alice, None).await;
    let listed = ok(rest(&server, secret.expose(), Method::GET, "/api/v1/me/sessions", None).await).await;
    let id = listed["data"][0]["id"].as_str().unwrap().to_owned();
    let ended = rest(&server, secret.expose(), Method::DELETE, &format!("/api/v1/me/sessions/{id}"), None).await;
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert_eq!(laptop.call::<ListApiKeys>(&json!({})).await.status(), StatusCode::UNAUTHORIZED);
    let again = rest(&server, secret.expose(), Method::DELETE, &format!("/api/v1/me/sessions/{id}"), None).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}
