//! Where a key may be used from, and how fast: its address allow-list and its own request
//! limit. Both are optional; a key without them works from anywhere, as fast as the server's
//! own limits let it.

use std::{fmt, net::IpAddr};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// What holds a key back besides its scopes: where it may be used from, and how fast.
/// `Default` is none: anywhere, as fast as the server's own limits allow.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Restrictions {
    pub allowed_addresses: AllowedAddresses,
    pub rate_limit: Option<KeyRateLimit>,
}

impl Restrictions {
    /// Whether a key with `self` is held back at least as much as one with `within`: used
    /// from nowhere else, and no faster. A restricted key may only make or manage keys that
    /// fit in its own restrictions — otherwise a key kept to one CI runner could make itself
    /// a key that works from anywhere.
    pub fn fits_in(&self, within: &Restrictions) -> bool {
        let rate_fits = match (self.rate_limit, within.rate_limit) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(wanted), Some(allowed)) => wanted.fits_in(allowed),
        };
        rate_fits && self.allowed_addresses.fits_in(&within.allowed_addresses)
    }
}

/// Addresses and ranges one key may list, at most.
pub const MAX_ALLOWED_ADDRESSES: usize = 50;

/// The addresses a key may be used from: anywhere (the empty list), or only from within
/// these addresses and CIDR ranges. Checked on every request, so it is a plain slice walk
/// with no allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AllowedAddresses(Vec<IpNet>);

/// An allow-list that is not one; nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AddressListError {
    #[error("at most 50 addresses or ranges")]
    TooMany,
    #[error("{0:?} is not an IPv4 or IPv6 address or CIDR range (like 192.0.2.0/24 or 2001:db8::/32)")]
    Invalid(String),
}

impl AllowedAddresses {
    /// The empty list: anywhere.
    pub fn anywhere() -> Self {
        Self::default()
    }

    pub fn is_anywhere(&self) -> bool {
        self.0.is_empty()
    }

    /// From the API's and the console's form: addresses (`192.0.2.7`, `2001:db8::1`) and
    /// CIDR ranges (`192.0.2.0/24`). A range with host bits
    /// is read as its network (`192.0.2.7/24` is `192.0.2.0/24`); an IPv4 address written
    /// as IPv6 (`::ffff:192.0.2.7`) is that IPv4 address. 50 entries at most; one that
    /// repeats another (`10.0.0.0/8` and `10.1.2.3/8`) is kept once.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, AddressListError> {
        if entries.len() > MAX_ALLOWED_ADDRESSES {
            return Err(AddressListError::TooMany);
        }
        let mut networks: Vec<IpNet> = Vec::with_capacity(entries.len());
        for entry in entries {
            let network = parse_entry(entry.as_ref())?;
            if !networks.contains(&network) {
                networks.push(network);
            }
        }
        Ok(Self(networks))
    }

    /// The entries in what a person typed: separated by lines, spaces or commas.
    pub fn entries_typed(text: &str) -> Vec<String> {
        text.split(|c: char| c.is_whitespace() || c == ',').filter(|entry| !entry.is_empty()).map(str::to_owned).collect()
    }

    /// Whether every address `self` allows, `within` allows too.
    pub fn fits_in(&self, within: &AllowedAddresses) -> bool {
        within.is_anywhere()
            || (!self.is_anywhere() && self.0.iter().all(|wanted| within.0.iter().any(|allowed| allowed.contains(wanted))))
    }

    /// Whether a request from `ip` may use the key.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.is_empty() || self.0.iter().any(|network| network.contains(&ip))
    }

    /// The API's and the console's form: single addresses without a prefix length.
    pub fn to_list(&self) -> Vec<String> {
        self.0.iter().map(|network| Shown(*network).to_string()).collect()
    }

    /// As stored: none for anywhere, else the entries separated by spaces.
    pub fn to_stored(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.to_list().join(" "))
    }

    /// From what [`AllowedAddresses::to_stored`] wrote.
    pub fn from_stored(stored: Option<&str>) -> Result<Self, crate::UnknownValue> {
        let entries: Vec<&str> = stored.map(|stored| stored.split_whitespace().collect()).unwrap_or_default();
        Self::parse(&entries).map_err(|_| crate::UnknownValue { what: "allowed addresses", value: stored.unwrap_or("").chars().take(40).collect() })
    }
}

