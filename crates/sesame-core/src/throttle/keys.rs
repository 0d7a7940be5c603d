//! What the limits are keyed by: fixed-size values, whatever the attacker sends, so every
//! table of them is bounded in bytes by its number of entries.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

/// An account, as the limits know it: a hash of its username (usernames match ignoring
/// case), never the username itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountKey(pub(crate) [u8; 16]);

impl AccountKey {
    pub fn of(username: &str) -> Self {
        let digest = Sha256::new().chain_update(b"sesame-account\0").chain_update(username.trim().to_lowercase()).finalize();
        Self(digest[..16].try_into().expect("16 of 32 bytes"))
    }
}

/// A client address as the limits know it. IPv6 addresses count by /64: one client gets a
/// whole /64 from its provider and could rotate through it. IPv4-mapped addresses are read
/// as the IPv4 address they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressKey(pub(crate) [u8; 16]);

impl AddressKey {
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(v4.to_ipv6_mapped().octets()),
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                Self(octets)
            }
        }
    }
}

/// One account from one address: the growing delay's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PairKey(pub(crate) [u8; 16]);

impl PairKey {
    pub fn of(account: AccountKey, address: AddressKey) -> Self {
        let digest = Sha256::new().chain_update(account.0).chain_update(address.0).finalize();
        Self(digest[..16].try_into().expect("16 of 32 bytes"))
    }
}

/// One key under one limit: a key whose limit changes starts afresh rather than carrying
/// the debt it ran up under the old one (a limit raised applies at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyLimitKey(pub(crate) [u8; 16]);

impl KeyLimitKey {
    pub fn of(key: crate::model::ApiKeyId, limit: crate::model::KeyRateLimit) -> Self {
        let digest = Sha256::new().chain_update(key.to_bytes()).chain_update(limit.to_stored()).finalize();
        Self(digest[..16].try_into().expect("16 of 32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_counts_by_64_and_mapped_ipv4_is_ipv4() {
        assert_eq!(AddressKey::of(ip("2001:db8:1:2:aaaa::1")), AddressKey::of(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assert_ne!(AddressKey::of(ip("2001:db8:1:2::1")), AddressKey::of(ip("2001:db8:1:3::1")));
        assert_eq!(AddressKey::of(ip("192.0.2.1")), AddressKey::of(ip("::ffff:192.0.2.1")));
        assert_ne!(AddressKey::of(ip("192.0.2.1")), AddressKey::of(ip("192.0.2.2")));
    }

    #[test]
    fn accounts_match_ignoring_case_and_are_fixed_size() {
        assert_eq!(AccountKey::of("Alice"), AccountKey::of(" alice "));
        assert_ne!(AccountKey::of("alice"), AccountKey::of("bob"));
        assert_eq!(std::mem::size_of::<AccountKey>(), 16);
        let huge = "x".repeat(60 * 1024);
        assert_eq!(std::mem::size_of_val(&AccountKey::of(&huge)), 16);
    }
}
