//! A throwaway PostgreSQL cluster from the system binaries, for tests that need the
//! multi-node backend even when the suite runs on SQLite. Stopped and deleted on drop.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Command, Stdio},
};

pub struct PgCluster {
    bin: PathBuf,
    data: PathBuf,
    _dir: tempfile::TempDir,
    port: u16,
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

impl PgCluster {
    pub fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL server binaries (scripts/setup.sh --postgres installs them)")
            .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
            .filter(|bin| bin.join("initdb").exists())
            .max()
            .expect("no initdb under /usr/lib/postgresql");
        let dir = tempfile::Builder::new().prefix("sesame-pg-").tempdir().unwrap();
        if is_root() {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            let chown = Command::new("chown").arg("postgres:").arg(dir.path()).status().unwrap();
            assert!(chown.success());
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Self { data: dir.path().join("data"), bin, _dir: dir, port };
        cluster.run("initdb", &["-D", cluster.data.to_str().unwrap(), "-A", "trust", "-U", "postgres", "--no-sync"]);
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            cluster._dir.path().display()
        );
        let log = cluster._dir.path().join("log");
        cluster.run(
            "pg_ctl",
            &["-D", cluster.data.to_str().unwrap(), "-l", log.to_str().unwrap(), "-w", "-o", &options, "start"],
        );
        cluster
    }

    /// A PostgreSQL tool, run as the cluster's owner.
    fn tool(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let status = self.tool(tool).args(args).stdout(Stdio::null()).status().unwrap();
        assert!(status.success(), "{tool} failed");
    }

    /// The server's maintenance database; tests create their own databases from it.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

/// A PostgreSQL server for tests that need the multi-node backend: the suite's own
/// (`SESAME_TEST_POSTGRES_URL`), or a throwaway cluster kept alive by the first value.
pub fn postgres_server() -> (Option<PgCluster>, String) {
    match std::env::var("SESAME_TEST_POSTGRES_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let cluster = PgCluster::start();
            let url = cluster.url();
            (Some(cluster), url)
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap().to_owned();
        let stop = ["-D", &data, "-m", "immediate", "stop"];
        let _ = self.tool("pg_ctl").args(stop).stdout(Stdio::null()).status();
    }
}
