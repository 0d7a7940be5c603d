//! Which address a request really came from.

use std::net::IpAddr;

/// The client address: the socket peer, unless the peer is a proxy the operator trusts, in
/// which case the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
/// Entries left of an untrusted hop could be forged by the client, so they are never used.
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else { return peer };
    let mut hops = header.rsplit(',').map(str::trim);
    let mut client = peer;
    for hop in &mut hops {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted_proxies.contains(&ip) {
                    break;
                }
            }
            // Garbage in the header: stop at the last address we could trust.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_the_header_says() {
        assert_eq!(client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &[]), ip("203.0.113.9"));
    }

    #[test]
    fn trusted_proxy_forwards_the_right_most_untrusted_hop() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("6.6.6.6, 198.51.100.7, 10.0.0.2"), &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(ip("10.0.0.1"), None, &proxies), ip("10.0.0.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), Some("junk"), &proxies), ip("10.0.0.1"));
    }
}
