// Vite (8.4) for the app of tests/bundlers/app, production build and dev server. What xerosync needs here: nothing.
// (The build emits xerosync_bg.wasm as an asset from the glue's `new URL("xerosync_bg.wasm", import.meta.url)`; Vite
// 8's dev pre-bundling rewrites that URL back to the package's file; the default build target has top-level await.
// Vite 7 and older need more: see the package README's "Bundlers".) Everything below is the test's plumbing: where the
// app is, where to write, where to listen, quiet logs.
export default function viteConfig({ root, outDir, port, page = "index.html" }) {
  return {
    root,
    configFile: false,
    logLevel: "warn",
    clearScreen: false,
    build: { outDir, emptyOutDir: true, rollupOptions: { input: `${root}/${page}` } },
    server: { host: "127.0.0.1", port, strictPort: true },
  };
}
