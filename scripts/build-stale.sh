#!/usr/bin/env bash
# Builds what `npm start` and the e2e journeys run, only when it is stale: the npm package xerosync (browser and
# Node builds, scripts/build-wasm.sh), the proxy Worker (scripts/build-worker.sh) and the Xero simulator (cargo,
# which knows best: about a second when nothing changed). Prints nothing on stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
log() { printf '[build-stale] %s\n' "$*" >&2; }

# True when $1 is missing or any file under the other arguments is newer than it.
stale() {
  local out="$1"; shift
  [ -f "$out" ] || return 0
  [ -n "$(find "$@" -newer "$out" -type f -print -quit 2>/dev/null)" ]
}

if stale crates/xerosync-wasm/pkg/web/xerosync_bg.wasm crates/xerosync-core crates/xerosync-wasm/src \
  crates/xerosync-wasm/Cargo.toml crates/xerosync-wasm/browser.js Cargo.lock; then
  log "building the npm package xerosync"
  bash scripts/build-wasm.sh
fi
if stale worker/build/index.js worker/src worker/Cargo.toml crates/xerosync-core Cargo.lock; then
  log "building the proxy Worker"
  bash scripts/build-worker.sh >&2
fi
cargo build -q -p xero-sim --locked >&2
