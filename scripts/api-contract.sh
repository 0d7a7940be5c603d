#!/usr/bin/env bash
# The REST API's document is a contract: the document the code generates must be the
# published api/openapi.json, and nothing may break a published version unless CHANGELOG.md
# names it under a new major version (end2end/api-contract/contract.mjs says how; Optic
# compares the documents). --publish first makes the generated document the published one.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh

command=check
if [ "${1:-}" = "--publish" ]; then
  command=publish
fi
cargo build --quiet --bin sesame
document=$(mktemp /tmp/sesame-openapi-XXXXXX.json)
trap 'rm -f "$document"' EXIT
# The published document names an example host; every instance serves its own.
target/debug/sesame openapi --public-url https://sesame.example.com >"$document"
echo "== API contract (Optic) on the OpenAPI document"
node end2end/api-contract/contract.mjs "$command" "$document"
