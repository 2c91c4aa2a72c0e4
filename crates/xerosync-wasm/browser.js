// The browser entry of `xerosync` (package.json "exports" → "browser", "default"). It fetches and instantiates
// xerosync_bg.wasm (beside the glue, found through import.meta.url) before it finishes loading, with a top-level
// await, so importers, including a plain <script type="module">, get functions that are ready to call. `init` is
// exported for code shared with the `xerosync/manual` entry: here it resolves at once (the wasm is already loaded).
import { init } from "./manual.js";

await init();

export * from "./manual.js";
