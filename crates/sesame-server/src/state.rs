//! What every request handler may reach: the services and the server's configuration. In a
//! file of its own, so route files never import the router back.

use std::{net::IpAddr, ops::Deref, path::PathBuf, sync::Arc};

use sesame_core::Services;
use sesame_api::server::ServerContext;

/// axum clones it for every request, more than once: one reference count, not one per
/// field (each is a write to memory both cores share, which showed in the API's profile).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

pub struct SharedState {
    pub services: Arc<Services>,
    pub config: Arc<AppConfig>,
    /// `GET /api/v1/me` answers, rendered once per version of each user.
    pub me_cache: crate::me_cache::MeCache,
    /// Keyless CI: checks the OIDC tokens jobs trade for keys.
    pub tokens: Arc<sesame_oidc::TokenChecker>,
}

impl AppState {
    /// The state of a server of `services`; their notices go out by e-mail when SMTP is
    /// configured.
    pub fn new(services: Services, config: AppConfig) -> Self {
        if let Some(mailer) = &config.mailer {
            services.deliver_notices_with(Arc::new(mailer.clone()));
        }
        let tokens = Arc::new(sesame_oidc::TokenChecker::new(sesame_oidc::SigningKeys::new(services.trust_rules.allows_insecure_issuers())));
        Self(Arc::new(SharedState { services: Arc::new(services), config: Arc::new(config), me_cache: Default::default(), tokens }))
    }
}

impl Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Where people reach this server, without a trailing slash.
    pub public_url: String,
    pub site_dir: PathBuf,
    pub trusted_proxies: Vec<IpAddr>,
    /// Sends e-mail notices when SMTP is configured.
    pub mailer: Option<crate::mail::Mailer>,
}

impl AppConfig {
    /// Whether the public URL is https (secure cookies, HSTS).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn endpoint_url(&self) -> String {
        format!("{}/api/v1", self.public_url)
    }

    /// What the console's server functions run with.
    pub(crate) fn server_context(&self, services: &Services, tokens: &Arc<sesame_oidc::TokenChecker>) -> ServerContext {
        ServerContext {
            services: services.clone(),
            tokens: tokens.clone(),
            public_url: self.public_url.clone(),
            secure_cookies: self.is_https(),
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }
}
