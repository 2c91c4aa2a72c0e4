// The Node entry of `xerosync` (package.json "exports" → "node"). The wasm module is compiled and instantiated
// synchronously when this file is imported, so every function is usable right after `import`. `init` is exported for
// code shared with the `xerosync/manual` entry (which routes here on Node too): it resolves at once.

/** Resolves at once: on Node the wasm is loaded on import (`options.wasm` is not read). */
export async function init(_options) {}

// The Node glue exports exactly the package's functions and classes (no loader), so all of it is re-exported.
export * from "./pkg/node/xerosync.js";
