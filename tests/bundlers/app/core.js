// The preview-only page (tests/bundlers/run.mjs builds it with Vite): it imports the entry `xerosync/core`, the pure
// functions without the sync client, and previews the same invoice. It reports the size of the wasm it loaded, which
// must be the core build's (pkg/core-web), not the full one.
import { previewInvoice } from "xerosync/core";
import fixture from "./fixture.json";

const [invoice, ctx] = fixture.args;
const preview = previewInvoice(invoice, ctx);
const wasm = performance.getEntriesByType("resource").filter((entry) => entry.name.endsWith(".wasm"));

window.__xerosync = { preview, client: "none", wasmBytes: wasm.map((entry) => entry.decodedBodySize) };
document.getElementById("result").textContent = `total ${preview.total}`;
