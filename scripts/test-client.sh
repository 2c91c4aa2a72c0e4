#!/usr/bin/env bash
# The sync client (issue 5): `tsc` over its typed usage, then its wasm-bindgen tests in headless Chromium against
# the proxy (the built Worker under `wrangler dev`) and the Xero simulator: Send, Update, two tabs, the R1 fault
# run and a cancelled run resumed (crates/xerosync-wasm/tests/client.rs, started by tests/client/run.mjs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
# The typed usage and the README's ten lines (extracted into a generated file, removed afterwards).
trap 'rm -f crates/xerosync-wasm/tests/client/readme.generated.ts crates/xerosync-wasm/tests/client/readme-settings.generated.ts' EXIT
node crates/xerosync-wasm/tests/client/readme-types.mjs
tsc --noEmit -p crates/xerosync-wasm/tests/client/tsconfig.json
# The simulator binary the Worker's harness starts (the workspace's target dir, as scripts/test-worker.sh).
cargo build -p xero-sim --locked --quiet
[ -f worker/build/index.js ] || bash scripts/build-worker.sh >/dev/null
timeout 900 node crates/xerosync-wasm/tests/client/run.mjs
