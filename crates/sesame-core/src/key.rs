//! The API key format.
//!
//! A key reads `sesame_<43 base62 chars of randomness><6 base62 chars of CRC32>`:
//! - 43 base62 characters carry 43 × log2(62) ≈ 256.03 bits from the OS CSPRNG;
//! - the CRC32 of the random part, in 6 base62 characters, lets a mistyped or forged key be
//!   refused without touching the database (a CRC catches every single-character change),
//!   and gives secret scanners a pattern with few false positives (GitHub-style).
//!
//! Only the SHA-256 of the whole key is ever stored ([`KeyHash`]).

use std::fmt;

use sesame_model::random::text as random_chars;
use sha2::{Digest, Sha256};

/// The fixed product prefix, with its underscore.
pub const KEY_PREFIX: &str = "sesame_";
const RANDOM_LEN: usize = 43;
const CHECKSUM_LEN: usize = 6;
/// Total length of a well-formed key.
pub const KEY_LEN: usize = KEY_PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Why a presented key was refused before any lookup. Callers answer all of these with the
/// same 401; the variants exist for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    #[error("wrong length")]
    Length,
    #[error("wrong prefix")]
    Prefix,
    #[error("character outside base62")]
    Alphabet,
    #[error("checksum mismatch")]
    Checksum,
}

/// A full API key. Holds a secret: no `Serialize`, and `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret(<redacted>)")
    }
}

impl ApiKeySecret {
    /// A new key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let random = random_chars(BASE62, RANDOM_LEN);
        let checksum = encode_checksum(crc32fast::hash(random.as_bytes()));
        Self(format!("{KEY_PREFIX}{random}{checksum}"))
    }

    /// Checks the format and checksum of a presented key; touches no storage.
    pub fn parse(presented: &str) -> Result<Self, KeyFormatError> {
        check_format(presented)?;
        Ok(Self(presented.to_owned()))
    }

    /// The key itself, to hand to its owner exactly once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash::of(&self.0)
    }
}

/// The hash of a presented key, once its format and checksum are checked as
/// [`ApiKeySecret::parse`] checks them — without copying the secret (every API request
/// comes through here).
pub fn hash_presented(presented: &str) -> Result<KeyHash, KeyFormatError> {
    check_format(presented)?;
    Ok(KeyHash::of(presented))
}

fn check_format(presented: &str) -> Result<(), KeyFormatError> {
    if presented.len() != KEY_LEN {
        return Err(KeyFormatError::Length);
    }
    let rest = presented.strip_prefix(KEY_PREFIX).ok_or(KeyFormatError::Prefix)?;
    if !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(KeyFormatError::Alphabet);
    }
    let (random, checksum) = rest.split_at(RANDOM_LEN);
    if decode_checksum(checksum) != Some(crc32fast::hash(random.as_bytes())) {
        return Err(KeyFormatError::Checksum);
    }
    Ok(())
}

/// The SHA-256 of a key. Kept as its 32 bytes in memory (the key cache holds a million of
/// them, and a lookup hashes no string); the database stores and looks up its lowercase
/// hex ([`KeyHash::to_hex`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyHash([u8; 32]);

impl KeyHash {
    fn of(key: &str) -> Self {
        Self(Sha256::digest(key.as_bytes()).into())
    }

    /// As the database stores it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// A hash as the database stores it: 64 hex digits.
impl std::str::FromStr for KeyHash {
    type Err = hex::FromHexError;

    fn from_str(hex: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0; 32];
        hex::decode_to_slice(hex, &mut bytes)?;
        Ok(Self(bytes))
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not a secret, but there is no reason to spread it through logs either.
        write!(f, "KeyHash({}…)", hex::encode(&self.0[..4]))
    }
}

