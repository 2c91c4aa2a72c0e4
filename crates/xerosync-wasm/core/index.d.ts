// Types of the entry `xerosync/core`: everything of `xerosync` but the sync client (`XeroClient`), whose types stay
// importable as types only.
// Kept in step by test/core-entry.test.js (xerosync/core's functions) and test/exports.test.js (index.d.ts's).
export {
  init,
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
} from "../index.js";
export type * from "../index.js";
