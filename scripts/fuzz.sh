#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/fuzz_targets) for SECONDS (default 30) and prints its
# executions and whether it crashed. A crash fails the script; the input that caused it is
# kept in fuzz/artifacts/<target>/. Usage: scripts/fuzz.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh --fuzz

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(key_parser auth_headers key_name)
fi

# cargo-fuzz passes -Z flags (sanitizers, coverage); the one toolchain here is stable, and
# RUSTC_BOOTSTRAP lets it accept them.
export RUSTC_BOOTSTRAP=1
status=0
summary=()
for target in "${targets[@]}"; do
  log=$(mktemp)
  mkdir -p "fuzz/corpus/$target"
  if (cd fuzz && cargo fuzz run "$target" -- -max_total_time="$seconds" -print_final_stats=1) >"$log" 2>&1; then
    outcome="no crash"
  else
    outcome="CRASH"
    status=1
    tail -n 40 "$log" >&2
  fi
  runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  summary+=("$(printf '%-14s %12s executions in %ss  %s' "$target" "$runs" "$seconds" "$outcome")")
  rm -f "$log"
done
echo "== fuzzing"
printf '%s\n' "${summary[@]}"
exit $status
