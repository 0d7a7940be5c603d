//! Keyless CI through HTTP, with a real issuer on an ephemeral port (tests/support/oidc_issuer):
//! a manager trusts the issuer for a service account; a job with no secret trades its signed
//! token at `POST /api/v1/oauth/token` for a key that lives minutes and acts as the account;
//! forged, expired, replayed or misdirected tokens get `invalid_grant` and nothing else, and
//! the account's activity says why; an issuer no rule trusts is never called; deleting a rule
//! ends its keys at once; bad rules are refused with a clear field and change nothing.

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use sesame_core::{clock::Clock, model::Role, throttle::ThrottleSettings, Settings};
use support::{
    api_call, api_get, error_of, json_of, key_of,
    oidc_issuer::{hmac_signed, unsigned, Behaviour, TestIssuer, TestKey},
    TestServer,
};

const MAIN: &str = "refs/heads/main";

fn insecure_issuers() -> Settings {
    Settings { allow_insecure_issuers: true, clock: Clock::adjustable(), ..Settings::default() }
}

/// A server that trusts test issuers, an administrator, a manager `alice`, and the service
/// account `ci-deploy` she manages: (admin's key, alice's key, the account's id).
async fn world(server: &TestServer) -> (String, String, String) {
    server.create_user("admin", Role::Admin).await;
    server.create_user("alice", Role::User).await;
    let (admin_key, alice_key) = (key_of(server, "admin").await, key_of(server, "alice").await);
    let alice = server.user("alice").await.id.to_string();
    let body = json!({"name": "ci-deploy", "role": "user", "managers": [alice]});
    let created = json_of(api_call(server, &admin_key, Method::POST, "/api/v1/service_accounts", Some(body)).await).await;
    (admin_key, alice_key, created["data"]["id"].as_str().unwrap().to_owned())
}

/// Alice's rule, as for a self-managed GitLab: jobs of project 123456 on main, for the
/// server's own URL.
async fn trust_main(server: &TestServer, key: &str, account: &str, issuer: &TestIssuer, extra: Value) -> Value {
    let mut body = json!({"issuer": issuer.url, "provider": "gitlab", "conditions": {"project_id": "123456", "ref": MAIN}});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let made = api_call(server, key, Method::POST, &format!("/api/v1/service_accounts/{account}/trust_rules"), Some(body)).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    json_of(made).await["data"].clone()
}

async fn exchange(server: &TestServer, token: &str, scope: Option<&str>) -> Response {
    let mut form = vec![
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("subject_token", token),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
    ];
    form.extend(scope.map(|scope| ("scope", scope)));
    reqwest::Client::new().post(server.url("/api/v1/oauth/token")).form(&form).send().await.unwrap()
}

/// The OAuth error code of a refused exchange (always 400 here).
async fn refused(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = json_of(response).await;
    assert_eq!(body.as_object().unwrap().len(), 1, "nothing but the code: {body}");
    body["error"].as_str().unwrap().to_owned()
}

