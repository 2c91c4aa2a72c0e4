#!/usr/bin/env bash
# The proxy Worker's tests: native unit tests of its pure parts, then the built Worker under `wrangler dev`
# against the Xero simulator over HTTP (worker/test/*.test.mjs; each file starts and stops its own servers).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
cargo test -p xerosync-worker --locked --quiet
# The simulator binary the tests start (shares the workspace's target dir with the other test steps).
cargo build -p xero-sim --locked --quiet
cd worker
# Builds the Worker (wrangler.toml's [build] runs scripts/build-worker.sh) and checks the committed config deploys.
wrangler deploy --dry-run --outdir "$(mktemp -d)" >/dev/null
# One file at a time: each starts a simulator and a workerd, and the machine has two cores.
timeout 900 node --test --test-concurrency=1 test/*.test.mjs
