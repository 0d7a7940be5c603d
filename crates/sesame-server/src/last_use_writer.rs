//! Writes the key uses the verifier noted, and the usage counted, every second and once
//! more at shutdown.

use std::{sync::atomic::Ordering, time::Duration};

use sesame_core::Services;
use tokio::task::JoinHandle;

/// The panel shows a key's last use within about this delay.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

pub fn spawn(services: Services) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FLUSH_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(error) = services.flush_last_use().await {
                tracing::warn!(%error, pending = services.last_use.pending(), "could not write key uses; will retry");
            }
        }
    })
}

/// The last flush, after the server stopped taking requests. Reports what could not be
/// written, if anything.
pub async fn finish(services: &Services, writer: JoinHandle<()>) {
    writer.abort();
    let _ = writer.await;
    if let Err(error) = services.flush_last_use().await {
        tracing::error!(%error, lost = services.last_use.pending(), usage_lost = services.pending_usage(), "key uses lost at shutdown");
    }
    let usage_dropped = services.usage_dropped();
    if usage_dropped > 0 {
        tracing::warn!(usage_dropped, "usage counts dropped while their buffer was full");
    }
    let stats = &services.last_use.stats;
    let dropped = stats.dropped.load(Ordering::Relaxed);
    if dropped > 0 {
        tracing::warn!(dropped, "key uses dropped while the buffer was full");
    }
    tracing::info!(written = stats.written.load(Ordering::Relaxed), failed_flushes = stats.failed_flushes.load(Ordering::Relaxed), "key uses written");
}