/// The details of the organization's events of `kind`, newest first.
async fn details_of(server: &TestServer, admin_key: &str, kind: &str) -> Vec<String> {
    let events = json_of(api_get(server, "/api/v1/activity?pageSize=100", admin_key).await).await;
    events["data"].as_array().unwrap().iter().filter(|event| event["event"] == kind).map(|event| event["detail"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn a_job_trades_its_token_for_a_short_lived_key_of_the_service_account() {
    let server = TestServer::start_with_settings(insecure_issuers()).await;
    let (admin_key, alice_key, account) = world(&server).await;
    let issuer = TestIssuer::start().await;
    let rule = trust_main(&server, &alice_key, &account, &issuer, json!({"scopes": ["me:read", "api_keys:read"]})).await;
    assert_eq!((rule["audience"].as_str(), rule["lifetimeSeconds"].as_i64(), rule["provider"].as_str()), (Some(server.url("").as_str()), Some(900), Some("gitlab")));

    let token = issuer.token(&issuer.github_claims(&server.url(""), MAIN));
    let answer = exchange(&server, &token, None).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let answer = json_of(answer).await;
    assert_eq!((answer["token_type"].as_str(), answer["issued_token_type"].as_str()), (Some("Bearer"), Some("urn:ietf:params:oauth:token-type:access_token")));
    assert_eq!(answer["scope"], "me:read api_keys:read");
    let expires_in = answer["expires_in"].as_i64().unwrap();
    assert!((880..=900).contains(&expires_in), "{expires_in}");
    assert!(answer.get("refresh_token").is_none());
    let key = answer["access_token"].as_str().unwrap().to_owned();

    let me = reqwest::Client::new().get(server.url("/api/v1/me")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(json_of(me).await["data"]["username"], "ci-deploy", "the key acts as the account");
    let listed = json_of(api_get(&server, &format!("/api/v1/api_keys?ownerId={account}"), &alice_key).await).await;
    let minted = &listed["data"][0];
    assert_eq!(minted["minted"], json!({"ruleId": rule["id"], "subject": format!("repo:acme/deploy:ref:{MAIN}")}));
    assert_eq!(minted["scopes"], json!(["me:read", "api_keys:read"]));
    let out_of_scope = api_get(&server, "/api/v1/users", &key).await;
    assert_eq!(out_of_scope.status(), StatusCode::FORBIDDEN, "narrowed by the rule's scopes");
    let short_id = &rule["id"].as_str().unwrap()[..8];
    assert_eq!(details_of(&server, &admin_key, "key_minted").await[0], format!("rule {short_id} for repo:acme/deploy:ref:{MAIN}"));

    // The same token again, here: spent.
    assert_eq!(refused(exchange(&server, &token, None).await).await, "invalid_grant");
    // A narrower scope is granted; a wider one is not.
    let narrower = exchange(&server, &issuer.token(&issuer.github_claims(&server.url(""), MAIN)), Some("me:read")).await;
    assert_eq!(json_of(narrower).await["scope"], "me:read");
    let wider = exchange(&server, &issuer.token(&issuer.github_claims(&server.url(""), MAIN)), Some("me:read users:write")).await;
    assert_eq!(refused(wider).await, "invalid_scope");
    // RS256 works as ES256 does; a key never outlives its token.
    let mut short = issuer.github_claims(&server.url(""), MAIN);
    short["exp"] = json!(chrono::Utc::now().timestamp() + 120);
    let answer = json_of(exchange(&server, &issuer.rs256.sign(&short), None).await).await;
    assert!(answer["expires_in"].as_i64().unwrap() <= 120, "{answer}");

    // Another branch: refused, and the account's activity says which condition failed.
    let dev = issuer.token(&issuer.github_claims(&server.url(""), "refs/heads/dev"));
    assert_eq!(refused(exchange(&server, &dev, None).await).await, "invalid_grant");
    let why = details_of(&server, &admin_key, "token_exchange_refused").await;
    assert!(why.contains(&format!("rule {short_id}: condition ref expected {MAIN} got refs/heads/dev")), "{why:?}");
    let replayed = why.iter().any(|detail| detail.contains("replayed"));
    assert!(replayed, "{why:?}");

    // Deleting the rule ends the keys it minted before the call returns.
    let path = format!("/api/v1/service_accounts/{account}/trust_rules/{}", rule["id"].as_str().unwrap());
    assert_eq!(api_call(&server, &alice_key, Method::DELETE, &path, None).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(api_get(&server, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED);
    let fresh = issuer.token(&issuer.github_claims(&server.url(""), MAIN));
    assert_eq!(refused(exchange(&server, &fresh, None).await).await, "invalid_grant");
}

#[tokio::test]
async fn forged_expired_and_misdirected_tokens_get_invalid_grant_and_nothing_more() {
    // Room for every bad case below (the next test holds the limit itself).
    let throttles = ThrottleSettings { failed_auth_burst: 100, ..ThrottleSettings::default() };
    let server = TestServer::start_with_settings(Settings { throttles, ..insecure_issuers() }).await;
    let (admin_key, alice_key, account) = world(&server).await;
    let issuer = TestIssuer::start().await;
    trust_main(&server, &alice_key, &account, &issuer, json!({})).await;
    let audience = server.url("");
    let good = || issuer.github_claims(&audience, MAIN);
    let now = chrono::Utc::now().timestamp();
    let with = |changes: Value| {
        let mut claims = good();
        for (name, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        claims
    };
    let stranger = TestKey::es256("es-1");
    let cases = [
        ("another key under the issuer's kid", stranger.sign(&good())),
        ("alg none", unsigned(&good())),
        ("HS256 keyed with the public key", hmac_signed(&good(), "es-1", &issuer.es256.public)),
        ("expired beyond the leeway", issuer.token(&with(json!({"exp": now - 60, "iat": now - 400, "nbf": now - 400})))),
        ("not valid yet", issuer.token(&with(json!({"nbf": now + 300})))),
        ("issued in the future", issuer.token(&with(json!({"iat": now + 300})))),
        ("two audiences", issuer.token(&with(json!({"aud": [audience, "https://elsewhere.example"]})))),
        ("another audience", issuer.token(&with(json!({"aud": "https://elsewhere.example"})))),
        ("no jti", issuer.token(&with(json!({"jti": null})))),
        ("not a JWT", "not.a.jwt".to_owned()),
    ];
    for (case, token) in &cases {
        assert_eq!(refused(exchange(&server, token, None).await).await, "invalid_grant", "{case}");
    }
    // Within the leeway, an expired token still works.
    let late = issuer.token(&with(json!({"exp": now - 10})));
    assert_eq!(exchange(&server, &late, None).await.status(), StatusCode::OK);
    let why = details_of(&server, &admin_key, "token_exchange_refused").await;
    for reason in ["bad signature", "expired", "not yet valid", "issued in the future", "not exactly one audience", "no jti", "audience expected"] {
        assert!(why.iter().any(|detail| detail.contains(reason)), "{reason}: {why:?}");
    }

    // Unknown kids: the key set is fetched again at most once a minute, however many tokens
    // name them (it was fetched for the first token above, under a minute ago).
    let fetched = issuer.key_fetches();
    assert_eq!(fetched, 1);
    for n in 0..5 {
        let token = TestKey::es256(&format!("rotated-{n}")).sign(&good());
        assert_eq!(refused(exchange(&server, &token, None).await).await, "invalid_grant");
    }
    assert_eq!(issuer.key_fetches(), fetched, "no fetch for a burst of unknown kids within the minute");
    let rotated = TestIssuer::start().await;
    trust_main(&server, &alice_key, &account, &rotated, json!({})).await;
    for n in 0..5 {
        let token = TestKey::es256(&format!("unknown-{n}")).sign(&rotated.github_claims(&audience, MAIN));
        assert_eq!(refused(exchange(&server, &token, None).await).await, "invalid_grant");
    }
    assert_eq!(rotated.key_fetches(), 1, "one fetch, however many tokens name unknown kids");

    // A token from an issuer no rule trusts: refused, and that issuer is never called.
    let elsewhere = TestIssuer::start().await;
    let token = elsewhere.token(&elsewhere.github_claims(&audience, MAIN));
    assert_eq!(refused(exchange(&server, &token, None).await).await, "invalid_grant");
    assert_eq!(elsewhere.key_fetches(), 0);

    // Bad requests.
    let client = reqwest::Client::new();
    let post = |body: &'static str, content_type: &'static str| client.post(server.url("/api/v1/oauth/token")).header("content-type", content_type).body(body).send();
    let good_token = issuer.token(&good());
    let form = |grant: &str, token_type: &str| format!("grant_type={grant}&subject_token={good_token}&subject_token_type={token_type}");
    let answer = client.post(server.url("/api/v1/oauth/token")).header("content-type", "application/x-www-form-urlencoded").body(form("password", "urn:ietf:params:oauth:token-type:jwt")).send().await.unwrap();
    assert_eq!(refused(answer).await, "unsupported_grant_type");
    let answer = post("{\"grant_type\": \"x\"}", "application/json").await.unwrap();
    assert_eq!(refused(answer).await, "invalid_request");
    let twice = format!("{}&subject_token=again", form("urn:ietf:params:oauth:grant-type:token-exchange", "urn:ietf:params:oauth:token-type:jwt"));
    let answer = client.post(server.url("/api/v1/oauth/token")).header("content-type", "application/x-www-form-urlencoded").body(twice).send().await.unwrap();
    assert_eq!(refused(answer).await, "invalid_request");
    let answer = exchange(&server, &issuer.token(&good()), Some("me:read nonsense")).await;
    assert_eq!(refused(answer).await, "invalid_scope");
}

#[tokio::test]
async fn refused_exchanges_count_as_failed_authentications_from_the_address() {
    let throttles = ThrottleSettings { failed_auth_burst: 3, failed_auth_refill: Duration::from_secs(60), ..ThrottleSettings::default() };
    let server = TestServer::start_with_settings(Settings { throttles, ..insecure_issuers() }).await;
    let (_, alice_key, account) = world(&server).await;
    let issuer = TestIssuer::start().await;
    trust_main(&server, &alice_key, &account, &issuer, json!({})).await;
    let mut refusals = 0;
    loop {
        let forged = TestKey::es256("es-1").sign(&issuer.github_claims(&server.url(""), MAIN));
        let answer = exchange(&server, &forged, None).await;
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(refused(answer).await, "invalid_grant");
        refusals += 1;
        assert!(refusals <= 3, "slowed down after the burst");
    }
    let good = issuer.token(&issuer.github_claims(&server.url(""), MAIN));
    let answer = exchange(&server, &good, None).await;
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS, "even a good token waits");
    assert!(answer.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(json_of(answer).await, json!({"error": "slow_down"}));
}

#[tokio::test]
async fn an_issuer_that_hangs_or_floods_is_given_up_on() {
    let server = TestServer::start_with_settings(insecure_issuers()).await;
    let (_, alice_key, account) = world(&server).await;
    for behaviour in [Behaviour::Hangs, Behaviour::Huge] {
        let issuer = TestIssuer::start_behaving(behaviour).await;
        trust_main(&server, &alice_key, &account, &issuer, json!({})).await;
        let started = Instant::now();
        let token = issuer.token(&issuer.github_claims(&server.url(""), MAIN));
        assert_eq!(refused(exchange(&server, &token, None).await).await, "invalid_grant");
        assert!(started.elapsed() < Duration::from_secs(8), "given up after the call's timeout");
        assert_eq!(issuer.key_fetches(), 1);
    }
}

#[tokio::test]
async fn bad_rules_are_refused_with_the_field_at_fault_and_change_nothing() {
    let server = TestServer::start_with_settings(insecure_issuers()).await;
    let (_, alice_key, account) = world(&server).await;
    server.create_user("bob", Role::User).await;
    let bob_key = key_of(&server, "bob").await;
    let rules = format!("/api/v1/service_accounts/{account}/trust_rules");
    let github = "https://token.actions.githubusercontent.com";
    let cases = [
        (json!({"issuer": github, "conditions": {"ref": MAIN}}), "conditions"),
        (json!({"issuer": "https://ci.example.com", "conditions": {"ref": MAIN}}), "conditions"),
        (json!({"issuer": "ftp://ci.example.com", "conditions": {"sub": "x"}}), "issuer"),
        // A GitHub Enterprise Server's rule still pins GitHub's immutable ids.
        (json!({"issuer": "https://github.acme.example/_services/token", "provider": "github_actions", "conditions": {"sub": "repo:acme/app"}}), "conditions"),
        (json!({"issuer": github, "conditions": {"repository_id": "1"}, "lifetimeSeconds": 30}), "lifetimeSeconds"),
        (json!({"issuer": github, "conditions": {"repository_id": "1"}, "audience": ""}), "audience"),
        (json!({"issuer": github, "conditions": {"repository_id": "1"}, "scopes": []}), "scopes"),
        (json!({"issuer": github, "conditions": {"repository_id": "1"}, "allowedAddresses": ["nowhere"]}), "allowedAddresses"),
    ];
    for (body, field) in cases {
        let (status, code, context) = error_of(api_call(&server, &alice_key, Method::POST, &rules, Some(body.clone())).await).await;
        assert_eq!((status, code.as_str(), context["field"].as_str()), (StatusCode::BAD_REQUEST, "invalid_request", Some(field)), "{body}");
    }
    let (status, _, _) = error_of(api_call(&server, &bob_key, Method::POST, &rules, Some(json!({"issuer": github, "conditions": {"repository_id": "1"}}))).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "bob manages no such account");
    assert_eq!(json_of(api_get(&server, &rules, &alice_key).await).await["data"], json!([]), "nothing was made");

    let made = json_of(api_call(&server, &alice_key, Method::POST, &rules, Some(json!({"issuer": github, "conditions": {"repository_id": "1"}}))).await).await;
    assert_eq!(made["data"]["provider"], "github_actions");
    let rule = format!("{rules}/{}", made["data"]["id"].as_str().unwrap());
    let (status, _, context) = error_of(api_call(&server, &alice_key, Method::PATCH, &rule, Some(json!({"conditions": {"ref": MAIN}}))).await).await;
    assert_eq!((status, context["field"].as_str()), (StatusCode::BAD_REQUEST, Some("conditions")));
    let (status, _, _) = error_of(api_call(&server, &alice_key, Method::PATCH, &rule, Some(json!({}))).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let changed = json_of(api_call(&server, &alice_key, Method::PATCH, &rule, Some(json!({"lifetimeSeconds": 600, "scopes": ["me:read"]}))).await).await;
    assert_eq!((changed["data"]["lifetimeSeconds"].as_i64(), changed["data"]["conditions"].clone()), (Some(600), json!({"repository_id": "1"})));
    // Moved to a GitHub Enterprise Server, the rule is still GitHub's (its id condition holds).
    let moved = json_of(api_call(&server, &alice_key, Method::PATCH, &rule, Some(json!({"issuer": "https://github.acme.example/_services/token"}))).await).await;
    assert_eq!(moved["data"]["provider"], "github_actions");
    assert_eq!(api_get(&server, &rule, &bob_key).await.status(), StatusCode::NOT_FOUND);
    let unknown = format!("{rules}/67e55044-10b1-426f-9247-bb680e5fe0c8");
    let (status, _, _) = error_of(api_get(&server, &unknown, &alice_key).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Without the operator's leave, a rule cannot point at a plain-HTTP or private issuer.
    let strict = TestServer::start().await;
    let (_, alice_key, account) = world(&strict).await;
    let rules = format!("/api/v1/service_accounts/{account}/trust_rules");
    for issuer in ["http://ci.example.com", "https://127.0.0.1:8443", "https://[::1]/oidc", "https://169.254.169.254"] {
        let (status, _, context) = error_of(api_call(&strict, &alice_key, Method::POST, &rules, Some(json!({"issuer": issuer, "conditions": {"sub": "x"}}))).await).await;
        assert_eq!((status, context["field"].as_str()), (StatusCode::BAD_REQUEST, Some("issuer")), "{issuer}");
    }
}

#[tokio::test]
async fn test_a_token_shows_its_claims_and_which_condition_failed() {
    let server = TestServer::start_with_settings(insecure_issuers()).await;
    let (_, alice_key, account) = world(&server).await;
    let issuer = TestIssuer::start().await;
    let rule = trust_main(&server, &alice_key, &account, &issuer, json!({})).await;
    let path = format!("/api/v1/service_accounts/{account}/trust_rules/{}/test", rule["id"].as_str().unwrap());
    let dev = issuer.token(&issuer.github_claims(&server.url(""), "refs/heads/dev"));
    let tested = json_of(api_call(&server, &alice_key, Method::POST, &path, Some(json!({"token": dev}))).await).await["data"].clone();
    assert_eq!((tested["wouldMint"].as_bool(), tested["refused"].clone()), (Some(false), Value::Null));
    assert_eq!(tested["claims"]["ref"], "refs/heads/dev");
    let failed: Vec<&Value> = tested["conditions"].as_array().unwrap().iter().filter(|check| check["matched"] == false).collect();
    assert_eq!(failed.len(), 1, "ref: {tested}");
    assert!(failed.iter().any(|check| check["claim"] == "ref" && check["expected"] == MAIN && check["got"] == "refs/heads/dev"));

    let main = issuer.token(&issuer.github_claims(&server.url(""), MAIN));
    let tested = json_of(api_call(&server, &alice_key, Method::POST, &path, Some(json!({"token": main}))).await).await["data"].clone();
    assert_eq!(tested["wouldMint"], true);
    assert_eq!(exchange(&server, &main, None).await.status(), StatusCode::OK, "testing spent nothing");

    let forged = TestKey::es256("es-1").sign(&issuer.github_claims(&server.url(""), MAIN));
    let tested = json_of(api_call(&server, &alice_key, Method::POST, &path, Some(json!({"token": forged}))).await).await["data"].clone();
    assert_eq!((tested["wouldMint"].as_bool(), tested["refused"].as_str()), (Some(false), Some("bad signature")));
    assert_eq!(tested["claims"]["repository_id"], "123456", "claims shown even when refused");

    // Another issuer's token is answered alike whether some rule trusts that issuer or not:
    // the test does not tell which issuers other accounts trust.
    let mut elsewhere = issuer.github_claims(&server.url(""), MAIN);
    elsewhere["iss"] = json!("https://ci.elsewhere.example");
    let tested = json_of(api_call(&server, &alice_key, Method::POST, &path, Some(json!({"token": TestKey::es256("es-1").sign(&elsewhere)}))).await).await["data"].clone();
    assert_eq!((tested["wouldMint"].as_bool(), tested["refused"].as_str()), (Some(false), Some("issued by another issuer")));
    assert_eq!(tested["conditions"].as_array().map(Vec::len), Some(2), "each condition still held against it");
}

#[tokio::test]
async fn a_token_is_spent_on_every_node_and_a_deleted_rule_ends_its_keys_everywhere() {
    let (_cluster, a, b) = TestServer::two_nodes_with(insecure_issuers(), |_| {}).await;
    let (_, alice_key, account) = world(&a).await;
    let issuer = TestIssuer::start().await;
    // The audience is node a's URL; both nodes serve the same instance.
    let rule = trust_main(&a, &alice_key, &account, &issuer, json!({})).await;
    let token = issuer.token(&issuer.github_claims(&a.url(""), MAIN));
    let answer = json_of(exchange(&a, &token, None).await).await;
    let key = answer["access_token"].as_str().unwrap().to_owned();
    assert_eq!(refused(exchange(&b, &token, None).await).await, "invalid_grant", "replayed on the other node");
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::OK, "node b caches the minted key");
    let path = format!("/api/v1/service_accounts/{account}/trust_rules/{}", rule["id"].as_str().unwrap());
    assert_eq!(api_call(&a, &alice_key, Method::DELETE, &path, None).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(api_get(&b, "/api/v1/me", &key).await.status(), StatusCode::UNAUTHORIZED, "ended on node b before the delete answered");
}

#[tokio::test]
async fn a_job_two_accounts_trust_gets_no_key_rather_than_the_wrong_one() {
    let server = TestServer::start_with_settings(insecure_issuers()).await;
    let (admin_key, alice_key, account) = world(&server).await;
    let issuer = TestIssuer::start().await;
    // Another organization pins the same (public) repository id first.
    server.create_user_in("mallory", "Globex", Role::Admin).await;
    let mallory_key = key_of(&server, "mallory").await;
    let mallory = server.user("mallory").await.id.to_string();
    let body = json!({"name": "catcher", "role": "user", "managers": [mallory]});
    let theirs = json_of(api_call(&server, &mallory_key, Method::POST, "/api/v1/service_accounts", Some(body)).await).await["data"]["id"].as_str().unwrap().to_owned();
    let catch_all = json!({"issuer": issuer.url, "provider": "gitlab", "conditions": {"project_id": "123456"}});
    let made = api_call(&server, &mallory_key, Method::POST, &format!("/api/v1/service_accounts/{theirs}/trust_rules"), Some(catch_all)).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    trust_main(&server, &alice_key, &account, &issuer, json!({})).await;

    let token = issuer.token(&issuer.github_claims(&server.url(""), MAIN));
    assert_eq!(refused(exchange(&server, &token, None).await).await, "invalid_grant", "not minted for whichever rule came first");
    let why = details_of(&server, &admin_key, "token_exchange_refused").await;
    assert!(why.iter().any(|detail| detail.ends_with("rules of several service accounts match")), "{why:?}");
    // Each gives its rule an audience of its own: the job names the one it means.
    let rules = json_of(api_get(&server, &format!("/api/v1/service_accounts/{account}/trust_rules"), &alice_key).await).await;
    let path = format!("/api/v1/service_accounts/{account}/trust_rules/{}", rules["data"][0]["id"].as_str().unwrap());
    let own = server.url("/ci-deploy");
    api_call(&server, &alice_key, Method::PATCH, &path, Some(json!({"audience": own}))).await;
    let answer = exchange(&server, &issuer.token(&issuer.github_claims(&own, MAIN)), None).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let key = json_of(answer).await["access_token"].as_str().unwrap().to_owned();
    assert_eq!(json_of(api_get(&server, "/api/v1/me", &key).await).await["data"]["username"], "ci-deploy");
}

#[tokio::test]
async fn a_token_is_spent_for_as_long_as_it_is_accepted_and_keys_made_by_a_minted_key_end_with_its_rule() {
    let server = TestServer::start_with_settings(insecure_issuers()).await;
    let (_, alice_key, account) = world(&server).await;
    let issuer = TestIssuer::start().await;
    let rule = trust_main(&server, &alice_key, &account, &issuer, json!({})).await;
    // Expired ten seconds ago, within the leeway: accepted once, then spent.
    let mut late = issuer.github_claims(&server.url(""), MAIN);
    late["exp"] = json!(chrono::Utc::now().timestamp() - 10);
    let late = issuer.token(&late);
    assert_eq!(exchange(&server, &late, None).await.status(), StatusCode::OK);
    assert_eq!(refused(exchange(&server, &late, None).await).await, "invalid_grant", "replayed within the leeway");

    let answer = json_of(exchange(&server, &issuer.token(&issuer.github_claims(&server.url(""), MAIN)), None).await).await;
    let minted = answer["access_token"].as_str().unwrap().to_owned();
    let made = api_call(&server, &minted, Method::POST, "/api/v1/api_keys", Some(json!({"name": "derived"}))).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let derived = json_of(made).await;
    assert_eq!(derived["data"]["minted"]["ruleId"], rule["id"], "a key a minted key makes belongs to the same rule");
    let derived = derived["data"]["secret"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/service_accounts/{account}/trust_rules/{}", rule["id"].as_str().unwrap());
    assert_eq!(api_call(&server, &alice_key, Method::DELETE, &path, None).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(api_get(&server, "/api/v1/me", &derived).await.status(), StatusCode::UNAUTHORIZED, "ended with the rule");
}

#[tokio::test]
async fn refusals_are_told_only_to_the_accounts_whose_job_it_was() {
    let server = TestServer::start_with_settings(insecure_issuers()).await;
    let (admin_key, alice_key, account) = world(&server).await;
    let issuer = TestIssuer::start().await;
    trust_main(&server, &alice_key, &account, &issuer, json!({})).await;
    // Another repository's job, another audience: not this account's business.
    let mut stranger = issuer.github_claims(&server.url(""), MAIN);
    stranger["project_id"] = json!("999");
    assert_eq!(refused(exchange(&server, &issuer.token(&stranger), None).await).await, "invalid_grant");
    let mut elsewhere = issuer.github_claims("https://elsewhere.example", MAIN);
    elsewhere["project_id"] = json!("999");
    assert_eq!(refused(exchange(&server, &issuer.token(&elsewhere), None).await).await, "invalid_grant");
    assert_eq!(details_of(&server, &admin_key, "token_exchange_refused").await, Vec::<String>::new());
    // Odd audiences and times are refused.
    let now = chrono::Utc::now().timestamp();
    let mut odd = issuer.github_claims(&server.url(""), MAIN);
    odd["aud"] = json!([server.url(""), 1]);
    assert_eq!(refused(exchange(&server, &issuer.token(&odd), None).await).await, "invalid_grant", "a list with a number is two audiences");
    let mut odd = issuer.github_claims(&server.url(""), MAIN);
    odd["iat"] = json!((now + 300) as f64 + 0.5);
    assert_eq!(refused(exchange(&server, &issuer.token(&odd), None).await).await, "invalid_grant", "a fractional iat in the future");
    let _ = account;
}
