// The Node entry of `xerosync` (package.json "exports" → "node"). The wasm module is compiled and instantiated
// synchronously when this file is imported, so every function is usable right after `import`.
export {
  planSend,
  planUpdate,
  previewInvoice,
  buildInvoicePayload,
  buildInvoicePayloads,
  prepare,
  errorCodes,
  PreparedContext,
  applyXeroInvoice,
  parseXeroError,
  matchContact,
  resolveDiscrepancy,
  reconcile,
  planSendRequests,
  applySendAnswer,
  sendLookupRequest,
  applySendLookup,
  XeroClient,
} from "./pkg/node/xerosync.js";
