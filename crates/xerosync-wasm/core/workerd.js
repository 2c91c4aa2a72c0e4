// The Cloudflare Workers entry of `xerosync/core`: the wasm imported as a compiled module and instantiated
// synchronously, as `xerosync`'s workerd.js does (see there why).
import module from "../pkg/core-web/xerosync_bg.wasm";
import { initSync } from "../pkg/core-web/xerosync.js";

initSync({ module });

export * from "./manual.js";
