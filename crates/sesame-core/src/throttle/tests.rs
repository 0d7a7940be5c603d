use std::time::Duration;

use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn throttles(settings: ThrottleSettings) -> Throttles {
    Throttles::in_memory(ThrottleSettings { login_burst_per_ip: 1000, ..settings })
}

#[tokio::test]
async fn bad_keys_from_one_address_make_that_address_wait_and_no_other() {
    let t = throttles(ThrottleSettings { failed_auth_burst: 3, ..Default::default() });
    for _ in 0..3 {
        assert_eq!(t.api_authentication_failed(ip("192.0.2.1")).await.unwrap(), None);
    }
    assert!(t.check_api_client(ip("192.0.2.1")).is_ok());
    let wait = t.api_authentication_failed(ip("192.0.2.1")).await.unwrap().expect("over the limit");
    assert!(wait.seconds() >= 1);
    assert!(t.check_api_client(ip("192.0.2.1")).is_err());
    assert!(t.check_api_client(ip("::ffff:192.0.2.1")).is_err(), "the same address written as IPv6");
    assert!(t.check_api_client(ip("192.0.2.2")).is_ok());
}

#[tokio::test]
async fn ipv6_addresses_are_limited_by_64() {
    let t = throttles(ThrottleSettings { failed_auth_burst: 2, ..Default::default() });
    for n in 0..3 {
        t.api_authentication_failed(ip(&format!("2001:db8:1:2::{n}"))).await.unwrap();
    }
    assert!(t.check_api_client(ip("2001:db8:1:2:abcd::9")).is_err(), "rotating inside the /64 does not help");
    assert!(t.check_api_client(ip("2001:db8:1:3::1")).is_ok());
}

/// An attempt from `ip` for `account`, as the login makes it: whether it may go on.
async fn attempt(t: &Throttles, account: &str, ip_text: &str, known_device: bool) -> bool {
    t.begin_password_attempt(AccountKey::of(account), ip(ip_text), known_device).await.unwrap().is_ok()
}

#[tokio::test]
async fn the_login_delay_grows_per_account_and_address() {
    let t = throttles(ThrottleSettings::default());
    // Each attempt counts as a failure until forgiven: the third one starts the delay.
    for _ in 0..3 {
        assert!(attempt(&t, "Alice", "192.0.2.1", false).await);
    }
    assert!(!attempt(&t, "ALICE", "192.0.2.1", false).await, "same account, same address: wait");
    assert!(attempt(&t, "alice", "192.0.2.2", false).await, "the real user elsewhere is not slowed");
    assert!(attempt(&t, "bob", "192.0.2.1", false).await, "another account is not slowed");
}

#[tokio::test]
async fn attempts_made_together_are_each_counted_before_any_is_checked() {
    let t = throttles(ThrottleSettings { account_failure_limit: 5, free_login_failures: 100, ..Default::default() });
    let addresses: Vec<String> = (0..20).map(|n| format!("203.0.113.{n}")).collect();
    let together = futures_util::future::join_all(addresses.iter().map(|address| attempt(&t, "alice", address, false))).await;
    assert_eq!(together.iter().filter(|admitted| **admitted).count(), 5);
}

#[tokio::test]
async fn the_hard_stop_spares_the_accounts_known_devices() {
    let t = throttles(ThrottleSettings { account_failure_limit: 5, free_login_failures: 100, ..Default::default() });
    for n in 0..5 {
        assert!(attempt(&t, "alice", &format!("203.0.113.{n}"), false).await);
    }
    assert!(!attempt(&t, "alice", "198.51.100.7", false).await, "stopped for new devices");
    assert!(attempt(&t, "alice", "198.51.100.7", true).await, "not for hers");
    t.password_accepted(AccountKey::of("alice"), ip("198.51.100.7")).await.unwrap();
    assert!(attempt(&t, "alice", "203.0.113.50", false).await, "a success resets the count");
}

#[tokio::test]
async fn refused_attempts_do_not_extend_the_hard_stop() {
    let t = throttles(ThrottleSettings {
        account_failure_limit: 2,
        free_login_failures: 100,
        hard_stop: Duration::from_millis(300),
        ..Default::default()
    });
    assert!(attempt(&t, "alice", "203.0.113.1", false).await);
    assert!(attempt(&t, "alice", "203.0.113.2", false).await);
    // Refused attempts keep coming during the stop…
    for _ in 0..5 {
        assert!(!attempt(&t, "alice", "203.0.113.3", false).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // …and the stop still ends on time.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(attempt(&t, "alice", "203.0.113.3", false).await);
}

#[tokio::test]
async fn per_key_limits_apply_only_when_set() {
    let key = ApiKeyId::new_random();
    let unlimited = throttles(ThrottleSettings::default());
    assert!((0..100).all(|_| unlimited.check_key(key).is_ok()));
    let limited = throttles(ThrottleSettings { key_requests_per_second: NonZeroU32::new(2), ..Default::default() });
    let results: Vec<bool> = (0..3).map(|_| limited.check_key(key).is_ok()).collect();
    assert_eq!(results, [true, true, false]);
}

#[tokio::test]
async fn the_failed_authentication_status_counts_down_and_comes_back() {
    let t = throttles(ThrottleSettings { failed_auth_burst: 5, failed_auth_refill: Duration::from_secs(3), ..Default::default() });
    let address = ip("192.0.2.1");
    assert_eq!(t.failed_auth_status(address), FailedAuthStatus { remaining: 5, reset_seconds: 0 });
    t.api_authentication_failed(address).await.unwrap();
    t.api_authentication_failed(address).await.unwrap();
    let status = t.failed_auth_status(address);
    assert_eq!(status.remaining, 3);
    assert!((5..=6).contains(&status.reset_seconds), "{status:?}");
    for _ in 0..4 {
        t.api_authentication_failed(address).await.unwrap();
    }
    assert_eq!(t.failed_auth_status(address).remaining, 0);
    assert_eq!(t.failed_auth_status(ip("192.0.2.2")).remaining, 5, "another address is untouched");
    assert_eq!(t.failed_auth_window_seconds(), 15);
}

#[tokio::test]
async fn once_no_address_owes_anything_the_lookups_are_skipped_with_the_same_answers() {
    let t = throttles(ThrottleSettings { failed_auth_burst: 2, failed_auth_refill: Duration::from_millis(100), ..Default::default() });
    let address = ip("192.0.2.1");
    assert!(t.nothing_remembered(now_ms()));
    for _ in 0..3 {
        t.api_authentication_failed(address).await.unwrap();
    }
    // Penalized now: the lookups must be made, and they refuse.
    assert!(!t.nothing_remembered(now_ms()));
    assert!(t.check_api_client(address).is_err());
    assert_eq!(t.failed_auth_status(address).remaining, 0);
    // Past the penalty and the refill, the allowance is whole again, for every address, and
    // the answers without the lookups are what the lookups would say.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(t.nothing_remembered(now_ms()));
    assert!(t.check_api_client(address).is_ok());
    assert_eq!(t.failed_auth_status(address), FailedAuthStatus { remaining: 2, reset_seconds: 0 });
}
