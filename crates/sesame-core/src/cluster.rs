//! Several `sesame serve` nodes on one PostgreSQL, each with its own key cache, and a delete
//! on any node final on all of them before it returns.
//!
//! The protocol, on PostgreSQL's `LISTEN`/`NOTIFY` (delivered in commit order) and two
//! small tables (`migrations/0003_cluster.sql`):
//!
//! 1. **Invalidation.** A delete (or a user change) queues a notification in its own
//!    transaction, so every listening node hears of it exactly when it commits — even if
//!    the node that made it crashes right after.
//! 2. **Sync.** Before acknowledging, that node takes the next *sync number* and notifies
//!    it. Numbers are committed in increasing order (one locked row), after the change, so
//!    a node that has seen sync `n` has already applied every change acknowledged with a
//!    number up to `n`. Each node records the highest sync it has seen in `cluster_nodes`;
//!    the deleting node waits until every live node has reached its number.
//! 3. **Lease.** A node serves cached keys only while its lease runs. Every
//!    [`Settings::heartbeat`] it notifies itself a ping; once its own listener has received
//!    it (proof that notifications reach it), it writes its heartbeat (database clock) and
//!    extends its lease to `ping sent + lease - margin`. A node whose heartbeat is older than
//!    the lease counts as dead, and nobody waits for it: by then its own lease has run out
//!    too, so it reads the database like a node without a cache. A lost listener connection
//!    suspends the lease at once; a node whose lease lapsed rejoins with an empty cache.
//!
//! So a delete waits for a few milliseconds when all nodes are well, and at most about one
//! lease when a node vanished without leaving.

use std::{
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use sqlx::postgres::{PgListener, PgNotification};
use tokio::{sync::watch, task::JoinHandle};

use crate::{
    key_cache::KeyCache,
    store::{
        cluster::{parse_failed_auth, Invalidated, FAILED_AUTH_CHANNEL, INVALIDATE_CHANNEL, PING_CHANNEL, SYNC_CHANNEL},
        Store, StoreResult,
    },
    throttle::Throttles,
};

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How often a node proves its listener alive and renews its lease.
    pub heartbeat: Duration,
    /// How long a heartbeat keeps a node alive in the others' eyes.
    pub lease: Duration,
    /// Taken off the node's own lease: covers clock rate differences between machines.
    pub margin: Duration,
    /// How long this node waits before applying each invalidation, as a slow or distant
    /// node would (tests of the protocol only).
    #[cfg(feature = "testing")]
    pub apply_delay: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_millis(500),
            lease: Duration::from_secs(3),
            margin: Duration::from_millis(500),
            #[cfg(feature = "testing")]
            apply_delay: Duration::ZERO,
        }
    }
}

/// Pause between checks while waiting for other nodes: short at first (they usually answer
/// within a millisecond or two), then backing off.
const FIRST_POLL: Duration = Duration::from_millis(1);
const LONGEST_POLL: Duration = Duration::from_millis(20);
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);

/// The most this node's clock may differ from the database's while it serves: expiries and
/// the ends of overlaps are read from each node's clock, and "from that millisecond on, on
/// every node" holds only while the nodes agree. Beyond it, `/readyz` fails.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(2);

/// `skew_ms` before the first heartbeat has measured it.
const SKEW_UNKNOWN: i64 = i64::MIN;

pub(crate) struct Cluster {
    store: Store,
    node_id: String,
    settings: Settings,
    /// How far this node's clock is ahead of the database's (ms; negative: behind), as the
    /// last heartbeat measured it.
    skew_ms: AtomicI64,
}

impl Cluster {
    pub(crate) fn new(store: Store, settings: Settings) -> Self {
        Self { store, node_id: uuid::Uuid::new_v4().simple().to_string(), settings, skew_ms: AtomicI64::new(SKEW_UNKNOWN) }
    }

    /// How far this node's clock is ahead of the database's (negative: behind), as the last
    /// heartbeat measured it (within half a round trip); none before the first.
    pub(crate) fn clock_skew(&self) -> Option<chrono::TimeDelta> {
        let skew = self.skew_ms.load(Ordering::Relaxed);
        (skew != SKEW_UNKNOWN).then(|| chrono::TimeDelta::milliseconds(skew))
    }

