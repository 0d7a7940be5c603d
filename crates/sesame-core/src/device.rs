//! Device cookies: proof that a browser has logged in to an account before. Set at a
//! successful login and signed with a key every node shares, they spare that browser the
//! account's hard stop (OWASP's "device cookies"): a guessing campaign can lock out new
//! devices, never the real user's own — whichever node, whichever address.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

// From its own file, not `throttle`'s root: the limits' root reaches the store, which
// reaches the actor, which carries a device token.
use crate::throttle::keys::AccountKey;

/// How long a device cookie vouches for its browser.
pub const DEVICE_LIFETIME_MS: i64 = 30 * 24 * 3_600_000;

/// A device cookie's value: the account's key, when it was issued, and the signature of
/// both (hex). Holds no secret of the account's, but is still redacted in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 80 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(value.to_ascii_lowercase()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken(<redacted>)")
    }
}

/// Signs and checks device cookies with the server's key.
#[derive(Clone)]
pub(crate) struct DeviceKeys {
    key: [u8; 32],
}

impl DeviceKeys {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    fn signature(&self, account: AccountKey, issued_ms: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(&account.0);
        mac.update(&issued_ms.to_be_bytes());
        mac
    }

    pub fn issue(&self, account: AccountKey, now_ms: i64) -> DeviceToken {
        let tag = self.signature(account, now_ms).finalize().into_bytes();
        DeviceToken(format!("{}{}{}", hex::encode(account.0), hex::encode(now_ms.to_be_bytes()), hex::encode(&tag[..16])))
    }

    /// Whether `token` was issued by this server for `account`, less than
    /// [`DEVICE_LIFETIME_MS`] ago. The signature is compared in constant time.
    pub fn vouches_for(&self, token: &DeviceToken, account: AccountKey, now_ms: i64) -> bool {
        let Ok(bytes) = hex::decode(&token.0) else { return false };
        let (account_bytes, rest) = bytes.split_at(16);
        let (issued, tag) = rest.split_at(8);
        let issued_ms = i64::from_be_bytes(issued.try_into().expect("8 bytes"));
        account_bytes == account.0
            && (now_ms - DEVICE_LIFETIME_MS..=now_ms).contains(&issued_ms)
            && self.signature(account, issued_ms).verify_truncated_left(tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_token_vouches_for_its_account_only_and_for_a_while() {
        let keys = DeviceKeys::new([7; 32]);
        let alice = AccountKey::of("alice");
        let token = keys.issue(alice, 1_000);
        assert!(keys.vouches_for(&token, alice, 1_000));
        assert!(keys.vouches_for(&DeviceToken::from_cookie(token.expose()).unwrap(), alice, 2_000));
        assert!(!keys.vouches_for(&token, AccountKey::of("bob"), 1_000));
        assert!(!keys.vouches_for(&token, alice, 1_000 + DEVICE_LIFETIME_MS + 1));
        assert!(!DeviceKeys::new([8; 32]).vouches_for(&token, alice, 1_000), "another server's key");
        let mut forged = token.expose().to_owned();
        forged.replace_range(79..80, if forged.ends_with('0') { "1" } else { "0" });
        assert!(!keys.vouches_for(&DeviceToken::from_cookie(&forged).unwrap(), alice, 1_000));
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
