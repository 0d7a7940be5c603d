//! Password hashing: argon2id with OWASP parameters, off the async runtime, on a few
//! threads of its own at a low CPU priority.

use std::{
    fmt,
    io::Read,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, LazyLock,
    },
    time::{Duration, Instant},
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
/// competes with API calls for the cores, the scheduler gives the API most of them. While
/// hashes queue (a flood), each thread rests after a hash as long as it took (see
/// [`rest_after`]).
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Hashes waiting for a permit.
    waiting: Arc<AtomicUsize>,
    threads: Arc<HashingThreads>,
    /// Verified against when the username is unknown, so both cases cost the same.
    decoy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(permits: usize) -> Self {
        let permits = permits.max(1);
        let decoy = hash_now(&Password::new("decoy password for unknown users"));
        let waiting = Arc::new(AtomicUsize::new(0));
        Self {
            permits: Arc::new(Semaphore::new(permits)),
            threads: Arc::new(HashingThreads::start(permits, waiting.clone())),
            waiting,
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
        let waiting = Waiting::counted_in(&self.waiting);
        let permit = self.permits.clone().acquire_owned().await.expect("the semaphore is never closed");
        drop(waiting);
        let (done, result) = tokio::sync::oneshot::channel();
        self.threads.submit(Box::new(move || {
            // Held until the hash is done, not until the caller stops waiting: a request
            // that gives up does not let another hash start beside this one.
            let _permit = permit;
            // Gave up while queued (timed out, or the client left): nobody needs the hash.
            if done.is_closed() {
                return;
            }
            let _ = done.send(work());
        }));
        result.await.expect("argon2 does not panic")
    }
}

/// How much lower than the request threads hashing runs (Linux niceness, added to the
/// process's own, at most 19). 19 steps make the scheduler weigh a hashing thread about
/// 1/70 of a request thread when they compete for a core. Measured with the benchmark's
/// flood (one run each, API during the flood ÷ API alone, logins answered meanwhile):
/// 10 steps 0.80 (32/s); 19 steps alone 0.77 (39/s: the cores are rarely all busy, and
/// argon2's 19 MiB per hash slows the API through the caches they share); 10 steps with
/// [`rest_after`] 0.80 (18/s); 19 steps with it 0.89 (12/s).
const HASHING_NICENESS_STEPS: i32 = 19;
const LOWEST_PRIORITY: i32 = 19;

/// How long a hashing thread rests after a hash that took `took`, with `waiting` hashes
/// queued: as long again while others wait, so a login flood gets at most half a core and
/// the API's requests keep the rest (see [`HASHING_NICENESS_STEPS`] for what each part
/// did); nothing when a login comes alone.
fn rest_after(took: Duration, waiting: usize) -> Duration {
    if waiting > 0 { took } else { Duration::ZERO }
}

/// Counts one hash waiting for a permit until dropped (also when the request gives up).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn counted_in(waiting: &'a AtomicUsize) -> Self {
        waiting.fetch_add(1, Ordering::Relaxed);
        Self(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A few threads taking jobs from one queue. They end when the last hasher is dropped.
struct HashingThreads {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl HashingThreads {
    fn start(count: usize, waiting: Arc<AtomicUsize>) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for index in 0..count {
            let (queue, waiting) = (queue.clone(), waiting.clone());
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    lower_this_thread_priority();
                    loop {
                        let job = queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).recv();
                        let Ok(job) = job else { return };
                        let started = Instant::now();
                        job();
                        std::thread::sleep(rest_after(started.elapsed(), waiting.load(Ordering::Relaxed)));
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

    #[test]
    fn a_hashing_thread_rests_as_long_as_its_hash_only_while_others_wait() {
        let took = Duration::from_millis(17);
        assert_eq!(rest_after(took, 0), Duration::ZERO);
        assert_eq!(rest_after(took, 1), took);
        assert_eq!(rest_after(took, 20), took);
    }

    #[tokio::test]
    async fn a_login_that_gives_up_waiting_is_no_longer_counted_as_waiting() {
        let hasher = PasswordHasher::new(1);
        let held = hasher.permits.clone().acquire_owned().await.unwrap();
        let password = Password::new("correct horse");
        let gave_up = tokio::time::timeout(Duration::from_millis(20), hasher.hash(&password)).await;
        assert!(gave_up.is_err());
        assert_eq!(hasher.waiting.load(Ordering::Relaxed), 0);
        drop(held);
        assert!(hasher.verify(&password, Some(&hasher.hash(&password).await)).await);
        assert_eq!(hasher.waiting.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn a_hash_whose_caller_gave_up_while_it_was_queued_is_not_computed() {
        let hasher = PasswordHasher::new(1);
        let computed = Arc::new(AtomicUsize::new(0));
        let count = |computed: &Arc<AtomicUsize>| {
            let computed = computed.clone();
            move || {
                computed.fetch_add(1, Ordering::SeqCst);
            }
        };
        // A first hash of 300 ms, while a second waits: the thread then rests 300 ms, with
        // the second queued; its caller gives up meanwhile.
        let first = tokio::spawn({
            let hasher = hasher.clone();
            async move { hasher.run(|| std::thread::sleep(Duration::from_millis(300))).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = tokio::spawn({
            let (hasher, work) = (hasher.clone(), count(&computed));
            async move { hasher.run(work).await }
        });
        first.await.unwrap();
        // At once: the rest lasts 300 ms from the end of the first hash, and on a loaded
        // machine the first task's end may be seen a good part of that later (waiting
        // another 100 ms here once let the rest end first, in a fresh-clone CI run).
        second.abort();
        hasher.run(count(&computed)).await;
        assert_eq!(computed.load(Ordering::SeqCst), 1, "only the third hash, whose caller waited, was computed");
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
