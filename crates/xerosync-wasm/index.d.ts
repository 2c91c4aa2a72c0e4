// TypeScript types of the npm package `xerosync`: the records of the CRM contract (camelCase) and the Xero objects
// the functions return (PascalCase, spelled as Xero's OpenAPI schemas spell them). The records, options, results,
// progress, checkpoints' parts and errors are generated from the core's Rust types (types.generated.d.ts, by ts-rs:
// a drift test in xerosync-core fails when it differs from what the Rust gives); this file holds the functions, the
// classes and the few types the Rust has no serde type for. test/types/usage.ts is type-checked with `tsc --noEmit`
// and test/exports.test.js checks that the functions declared here are exactly the ones the package exports.

export type * from "./types.generated.js";
import type {
  AppliedXeroInvoice,
  ChangeFeedResult,
  Company,
  ConnectionState,
  ContactMatch,
  Ctx,
  DiscrepancyChoice,
  ErrorCode,
  ErrorData,
  Invoice,
  InvoiceKind,
  InvoicePayloads,
  RequestBodies,
  InvoiceSummary,
  IsoDate,
  Line,
  LogFilter,
  LogPage,
  OrganisationOptions,
  Preview,
  ProxySettings,
  ReconcileRunResult,
  ReconciliationReport,
  Resolution,
  RunStop,
  SendMode,
  SendPlan,
  SendPreview,
  SendRunResult,
  SendSelection,
  SyncProgress,
  TrackingMap,
  UpdateMode,
  UpdateRunResult,
  UpdateSelection,
  XeroCreditNote,
  XeroErrorAnswer,
  XeroInvoice,
  XeroRequest,
  XeroTaxRateChoice,
  XeroTrackingCategory,
} from "./types.generated.js";

// ---- Hand-written: the Rust reads these field by field (no serde type to generate them from) --------------------

/** A Xero contact as `GET /Contacts` returns it, for `matchContact` (read field by field: contacts::XeroContact). */
export interface XeroContact {
  ContactID?: string;
  ContactNumber?: string;
  AccountNumber?: string;
  Name?: string;
  FirstName?: string;
  LastName?: string;
  EmailAddress?: string;
  /** Read by `matchContact`: only `ACTIVE` contacts are linked without a person. */
  ContactStatus?: "ACTIVE" | "ARCHIVED" | "GDPRREQUEST";
  TaxNumber?: string;
  DefaultCurrency?: string;
  Addresses?: { AddressType: "POBOX" | "STREET"; AddressLine1?: string; AddressLine2?: string; AddressLine3?: string; AddressLine4?: string; City?: string; Region?: string; PostalCode?: string; Country?: string }[];
  Phones?: { PhoneType: "DEFAULT" | "DDI" | "MOBILE" | "FAX" | "OFFICE"; PhoneNumber?: string }[];
}

/** An invoice as Xero returns it (the fields the package reads; others are ignored). */
export interface XeroInvoiceAnswer {
  InvoiceID?: string;
  CreditNoteID?: string;
  Type?: string;
  Status?: string;
  Total?: number;
  AmountDue?: number;
  AmountPaid?: number;
  AmountCredited?: number;
  RemainingCredit?: number;
  FullyPaidOnDate?: string;
  [field: string]: unknown;
}

/** An HTTP answer from Xero as the caller received it (headers it cares about included). */
export interface XeroHttpAnswer {
  status: number;
  /** The body as text, or already parsed. */
  body?: string | object | null;
  /** The `Retry-After` header. */
  retryAfter?: string | null;
  /** The `X-Rate-Limit-Problem` header. */
  rateLimitProblem?: string | null;
}

/** What every function throws on bad input: an `Error` whose message names the record and the field (rule L2); its
 * fields are the core's `ErrorData` (convert.rs sets them on a JS `Error`). */
export interface XerosyncError extends Error {
  name: "XerosyncError";
  code: ErrorCode;
  /** The record at fault, e.g. `"invoice inv-9"`. */
  record?: string;
  /** The field path inside it, e.g. `"lines[0].quantity"`. */
  field?: string;
  /** The error in one sentence for a finance user (no codes, ids or field paths), e.g. "Line 2 uses the tax rate
   * Zero rated, which is not mapped to a Xero tax type. Map it in Xero settings." Show it beside the record. */
  sentence?: string;
  /** `rate_limited` from the proxy: the seconds to wait before trying again (rule X2). */
  retryAfter?: number;
}