    /// Writes the heartbeat, and measures this node's clock against the database's as it
    /// does (no extra round trip): the database's time against the middle of ours.
    async fn write_heartbeat(&self, seen_sync: i64, rejoining: bool) -> StoreResult<()> {
        let before = self.store.now().timestamp_millis();
        let database = self.store.heartbeat(&self.node_id, seen_sync, rejoining).await?;
        let after = self.store.now().timestamp_millis();
        let skew = before + (after - before) / 2 - database;
        let bound = i64::try_from(MAX_CLOCK_SKEW.as_millis()).unwrap_or(i64::MAX);
        let was = self.skew_ms.swap(skew, Ordering::Relaxed);
        let (was_in_step, in_step) = (was == SKEW_UNKNOWN || was.abs() <= bound, skew.abs() <= bound);
        if was == SKEW_UNKNOWN {
            tracing::info!(clock_skew_ms = skew, "this node's clock measured against the database's");
        }
        if was_in_step && !in_step {
            tracing::error!(clock_skew_ms = skew, bound_ms = bound, "this node's clock is off the database's: not ready until it is back in step");
        } else if !was_in_step && in_step {
            tracing::info!(clock_skew_ms = skew, "this node's clock is back in step with the database's");
        }
        Ok(())
    }

    /// Returns once every other live node has applied the changes this node committed
    /// before the call. Called after a delete or a user change, before acknowledging it.
    pub(crate) async fn confirm(&self) -> StoreResult<()> {
        let n = self.store.next_sync().await?;
        let lease_ms = i64::try_from(self.settings.lease.as_millis()).unwrap_or(i64::MAX);
        // A live node answers within a heartbeat; one that does not is dead after a lease.
        let give_up = Instant::now() + self.settings.lease + self.settings.heartbeat * 2;
        let mut pause = FIRST_POLL;
        loop {
            let behind = self.store.nodes_behind(&self.node_id, n, lease_ms).await?;
            if behind == 0 {
                return Ok(());
            }
            if Instant::now() >= give_up {
                // Cannot happen while each node's heartbeat carries its progress; logged
                // loudly rather than blocking the request for ever.
                tracing::error!(sync = n, behind, "nodes neither confirmed a change nor went silent");
                return Ok(());
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(LONGEST_POLL);
        }
    }

    /// Starts this node's listener and heartbeat: from the first renewal on, `cache` serves
    /// keys; the failed authentications other nodes count reach `throttles` too. Stop with
    /// [`Membership::leave`].
    pub(crate) fn join(self: &Arc<Self>, cache: Arc<KeyCache>, throttles: Arc<Throttles>) -> Membership {
        let (pings_seen, pings) = watch::channel(0_u64);
        let (syncs_seen, syncs) = watch::channel(0_i64);
        let listener = tokio::spawn(listen(self.clone(), cache.clone(), throttles, pings_seen, syncs_seen));
        let heartbeat = tokio::spawn(heartbeat(self.clone(), cache.clone(), pings, syncs.clone()));
        let acknowledger = tokio::spawn(acknowledge(self.clone(), syncs));
        Membership { cluster: self.clone(), cache, tasks: vec![listener, heartbeat, acknowledger] }
    }
}

/// A node's part in the cluster, while it serves.
pub struct Membership {
    cluster: Arc<Cluster>,
    cache: Arc<KeyCache>,
    tasks: Vec<JoinHandle<()>>,
}

impl Membership {
    /// Stops serving cached keys and leaves, so that nobody waits for this node.
    pub async fn leave(mut self) {
        self.stop_tasks();
        self.cache.suspend();
        if let Err(error) = self.cluster.store.remove_node(&self.cluster.node_id).await {
            tracing::warn!(%error, "could not leave the cluster; the other nodes will wait out its lease once");
        }
    }

    fn stop_tasks(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.stop_tasks();
        self.cache.suspend();
    }
}

/// Applies invalidations as they arrive, and reports the pings and syncs it has seen.
async fn listen(
    cluster: Arc<Cluster>,
    cache: Arc<KeyCache>,
    throttles: Arc<Throttles>,
    pings_seen: watch::Sender<u64>,
    syncs_seen: watch::Sender<i64>,
) {
    let Some(url) = cluster.store.postgres_url().map(str::to_owned) else { return };
    let own_ping = format!("{}:", cluster.node_id);
    loop {
        match connect(&url).await {
            Ok(mut listener) => loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        #[cfg(feature = "testing")]
                        if notification.channel() == INVALIDATE_CHANNEL && !cluster.settings.apply_delay.is_zero() {
                            tokio::time::sleep(cluster.settings.apply_delay).await;
                        }
                        apply(&notification, &cache, &throttles, &own_ping, &pings_seen, &syncs_seen);
                    }
                    Ok(None) => {
                        // Notifications may have been missed; the next call reconnects.
                        cache.suspend();
                        tracing::warn!("lost the cluster notification connection; reconnecting");
                    }
                    Err(error) => {
                        cache.suspend();
                        tracing::warn!(%error, "cluster notifications unavailable; retrying");
                        break;
                    }
                }
            },
            Err(error) => {
                cache.suspend();
                tracing::warn!(%error, "cannot listen for cluster notifications; retrying");
            }
        }
        tokio::time::sleep(RECONNECT_PAUSE).await;
    }
}

