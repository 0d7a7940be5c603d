//! Addresses: which one a request really came from, and which are on the public Internet.

use std::net::IpAddr;

/// The client address: the socket peer, unless the peer is a proxy the operator trusts, in
/// which case the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
/// Entries left of an untrusted hop could be forged by the client, so they are never used.
///
/// `forwarded_for` holds the header's lines in the order they came: a proxy may append a
/// line of its own rather than extend the client's, so every line counts. IPv4 addresses
/// written as IPv6 (`::ffff:192.0.2.1`, as a dual-stack socket reports them) are read as
/// the IPv4 address they are, on both sides of every comparison.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted_proxies: &[IpAddr],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted_proxies.iter().any(|proxy| proxy.to_canonical() == ip);
    let peer = peer.to_canonical();
    if !is_trusted(peer) {
        return peer;
    }
    let lines: Vec<&str> = forwarded_for.into_iter().collect();
    let mut client = peer;
    for hop in lines.iter().rev().flat_map(|line| line.rsplit(',')).map(str::trim) {
        match parse_hop(hop) {
            Some(ip) => {
                client = ip.to_canonical();
                if !is_trusted(client) {
                    break;
                }
            }
            // Garbage in the header: stop at the last address we could trust.
            None => break,
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, or an address with a port as some load
/// balancers write it (`198.51.100.7:50123`, `[2001:db8::7]:50123`, `[2001:db8::7]`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|socket| socket.ip()))
        .or_else(|_| hop.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).unwrap_or("").parse::<IpAddr>())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_the_header_says() {
        assert_eq!(client_ip(ip("203.0.113.9"), ["1.2.3.4"], &[]), ip("203.0.113.9"));
    }

    #[test]
    fn trusted_proxy_forwards_the_right_most_untrusted_hop() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_ip(ip("10.0.0.1"), ["6.6.6.6, 198.51.100.7, 10.0.0.2"], &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(ip("10.0.0.1"), [], &proxies), ip("10.0.0.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), ["junk"], &proxies), ip("10.0.0.1"));
    }

    #[test]
    fn every_header_line_counts_in_order() {
        let proxies = [ip("10.0.0.1")];
        // The client forged the first line; the proxy appended the second.
        assert_eq!(client_ip(ip("10.0.0.1"), ["6.6.6.6", "198.51.100.7"], &proxies), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("10.0.0.1"), ["6.6.6.6, 198.51.100.7", "10.0.0.1"], &proxies), ip("198.51.100.7"));
    }

    #[test]
    fn an_entry_with_a_port_is_read_as_its_address() {
        // Some load balancers write the client's port too (Azure Application Gateway, IIS ARR).
        let proxies = [ip("10.0.0.1")];
        assert_eq!(client_ip(ip("10.0.0.1"), ["198.51.100.7:50123"], &proxies), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("10.0.0.1"), ["[2001:db8::7]:50123"], &proxies), ip("2001:db8::7"));
        assert_eq!(client_ip(ip("10.0.0.1"), ["[2001:db8::8]"], &proxies), ip("2001:db8::8"));
    }

    #[test]
    fn ipv4_mapped_addresses_are_read_as_ipv4() {
        // A dual-stack listener sees an IPv4 proxy as ::ffff:10.0.0.1.
        assert_eq!(client_ip(ip("::ffff:10.0.0.1"), ["198.51.100.7"], &[ip("10.0.0.1")]), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("10.0.0.1"), ["198.51.100.7"], &[ip("::ffff:10.0.0.1")]), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("10.0.0.1"), ["::ffff:198.51.100.7"], &[ip("10.0.0.1")]), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("::ffff:203.0.113.9"), [], &[]), ip("203.0.113.9"));
    }
}

/// Whether an address is on the public Internet: not loopback, private, link-local,
/// shared (100.64/10), benchmarking (198.18/15), reserved (240/4), multicast, documentation or
/// unspecified — nor an IPv6 address that carries an IPv4 one inside (mapped, compatible,
/// NAT64 64:ff9b::/96, 6to4 2002::/16), which is judged by the IPv4 address it carries.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b)))
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let carried = |high: u16, low: u16| std::net::Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
            match segments {
                // IPv4-mapped and IPv4-compatible (::a.b.c.d, :: and ::1 among them).
                [0, 0, 0, 0, 0, 0xffff | 0, high, low] => is_public(IpAddr::V4(carried(high, low))) && !v6.is_loopback(),
                [0x64, 0xff9b, 0, 0, 0, 0, high, low] => is_public(IpAddr::V4(carried(high, low))),
                [0x2002, high, low, ..] => is_public(IpAddr::V4(carried(high, low))),
                [first, second, ..] => {
                    !(v6.is_multicast()
                        || (first & 0xfe00) == 0xfc00
                        || (first & 0xffc0) == 0xfe80
                        || (first & 0xffc0) == 0xfec0
                        || (first == 0x2001 && second == 0x0db8))
                }
            }
        }
    }
}

#[cfg(test)]
mod public_address_tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        let private = [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "198.18.0.1", "240.0.0.1", "::1", "::",
            "fd00::1", "fe80::1", "fec0::1", "::ffff:10.0.0.1", "::10.0.0.1", "64:ff9b::a00:5", "2002:a00:5::1", "2001:db8::1",
        ];
        for private in private {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["140.82.112.3", "8.8.8.8", "2606:4700::1111", "::ffff:140.82.112.3", "64:ff9b::8c52:7003", "2002:8c52:7003::1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
