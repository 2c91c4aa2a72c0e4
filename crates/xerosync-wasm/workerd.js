// The Cloudflare Workers entry of `xerosync` (package.json "exports" → "workerd", the condition wrangler resolves
// first). A Worker imports a .wasm file as a compiled WebAssembly.Module (wrangler's default CompiledWasm rule) and
// may not compile wasm from bytes at run time, so the module is imported and instantiated synchronously here: every
// function is usable right after `import`, as on Node. `init` resolves at once.
import module from "./pkg/web/xerosync_bg.wasm";
import { initSync } from "./pkg/web/xerosync.js";

initSync({ module });

export * from "./manual.js";