// ---- Functions ---------------------------------------------------------------------------------------------------

/**
 * The wasm as `init({ wasm })` accepts it: its URL (a string or `URL`, fetched), a `Request`, a `Response` (or a
 * promise of one, e.g. `fetch(url)`), its bytes, or a compiled `WebAssembly.Module` (a Cloudflare Worker's import of
 * `xerosync/xerosync_bg.wasm`).
 */
export type WasmSource = string | URL | Request | Response | PromiseLike<Response> | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/**
 * Loads the wasm, once. Needed only with the entry `xerosync/manual` (in a browser), before any other call; the
 * default entries load it on import (the browser entry with a top-level await), and there `init` resolves at once
 * without reading `wasm`.
 * @example
 * import { init, previewInvoice } from "xerosync/manual";
 * await init({ wasm: "https://cdn.example/xerosync@0.1.0/xerosync_bg.wasm" });
 */
export function init(options?: { wasm?: WasmSource }): Promise<void>;

/**
 * Rules S1 (`"selected"`) and A1 (`"allLive"`): which invoices to send to Xero, and why the others are not sent.
 * With `sentences: true` each skip also carries `sentence`, for a finance user; without it the answer is exactly
 * the contract's `{ send, skipped: [{ id, rule, reason }] }`.
 * @example
 * planSend([invoice], { mode: "selected" }); // { send: ["inv-1001"], skipped: [] }
 */
export function planSend(invoices: (Invoice | InvoiceSummary)[], options: { mode: SendMode; sentences?: boolean }): SendSelection;

/**
 * Rules U1 (`"selected"`) and A2 (`"all"`): which invoices to update from Xero, and why the others are not
 * (`sentences: true` as for `planSend`).
 * @example
 * planUpdate(invoices, { mode: "all" }).update; // the ids to read back from Xero
 */
export function planUpdate(invoices: (Invoice | InvoiceSummary)[], options: { mode: UpdateMode; sentences?: boolean }): UpdateSelection;

/**
 * Rules S5, S6: the amounts Xero will compute for the invoice, and every difference from the CRM's totals.
 * @example
 * const { total, matchesCrm, differences } = previewInvoice(invoice, ctx); // total: "97.20"
 */
export function previewInvoice(invoice: Invoice, ctx: Ctx): Preview;

/**
 * Rules S4-S7: the Xero `Invoice` (or `CreditNote`, for `kind: "creditNote"`) to send, as a draft.
 * @example
 * const body = { Invoices: [buildInvoicePayload(invoice, ctx)] }; // PUT /Invoices?summarizeErrors=false
 */
export function buildInvoicePayload(invoice: Invoice, ctx: Ctx): XeroInvoice | XeroCreditNote;

/**
 * A context decoded once, for many per-invoice calls (`prepare(ctx)`). It keeps the context as it was when prepared:
 * prepare again after changing it. (`buildInvoicePayload(invoice, ctx)` itself reuses the last context it decoded
 * when the context's JSON is the same, so passing the same `ctx` again is fast too, and an edited one is never stale.)
 * @example
 * const prepared = prepare(ctx);
 * const documents = invoices.map((invoice) => prepared.buildInvoicePayload(invoice));
 */
export class PreparedContext {
  private constructor();
  free(): void;
  buildInvoicePayload(invoice: Invoice): XeroInvoice | XeroCreditNote;
  previewInvoice(invoice: Invoice): Preview;
}

/** Every `code` the package's errors may carry, as a list (for a page that maps codes to its own messages). */
export function errorCodes(): ErrorCode[];

/** Checks and decodes `ctx` once (it throws what `buildInvoicePayload` would throw for a malformed context). */
export function prepare(ctx: Ctx): PreparedContext;

