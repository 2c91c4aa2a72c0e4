// The entry `xerosync/core/manual` (package.json "exports" → "./core/manual"): `xerosync/core`, the pure functions
// without the sync client, in a wasm module about a third smaller than the full one, without the automatic load. Call
// `await init()` once first, optionally with `{ wasm }` as for `xerosync/manual`. This file holds the one list of the
// entry's exports; the other `xerosync/core` entries re-export it.
import load from "../pkg/core-web/xerosync.js";

/** Loads the wasm once; see the comment above for `wasm`. */
export async function init(options = {}) {
  const wasm = options?.wasm;
  await load(wasm === undefined ? undefined : { module_or_path: wasm });
}

// Kept in step by test/core-entry.test.js (xerosync's list but XeroClient) and test/exports.test.js (xerosync's list).
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
} from "../pkg/core-web/xerosync.js";
