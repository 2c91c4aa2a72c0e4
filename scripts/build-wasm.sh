#!/usr/bin/env bash
# Builds the npm package `xerosync` into crates/xerosync-wasm/pkg/ (gitignored):
#   pkg/web/   wasm-bindgen --target web (browsers, bundlers: browser.js awaits init() at top level)
#   pkg/node/  wasm-bindgen --target experimental-nodejs-module (ESM, instantiated synchronously on import)
# each shrunk by wasm-opt from the npm package binaryen (no GitHub download; see ../shared/toolchain.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
log() { printf '[build-wasm] %s\n' "$*" >&2; }

target_dir="${CARGO_TARGET_DIR:-$root/target}"
pkg="$root/crates/xerosync-wasm/pkg"
command -v wasm-bindgen >/dev/null || { log "wasm-bindgen CLI missing: run scripts/setup.sh"; exit 1; }
command -v wasm-opt >/dev/null || { log "wasm-opt missing: run npm install (devDependency binaryen)"; exit 1; }

log "cargo build (release, wasm32-unknown-unknown)"
cargo build -p xerosync-wasm --release --target wasm32-unknown-unknown --locked
wasm="$target_dir/wasm32-unknown-unknown/release/xerosync_wasm.wasm"

rm -rf "$pkg"
for target in web experimental-nodejs-module; do
  out="$pkg/$([ "$target" = web ] && echo web || echo node)"
  # Types come from the hand-written ../index.d.ts (the generated ones are all `any`).
  wasm-bindgen --target "$target" --out-dir "$out" --out-name xerosync --no-typescript "$wasm"
  # The features rustc 1.95 emits for wasm32-unknown-unknown by default; Node 20 and current browsers have them all.
  wasm-opt -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue \
    -o "$out/xerosync_bg.wasm" "$out/xerosync_bg.wasm"
done
raw=$(wc -c <"$pkg/web/xerosync_bg.wasm")
gz=$(gzip -9 -c "$pkg/web/xerosync_bg.wasm" | wc -c)
log "built $pkg: xerosync_bg.wasm $raw bytes, $gz gzipped"
