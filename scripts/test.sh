#!/usr/bin/env bash
# The README's test command (`npm test`) and CI's (.ci/run): installs what it needs, then runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"

step() { local name="$1"; shift; printf '\n== %s\n' "$name"; local t0=$SECONDS; "$@"; printf '== %s: ok (%ss)\n' "$name" $((SECONDS - t0)); }

step "rust: format" cargo fmt --all -- --check
step "rust: clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
step "rust: clippy, the package without its sync client (xerosync/core)" \
  cargo clippy -p xerosync-wasm --no-default-features --all-targets --locked -- -D warnings
step "rust: tests" cargo test --workspace --locked
step "rust: xerosync-core builds for wasm32, imports nothing" bash scripts/check-core-wasm.sh
step "rust: fuzz xerosync-core (10 s a target)" bash scripts/fuzz-short.sh
step "wasm: build the npm package xerosync (crates/xerosync-wasm/pkg)" bash scripts/build-wasm.sh
step "wasm: JS tests of the package (fixtures, README, errors, types, Chromium)" node --test crates/xerosync-wasm/test/
step "wasm: the package in apps built by Vite (build, dev server), esbuild, webpack 5 (Chromium) and in a Worker (wrangler dev)" \
  node tests/bundlers/run.mjs
step "sim: Xero's official SDK (xero-node) reads the simulator's lived-in organisation" \
  bash -c 'cargo build --quiet --locked -p xero-sim && node --test tests/sdk/'
step "e2e: CRM page in Chromium (www, Playwright)" bash tests/e2e/run.sh
step "worker: unit, wrangler deploy --dry-run, HTTP tests against the simulator" bash scripts/test-worker.sh
step "client: XeroClient in Chromium against the proxy and the simulator (send, update, R1 fault run, resume)" bash scripts/test-client.sh
