#!/usr/bin/env bash
# `npm start`: the whole product on this machine. Installs what is missing (scripts/setup.sh), builds what is stale
# (the npm package xerosync, the proxy Worker, the Xero simulator), then scripts/start.mjs starts the simulator with
# the demo organisations (plus Lived-in Ltd (UK), `--seed lived-in`), the proxy under `wrangler dev` and the CRM page, all on 127.0.0.1, and prints one URL.
# Ctrl-C stops everything. Timings of each phase go to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
t0=$SECONDS
log() { printf '[start] %s (%ss)\n' "$*" $((SECONDS - t0)) >&2; }

bash scripts/setup.sh --for start
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
log "toolchain ready"

bash scripts/build-stale.sh
export XERO_SIM_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/xero-sim"
log "built"

# exec: Ctrl-C reaches node directly, which stops the simulator, the proxy and the page server before it exits.
exec node scripts/start.mjs "$@"
