//! The gate every password check passes (a login, and the current password of a password
//! change): the limits of [`crate::throttle`], with the device cookie that spares the
//! account's own browsers the hard stop.

use std::{net::IpAddr, sync::Arc};

use chrono::Utc;

use crate::{
    actor::Client,
    device::{DeviceKeys, DeviceToken},
    store::StoreResult,
    throttle::{AccountKey, RetryAfter, Throttles},
};

#[derive(Clone)]
pub(crate) struct PasswordAttempts {
    throttles: Arc<Throttles>,
    devices: DeviceKeys,
}

/// An attempt let through, counted as a failure until [`PasswordAttempts::accepted`].
pub(crate) struct Attempt {
    account: AccountKey,
    ip: IpAddr,
}

impl PasswordAttempts {
    pub fn new(throttles: Arc<Throttles>, devices: DeviceKeys) -> Self {
        Self { throttles, devices }
    }

    /// A password for `username` is about to be checked for `client`: let through (and
    /// counted), or to wait this long.
    pub async fn begin(&self, username: &str, client: &Client) -> StoreResult<Result<Attempt, RetryAfter>> {
        let account = AccountKey::of(username);
        let ip = client.address();
        let now = Utc::now().timestamp_millis();
        let known_device = client.device.as_ref().is_some_and(|device| self.devices.vouches_for(device, account, now));
        let verdict = self.throttles.begin_password_attempt(account, ip, known_device).await?;
        Ok(verdict.map(|()| Attempt { account, ip }))
    }

    /// The password was right: the attempt, and the failures before it, are forgiven.
    pub async fn accepted(&self, attempt: Attempt) -> StoreResult<()> {
        self.throttles.password_accepted(attempt.account, attempt.ip).await
    }

    /// The device cookie for a browser `username` has just signed in from.
    pub fn device_cookie(&self, username: &str) -> DeviceToken {
        self.devices.issue(AccountKey::of(username), Utc::now().timestamp_millis())
    }
}
