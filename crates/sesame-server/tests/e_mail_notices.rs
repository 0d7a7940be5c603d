//! E-mail notices, sent over SMTP to a real SMTP server (aiosmtpd) and read back from what
//! it received: a leak report tells the key's owner; expiry reminders go out once, in the
//! owner's language, even with two nodes claiming them at the same time.

mod support;

use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::json;
use sesame_core::{actor::Actor, keys::NewKey, model::Role};
use sesame_server::{app::AppConfig, mail::Mailer, reminders};
use support::{smtp::SmtpSink, TestServer};

fn with_mailer(sink: &SmtpSink) -> impl FnOnce(&mut AppConfig) + '_ {
    move |config| {
        config.mailer = Some(Mailer::new(&sink.url(), "Sésame <sesame@example.com>", &config.public_url).unwrap());
    }
}

#[tokio::test]
async fn the_owner_of_a_key_reported_as_leaked_gets_an_e_mail() {
    let sink = SmtpSink::start();
    let server = TestServer::start_with(with_mailer(&sink)).await;
    let bob = server.create_user("bob", Role::User).await;
    let (_, secret) = server.generate_key(&bob, Some("ci-deploy")).await;

    let response = reqwest::Client::new()
        .post(server.url("/api/v1/api_keys/revoke"))
        .json(&json!({ "keys": [secret.expose(), "not a key"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let messages = sink.wait_for(1).await;
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message["to"], json!(["bob@example.com"]));
    assert_eq!(message["from"], "sesame@example.com");
    assert_eq!(message["subject"], "Your API key “ci-deploy” was revoked as leaked");
    let body = message["body"].as_str().unwrap();
    assert!(body.starts_with("Hello bob Tester,"), "{body}");
    assert!(body.contains("report sent from 127.0.0.1"), "{body}");
    assert!(body.contains(&server.base_url), "{body}");
    assert!(!body.contains(secret.expose()), "a message never carries a key");
}

#[tokio::test]
async fn an_expiry_reminder_goes_out_once_in_the_owners_language_with_two_nodes_racing() {
    let sink = SmtpSink::start();
    let first = TestServer::start_with(with_mailer(&sink)).await;
    let second = first.another_node_with(with_mailer(&sink)).await;
    first.clock.set(first.clock.now());
    first.create_user("camille", Role::User).await;
    let browser = first.browser("camille").await;
    let saved = browser.call::<sesame_api::functions::SaveLanguage>(&json!({ "language": "fr" })).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let camille = first.user("camille").await;
    let expires_at = first.clock.now() + TimeDelta::days(30);
    let new = NewKey { name: Some("sauvegarde"), expires_at: Some(expires_at), ..NewKey::default() };
    first.services.keys.create(&Actor::command_line(camille), new).await.unwrap();

    first.clock.set(expires_at - TimeDelta::days(7));
    let first_mailer = Mailer::new(&sink.url(), "sesame@example.com", &first.base_url).unwrap();
    let second_mailer = Mailer::new(&sink.url(), "sesame@example.com", &second.base_url).unwrap();
    let (one, other) = tokio::join!(
        reminders::send_due(&first.services, Some(&first_mailer)),
        reminders::send_due(&second.services, Some(&second_mailer)),
    );
    let (one, other) = (one.unwrap(), other.unwrap());
    assert_eq!((one.claimed + other.claimed, one.mailed + other.mailed), (1, 1), "claimed and sent by exactly one node");
    let messages = sink.wait_for(1).await;
    assert_eq!(messages[0]["to"], json!(["camille@example.com"]));
    let date = expires_at.format("%Y-%m-%d %H:%M").to_string();
    assert_eq!(messages[0]["subject"], format!("Votre clé API « sauvegarde » expire le {date} UTC"));
    assert!(messages[0]["body"].as_str().unwrap().starts_with("Bonjour camille Tester,"));

    // Later passes, on either node, send nothing more.
    assert_eq!(reminders::send_due(&first.services, Some(&first_mailer)).await.unwrap().claimed, 0);
    assert_eq!(reminders::send_due(&second.services, Some(&second_mailer)).await.unwrap().claimed, 0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
}
