#!/usr/bin/env bash
# Builds the proxy Worker (worker/) into worker/build with worker-build, without any GitHub download:
# wasm-bindgen from cargo install (scripts/setup.sh), wasm-opt from npm binaryen (see ../shared/toolchain.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$HOME/.cargo/bin/wasm-bindgen}"
export WASM_OPT_BIN="${WASM_OPT_BIN:-$root/node_modules/.bin/wasm-opt}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/worker}"
cd "$root/worker"
worker-build --release
