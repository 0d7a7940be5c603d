#!/usr/bin/env bash
# Installs what building and testing Sésame needs, and only what is missing, so a second
# run costs seconds. Options: --browser (Chromium, for the browser tests), --postgres
# (PostgreSQL server binaries, for the storage tests on PostgreSQL), --bench (wrk),
# --api-check (schemathesis from PyPI, in .tools/venv), --mail (aiosmtpd from PyPI, the
# tests' SMTP server, in .tools/venv), --fuzz (cargo-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

# scripts/test.sh runs the whole set-up once and says so: the scripts it calls need not
# check again.
if [ -n "${SESAME_SETUP_DONE:-}" ]; then
  exit 0
fi

want_browser=false
want_postgres=false
want_bench=false
want_api_check=false
want_fuzz=false
want_mail=false
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=true ;;
    --postgres) want_postgres=true ;;
    --bench) want_bench=true ;;
    --api-check) want_api_check=true ;;
    --fuzz) want_fuzz=true ;;
    --mail) want_mail=true ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*" >&2; }

apt_updated=false
apt_install() {
  if [ "$apt_updated" = false ]; then
    apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# Trunk 0.22 needs a newer rustc than this machine has; 0.21 is the line that builds.
if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "installing trunk 0.21 (several minutes, once)"
  cargo install --locked trunk --version '~0.21'
fi

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly. Installed without
# --locked: its own lock file asks for a crate version the registry here does not serve.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  say "installing wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "=$bindgen_version"
fi

# Python runs the API conformance tool and finds free ports for the test servers; Node
# runs the browser tests and the API linter.
if ! command -v python3 >/dev/null; then
  say "installing Python"
  apt_install python3
fi
if ! command -v npm >/dev/null; then
  say "installing Node.js and npm"
  apt_install nodejs npm
fi

# binaryen 132 (wasm-opt) and playwright-core come from npm, pinned by package-lock.json.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$want_browser" = true ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Chromium"
  apt_install chromium
fi

if [ "$want_postgres" = true ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing PostgreSQL"
  apt_install postgresql
fi

# The API conformance run and the docs' browser test call the server with curl.
if ! command -v curl >/dev/null; then
  say "installing curl"
  apt_install curl
fi

if [ "$want_bench" = true ] && ! command -v wrk >/dev/null; then
  say "installing wrk"
  apt_install wrk
fi

# Pinned: its checks decide whether CI is green.
schemathesis_version=4.32.5
if [ "$want_api_check" = true ] && ! .tools/venv/bin/schemathesis --version 2>/dev/null | grep -q "$schemathesis_version"; then
  say "installing schemathesis $schemathesis_version"
  # Debian's python3 makes virtual environments only with python3-venv.
  python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

# Pinned too: the e-mail tests read what it received.
if [ "$want_mail" = true ] && ! .tools/venv/bin/python -c 'import aiosmtpd' 2>/dev/null; then
  say "installing aiosmtpd (the tests' SMTP server)"
  python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
  [ -x .tools/venv/bin/python ] || python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "aiosmtpd==1.4.6"
fi

if [ "$want_fuzz" = true ] && ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (a minute or two, once)"
  cargo install --locked cargo-fuzz --version '^0.13'
fi
