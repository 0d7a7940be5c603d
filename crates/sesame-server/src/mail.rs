//! E-mail: what Sésame tells key owners outside the console (a key expires soon, a key was
//! revoked as leaked), written in each owner's language and sent over SMTP with lettre when
//! `--smtp-url` and `--mail-from` are given. Without them, the console's notices and the
//! activity log still tell; nothing is queued.

use std::time::Duration;

use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sesame_core::notices::{Notice, NoticeKind};

use crate::i18n::{catalogue, Language};

/// How long one SMTP exchange may take before it is given up (and logged).
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where the console is, for the link in each message.
    console_url: String,
}

/// The SMTP URL may hold a password: it is never printed.
impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// `smtp_url`: `smtps://host:port` (TLS), `smtp://host:port?tls=required` (STARTTLS,
    /// required), with `user:password@` if the server wants it; see lettre's `from_url`.
    /// Plain `smtp://` (no encryption at all) only to this machine: anywhere else the mail,
    /// and any password, would cross the network in clear.
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> anyhow::Result<Self> {
        if !is_encrypted_or_local(smtp_url) {
            anyhow::bail!(
                "--smtp-url would send mail (and any password) unencrypted: use smtps://… or smtp://…?tls=required \
                 (plain smtp:// is for a relay on this machine only)"
            );
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|error| anyhow::anyhow!("--smtp-url is not a usable SMTP URL: {error}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = from.parse().map_err(|error| anyhow::anyhow!("--mail-from is not an e-mail address: {error}"))?;
        Ok(Self { transport, from, console_url: format!("{public_url}/") })
    }

    /// Sends each notice, one after the other; a failure is logged and does not stop the
    /// others. How many were sent.
    pub async fn send_all(&self, notices: &[Notice]) -> usize {
        let mut sent = 0;
        for notice in notices {
            match self.send(notice).await {
                Ok(()) => sent += 1,
                // The address is the owner's; the message's text is not logged.
                Err(error) => tracing::warn!(%error, to = %notice.to.email, "could not send an e-mail notice"),
            }
        }
        sent
    }



    async fn send(&self, notice: &Notice) -> anyhow::Result<()> {
        let (subject, body) = compose(notice, &self.console_url);
        let to = Mailbox::new(Some(notice.to.full_name.clone()), notice.to.email.parse()?);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// The services' notices go out by e-mail, on a task of their own, so the request that
/// caused them answers without waiting for the SMTP server.
impl sesame_core::notices::Deliver for Mailer {
    fn deliver(&self, notices: Vec<Notice>) {
        let mailer = self.clone();
        tokio::spawn(async move {
            mailer.send_all(&notices).await;
        });
    }
}

/// Whether lettre would encrypt the connection `smtp_url` names, or it stays on this
/// machine (a local relay). Read with the URL parser lettre connects with, the way lettre
/// reads it — its scheme, its first `tls` parameter, its host — so that what is checked is
/// where the mail goes.
fn is_encrypted_or_local(smtp_url: &str) -> bool {
    let Ok(url) = url::Url::parse(smtp_url) else { return false };
    let tls = url.query_pairs().find(|(name, _)| name == "tls").map(|(_, value)| value.into_owned());
    match (url.scheme(), tls.as_deref()) {
        ("smtps", _) | ("smtp", Some("required")) => true,
        // To a relay on this machine, encrypted or not.
        ("smtp", None | Some("opportunistic")) => match url.host() {
            // `smtp` is not a scheme the URL standard knows: its IPv4 hosts come as names.
            Some(url::Host::Domain(name)) => {
                name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// A notice's subject and plain-text body, in its recipient's language.
pub fn compose(notice: &Notice, console_url: &str) -> (String, String) {
    let language: Language = notice.to.language;
    let date_of = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M").to_string();
    let (subject_key, body_key, date, address) = match &notice.kind {
        NoticeKind::ExpiresSoon { expires_at, .. } => ("expires_soon_subject", "expires_soon_body", date_of(*expires_at), None),
        NoticeKind::RevokedAsLeaked { reporter, previous_secret_only } => {
            let body = if *previous_secret_only { "leaked_previous_body" } else { "leaked_body" };
            let address = reporter.map_or_else(|| catalogue::email(language, "unknown_address", &[]), |ip| ip.to_string());
            ("leaked_subject", body, date_of(notice.at), Some(address))
        }
    };
    let values = [
        ("name", notice.to.full_name.as_str()),
        ("key", notice.key.name.as_str()),
        ("date", date.as_str()),
        ("address", address.as_deref().unwrap_or_default()),
        ("url", console_url),
    ];
    let subject = catalogue::email(language, subject_key, &values);
    let body = format!("{}\n\n{}\n", catalogue::email(language, body_key, &values), catalogue::email(language, "signature", &[]));
    (subject, body)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use sesame_core::{model::KeyRef, notices::Recipient};
    use sesame_api::wire::ApiKeyId;

    use super::*;

    fn notice(language: Language, kind: NoticeKind) -> Notice {
        let to = Recipient { full_name: "Rupert Walker".into(), email: "rw@example.com".into(), language };
        let key = KeyRef { id: ApiKeyId::new_random(), name: "ci-deploy".into() };
        Notice { to, key, at: chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap(), kind }
    }

    #[test]
    fn mail_crosses_the_network_only_encrypted() {
        for good in [
            "smtps://mail.example.com:465",
            "smtp://user:p%40ss@mail.example.com:587?tls=required",
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
            "smtp://[::1]:25",
            "smtp://user:secret@127.0.0.1:25",
            "smtp://localhost:25?tls=opportunistic",
        ] {
            assert!(is_encrypted_or_local(good), "{good}");
        }
        for bad in [
            "smtp://mail.example.com:25",
            "smtp://mail.example.com:587?tls=opportunistic",
            "smtp://127.0.0.1.example.com:25",
            "smtp://user:x@127.0.0.1@mail.example.com:25",
            "http://127.0.0.1:25",
            // Read as the connection reads them: the host is smtp.invalid, and lettre takes
            // the first `tls` parameter.
            "smtp://user:secret@smtp.invalid:25/@127.0.0.1",
            "smtp://mail.example.com:25?tls=opportunistic&tls=required",
        ] {
            assert!(!is_encrypted_or_local(bad), "{bad}");
        }
        let refused = Mailer::new("smtp://user:secret@mail.example.com:25", "a@example.com", "http://x").unwrap_err().to_string();
        assert!(!refused.contains("secret"), "the URL is never printed: {refused}");
    }

    #[test]
    fn reminders_and_leak_reports_read_in_the_owners_language() {
        let expires_at = chrono::Utc.with_ymd_and_hms(2026, 12, 8, 9, 30, 0).unwrap();
        let soon = NoticeKind::ExpiresSoon { expires_at, days_before: 7 };
        let (subject, body) = compose(&notice(Language::En, soon.clone()), "https://console.test/");
        assert_eq!(subject, "Your API key “ci-deploy” expires on 2026-12-08 09:30 UTC");
        assert!(body.starts_with("Hello Rupert Walker,"), "{body}");
        assert!(body.contains("https://console.test/") && !body.contains('{'), "{body}");
        let (subject, body) = compose(&notice(Language::Fr, soon.clone()), "https://console.test/");
        assert_eq!(subject, "Votre clé API « ci-deploy » expire le 2026-12-08 09:30 UTC");
        assert!(body.starts_with("Bonjour Rupert Walker,"), "{body}");
        let (subject, body) = compose(&notice(Language::Es, soon), "https://console.test/");
        assert_eq!(subject, "Su clave API “ci-deploy” expira el 2026-12-08 09:30 UTC");
        assert!(body.starts_with("Hola, Rupert Walker:") && body.contains("Credenciales de API"), "{body}");

        let leaked = NoticeKind::RevokedAsLeaked { reporter: Some("203.0.113.9".parse().unwrap()), previous_secret_only: false };
        let (subject, body) = compose(&notice(Language::Fr, leaked.clone()), "https://console.test/");
        assert_eq!(subject, "Votre clé API « ci-deploy » a été révoquée comme divulguée");
        assert!(body.contains("203.0.113.9") && body.contains("2026-12-01 09:30"), "{body}");
        let (subject, body) = compose(&notice(Language::Es, leaked), "https://console.test/");
        assert_eq!(subject, "Se ha revocado su clave API “ci-deploy” por filtración");
        assert!(body.contains("203.0.113.9") && !body.contains('{'), "{body}");
    }
}
