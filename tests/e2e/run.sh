#!/usr/bin/env bash
# The e2e step of scripts/test.sh: Playwright journeys of the CRM page (www/) in Debian's Chromium.
# The page imports the real `xerosync` package, so its browser build must exist and be current: it is (re)built with
# scripts/build-wasm.sh unless it is newer than every source it is made from (e.g. an earlier step just built it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
fail() { printf '[e2e] %s\n' "$*" >&2; exit 1; }

browser_build="crates/xerosync-wasm/pkg/web/xerosync_bg.wasm"
stale() {
  [ -f "$browser_build" ] || return 0
  [ -n "$(find crates/xerosync-core crates/xerosync-wasm/src crates/xerosync-wasm/Cargo.toml crates/xerosync-wasm/browser.js \
    Cargo.lock -newer "$browser_build" -type f -print -quit 2>/dev/null)" ]
}
if stale; then
  [ -f scripts/build-wasm.sh ] || fail "the xerosync package is not built and scripts/build-wasm.sh does not exist to build it"
  bash scripts/build-wasm.sh
fi
[ -f "$browser_build" ] || fail "scripts/build-wasm.sh ran but $browser_build is missing"
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || fail "no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (scripts/setup.sh installs Debian's)"
[ -d node_modules/@playwright/test ] || fail "@playwright/test is not installed (npm install at the repo root)"

cd tests
exec playwright test -c playwright.config.js
