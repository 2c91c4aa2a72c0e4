#!/usr/bin/env bash
# `npm run build`: the npm package (wasm + JS glue) and the proxy Worker.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build-wasm.sh
bash scripts/build-worker.sh
