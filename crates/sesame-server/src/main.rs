//! `sesame`: one binary for serving and for the operator's commands.

use std::{io::Write as _, process::ExitCode};

use clap::Parser;
use sesame_server::cli::{Cli, Command};

/// mimalloc rather than glibc's malloc: every request allocates and frees on two or more
/// threads, and each cached key is a few small allocations (see `bench/results.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    sesame_server::logging::init(cli.log_format);
    let result = match cli.command {
        Command::Serve(args) => sesame_server::serve::run(&cli.database_url, cli.max_keys_per_owner, args).await,
        Command::User(command) => sesame_server::commands::user(&cli.database_url, command).await,
        Command::Key(command) => sesame_server::commands::key(&cli.database_url, cli.max_keys_per_owner, command).await,
        Command::SetupToken => sesame_server::commands::setup_token(&cli.database_url).await,
        Command::Openapi { public_url } => {
            sesame_server::commands::openapi(&public_url);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Not `eprintln!`: it panics on a closed standard error, and the exit code is 1.
            let _ = writeln!(std::io::stderr(), "error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
