//! xerosync-wasm: the npm package (being built).
