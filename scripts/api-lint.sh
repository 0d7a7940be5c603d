#!/usr/bin/env bash
# Lints the REST API's OpenAPI document with Spectral (the OpenAPI rules and the OWASP API
# Security ruleset, end2end/spectral.yaml): fails on any error. The document is the one a
# production server serves (`sesame openapi`, with an https public URL).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh

cargo build --quiet --bin sesame
document=$(mktemp /tmp/sesame-openapi-XXXXXX.json)
trap 'rm -f "$document"' EXIT
target/debug/sesame openapi --public-url https://sesame.example.com >"$document"
echo "== Spectral (OWASP API Security ruleset) on the OpenAPI document"
(cd end2end && spectral lint --ruleset spectral.yaml --fail-severity error --display-only-failures "$document")
