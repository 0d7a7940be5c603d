#!/usr/bin/env bash
# Builds in release mode and measures: key verification in process (1,000 and 1,000,000
# stored keys), memory per cached key, start-up time with 1,000,000 keys, malformed-key
# refusal, argon2 per login, the API's throughput against an unauthenticated route (one
# SQLite server; two nodes on a throwaway PostgreSQL), the API during a login flood, and
# the browser app's first load as served. Prints each figure with its target and writes
# the table to bench/results.md. About ten minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh --bench --postgres
trunk build --release --offline
cargo build --release -p sesame-server -p sesame-bench
scripts/with-postgres.sh target/release/sesame-bench
