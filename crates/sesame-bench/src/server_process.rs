//! A `sesame serve` child process, for the benchmark and the reliability suite.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};

pub struct ServerProcess {
    child: Child,
    pub base: String,
}

impl ServerProcess {
    /// Starts the release binary (or `SESAME_BIN`) on an ephemeral port, trusting 127.0.0.1
    /// as a proxy, with `extra` arguments; returns once it listens.
    pub fn start(root: &Path, database_url: &str, extra: &[&str]) -> anyhow::Result<Self> {
        let binary = std::env::var_os("SESAME_BIN")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join("target/release/sesame"));
        let mut child = Command::new(&binary)
            .args(["serve", "--addr", "127.0.0.1:0", "--site-dir", root.join("dist").to_str().unwrap()])
            .args(["--trusted-proxies", "127.0.0.1"])
            .args(extra)
            .env("SESAME_DATABASE_URL", database_url)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut line)?;
        let Some(base) = line.split_whitespace().find(|word| word.starts_with("http://")) else {
            bail!("unexpected first line from the server: {line:?}");
        };
        Ok(Self { child, base: base.to_owned() })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn signal(&self, signal: &str) {
        let _ = Command::new("kill").args([signal, &self.child.id().to_string()]).status();
    }

    /// SIGTERM, then waits for the exit (at most `limit`).
    pub fn terminate(&mut self, limit: Duration) -> anyhow::Result<(ExitStatus, Duration)> {
        let started = Instant::now();
        self.signal("-TERM");
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok((status, started.elapsed()));
            }
            if started.elapsed() > limit {
                self.kill();
                bail!("still running {limit:?} after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: a crash.
    pub fn kill(&mut self) {
        self.signal("-KILL");
        let _ = self.child.wait();
    }

    /// Resident memory, from /proc (kB).
    pub fn rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status.lines().find_map(|line| line.strip_prefix("VmRSS:"))?.split_whitespace().next()?.parse().ok()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}
