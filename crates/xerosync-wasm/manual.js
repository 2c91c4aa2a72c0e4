// The entry `xerosync/manual` (package.json "exports" → "./manual"): the browser build without the automatic load.
// Nothing is fetched on import; call `await init()` once before any other function, optionally handing it the wasm
// yourself: `init({ wasm })` with a URL or string (e.g. a CDN's), a Request, a Response (or a promise of one), the
// bytes (ArrayBuffer, typed array) or a compiled WebAssembly.Module (e.g. a Cloudflare Worker's `import … from
// "xerosync/xerosync_bg.wasm"`). Without `wasm`, it fetches xerosync_bg.wasm beside the glue (import.meta.url), as
// the default entry does. Calls after the first load return at once.
import load from "./pkg/web/xerosync.js";

/** Loads the wasm once; see the comment above for `wasm`. */
export async function init(options = {}) {
  const wasm = options?.wasm;
  await load(wasm === undefined ? undefined : { module_or_path: wasm });
}

// Kept in step by test/exports.test.js (the entries, index.d.ts) and test/core-entry.test.js (xerosync/core's list).
export {
  planSend,
  planUpdate,
  previewInvoice,
  buildInvoicePayload,
  buildInvoicePayloads,
  buildRequestBodies,
  prepare,
  errorCodes,
  PreparedContext,
  applyXeroInvoice,
  parseXeroError,
  matchContact,
  trackingMapFor,
  resolveDiscrepancy,
  reconcile,
  planSendRequests,
  applySendAnswer,
  sendLookupRequest,
  applySendLookup,
  prepareSend,
  PreparedSend,
  XeroClient,
} from "./pkg/web/xerosync.js";
