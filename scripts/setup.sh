#!/usr/bin/env bash
# Installs what the demo and the tests need, quickly when it is already there.
# Both README commands call it (`--for start` skips Chromium, which only the tests use).
# See ../shared/toolchain.md for why each step looks the way it does.
set -euo pipefail
purpose="${2:-test}"
[ "${1:-}" = "--for" ] || purpose=test
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '[setup] %s\n' "$*" >&2; }

# The wasm-bindgen CLI must match the crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p' | head -n1)"
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-0.2.130}"
WORKER_BUILD_VERSION="0.8.7"
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$purpose" != start ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; }; then
  log "installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Both CLIs print their version somewhere in `--version` ("wasm-bindgen 0.2.130", "0.8.7").
version_of() { "$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1; }

# The two CLIs and the npm packages install side by side: on a fresh 2-core machine that saves minutes.
pids=()
if [ "$(version_of wasm-bindgen)" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # No --locked: its lockfile wants a webpki-roots the registry lacks (toolchain.md).
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force &
  pids+=($!)
fi

if [ "$(version_of worker-build)" != "$WORKER_BUILD_VERSION" ]; then
  log "installing worker-build $WORKER_BUILD_VERSION"
  cargo install -q worker-build --version "$WORKER_BUILD_VERSION" --force &
  pids+=($!)
fi

# npm packages (wrangler is pinned for Node 20; binaryen gives wasm-opt without a GitHub download).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm install --no-audit --no-fund --loglevel=error &
  pids+=($!)
fi

failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || { log "an install failed (see above)"; exit 1; }
log "ready"
