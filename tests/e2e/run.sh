#!/usr/bin/env bash
# The e2e step of scripts/test.sh: Playwright journeys of the CRM page (www/) in Debian's Chromium.
# The page imports the real `xerosync` package, so its browser build must exist and be current; the journeys of
# live.spec.js run the proxy Worker under `wrangler dev` and the simulator too (worker/test/harness.mjs starts both on
# free 127.0.0.1 ports and stops them). scripts/build-stale.sh rebuilds whichever of the three is older than its sources.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
fail() { printf '[e2e] %s\n' "$*" >&2; exit 1; }

browser_build="crates/xerosync-wasm/pkg/web/xerosync_bg.wasm"
# The journeys over the whole product (live.spec.js) also run the proxy Worker and the simulator: build what is stale.
bash scripts/build-stale.sh
export XERO_SIM_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/xero-sim"
[ -f worker/build/index.js ] || fail "scripts/build-stale.sh ran but worker/build/index.js is missing"
[ -f "$browser_build" ] || fail "scripts/build-stale.sh ran but $browser_build is missing"
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || fail "no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (scripts/setup.sh installs Debian's)"
[ -d node_modules/@playwright/test ] || fail "@playwright/test is not installed (npm install at the repo root)"

cd tests
exec playwright test -c playwright.config.js