/**
 * Rules S4-S7, L2: the Xero documents for many invoices at once (the context is read once: much faster than one
 * `buildInvoicePayload` call per invoice). A bad invoice does not stop the others: it is listed in `failed`.
 * Throws only when `invoices` is not an array or `ctx` is malformed (as `buildInvoicePayload` would).
 * @example
 * const { Invoices, CreditNotes, failed } = buildInvoicePayloads(invoices, ctx);
 * const body = { Invoices: Invoices.slice(0, 50) }; // PUT /Invoices?summarizeErrors=false
 * for (const f of failed) console.warn(invoices[f.index].id, f.message);
 */
export function buildInvoicePayloads(invoices: Invoice[], ctx: Ctx): InvoicePayloads;

/**
 * Rules S4-S7, S9, L2: the request bodies themselves, for a page that sends through the proxy on its own: each of
 * `invoices` is a `PUT /Invoices` body (`{"Invoices":[…]}`, JSON text, at most 50 invoices), each of `creditNotes`
 * a `PUT /CreditNotes` body. The fastest way from CRM invoices to what Xero takes: the documents are written as
 * text in wasm and never become JS objects. `failed` and the throws are those of `buildInvoicePayloads`.
 * @example
 * const { invoices: bodies, failed, needsUnitdp4 } = buildRequestBodies(invoices, ctx);
 * for (const body of bodies) await fetch(url, { method: "PUT", body }); // PUT /Invoices?summarizeErrors=false
 */
export function buildRequestBodies(invoices: Invoice[], ctx: Ctx): RequestBodies;

/**
 * Rules U2, U4, U5: the CRM changes implied by the invoice as Xero returns it. With `sentences: true`, each of
 * `discrepancies` also comes as a sentence for a finance user (`discrepancySentences`, same order).
 * @example
 * const { changes } = applyXeroInvoice(crmInvoice, xeroInvoice, { today: "2026-11-20" });
 * Object.assign(crmInvoice, changes); // e.g. { status: "Part Paid", amountOutstanding: "47.20" }
 */
export function applyXeroInvoice(
  crmInvoice: Invoice,
  xeroInvoice: XeroInvoiceAnswer,
  options: { today: IsoDate; sentences?: boolean },
): AppliedXeroInvoice;

/** Rule RC1: the CRM's invoices of a period (`issueDate`, both ends included) against Xero's `Invoices` (as Xero
 * returns them): only in the CRM (never sent, or sent and gone), only in Xero on the companies' linked contacts, and
 * pairs whose number, contact, total, status or outstanding amount differ; `csv` is the report to export.
 * @example
 * const { onlyInCrm, onlyInXero, differing, csv } = reconcile(invoices, xeroInvoices, { companies, from: "2026-11-01", to: "2026-11-30" });
 */
export function reconcile(
  invoices: Invoice[],
  xeroInvoices: XeroInvoiceAnswer[],
  options?: { companies?: Company[]; from?: IsoDate; to?: IsoDate },
): Reconciliation;

/** Rule RC1's report (`reconcile`): the core's report, and `csv`: one line per finding, `Finding,CRM id,Number,Xero
 * id,Currency,Field,CRM,Xero` (only in the CRM: Field is the reason, CRM the total; no byte order mark: prepend one
 * for Excel). Amounts are each in their own `currency`, never summed. */
export type Reconciliation = ReconciliationReport & { csv: string };

/** Rule U6: a person's choice on a discrepancy (U4). `acceptXero`: the CRM takes Xero's total, outstanding amount
 * and status; `sendCrm`: send the invoice again (`send: true`; refused where Xero can no longer edit it);
 * `dismiss`: these discrepancies stop blocking updates. Store `changes` on the invoice and record `log` with who.
 * @example
 * const { changes, send, log } = resolveDiscrepancy(invoice, xeroInvoice, { choice: "dismiss", today: "2026-11-20" });
 */
export function resolveDiscrepancy(
  crmInvoice: Invoice,
  xeroInvoice: XeroInvoiceAnswer,
  options: { choice: DiscrepancyChoice; today: IsoDate },
): Resolution;

