//! `sesame serve`: open the database, build the router, listen, shut down gracefully.

use std::{
    fs::{File, TryLockError},
    path::{Path, PathBuf},
};

use anyhow::{bail, Context};
use sesame_core::{Services, Settings};
use tokio::net::TcpListener;

use crate::{
    app::{router, AppConfig, AppState},
    cli::ServeArgs,
    last_use_writer,
    mail::Mailer,
    reminders,
};

/// Connections the metrics address takes at once, apart from the public address's.
const METRICS_CONNECTIONS: usize = 16;

/// How many argon2 hashes may run at once: one core's worth, so logins never take both
/// cores from the API on a small machine.
const ARGON2_PERMITS: usize = 1;

pub async fn run(database_url: &str, max_keys_per_owner: u32, args: ServeArgs) -> anyhow::Result<()> {
    let settings = Settings {
        argon2_permits: ARGON2_PERMITS,
        max_keys_per_owner,
        throttles: args.limits.settings(),
        session_idle: std::time::Duration::from_secs(args.session_idle_minutes * 60),
        allow_insecure_issuers: args.allow_insecure_issuers,
        ..Default::default()
    };
    let services = Services::connect(database_url, settings).await.context("opening the database")?;
    // Held until the process exits.
    let _single_node = match sesame_core::sqlite_file(database_url) {
        Some(path) => Some(lock_sqlite_database(&path)?),
        None => None,
    };
    let listener = TcpListener::bind(args.addr).await.with_context(|| format!("binding {}", args.addr))?;
    let local = listener.local_addr()?;
    let metrics_listener = match args.metrics_addr {
        Some(addr) => Some(TcpListener::bind(addr).await.with_context(|| format!("binding {addr} for metrics"))?),
        None => None,
    };
    let public_url = args
        .public_url
        .map(|url| url.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("http://{local}"));
    if !args.site_dir.join("index.html").exists() {
        tracing::warn!(site_dir = %args.site_dir.display(), "no browser app here: run `trunk build --release` first");
    }
    let mailer = match (&args.mail.smtp_url, &args.mail.mail_from) {
        (Some(url), Some(from)) => Some(Mailer::new(url, from, &public_url)?),
        _ => None,
    };
    let config = AppConfig {
        public_url: public_url.clone(),
        site_dir: args.site_dir,
        trusted_proxies: args.trusted_proxies,
        mailer: mailer.clone(),
    };
    let state = AppState::new(services.clone(), config);
    let setup_token = services.accounts.setup_token().await?;
    let limits = args.connections.limits();

    // Tests and scripts read this line to find the port.
    tell_operator(std::io::stdout(), format_args!("Sésame is listening on http://{local} (public URL {public_url})"));
    let metrics = match metrics_listener {
        Some(listener) => {
            tell_operator(std::io::stdout(), format_args!("Metrics at http://{}/metrics", listener.local_addr()?));
            let metrics = crate::metrics::router(state.clone());
            // A scraper or two: a few connections, apart from the public address's.
            Some(tokio::spawn(crate::connections::serve(listener, metrics, limits.at_most(METRICS_CONNECTIONS), std::future::pending())))
        }
        None => None,
    };
    if let Some(token) = setup_token {
        tell_operator(std::io::stdout(), format_args!("No user yet: open {public_url}/setup to create the first administrator."));
        // For the operator only (standard error, whatever the log level): whoever reaches the
        // server first cannot make themself its administrator without it.
        tell_operator(std::io::stderr(), format_args!("Setup token (asked by the setup form, valid until setup is done): {token}"));
    }
    let writer = last_use_writer::spawn(services.clone());
    // PostgreSQL: take part in the cluster, so this node may serve keys from its cache.
    let membership = services.join_cluster();
    let for_housekeeping = services.clone();
    let housekeeping = tokio::spawn(async move {
        // Limits of addresses, accounts and keys gone quiet are dropped, so a scan from many
        // addresses does not grow memory (or the shared table) for good.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(error) = for_housekeeping.housekeeping().await {
                tracing::warn!(%error, "could not forget stale limits; will retry");
            }
        }
    });
    let reminders = tokio::spawn(reminders::run(services.clone(), mailer));
    tracing::info!(max_connections = limits.max_connections, header_read_timeout_s = limits.header_read_timeout.as_secs(), "accepting connections");
    crate::connections::serve(listener, router(state), limits, shutdown_signal()).await;
    housekeeping.abort();
    reminders.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    // In-flight requests are done: write what they noted before exiting.
    last_use_writer::finish(&services, writer).await;
    if let Some(membership) = membership {
        membership.leave().await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// One `sesame serve` per SQLite file: it caches valid keys in memory, which is only right
/// when no other server can delete them behind its back. Several nodes need PostgreSQL.
fn lock_sqlite_database(path: &Path) -> anyhow::Result<File> {
    let lock_path = PathBuf::from(format!("{}.lock", path.display()));
    let file = File::create(&lock_path).with_context(|| format!("creating {}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => bail!(
            "another `sesame serve` is already using {}; one server per SQLite database \
             (several nodes need PostgreSQL)",
            path.display()
        ),
        Err(TryLockError::Error(error)) => Err(error).context("locking the SQLite database"),
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = interrupt => {}, _ = terminate => {} }
}

/// A line for whoever started the server. If nobody reads it any more (`sesame serve |
/// head -1`, a supervisor that closed the pipe), the line is lost, not the server:
/// `println!` would panic on the closed pipe.
fn tell_operator(mut to: impl std::io::Write, line: std::fmt::Arguments<'_>) {
    let _ = writeln!(to, "{line}");
}