/// One entry, exactly as written: an address, or an address, `/` and a prefix length
/// written without leading zeros. Nothing around it (the console trims what people type;
/// the API takes what its document allows, no more).
fn parse_entry(entry: &str) -> Result<IpNet, AddressListError> {
    let invalid = || AddressListError::Invalid(entry.chars().take(50).collect());
    let (address, prefix) = match entry.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (entry, None),
    };
    let address: IpAddr = address.parse().map_err(|_| invalid())?;
    let network = match prefix {
        None => IpNet::from(address.to_canonical()),
        Some(prefix) => {
            let well_written = !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) && (prefix == "0" || !prefix.starts_with('0'));
            let length: u8 = prefix.parse().ok().filter(|_| well_written).ok_or_else(invalid)?;
            match (address, address.to_canonical()) {
                // An IPv4 range written as IPv6 (`::ffff:192.0.2.0/120`) is that IPv4 range. A
                // shorter prefix is an IPv6 range like any other (it covers IPv6 clients).
                (IpAddr::V6(_), IpAddr::V4(v4)) if length >= 96 => IpNet::new(IpAddr::V4(v4), length - 96),
                _ => IpNet::new(address, length),
            }
            .map_err(|_| invalid())?
        }
    };
    Ok(network.trunc())
}

/// A network as people write it: a single address without its `/32` or `/128`.
struct Shown(IpNet);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.prefix_len() == self.0.max_prefix_len() {
            self.0.addr().fmt(f)
        } else {
            self.0.fmt(f)
        }
    }
}

/// How finely a key's usage series is cut: per hour, or per day (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Hour,
    Day,
}

impl Granularity {
    pub const ALL: [Granularity; 2] = [Granularity::Hour, Granularity::Day];

    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Hour => "hour",
            Granularity::Day => "day",
        }
    }
}

text_enum!(Granularity, "granularity");

/// What a key's own request limit counts per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum RatePeriod {
    Second,
    Minute,
}

impl RatePeriod {
    pub const ALL: [RatePeriod; 2] = [RatePeriod::Second, RatePeriod::Minute];

    pub fn as_str(self) -> &'static str {
        match self {
            RatePeriod::Second => "second",
            RatePeriod::Minute => "minute",
        }
    }

    pub fn millis(self) -> u32 {
        match self {
            RatePeriod::Second => 1_000,
            RatePeriod::Minute => 60_000,
        }
    }

}

/// The most requests a key's limit may allow per period (a second: the limit counts in
/// milliseconds; a minute: the same bound, so the API document can state it simply — a
/// faster key is limited per second).
pub const MAX_LIMIT_REQUESTS: u32 = 1_000;

text_enum!(RatePeriod, "rate period");

/// A key's own request limit: at most `requests` per `per`, spread evenly — a burst of
/// `requests` at once, then the allowance comes back one request per `per / requests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "UncheckedRateLimit", deny_unknown_fields)]
pub struct KeyRateLimit {
    /// 1 to 1,000.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    requests: u32,
    per: RatePeriod,
}

/// A rate limit out of bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a key's limit is 1 to 1,000 requests per second or per minute")]
pub struct RateLimitOutOfBounds;

impl KeyRateLimit {
    pub fn new(requests: u32, per: RatePeriod) -> Result<Self, RateLimitOutOfBounds> {
        if requests == 0 || requests > MAX_LIMIT_REQUESTS {
            return Err(RateLimitOutOfBounds);
        }
        Ok(Self { requests, per })
    }

    pub fn requests(self) -> u32 {
        self.requests
    }

    pub fn per(self) -> RatePeriod {
        self.per
    }

    /// How long one request's share of the allowance takes to come back, rounded up so the
    /// limit is never exceeded.
    pub fn interval_millis(self) -> u32 {
        self.per.millis().div_ceil(self.requests)
    }

    /// Whether this limit lets through no more requests than `other`, over a long while
    /// and at once: 60 per minute does not fit in 1 per second (a burst of 60).
    pub fn fits_in(self, other: KeyRateLimit) -> bool {
        let no_faster = u64::from(self.requests) * u64::from(other.per.millis()) <= u64::from(other.requests) * u64::from(self.per.millis());
        no_faster && self.requests <= other.requests
    }