/** Rule S3a: which existing Xero contact (as `GET /Contacts` returns them) a CRM company is. Evidence in order:
 * ContactNumber = company id, AccountNumber, Name as Xero compares names, an active contact with the primary person's
 * email. One active contact: linked; several, or only an archived one: `ambiguous` / `archived` with the candidates.
 * @example
 * const { contactId, by } = matchContact(company, contacts); // by: "name"
 */
export function matchContact(company: Company, contacts: XeroContact[]): ContactMatch;

/**
 * Rule K1: the default mapping of a CRM line field when a person chooses to send it as a Xero tracking category:
 * each of the field's CRM values spelled as one of the category's options (case and surrounding spaces aside) is
 * mapped to that option as Xero spells it; the others are left out for a person to choose. Store the result under
 * the field's name in `settings.trackingMapping`.
 * @example
 * const { trackingCategories } = await client.organisationOptions();
 * settings.trackingMapping.Region = trackingMapFor(trackingCategories[0], ["North", "south"]);
 */
export function trackingMapFor(category: XeroTrackingCategory, values: string[]): TrackingMap;

/** Reads any failed answer from Xero, JSON or not (401, 403, 429 with its headers, ValidationException…). */
export function parseXeroError(answer: XeroHttpAnswer): XeroErrorAnswer;

/** Rules S1-S9: starts *Send to Xero* for these invoices: the reads (customers Xero may have, cancelled and re-sent
 * invoices) with the items, then contacts, then invoices and credit notes, at most 50 records a request. A bad
 * record is a per-record failure in the plan, not an exception. */
export function planSendRequests(
  invoices: Invoice[],
  ctx: Ctx,
  options: { today: IsoDate; mode?: SendMode },
): SendPlan;

/** Feeds the answer to one request (or an array of answers) to the plan; returns the next plan. */
export function applySendAnswer(
  plan: SendPlan,
  answer: (XeroHttpAnswer & { requestId: string }) | (XeroHttpAnswer & { requestId: string })[],
): SendPlan;

/** Rule S8: the `GET` request that finds what a write request created when its answer was lost. */
export function sendLookupRequest(plan: SendPlan, options: { requestId: string }): XeroRequest;

/** Rule S8: feeds the look-up's answer; when `found` is false, send the write request again (it is idempotent). */
export function applySendLookup(
  plan: SendPlan,
  answer: XeroHttpAnswer & { requestId: string },
): { found: boolean; plan: SendPlan };

/**
 * Rules S1-S9: `planSendRequests` with the plan held in wasm: the invoices and context are decoded once, and only
 * requests, answers and results cross (the JSON functions hand the whole plan over on every answer: use them to
 * store a plan). Same requests, same outcomes.
 * @example
 * const send = prepareSend(invoices, ctx, { today: "2026-11-02" });
 * while (!send.finished) send.apply(await Promise.all(send.requests().map(callProxy)));
 * const { invoices: outcomes } = send.results();
 * send.free();
 */
export function prepareSend(
  invoices: Invoice[],
  ctx: Ctx,
  options: { today: IsoDate; mode?: SendMode },
): PreparedSend;

/** A send plan held in wasm (see `prepareSend`). */
export class PreparedSend {
  private constructor();
  free(): void;
  /** Where the plan is: `"reads"`, `"items"`, `"contacts"`, `"documents"` or `"finished"`. */
  readonly stage: SendPlan["stage"];
  readonly finished: boolean;
  /** The requests to make now (they may run concurrently). */
  requests(): XeroRequest[];
  /** Feeds one answer or an array of them; an error names its request, and the answers before it stay applied. */
  apply(answer: (XeroHttpAnswer & { requestId: string }) | (XeroHttpAnswer & { requestId: string })[]): void;
  /** Rule S8: the `GET` that finds what a write request created when its answer was lost. */
  lookupRequest(options: { requestId: string }): XeroRequest;
  /** Rule S8: feeds the look-up's answer; `false`: send the write request again (it is idempotent). */
  applyLookup(answer: XeroHttpAnswer & { requestId: string }): boolean;
  results(): Pick<SendPlan, "invoices" | "companies" | "productFailures" | "log">;
  /** The whole plan as `planSendRequests`/`applySendAnswer` give it after the same answers. */
  plan(): SendPlan;
}

// ---- The sync client (issue 5) -----------------------------------------------------------------------------------

