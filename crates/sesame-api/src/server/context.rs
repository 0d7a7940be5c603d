use std::net::IpAddr;

use sesame_core::Services;

/// Provided to every server function by the server (`handle_server_fns_with_context`).
#[derive(Clone)]
pub struct ServerContext {
    pub services: Services,
    /// `<public URL>/api/v1`, shown in the panel.
    pub endpoint_url: String,
    /// Set the cookie's `Secure` attribute: the public URL is https.
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
}
