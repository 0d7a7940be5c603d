#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, then
#   1. unit, storage, HTTP and command-line tests on SQLite;
#   2. the same storage and HTTP suites on a throwaway PostgreSQL cluster;
#   3. the OpenAPI document against the published one (api/openapi.json, Optic: nothing
#      breaks a published version unless CHANGELOG.md names it), Spectral on it (OWASP API
#      Security rules, 0 errors), then schemathesis against a running server: the API
#      conforms to its document;
#   4. each cargo-fuzz target for a bounded time, and the reliability suite's short version;
#   5. the browser app in release mode and the Playwright journeys in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# A clean build of everything below writes about 8 GB under target/. When the disk runs out
# mid-link, the linker dies with SIGBUS ("ld terminated with signal 7"), which does not say
# why: say it first.
free_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt $((10 * 1024 * 1024)) ]; then
  echo "warning: only $((free_kb / 1024)) MB free on this disk; a clean run writes about 8 GB (10 GB leaves room)" >&2
fi
# Everything the steps below need, checked once (they would each check again otherwise).
scripts/setup.sh --browser --postgres --api-check --fuzz --mail
export SESAME_SETUP_DONE=1

echo "== Rust tests on SQLite"
cargo test

echo "== Storage and HTTP tests on PostgreSQL"
scripts/with-postgres.sh cargo test -p sesame-core -p sesame-server

echo "== API document contract (published document, breaking changes)"
scripts/api-contract.sh

echo "== API document lint (Spectral, OWASP ruleset)"
scripts/api-lint.sh

echo "== API conformance (schemathesis)"
scripts/api-conformance.sh

echo "== Fuzzing (20 s per target)"
scripts/fuzz.sh 20

echo "== Reliability scenarios (short version)"
scripts/reliability.sh

echo "== Browser app (release) and browser tests"
trunk build --release --offline
(cd end2end && npm test)
