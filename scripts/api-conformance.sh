#!/usr/bin/env bash
# Runs schemathesis against a real `sesame serve` (debug build, fresh SQLite database):
# every operation of /api/v1/openapi.json, with every check, three times — with an
# administrator's key, with a plain user's key, and with no key. Fails on any 5xx or any
# response that does not conform to the document. EXAMPLES sets the examples per
# operation (default 100).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh --api-check

cargo build --quiet --bin sesame
sesame=target/debug/sesame
workdir=$(mktemp -d /tmp/sesame-schemathesis-XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SESAME_DATABASE_URL="sqlite://$workdir/sesame.db"
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT

password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
echo "$password" | "$sesame" user create --username st-admin --email st-admin@example.com --role admin --password-stdin >/dev/null
echo "$password" | "$sesame" user create --username st-user --email st-user@example.com --role user --password-stdin >/dev/null
admin_key=$("$sesame" key create --username st-admin --name schemathesis)
user_key=$("$sesame" key create --username st-user --name schemathesis)

# schemathesis presents many bad keys on purpose: with the default limit most operations
# would answer 429 and their logic would go untested (tests/rate_limits.rs covers 429).
"$sesame" serve --addr "127.0.0.1:$port" --failed-auth-burst 1000000 >"$workdir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

schema="http://127.0.0.1:$port/api/v1/openapi.json"
# Names above U+FFFF, which the document's patterns cannot describe, stay out of the bodies
# sent as valid (see the hooks' module).
export PYTHONPATH="$PWD/scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks
run() {
  local label=$1; shift
  echo "== schemathesis: $label"
  .tools/venv/bin/schemathesis --config-file scripts/schemathesis.toml run "$schema" --checks all \
    --max-examples "${EXAMPLES:-100}" --no-color "$@" </dev/null
}
status=0
run "administrator's key" --header "MC-Api-Key: $admin_key" || status=1
run "user's key" --header "MC-Api-Key: $user_key" || status=1
run "no key" || status=1
if grep -q '"level":"ERROR"\|ERROR' "$workdir/server.log"; then
  echo "the server logged errors:" >&2
  grep 'ERROR' "$workdir/server.log" >&2
  status=1
fi
exit $status
