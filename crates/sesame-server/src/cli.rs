//! The command line. Every flag has an environment twin: `SESAME_` + its name in upper
//! snake case.

use std::{net::{IpAddr, SocketAddr}, path::PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "sesame", version, about = "API credentials for the CloudOps console")]
pub struct Cli {
    /// sqlite://PATH (created on first run) or postgres://…
    #[arg(long, global = true, env = "SESAME_DATABASE_URL", default_value = "sqlite://data/sesame.db")]
    pub database_url: String,

    /// Log lines as text or as JSON objects (one per line).
    #[arg(long, global = true, env = "SESAME_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: crate::logging::LogFormat,

    /// Keys one owner may have at most (more answers 409 `too_many_keys`).
    #[arg(long, global = true, env = "SESAME_MAX_KEYS_PER_OWNER", default_value_t = sesame_core::keys::DEFAULT_MAX_KEYS_PER_OWNER,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_keys_per_owner: u32,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the browser app, its server functions and /api/v1.
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Print the one-time setup token again, while no user exists.
    SetupToken,
    /// Print the REST API's OpenAPI document (as served at /api/v1/openapi.json).
    Openapi {
        /// The public URL the document names as its server.
        #[arg(long, env = "SESAME_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
        public_url: String,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SESAME_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Address to serve Prometheus metrics on (`GET /metrics`), apart from the public one;
    /// none by default. Keep it on loopback or a network only the scraper reaches.
    #[arg(long, env = "SESAME_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// The URL people and scripts reach this server at (default: http://<addr>).
    #[arg(long, env = "SESAME_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The browser app built by Trunk.
    #[arg(long, env = "SESAME_SITE_DIR", default_value = "dist")]
    pub site_dir: PathBuf,
    /// Reverse proxies whose X-Forwarded-For is trusted (comma-separated addresses).
    #[arg(long, env = "SESAME_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
    /// Minutes after which an unused console session ends (it ends 12 hours after login
    /// in any case).
    #[arg(long, env = "SESAME_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=720))]
    pub session_idle_minutes: u64,
    /// Let trust rules name `http://` issuers and issuers on private addresses (a test
    /// issuer on this machine). Never in production: a token's signing keys would travel
    /// unprotected, and rules could make the server call inside its own network.
    #[arg(long, env = "SESAME_ALLOW_INSECURE_ISSUERS")]
    pub allow_insecure_issuers: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub connections: ConnectionArgs,
    #[command(flatten)]
    pub mail: MailArgs,
}

/// Client connections (see `sesame_server::connections`).
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Connections open at once, at most; more wait until one closes (default: as many as
    /// the open-file limit leaves room for).
    #[arg(long, env = "SESAME_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(16..))]
    pub max_connections: Option<u32>,
    /// Seconds a client may take to send a request's headers (and to start the next request
    /// on a kept-alive connection) before the connection is closed.
    #[arg(long, env = "SESAME_HEADER_READ_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_read_timeout_seconds: u64,
}

impl ConnectionArgs {
    pub fn limits(&self) -> crate::connections::ConnectionLimits {
        let asked = self.max_connections.map(|max| usize::try_from(max).unwrap_or(usize::MAX));
        crate::connections::ConnectionLimits::new(asked, std::time::Duration::from_secs(self.header_read_timeout_seconds))
    }
}

/// E-mail notices (expiry reminders, leak reports); without them, only the console and the
/// activity log tell.
#[derive(Debug, Args)]
pub struct MailArgs {
    /// The SMTP server: smtps://host:port (TLS) or smtp://host:port?tls=required (STARTTLS),
    /// with user:password@ if it asks for them; plain smtp:// only to this machine. Never
    /// printed.
    #[arg(long, env = "SESAME_SMTP_URL", requires = "mail_from", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of the e-mails, as "Name <address>" or an address.
    #[arg(long, env = "SESAME_MAIL_FROM", requires = "smtp_url")]
    pub mail_from: Option<String>,
}

/// Rate limits (docs/security.md says why these defaults).
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Failed API authentications one client address may make in a row before it waits.
    #[arg(long, env = "SESAME_FAILED_AUTH_BURST", default_value_t = 20)]
    pub failed_auth_burst: u32,
    /// Seconds for one more failed authentication to be allowed again.
    #[arg(long, env = "SESAME_FAILED_AUTH_REFILL_SECONDS", default_value_t = 3)]
    pub failed_auth_refill_seconds: u64,
    /// Login attempts one client address may make in a row before it waits.
    #[arg(long, env = "SESAME_LOGIN_BURST", default_value_t = 20)]
    pub login_burst: u32,
    /// Requests per second allowed to each API key (default: no limit).
    #[arg(long, env = "SESAME_KEY_RATE_LIMIT")]
    pub key_rate_limit: Option<std::num::NonZeroU32>,
}

impl LimitArgs {
    pub fn settings(&self) -> sesame_core::throttle::ThrottleSettings {
        sesame_core::throttle::ThrottleSettings {
            failed_auth_burst: self.failed_auth_burst,
            failed_auth_refill: std::time::Duration::from_secs(self.failed_auth_refill_seconds.max(1)),
            login_burst_per_ip: self.login_burst,
            key_requests_per_second: self.key_rate_limit,
            ..Default::default()
        }
    }
}

/// `--role`: the model's `Role`, as clap reads it.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    User,
}

impl From<RoleArg> for sesame_core::model::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Self::Admin,
            RoleArg::User => Self::User,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long, env = "SESAME_USERNAME")]
        username: String,
        #[arg(long, env = "SESAME_EMAIL")]
        email: String,
        #[arg(long, env = "SESAME_ROLE", value_enum)]
        role: RoleArg,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, env = "SESAME_PASSWORD_STDIN", required = true)]
        password_stdin: bool,
        /// Full name shown in the console (default: the username).
        #[arg(long, env = "SESAME_FULL_NAME")]
        full_name: Option<String>,
        /// Organization (created if new; default: the first one, or "Default").
        #[arg(long, env = "SESAME_ORGANIZATION")]
        organization: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key for a user and print it alone on standard output.
    Create {
        #[arg(long, env = "SESAME_USERNAME")]
        username: String,
        /// Key name (default: api_key_ and 8 random letters or digits).
        #[arg(long, env = "SESAME_NAME")]
        name: Option<String>,
    },
}
