// The escape hatch (tests/bundlers/run.mjs builds it with esbuild): the entry `xerosync/manual` loads nothing on
// import, and init({ wasm }) is handed the wasm's URL, here the one esbuild's `file` loader gives for the package's
// `xerosync/xerosync_bg.wasm` export (a CDN URL, a Response, bytes or a WebAssembly.Module work the same way).
import { init, previewInvoice, XeroClient } from "xerosync/manual";
import wasm from "xerosync/xerosync_bg.wasm";
import fixture from "./fixture.json";

await init({ wasm });
const [invoice, ctx] = fixture.args;
const preview = previewInvoice(invoice, ctx);
const client = new XeroClient({ proxyUrl: "http://127.0.0.1:9", sessionToken: () => "t" });

window.__xerosync = { preview, client: client instanceof XeroClient };
document.getElementById("result").textContent = `total ${preview.total}`;