    /// As stored: `10/second`.
    pub fn to_stored(self) -> String {
        format!("{}/{}", self.requests, self.per)
    }

    /// From what [`KeyRateLimit::to_stored`] wrote.
    pub fn from_stored(stored: &str) -> Result<Self, crate::UnknownValue> {
        let unknown = || crate::UnknownValue { what: "rate limit", value: stored.chars().take(40).collect() };
        let (requests, per) = stored.split_once('/').ok_or_else(unknown)?;
        let requests = requests.parse().map_err(|_| unknown())?;
        Self::new(requests, per.parse().map_err(|_| unknown())?).map_err(|_| unknown())
    }
}

impl fmt::Display for KeyRateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {}", self.requests, self.per)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UncheckedRateLimit {
    #[serde(deserialize_with = "whole_number")]
    requests: u32,
    per: RatePeriod,
}

/// A whole number, also when written with a fraction of zero (`20.0`): JSON Schema's
/// `integer` counts it as one, so the API does too.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let number = f64::deserialize(deserializer)?;
    if number.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&number) {
        // Whole and in range: the conversion is exact.
        Ok(number as u32)
    } else {
        Err(serde::de::Error::custom("requests must be a whole number"))
    }
}

impl TryFrom<UncheckedRateLimit> for KeyRateLimit {
    type Error = RateLimitOutOfBounds;

