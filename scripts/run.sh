#!/usr/bin/env bash
# Builds everything and serves Sésame on http://127.0.0.1:3000 with the embedded SQLite
# database under ./data/. Extra arguments go to `sesame serve` (e.g. --addr 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh
trunk build --release --offline
cargo build --release -p sesame-server
exec target/release/sesame serve "$@"
