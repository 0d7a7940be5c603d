//! A real SMTP server for the e-mail tests: `scripts/smtp-sink.py` (aiosmtpd, installed in
//! `.tools/venv` by `scripts/setup.sh --mail`), which writes every message it receives,
//! decoded, as a JSON file the test reads.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    time::Duration,
};

use serde_json::Value;
use tempfile::TempDir;

pub struct SmtpSink {
    child: Child,
    /// Closed on drop: the sink stops.
    _stdin: ChildStdin,
    port: u16,
    dir: TempDir,
}

fn repository(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

impl SmtpSink {
    pub fn start() -> Self {
        let python = repository(".tools/venv/bin/python");
        assert!(python.exists(), "no {} (scripts/setup.sh --mail makes it)", python.display());
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python)
            .arg(repository("scripts/smtp-sink.py"))
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("listening on ").and_then(|port| port.parse().ok());
        let port = port.unwrap_or_else(|| panic!("the SMTP sink said {line:?}"));
        let stdin = child.stdin.take().unwrap();
        Self { child, _stdin: stdin, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far, in the order they came.
    pub fn messages(&self) -> Vec<Value> {
        let mut numbered: Vec<(u64, Value)> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let number = path.file_name()?.to_str()?.strip_suffix(".json")?.parse().ok()?;
                Some((number, serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?))
            })
            .collect();
        numbered.sort_by_key(|(number, _)| *number);
        numbered.into_iter().map(|(_, message)| message).collect()
    }

    /// Waits (up to 10 s) until `count` messages have come; all of them then.
    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} e-mails, got {:?}", self.messages());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
