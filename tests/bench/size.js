// `npm run bench`: the size of the package's wasm modules, raw and gzipped (the browser downloads them gzipped): the
// full build (`xerosync`, with the sync client) and the pure functions' own (`xerosync/core`), each against the goal
// and the core as a ratio of the full build measured in the same run. Where the bytes go: tests/bench/README.md.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve("xerosync/package.json"));
const kB = (n) => (n / 1000).toFixed(1);
const sizes = (dir) => {
  const wasm = readFileSync(join(packageDir, "pkg", dir, "xerosync_bg.wasm"));
  return { raw: wasm.length, gz: gzipSync(wasm, { level: 9 }).length };
};
const full = sizes("web");
const core = sizes("core-web");
console.log(`wasm size (xerosync, with the sync client): ${kB(full.raw)} kB (goal -)`);
console.log(`wasm size gzipped (xerosync, with the sync client): ${kB(full.gz)} kB (goal <= 150 kB)`);
console.log(`wasm size (xerosync/core, pure functions): ${kB(core.raw)} kB (goal -)`);
console.log(`wasm size gzipped (xerosync/core, pure functions): ${kB(core.gz)} kB (goal <= 150 kB)`);
console.log(`wasm size gzipped, xerosync/core / xerosync: ${(core.gz / full.gz).toFixed(2)} ratio (goal a page that only previews loads the smaller)`);
