//! The server's side of expiry reminders: every minute, claim the reminders due (each goes
//! out once however many nodes run, see `sesame_core::reminders`) and e-mail them.

use std::time::Duration;

use sesame_core::{Services, StoreError};

use crate::mail::Mailer;

/// How often the server looks for reminders due: they are sent within this of their time.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Reminders this node claimed (and recorded in their owners' activity).
    pub claimed: usize,
    /// E-mails the SMTP server accepted.
    pub mailed: usize,
}

/// One pass: claims the reminders due now, records them in the owners' activity, e-mails
/// them if a mailer is configured.
pub async fn send_due(services: &Services, mailer: Option<&Mailer>) -> Result<Pass, StoreError> {
    let notices = services.reminders.claim_due().await?;
    let mailed = match mailer {
        Some(mailer) => mailer.send_all(&notices).await,
        None => 0,
    };
    Ok(Pass { claimed: notices.len(), mailed })
}

/// Runs a pass every [`INTERVAL`] until aborted.
pub async fn run(services: Services, mailer: Option<Mailer>) {
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tick.tick().await;
        match send_due(&services, mailer.as_ref()).await {
            Ok(Pass { claimed: 0, .. }) => {}
            Ok(Pass { claimed, mailed }) => tracing::info!(claimed, mailed, "expiry reminders recorded"),
            Err(error) => tracing::warn!(%error, "could not look for expiry reminders; will retry"),
        }
    }
}