async fn connect(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen_all([INVALIDATE_CHANNEL, SYNC_CHANNEL, PING_CHANNEL, FAILED_AUTH_CHANNEL]).await?;
    Ok(listener)
}

fn apply(
    notification: &PgNotification,
    cache: &KeyCache,
    throttles: &Throttles,
    own_ping: &str,
    pings_seen: &watch::Sender<u64>,
    syncs_seen: &watch::Sender<i64>,
) {
    let payload = notification.payload();
    match notification.channel() {
        INVALIDATE_CHANNEL => match Invalidated::from_payload(payload) {
            Some(Invalidated::Key(hash)) => cache.invalidate_key(&hash),
            Some(Invalidated::User(id)) => cache.invalidate_user(&id),
            None => {
                tracing::warn!("unreadable invalidation; dropping every cached key");
                cache.invalidate_all();
            }
        },
        FAILED_AUTH_CHANNEL => {
            if let Some((address, tat, penalized_until)) = parse_failed_auth(payload) {
                throttles.seen_failure(address, tat, penalized_until);
            }
        }
        SYNC_CHANNEL => {
            if let Ok(n) = payload.parse::<i64>() {
                syncs_seen.send_if_modified(|seen| raise(seen, n));
            }
        }
        PING_CHANNEL => {
            if let Some(Ok(counter)) = payload.strip_prefix(own_ping).map(str::parse::<u64>) {
                pings_seen.send_if_modified(|seen| raise(seen, counter));
            }
        }
        _ => {}
    }
}

fn raise<T: Ord + Copy>(seen: &mut T, value: T) -> bool {
    let raised = value > *seen;
    if raised {
        *seen = value;
    }
    raised
}

/// Proves the listener alive, writes the heartbeat, renews the lease; see the module docs.
async fn heartbeat(
    cluster: Arc<Cluster>,
    cache: Arc<KeyCache>,
    mut pings: watch::Receiver<u64>,
    syncs: watch::Receiver<i64>,
) {
    let settings = cluster.settings;
    let mut tick = tokio::time::interval(settings.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut counter = 0_u64;
    let mut healthy = true;
    loop {
        tick.tick().await;
        counter += 1;
        let period = cache.lease_period();
        let sent_at = Instant::now();
        let renewed = async {
            cluster.store.ping_node(&cluster.node_id, counter).await?;
            let heard = tokio::time::timeout(settings.lease / 2, pings.wait_for(|&seen| seen >= counter))
                .await
                .is_ok_and(|seen| seen.is_ok());
            if !heard {
                return Ok(false);
            }
            let rejoining = !cache.is_usable();
            let seen_sync = *syncs.borrow();
            cluster.write_heartbeat(seen_sync, rejoining).await?;
            let until = sent_at + settings.lease.saturating_sub(settings.margin);
            StoreResult::Ok(cache.extend_lease(period, until))
        }
        .await;
        match renewed {
            Ok(true) if !healthy => {
                healthy = true;
                tracing::info!("cluster lease renewed; serving cached keys again");
            }
            Ok(true) => {}
            Ok(false) if healthy => {
                healthy = false;
                tracing::warn!("cluster lease not renewed (own ping not heard); reading keys from the database");
            }
            Err(error) if healthy => {
                healthy = false;
                tracing::warn!(%error, "cluster lease not renewed; reading keys from the database");
            }
            _ => {}
        }
    }
}

/// Records the syncs seen as soon as they arrive, so waiting nodes need not wait for the
/// next heartbeat (which records them too).
async fn acknowledge(cluster: Arc<Cluster>, mut syncs: watch::Receiver<i64>) {
    while syncs.changed().await.is_ok() {
        let n = *syncs.borrow_and_update();
        if let Err(error) = cluster.store.acknowledge_sync(&cluster.node_id, n).await {
            tracing::debug!(%error, sync = n, "could not acknowledge a sync; the heartbeat will");
        }
    }
}