fn encode_checksum(mut value: u32) -> String {
    let mut digits = [b'0'; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(digits.to_vec()).expect("base62 is ASCII")
}

fn decode_checksum(text: &str) -> Option<u32> {
    text.bytes().try_fold(0u64, |acc, b| {
        let digit = BASE62.iter().position(|&c| c == b)? as u64;
        Some(acc * 62 + digit)
    })
    .and_then(|value| u32::try_from(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_have_the_documented_shape() {
        for _ in 0..200 {
            let key = ApiKeySecret::generate();
            let text = key.expose();
            assert_eq!(text.len(), KEY_LEN);
            assert!(text.starts_with("sesame_"));
            assert_eq!(ApiKeySecret::parse(text), Ok(key.clone()));
        }
    }

    #[test]
    fn random_part_carries_at_least_256_bits() {
        assert!(RANDOM_LEN as f64 * 62f64.log2() >= 256.0);
    }

    #[test]
    fn keys_do_not_repeat() {
        let keys: std::collections::HashSet<String> =
            (0..1000).map(|_| ApiKeySecret::generate().expose().to_owned()).collect();
        assert_eq!(keys.len(), 1000);
    }

    #[test]
    fn every_single_character_change_is_rejected() {
        let key = ApiKeySecret::generate();
        let original = key.expose().as_bytes().to_vec();
        // Every base62 character plus a few outside the alphabet, at every position.
        let replacements: Vec<u8> = BASE62.iter().copied().chain(*b"_-+/= \0\xff").collect();
        let mut tried = 0;
        for position in 0..original.len() {
            for &replacement in &replacements {
                if replacement == original[position] {
                    continue;
                }
                let mut changed = original.clone();
                changed[position] = replacement;
                let text = String::from_utf8_lossy(&changed).into_owned();
                assert!(ApiKeySecret::parse(&text).is_err(), "accepted a change at {position}");
                tried += 1;
            }
        }
        assert!(tried > KEY_LEN * 60);
    }

    #[test]
    fn truncated_extended_and_foreign_keys_are_rejected() {
        let key = ApiKeySecret::generate();
        let text = key.expose();
        assert_eq!(ApiKeySecret::parse(&text[..KEY_LEN - 1]), Err(KeyFormatError::Length));
        assert_eq!(ApiKeySecret::parse(&format!("{text}0")), Err(KeyFormatError::Length));
        assert_eq!(ApiKeySecret::parse(""), Err(KeyFormatError::Length));
        let foreign = format!("ghp_abc{}", &text[7..]);
        assert_eq!(ApiKeySecret::parse(&foreign), Err(KeyFormatError::Prefix));
        // Right length, right prefix, but a checksum value above u32::MAX.
        let overflow = format!("{}zzzzzz", &text[..KEY_LEN - CHECKSUM_LEN]);
        assert_eq!(ApiKeySecret::parse(&overflow), Err(KeyFormatError::Checksum));
    }

    #[test]
    fn random_characters_cover_the_alphabet_evenly() {
        let text = random_chars(BASE62, 62 * 2000);
        let mut counts = [0usize; 62];
        for byte in text.bytes() {
            counts[BASE62.iter().position(|&c| c == byte).unwrap()] += 1;
        }
        // Each character expected 2000 times; a biased draw would skew the low ones.
        assert!(counts.iter().all(|&n| (1700..2300).contains(&n)), "{counts:?}");
    }

    #[test]
    fn checksum_encoding_round_trips() {
        for value in [0, 1, 61, 62, u32::MAX / 3, u32::MAX] {
            assert_eq!(decode_checksum(&encode_checksum(value)), Some(value));
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = ApiKeySecret::generate();
        let shown = format!("{key:?} {:?}", key.hash());
        assert!(!shown.contains(&key.expose()[7..20]));
        assert!(!shown.contains(&key.hash().to_hex()));
    }

    #[test]
    fn hash_is_sha256_hex_and_differs_per_key() {
        let a = ApiKeySecret::generate();
        let b = ApiKeySecret::generate();
        assert_eq!(a.hash().to_hex().len(), 64);
        assert_eq!(a.hash(), a.hash());
        assert_ne!(a.hash(), b.hash());
        // SHA-256("abc"), the standard's own example: the stored form must not change.
        assert_eq!(KeyHash::of("abc").to_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(KeyHash::of("abc").to_hex().parse::<KeyHash>(), Ok(KeyHash::of("abc")));
    }

    #[test]
    fn a_presented_key_is_hashed_only_once_its_format_is_right() {
        let key = ApiKeySecret::generate();
        assert_eq!(hash_presented(key.expose()), Ok(key.hash()));
        let mut broken = key.expose().to_owned();
        broken.pop();
        assert_eq!(hash_presented(&broken), Err(KeyFormatError::Length));
        broken.push('!');
        assert_eq!(hash_presented(&broken), Err(KeyFormatError::Alphabet));
    }
}
