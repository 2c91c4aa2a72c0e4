// webpack 5 (5.113) for the app of tests/bundlers/app. What xerosync needs here: nothing. (webpack emits
// xerosync_bg.wasm as an asset from the glue's `new URL("xerosync_bg.wasm", import.meta.url)`, and top-level await is
// on by default since 5.83. It warns that the wasm is over its 244 KiB size advice: run.mjs does not count that as a
// problem; `performance: { assetFilter: (f) => !f.endsWith(".wasm") }` silences it.) Everything below is the test's
// plumbing: the app, the output folder (the bundle is main.js, as the shared index.html expects), quiet logs.
export default function webpackConfig({ root, outDir }) {
  return {
    mode: "production",
    context: root,
    entry: "./main.js",
    output: { path: outDir, filename: "main.js", clean: true },
    infrastructureLogging: { level: "warn" },
    stats: "errors-warnings",
  };
}
