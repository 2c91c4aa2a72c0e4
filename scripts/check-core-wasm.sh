#!/usr/bin/env bash
# Rule of the house (style.md 13): xerosync-core builds for wasm32-unknown-unknown and imports nothing from the host
# (no `env`, no clock, no randomness). Builds a probe cdylib that links every api function and lists its imports.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
probe="$root/crates/xerosync-core/wasm-probe"
export CARGO_TARGET_DIR="$root/target/core-wasm-probe"
trap 'rm -f "$probe/Cargo.lock"' EXIT
cp "$root/Cargo.lock" "$probe/Cargo.lock"   # the workspace's versions, no new resolution
cargo build --quiet --manifest-path "$probe/Cargo.toml" --target wasm32-unknown-unknown --release
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/xerosync_core_wasm_probe.wasm"
node -e '
  const fs = require("fs");
  const mod = new WebAssembly.Module(fs.readFileSync(process.argv[1]));
  const imports = WebAssembly.Module.imports(mod);
  const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
  if (!exports.includes("xerosync_probe")) { console.error("probe export missing"); process.exit(1); }
  if (imports.length) {
    console.error("xerosync-core imports from the host:", imports.map((i) => i.module + "." + i.name).join(", "));
    process.exit(1);
  }
  console.log("xerosync-core for wasm32: " + fs.statSync(process.argv[1]).size + " bytes, no imports");
' "$wasm"
