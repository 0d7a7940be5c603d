use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// For people reading a terminal.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Logs on standard error; `RUST_LOG` overrides the level (default `info`). Keys and
/// passwords are never logged, in either format.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A log line that cannot be written (standard error closed) is lost, quietly: by
    // default tracing-subscriber reports it with `eprintln!`, which panics on the same
    // closed pipe and stops the server.
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).log_internal_errors(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
    };
}
