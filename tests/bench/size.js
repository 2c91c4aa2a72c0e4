// `npm run bench`: the size of the package's wasm module, raw and gzipped (the browser downloads it gzipped).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve("xerosync/package.json"));
const wasm = readFileSync(join(packageDir, "pkg", "web", "xerosync_bg.wasm"));
const kB = (n) => (n / 1000).toFixed(1);
console.log(`wasm size: ${kB(wasm.length)} kB`);
console.log(`wasm size gzipped: ${kB(gzipSync(wasm, { level: 9 }).length)} kB (goal <= 150 kB)`);
