#!/usr/bin/env bash
# A short cargo-fuzz run of each xerosync-core target (~10 s each; FUZZ_SECONDS to change), seeded with the shared
# fixtures. Needs the nightly toolchain (libFuzzer + sanitizers); installs cargo-fuzz when missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${FUZZ_SECONDS:-10}"
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install -q cargo-fuzz --locked
fi
cd "$root/crates/xerosync-core/fuzz"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in decode_records parse_answers; do
  mkdir -p "corpus/$target"
  # No sanitizer: the core is safe Rust (unsafe is forbidden), so ASAN would only slow the build down.
  if ! cargo +nightly fuzz run --sanitizer none --target-dir "$root/target/core-fuzz" "$target" "corpus/$target" "$root/tests/fixtures/core" -- \
    -max_total_time="$seconds" -max_len=8192 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz target $target failed (artifacts: crates/xerosync-core/fuzz/artifacts/$target)" >&2
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log" | sed "s/^/$target: /" || true
done