/** A resumable checkpoint: plain JSON (store it anywhere, e.g. localStorage) and pass it back as `checkpoint`. */
export interface SyncCheckpoint {
  kind: "send" | "update";
  version: number;
  run: unknown;
}

export interface RunOptions {
  /** Called after every answer (rule A3). */
  onProgress?: (progress: SyncProgress) => void;
  /** Aborting it stops the run; it resolves with `cancelled: true` and a `checkpoint`. */
  signal?: AbortSignal;
  /** Resumes a cancelled or stopped run (the invoices and ctx then come from the checkpoint: pass `null`). */
  checkpoint?: SyncCheckpoint;
  /** The date written as *Sent to Accounts*; default: the page's local date. */
  today?: IsoDate;
}

interface RunEnd {
  /** Every record reached an end. */
  finished: boolean;
  cancelled: boolean;
  stopped?: RunStop;
  /** Present unless finished. */
  checkpoint?: SyncCheckpoint;
  progress: SyncProgress;
  calls: number;
}

/** What `send` and `sendAllLive` resolve with: per record, the outcome and the CRM fields to store (the core's
 * `SendRunResult`, with the run's end). */
export interface SendResult extends SendRunResult, RunEnd {
  /**
   * Rule L1a: present when the run refused records before any call; they were posted to the proxy's log
   * (`POST /log/refusals`). A failed report is `error` here (and on the console), never a rejected send.
   */
  refusalsLogged?: { reported: number; stored: number; error?: { code: string; message: string } };
}

/** What `update` and `updateAll` resolve with (the core's `UpdateRunResult`, with the run's end). */
export interface UpdateResult extends UpdateRunResult, RunEnd {}

export interface UpdateOptions extends RunOptions {
  /** The CRM's companies: needed for the balances of *Update all* (rule A2) and to report only new ContactIDs. */
  companies?: Company[];
  /** The previous result's `since`. */
  since?: string;
}

export interface ChangesOptions {
  /** The CRM invoices the changes may concern. */
  invoices: Invoice[];
  companies?: Company[];
  /** Rule B2: then send the live invoices (A1) not yet sent to accounts (needs `ctx`). */
  autoSend?: boolean;
  ctx?: Ctx;
  /** Changes per pull (1-1000, default 100). */
  limit?: number;
  today?: IsoDate;
  /** Rule B2: the book of refused invoices a previous poll returned (`ChangesResult.refusals`), kept across reloads so
   * an invoice refused before is not tried again until its inputs change. */
  refusals?: Record<string, string>;
}

/** What `changes` resolves with: the core's `ChangeFeedResult`, and what the poll did with it. */
export interface ChangesResult extends ChangeFeedResult {
  /** Pass as the next `cursor`. It stays the one given when the poll did not apply every change (cancelled, or
   * `stopped`): the next poll reads them again. */
  cursor: number;
  /** Every change of the page applied (and, with `autoSend`, the send over). */
  finished: boolean;
  /** The reads of webhook entries stopped (not connected, Xero's day limit…): nothing was sent. */
  stopped?: { code: ErrorCode; message: string };
  /** With `autoSend`. */
  sent?: SendResult;
  /** With `autoSend`: rule B2's book of refused invoices, to keep across reloads (pass back as `refusals`). */
  refusals?: Record<string, string>;
  /** With `autoSend`: the send could not start (a malformed `ctx`); the feed's own changes still apply. */
  sendError?: { code: ErrorCode; message: string; sentence?: string };
}

/**
 * The sync client: made from the proxy's URL and a function returning the current CRM session token (called for
 * every request). Proxy and Xero failures of single records are data in the results; misuse and a proxy that
 * cannot be reached reject with a `XerosyncError`.
 */
