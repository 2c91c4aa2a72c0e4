// Types of the entry `xerosync/core`: everything of `xerosync` but the sync client (`XeroClient`), whose types stay
// importable as types only.
export {
  init,
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
  trackingMapFor,
  resolveDiscrepancy,
  reconcile,
  planSendRequests,
  applySendAnswer,
  sendLookupRequest,
  applySendLookup,
} from "../index.js";
export type * from "../index.js";
