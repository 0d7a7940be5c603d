#!/usr/bin/env bash
# The reliability suite (crates/sesame-bench/src/bin/reliability.rs): concurrency, crash,
# graceful shutdown, database loss, soak — on SQLite and on a throwaway PostgreSQL. Prints
# a table; the long run also writes it to bench/reliability.md.
#   scripts/reliability.sh         short version (seconds; what the test command runs)
#   scripts/reliability.sh --long  full durations (60 s concurrency with 50+50 clients,
#                                  10 min soak), release build; about 25 minutes
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh --postgres

if [ "${1:-}" = "--long" ]; then
  cargo build --release --quiet -p sesame-server -p sesame-bench
  export SESAME_BIN=target/release/sesame
  scripts/with-postgres.sh target/release/reliability --long
else
  cargo build --quiet -p sesame-server -p sesame-bench
  export SESAME_BIN=target/debug/sesame
  scripts/with-postgres.sh target/debug/reliability
fi