export declare class XeroClient {
  constructor(options: { proxyUrl: string; sessionToken: () => string | Promise<string> });
  free(): void;
  /** Rule C6. */
  connection(): Promise<ConnectionState>;
  /** Rule C3: the URL that starts connecting to Xero (a one-use ticket: navigate to it at once). */
  connectUrl(options?: { returnTo?: string }): Promise<string>;
  /** Rule C3: disconnects (the proxy revokes Xero's tokens); the connection as it is then. */
  disconnect(): Promise<ConnectionState>;
  /** Rule C7: picks the organisation every call goes to; the connection as it is then. */
  selectOrganisation(tenantId: string): Promise<ConnectionState>;
  /** The shared settings as the proxy keeps them. */
  settings(): Promise<ProxySettings>;
  /** Stores the shared settings; a bad field rejects with `invalid_request` naming it. */
  saveSettings(settings: ProxySettings): Promise<ProxySettings>;
  /** Rule L1: one page of the log, newest first; pass `nextBefore` as `before` for the next (older) page. */
  log(filters?: LogFilter | null, options?: { before?: number | null; pageSize?: number }): Promise<LogPage>;
  /** Rule L1: every matching row as the proxy's CSV (formula-guarded, with a byte order mark). */
  logCsv(filters?: LogFilter | null): Promise<{ csv: string; filename: string }>;
  /** Rule T1. */
  taxRates(): Promise<XeroTaxRateChoice[]>;
  /** Rules S1-S9: the selected invoices (products → contacts → documents, ≤ 50 a request, ≤ 5 in flight). */
  send(invoices: Invoice[] | null, ctx: Ctx | null, options?: RunOptions): Promise<SendResult>;
  /** Rule A1: every live invoice of `invoices`. */
  sendAllLive(invoices: Invoice[] | null, ctx: Ctx | null, options?: RunOptions): Promise<SendResult>;
  /** Rules U1-U5: the selected invoices, read back in `IDs=` groups of 50 (or pages of 1,000). */
  update(invoices: Invoice[] | null, options?: UpdateOptions): Promise<UpdateResult>;
  /** Rule A2: every sent invoice, then the company balances. */
  updateAll(invoices: Invoice[] | null, options?: UpdateOptions): Promise<UpdateResult>;
  /** Rule B1: the change feed after `cursor`, applied with the update rules. */
  changes(cursor: number, options: ChangesOptions): Promise<ChangesResult>;
  /** Rule U6: Xero's own record of one sent invoice or credit note, as Xero returns it (for `resolveDiscrepancy`). */
  readDocument(options: { kind: InvoiceKind; xeroId: string }): Promise<XeroInvoiceAnswer>;
  /** Rule U6: records `resolveDiscrepancy`'s `log` in the proxy's log, as the session's user (outcome `resolved`). */
  logResolution(log: ReturnType<typeof resolveDiscrepancy>["log"]): Promise<{ stored: number }>;
  /** Rules M1, K1, K2: what the organisation offers for the settings' pickers (4 reads, made together). */
  organisationOptions(): Promise<OrganisationOptions>;
  /**
   * Rule O1: the customer's online invoice link of one sent, approved invoice: store `changes` on the invoice.
   * (*Update from Xero* on selected invoices and the change feed also read it for invoices Xero reports approved.)
   * Throws `not_approved` while Xero has it as a draft.
   */
  onlineInvoice(invoice: Invoice): Promise<{ changes: { onlineInvoiceUrl: string } }>;
  /**
   * Rule O2: asks Xero to email the approved invoice to its contact (logged by the proxy). Throws `not_approved`
   * (a draft), `no_contact_email`, or `email_limit` (the organisation's daily email limit is reached).
   */
  emailInvoice(invoice: Invoice): Promise<{ emailed: true; message: string }>;
  /** Rule RC1: reads Xero's sales documents of the period (pages of 1,000) and reconciles them with `invoices`. */
  reconcile(
    invoices: Invoice[],
    options: { companies: Company[]; from?: IsoDate; to?: IsoDate; signal?: AbortSignal; onProgress?: (p: SyncProgress) => void },
  ): Promise<ReconcileRunResult & { cancelled: boolean; progress: SyncProgress }>;
  /** Rule A3: cancels every running operation (each resolves with a checkpoint). */
  cancel(): void;
}

export declare interface XeroClient {
  /** Rule S6: what Xero will make of each invoice, to show before sending. Synchronous. */
  preview(invoices: Invoice[], ctx: Ctx, options?: { mode?: "selected" | "allLive" }): SendPreview;
}
