// esbuild (0.28) for the app of tests/bundlers/app. `main` builds the shared app (the default entry "xerosync"),
// `manual` the escape hatch (xerosync/manual + init({ wasm })). Lines marked "xerosync:" are what the package needs
// (the README's "Bundlers" section); the rest is the test's plumbing.
import { copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// xerosync: esbuild does not follow `new URL("xerosync_bg.wasm", import.meta.url)` (it copies no asset for it), so
// the wasm is copied beside the bundle, where that URL points. (A project would write
// `createRequire(import.meta.url)`; the test's project is a temporary folder, hence its package.json.)
function copyXerosyncWasm(root) {
  return {
    name: "copy-xerosync-wasm",
    setup(build) {
      build.onEnd(() => {
        const wasm = createRequire(join(root, "package.json")).resolve("xerosync/xerosync_bg.wasm");
        copyFileSync(wasm, join(build.initialOptions.outdir, "xerosync_bg.wasm"));
      });
    },
  };
}

export function main({ root, outDir }) {
  return {
    absWorkingDir: root,
    entryPoints: { main: "./main.js" },
    outdir: outDir,
    bundle: true,
    format: "esm", // xerosync: the browser entry awaits the wasm at top level, and finds it by import.meta.url
    plugins: [copyXerosyncWasm(root)], // xerosync
    logLevel: "warning",
  };
}

export function manual({ root, outDir }) {
  return {
    absWorkingDir: root,
    entryPoints: { main: "./manual.js" },
    outdir: outDir,
    bundle: true,
    format: "esm", // the app's own top-level `await init(…)`
    loader: { ".wasm": "file" }, // xerosync: `import wasm from "xerosync/xerosync_bg.wasm"` is the emitted file's URL
    logLevel: "warning",
  };
}
