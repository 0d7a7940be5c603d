//! The HTTP plumbing both doors share, the REST API and the console's server functions
//! alike: where a request comes from (its client's address, through the trusted proxies, and
//! its user agent). Nothing here knows either door.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{header, request::Parts};
use sesame_core::{actor::Client, net};

/// A request's client address once worked out (by a middleware that needed it first), kept
/// in the request's extensions so that the handler does not work it out again.
#[derive(Debug, Clone, Copy)]
pub struct KnownClientIp(pub IpAddr);

/// The client's address for this request: the peer, or what a trusted proxy forwarded.
pub fn client_ip(parts: &Parts, trusted_proxies: &[IpAddr]) -> IpAddr {
    match parts.extensions.get::<KnownClientIp>() {
        Some(known) => known.0,
        None => client_ip_of(&parts.headers, &parts.extensions, trusted_proxies),
    }
}

/// The same, from a request's headers and extensions (the peer address is axum's
/// `ConnectInfo`).
pub fn client_ip_of(headers: &http::HeaderMap, extensions: &http::Extensions, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |info| info.0.ip());
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|line| line.to_str().ok());
    net::client_ip(peer, forwarded, trusted_proxies)
}

/// The request's `User-Agent`, when it is readable text.
pub fn user_agent(parts: &Parts) -> Option<&str> {
    parts.headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok())
}

/// Where a request comes from, as the use cases record it: its client's address and agent.
pub fn client_of(parts: &Parts, trusted_proxies: &[IpAddr]) -> Client {
    Client::new(client_ip(parts, trusted_proxies), user_agent(parts))
}
