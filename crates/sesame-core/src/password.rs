//! Password hashing: argon2id with OWASP parameters, off the async runtime, on a few
//! threads of its own at a low CPU priority.

use std::{
    fmt,
    io::Read,
    sync::{Arc, LazyLock},
};

use argon2::{
    password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use rand::rngs::OsRng;
use tokio::sync::Semaphore;

pub use sesame_model::fields::{PasswordPolicyError, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// A password as typed. `Debug` is redacted; nothing serializes it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The rule for new passwords (NIST SP 800-63B: length, not composition, and none of
    /// the passwords breaches show are common).
    pub fn check_policy(&self) -> Result<(), PasswordPolicyError> {
        sesame_model::fields::check_password_length(&self.0)?;
        if is_common(&self.0) {
            return Err(PasswordPolicyError::Common);
        }
        Ok(())
    }
}

/// The 100,000 most common passwords of a 10-million-password breach corpus (see
/// `data/README.md`), lowercase, sorted: unpacked once, on first use (about 1 MB).
static COMMON_PASSWORDS: LazyLock<Vec<Box<str>>> = LazyLock::new(|| {
    let mut text = String::new();
    flate2::read::GzDecoder::new(&include_bytes!("../data/common-passwords.txt.gz")[..])
        .read_to_string(&mut text)
        .expect("the built-in password list unpacks");
    let mut list: Vec<Box<str>> = text.lines().map(|line| line.to_lowercase().into_boxed_str()).collect();
    list.sort_unstable();
    list.dedup();
    list
});

/// Whether `password` is on the list of common breached passwords, ignoring case.
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.binary_search_by(|entry| (**entry).cmp(lower.as_str())).is_ok()
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Runs argon2 on threads of its own, at most `permits` at once and at a lower CPU
/// priority than the threads serving requests: a login flood queues here, and when it
/// competes with API calls for the cores, the scheduler gives the API most of them.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    threads: Arc<HashingThreads>,
    /// Verified against when the username is unknown, so both cases cost the same.
    decoy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(permits: usize) -> Self {
        let permits = permits.max(1);
        let decoy = hash_now(&Password::new("decoy password for unknown users"));
        Self {
            permits: Arc::new(Semaphore::new(permits)),
            threads: Arc::new(HashingThreads::start(permits)),
            decoy_hash: Arc::new(decoy),
        }
    }

    pub async fn hash(&self, password: &Password) -> String {
        let password = password.clone();
        self.run(move || hash_now(&password)).await
    }

    /// True when `password` matches `stored`. With `stored = None` (no such user) it
    /// verifies against a decoy and returns false, taking the same time.
    pub async fn verify(&self, password: &Password, stored: Option<&str>) -> bool {
        let known = stored.is_some();
        let stored = stored.map_or_else(|| self.decoy_hash.as_str().to_owned(), str::to_owned);
        let password = password.clone();
        let matches = self.run(move || verify_now(&password, &stored)).await;
        matches && known
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        // Waiting here, not in the threads' queue: a request that gives up costs nothing.
        let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
        let (done, result) = tokio::sync::oneshot::channel();
        self.threads.submit(Box::new(move || {
            let _ = done.send(work());
        }));
        result.await.expect("argon2 does not panic")
    }
}

/// How much lower than the request threads hashing runs (Linux niceness, added to the
/// process's own, at most 19). 10 steps make the scheduler weigh a hashing thread about a
/// tenth of a request thread: API calls keep some 90% of a contended core, logins still
/// progress.
const HASHING_NICENESS_STEPS: i32 = 10;
const LOWEST_PRIORITY: i32 = 19;

type Job = Box<dyn FnOnce() + Send>;

/// A few threads taking jobs from one queue. They end when the last hasher is dropped.
struct HashingThreads {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl HashingThreads {
    fn start(count: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for index in 0..count {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    lower_this_thread_priority();
                    loop {
                        let job = queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("starting a hashing thread");
        }
        Self { jobs }
    }

    fn submit(&self, job: Job) {
        self.jobs.send(job).expect("the hashing threads run as long as the hasher");
    }
}

#[cfg(target_os = "linux")]
fn lower_this_thread_priority() {
    // On Linux, get/setpriority with a thread id apply to that one thread.
    let this_thread = Some(rustix::thread::gettid());
    let lowered = rustix::process::getpriority_process(this_thread).and_then(|current| {
        rustix::process::setpriority_process(this_thread, (current + HASHING_NICENESS_STEPS).min(LOWEST_PRIORITY))
    });
    if let Err(error) = lowered {
        tracing::warn!(%error, "could not lower the priority of password hashing");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_thread_priority() {}

fn hash_now(password: &Password) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.0.as_bytes(), &salt)
        .expect("hashing with valid parameters cannot fail")
        .to_string()
}

fn verify_now(password: &Password, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2().verify_password(password.0.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let hasher = PasswordHasher::new(2);
        let hash = hasher.hash(&Password::new("correct horse")).await;
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify(&Password::new("correct horse"), Some(&hash)).await);
        assert!(!hasher.verify(&Password::new("wrong horse"), Some(&hash)).await);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_runs_below_the_request_threads_priority() {
        let niceness = || rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        let hasher = PasswordHasher::new(1);
        let hashing = hasher.run(niceness).await;
        assert_eq!(hashing, (niceness() + HASHING_NICENESS_STEPS).min(LOWEST_PRIORITY));
    }

    #[tokio::test]
    async fn unknown_user_never_verifies_even_with_the_decoy_password() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify(&Password::new("decoy password for unknown users"), None).await);
    }

    #[test]
    fn common_breached_passwords_are_refused_ignoring_case() {
        assert_eq!(COMMON_PASSWORDS.len(), 96_518, "the whole list, deduplicated ignoring case");
        for common in ["password", "12345678", "iloveyou", "Password1", "QWERTYUIOP"] {
            assert!(is_common(common), "{common}");
        }
        assert_eq!(Password::new("password1").check_policy(), Err(PasswordPolicyError::Common));
        assert!(!is_common("correct horse battery"));
        assert!(Password::new("correct horse battery").check_policy().is_ok());
    }

    #[test]
    fn policy_and_redaction() {
        assert_eq!(Password::new("short").check_policy(), Err(PasswordPolicyError::TooShort));
        assert_eq!(Password::new("x".repeat(2000)).check_policy(), Err(PasswordPolicyError::TooLong));
        assert_eq!(Password::new("x".repeat(257)).check_policy(), Err(PasswordPolicyError::TooLong));
        assert_eq!(Password::new("é".repeat(256)).check_policy(), Ok(()));
        assert!(Password::new("long enough").check_policy().is_ok());
        assert!(!format!("{:?}", Password::new("hunter22")).contains("hunter22"));
    }
}
