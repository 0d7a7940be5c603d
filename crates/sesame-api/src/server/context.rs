use std::{net::IpAddr, sync::Arc};

use sesame_core::Services;

/// Provided to every server function by the server (`handle_server_fns_with_context`).
#[derive(Clone)]
pub struct ServerContext {
    pub services: Services,
    /// Keyless CI's token check, for "Test a token" (the REST exchange shares it).
    pub tokens: Arc<sesame_oidc::TokenChecker>,
    /// The instance's public URL: a trust rule's audience unless it names another.
    pub public_url: String,
    /// Set the cookie's `Secure` attribute: the public URL is https.
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
}

impl ServerContext {
    /// `<public URL>/api/v1`, shown in the panel.
    pub fn endpoint_url(&self) -> String {
        format!("{}/api/v1", self.public_url)
    }
}
