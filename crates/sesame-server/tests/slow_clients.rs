//! Clients that open connections and never finish sending their headers, or send nothing
//! (slowloris), against
//! `sesame serve` under a small open-file limit (`ulimit -n 256`, as a container may give):
//! each such connection is closed once the header-read timeout passes, the server says when
//! its connection limit is reached, and `/healthz` still answers.

mod support;

use std::{
    io::Read,
    process::{Command, Stdio},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const HELD: usize = 300;

#[test]
fn connections_that_never_finish_their_headers_are_closed_and_the_server_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("sesame.db").display());
    let mut server = Command::new("sh")
        .args(["-c", r#"ulimit -n 256 && exec "$0" "$@""#, env!("CARGO_BIN_EXE_sesame")])
        .args(["serve", "--addr", "127.0.0.1:0", "--header-read-timeout-seconds", "2", "--site-dir", dir.path().to_str().unwrap()])
        .env("SESAME_DATABASE_URL", &database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = support::binary::base_url(&mut server);
    let address = base.trim_start_matches("http://").to_owned();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (answered, closed) = runtime.block_on(async {
        let mut held = Vec::new();
        for n in 0..HELD {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            // Half send part of their headers; the others nothing at all, or the first bytes
            // of HTTP/2's preface.
            let sent = match n % 4 {
                0 | 1 => format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nX-Slow: "),
                2 => String::new(),
                _ => "PRI * HTTP/2.0\r\n".to_owned(),
            };
            stream.write_all(sent.as_bytes()).await.unwrap();
            held.push(stream);
        }
        let answered = tokio::time::timeout(Duration::from_secs(10), reqwest::get(format!("{base}/healthz"))).await;
        let answered = answered.ok().and_then(Result::ok).map(|response| response.status());
        // Every held connection is closed by the server (after its timeout, or once it got a
        // slot and then timed out): reading reaches the end.
        let reads = held.into_iter().map(|mut stream| async move {
            let mut rest = Vec::new();
            matches!(tokio::time::timeout(Duration::from_secs(8), stream.read_to_end(&mut rest)).await, Ok(Ok(_)))
        });
        let closed = futures_util::future::join_all(reads).await.into_iter().filter(|closed| *closed).count();
        (answered, closed)
    });
    Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    let mut log = String::new();
    server.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    server.wait().unwrap();

    assert_eq!(answered.map(|status| status.as_u16()), Some(200), "/healthz did not answer; server log:\n{log}");
    assert_eq!(closed, HELD, "connections still open after their header-read timeout");
    assert!(log.contains("connection limit reached"), "the operator was not told: {log}");
}
