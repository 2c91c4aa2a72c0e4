#!/usr/bin/env bash
# `npm run bench`: programs that print numbers, one figure a line (`name: value unit (goal …)`). Not tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# xero-sim: requests per second for a 50-invoice PUT, against a GET baseline from the same run.
cargo run --quiet --release -p xero-sim --example bench_put

# The proxy's background sync at scale: 10,000 organisations' Durable Object alarms over 90 simulated days
# (worker/src/schedule.rs with a fake Xero, pure and native): refresh and poll gaps, and the cost per day.
cargo run --quiet --release --locked -p xerosync-worker --example alarms_at_scale

# xerosync (npm package): wasm size, and request bodies for 10,000 invoices against xero-node's ObjectSerializer.
bash scripts/build-wasm.sh >/dev/null 2>&1 || bash scripts/build-wasm.sh
node tests/bench/size.js
node tests/bench/payloads.js

# The sync client (npm package in Node) through the proxy (wrangler dev) against the simulator at Xero's limits with
# 200 ms latency: calls and wall time to send 1,000 invoices; calls of Update all over 10,000 invoices, and a re-run.
# The simulator stands in for Xero, whose own time is not ours to measure: it runs as a release build.
cargo build --quiet --locked --release -p xero-sim
export XERO_SIM_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/xero-sim"
[ -f worker/build/index.js ] || bash scripts/build-worker.sh >/dev/null
node tests/bench/client.mjs
# Scale: Update all over 100,000 sent invoices (calls, wall time, peak memory); a 5,000-invoice send on a Starter
# organisation across Xero's day limit, resumed each next day on simulated clocks (days, calls a day, no duplicate).
node tests/bench/scale.mjs
WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false node tests/bench/day-limit.mjs

# The proxy Worker: latency it adds to a relayed 50-invoice PUT (vs the simulator directly, interleaved) and the
# runtime's CPU per call, first under `workerd serve` itself with a generated config (worker/bench/workerd.mjs: no
# wrangler dev proxy in front; D1 served by a small SQLite Durable Object), then under wrangler dev for comparison.
bash scripts/build-worker.sh >/dev/null 2>&1 || bash scripts/build-worker.sh
WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false node worker/bench/relay.mjs
cargo run --quiet --release -p xerosync-worker --example relay_cpu
