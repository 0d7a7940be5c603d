//! The `sesame` binary run as a child process, as an operator or a service manager would.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command},
};

/// `sesame` on `database_url` (given through `SESAME_DATABASE_URL`, the environment twin of `--database-url`), logging warnings only.
pub fn sesame(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sesame"));
    command.env("SESAME_DATABASE_URL", database_url).env("RUST_LOG", "warn");
    command
}

/// The base URL a `sesame serve` started with a piped standard output prints on its first line.
pub fn base_url(server: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    line.split_whitespace().find(|word| word.starts_with("http://")).unwrap().to_owned()
}