    fn try_from(unchecked: UncheckedRateLimit) -> Result<Self, Self::Error> {
        Self::new(unchecked.requests, unchecked.per)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn list(entries: &[&str]) -> AllowedAddresses {
        AllowedAddresses::parse(entries).unwrap()
    }

    #[test]
    fn the_empty_list_allows_anywhere() {
        let anywhere = AllowedAddresses::anywhere();
        assert!(anywhere.allows(ip("192.0.2.1")) && anywhere.allows(ip("2001:db8::1")));
        assert_eq!(anywhere.to_stored(), None);
    }

    #[test]
    fn addresses_and_ranges_allow_exactly_what_they_cover() {
        let allowed = list(&["192.0.2.7", "198.51.100.0/24", "2001:db8:1::/48"]);
        assert!(allowed.allows(ip("192.0.2.7")));
        assert!(!allowed.allows(ip("192.0.2.8")));
        assert!(allowed.allows(ip("198.51.100.0")) && allowed.allows(ip("198.51.100.255")));
        assert!(!allowed.allows(ip("198.51.101.0")));
        assert!(allowed.allows(ip("2001:db8:1:ffff::1")));
        assert!(!allowed.allows(ip("2001:db8:2::1")));
        // An IPv4 client seen through an IPv6 socket is still that IPv4 client.
        assert!(allowed.allows(ip("::ffff:192.0.2.7")));
        assert!(list(&["::ffff:192.0.2.7"]).allows(ip("192.0.2.7")));
        assert_eq!(list(&["::ffff:192.0.2.0/120"]).to_list(), ["192.0.2.0/24"]);
        assert_eq!(list(&["::ffff:192.0.2.0/95"]).to_list(), ["::fffe:0:0/95"]);
    }

    #[test]
    fn entries_are_read_as_people_write_them() {
        let allowed = list(&["192.0.2.7/24", "2001:db8::1", "10.0.0.1/32"]);
        assert_eq!(allowed.to_list(), ["192.0.2.0/24", "2001:db8::1", "10.0.0.1"]);
        assert_eq!(AllowedAddresses::from_stored(allowed.to_stored().as_deref()), Ok(allowed));
    }

    #[test]
    fn typed_entries_are_split_on_lines_spaces_and_commas() {
        let typed = AllowedAddresses::entries_typed(" 192.0.2.7,198.51.100.0/24\n\n 2001:db8::1 ");
        assert_eq!(typed, ["192.0.2.7", "198.51.100.0/24", "2001:db8::1"]);
        assert!(AllowedAddresses::entries_typed("  \n , ").is_empty());
    }

    #[test]
    fn bad_lists_are_refused_with_the_entry_at_fault() {
        assert_eq!(AllowedAddresses::parse(&["192.0.2.300"]), Err(AddressListError::Invalid("192.0.2.300".into())));
        assert_eq!(AllowedAddresses::parse(&["10.0.0.0/33"]), Err(AddressListError::Invalid("10.0.0.0/33".into())));
        for bad in ["", " 192.0.2.1", "192.0.2.1/", "192.0.2.1/08", "192.0.2.01", "192.0.2.0/+8", "fe80::1%eth0", "2001:db8::/129"] {
            assert_eq!(AllowedAddresses::parse(&[bad]), Err(AddressListError::Invalid(bad.into())), "{bad:?}");
        }
        assert_eq!(AllowedAddresses::parse(&["10.0.0.0/8", "10.1.2.3/8"]).map(|list| list.to_list()), Ok(vec!["10.0.0.0/8".to_owned()]));
        let fifty: Vec<String> = (0..50).map(|n| format!("192.0.2.{n}")).collect();
        assert_eq!(AllowedAddresses::parse(&fifty).map(|list| list.to_list().len()), Ok(50));
        let fifty_one: Vec<String> = (0..51).map(|n| format!("192.0.2.{n}")).collect();
        assert_eq!(AllowedAddresses::parse(&fifty_one), Err(AddressListError::TooMany));
    }

    #[test]
    fn restrictions_fit_in_looser_ones_only() {
        let limit = |requests, per| Some(KeyRateLimit::new(requests, per).unwrap());
        let runner = Restrictions { allowed_addresses: list(&["192.0.2.0/24"]), rate_limit: limit(10, RatePeriod::Second) };
        let none = Restrictions::default();
        assert!(runner.fits_in(&none) && runner.fits_in(&runner) && none.fits_in(&none));
        assert!(!none.fits_in(&runner), "unrestricted does not fit in restricted");
        let one_address = Restrictions { allowed_addresses: list(&["192.0.2.9"]), ..runner.clone() };
        assert!(one_address.fits_in(&runner));
        let elsewhere = Restrictions { allowed_addresses: list(&["192.0.2.9", "198.51.100.1"]), ..runner.clone() };
        assert!(!elsewhere.fits_in(&runner));
        let anywhere = Restrictions { allowed_addresses: AllowedAddresses::anywhere(), ..runner.clone() };
        assert!(!anywhere.fits_in(&runner));
        let slower = Restrictions { rate_limit: limit(9, RatePeriod::Minute), ..runner.clone() };
        let faster = Restrictions { rate_limit: limit(11, RatePeriod::Second), ..runner.clone() };
        let unlimited = Restrictions { rate_limit: None, ..runner.clone() };
        assert!(slower.fits_in(&runner) && !faster.fits_in(&runner) && !unlimited.fits_in(&runner));
        let one_a_second = Restrictions { rate_limit: limit(1, RatePeriod::Second), ..runner.clone() };
        let sixty_a_minute = Restrictions { rate_limit: limit(60, RatePeriod::Minute), ..runner.clone() };
        assert!(!sixty_a_minute.fits_in(&one_a_second), "the same rate, but a burst of 60");
        assert!(one_a_second.fits_in(&sixty_a_minute));
    }

    #[test]
    fn a_rate_limit_is_within_bounds_and_never_rounds_up_the_rate() {
        assert!(KeyRateLimit::new(0, RatePeriod::Second).is_err());
        assert!(KeyRateLimit::new(1_001, RatePeriod::Second).is_err());
        let three = KeyRateLimit::new(3, RatePeriod::Second).unwrap();
        assert_eq!(three.interval_millis(), 334);
        assert_eq!(KeyRateLimit::new(1_000, RatePeriod::Second).unwrap().interval_millis(), 1);
        assert_eq!(KeyRateLimit::new(1_000, RatePeriod::Minute).unwrap().interval_millis(), 60);
        assert!(KeyRateLimit::new(1_001, RatePeriod::Minute).is_err());
        assert_eq!(KeyRateLimit::from_stored(&three.to_stored()), Ok(three));
        assert!(KeyRateLimit::from_stored("5/hour").is_err());
        assert_eq!(serde_json::to_value(three).unwrap(), serde_json::json!({"requests": 3, "per": "second"}));
        assert!(serde_json::from_value::<KeyRateLimit>(serde_json::json!({"requests": 0, "per": "minute"})).is_err());
        assert_eq!(serde_json::from_str::<KeyRateLimit>(r#"{"requests": 3.0, "per": "second"}"#).unwrap(), three);
        assert!(serde_json::from_str::<KeyRateLimit>(r#"{"requests": 3.5, "per": "second"}"#).is_err());
    }
}
