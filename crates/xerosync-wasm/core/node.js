// The Node entry of `xerosync/core`: the pure functions, instantiated synchronously on import (the Node glue exports
// exactly the package's functions). `init` resolves at once, as in `xerosync`'s node.js.

/** Resolves at once: on Node the wasm is loaded on import. */
export async function init(_options) {}

export * from "../pkg/core-node/xerosync.js";
