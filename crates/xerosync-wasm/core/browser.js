// The browser entry of `xerosync/core` (the pure functions, no sync client): loads its wasm before it finishes
// loading (top-level await), as `xerosync`'s browser.js does, so its functions are ready to call after `import`.
import { init } from "./manual.js";

await init();

export * from "./manual.js";
