#!/usr/bin/env bash
# Builds the npm package `xerosync` into crates/xerosync-wasm/pkg/ (gitignored), twice over:
#   pkg/web/, pkg/node/            everything, the sync client (XeroClient) included: the entry `xerosync`
#   pkg/core-web/, pkg/core-node/  the pure functions alone (cargo --no-default-features, no `client` feature): the
#                                  entry `xerosync/core`, for pages that only preview and plan (a third smaller)
#   */web/   wasm-bindgen --target web (browsers, bundlers: browser.js awaits init() at top level)
#   */node/  wasm-bindgen --target experimental-nodejs-module (ESM, instantiated synchronously on import)
# each shrunk by wasm-opt from the npm package binaryen (no GitHub download; see ../shared/toolchain.md). Built with
# the profile wasm-release (root Cargo.toml: opt-level per package, small where cold, fast where hot).
# The new pkg/ is assembled aside and swapped in at the end, so a concurrent user of the package never sees it half
# built.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
log() { printf '[build-wasm] %s\n' "$*" >&2; }

target_dir="${CARGO_TARGET_DIR:-$root/target}"
pkg="$root/crates/xerosync-wasm/pkg"
command -v wasm-bindgen >/dev/null || { log "wasm-bindgen CLI missing: run scripts/setup.sh"; exit 1; }
command -v wasm-opt >/dev/null || { log "wasm-opt missing: run npm install (devDependency binaryen)"; exit 1; }

staging="$(mktemp -d "$root/crates/xerosync-wasm/.pkg-XXXXXX")"
trap 'rm -rf "$staging"' EXIT
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/xerosync_wasm.wasm"

# One variant: cargo build with "$@" (features), then the web and Node glue into $staging/$prefix{web,node}.
variant() {
  local prefix="$1"; shift
  log "cargo build $* (profile wasm-release: see Cargo.toml; wasm32-unknown-unknown)"
  cargo build -p xerosync-wasm --profile wasm-release --target wasm32-unknown-unknown --locked "$@"
  wasm-bindgen --target web --out-dir "$staging/${prefix}web" --out-name xerosync --no-typescript "$wasm"
  wasm-bindgen --target experimental-nodejs-module --out-dir "$staging/${prefix}node" --out-name xerosync --no-typescript "$wasm"
  # Types come from the hand-written ../index.d.ts (wasm-bindgen's are all `any`), hence --no-typescript.
  # The features are the ones rustc 1.95 emits for wasm32-unknown-unknown by default; Node 20 and current browsers
  # have them all.
  wasm-opt -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue \
    -o "$staging/${prefix}web/xerosync_bg.wasm" "$staging/${prefix}web/xerosync_bg.wasm"
  # Both targets import the same module ("./xerosync_bg.js"), so their wasm is the same file: optimise it once.
  cp "$staging/${prefix}web/xerosync_bg.wasm" "$staging/${prefix}node/xerosync_bg.wasm"
}
variant ""
variant core- --no-default-features
old="$pkg.old.$$"
[ -e "$pkg" ] && mv "$pkg" "$old"
mv "$staging" "$pkg"
rm -rf "$old"
for prefix in "" core-; do
  raw=$(wc -c <"$pkg/${prefix}web/xerosync_bg.wasm")
  gz=$(gzip -9 -c "$pkg/${prefix}web/xerosync_bg.wasm" | wc -c)
  log "built $pkg/${prefix}web: xerosync_bg.wasm $raw bytes, $gz gzipped"
done
