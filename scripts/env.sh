# Sourced by the scripts: the npm binaryen (wasm-opt 132) must come before any other on
# PATH, because Trunk runs the first wasm-opt it finds and Debian's 108 breaks the module.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$repo_root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# CI builds once from a clean clone: incremental artifacts would only cost disk there.
if [ "${CI:-}" = "true" ]; then
  export CARGO_INCREMENTAL=0
fi
