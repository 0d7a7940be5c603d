//! Accepting connections: how many may be open at once, and how long a client may take to
//! send a request's headers. `axum::serve` bounds neither, so a few hundred connections
//! that never finish their headers (slowloris) would hold every file descriptor the process
//! may open, and nothing else would be answered.
//!
//! - HTTP/1.1 only (TLS and HTTP/2 belong to the proxy in front): headers must arrive
//!   within `header_read_timeout` from the first byte the server waits for — a client that
//!   sends nothing is closed too — and the timer also ends an idle keep-alive connection;
//!   then the body within the router's request timeout. (hyper-util's automatic builder
//!   first waits, with no timer, for bytes telling HTTP/1 from HTTP/2: not used here.)
//! - At most `max_connections` are open; past that, new connections wait in the kernel's
//!   backlog until one closes, and the operator is told (once a minute at most).

use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{extract::ConnectInfo, Router};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt;

/// File descriptors kept for everything that is not a client connection: the database
/// pool and its listener, the SQLite files, the browser app's files, logs.
const RESERVED_DESCRIPTORS: u64 = 64;
/// Fewer connections than this is no server.
const MIN_CONNECTIONS: usize = 16;
/// More than this is no limit at all (and more than a semaphore can count).
const MAX_CONNECTIONS: usize = 1_000_000;
const LIMIT_LOGGED_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

impl ConnectionLimits {
    /// `asked` connections at most (none: as many as the process may open files, less what
    /// the rest of the server needs), never more than the file limit allows.
    pub fn new(asked: Option<usize>, header_read_timeout: Duration) -> Self {
        let fits = descriptors_for_connections();
        let max_connections = asked.map_or(fits, |asked| asked.min(fits)).clamp(MIN_CONNECTIONS, MAX_CONNECTIONS);
        Self { max_connections, header_read_timeout }
    }

    /// The same timeout, and at most `max` connections.
    pub fn at_most(self, max: usize) -> Self {
        Self { max_connections: self.max_connections.min(max), ..self }
    }
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self::new(None, Duration::from_secs(10))
    }
}

/// How many connections the process's open-file limit leaves room for.
fn descriptors_for_connections() -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current.unwrap_or(u64::MAX);
    usize::try_from(limit.saturating_sub(RESERVED_DESCRIPTORS)).unwrap_or(usize::MAX)
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets the
/// open connections finish what they are doing. Each request carries its client's address
/// (`ConnectInfo<SocketAddr>`), as `into_make_service_with_connect_info` gives it.
pub async fn serve(listener: TcpListener, app: Router, limits: ConnectionLimits, shutdown: impl Future<Output = ()>) {
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let warning = LimitWarning::default();
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                warning.reached(limits.max_connections);
                tokio::select! {
                    slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app.clone().map_request(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            request
        });
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or breaks the protocol ends its own connection only.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Says that the connection limit was reached, at most once a minute.
#[derive(Default)]
struct LimitWarning(Mutex<Option<Instant>>);

impl LimitWarning {
    fn reached(&self, max_connections: usize) {
        let mut last = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_some_and(|at| at.elapsed() < LIMIT_LOGGED_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        tracing::warn!(
            max_connections,
            "connection limit reached: new connections wait until one closes (--max-connections, or the open-file limit)"
        );
    }
}
