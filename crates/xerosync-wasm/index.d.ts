// TypeScript types of the npm package `xerosync`: the records of the CRM contract (camelCase) and the Xero objects
// the functions return (PascalCase, spelled as Xero's OpenAPI schemas spell them). Hand-written from the core's Rust
// types; test/types/usage.ts is type-checked with `tsc --noEmit` and test/exports.test.js checks that the functions
// declared here are exactly the ones the package exports.

/** A decimal as the package returns it: a string such as `"97.20"`. */
export type Decimal = string;
/** A decimal as the package accepts it: a string (preferred) or a JS number. */
export type DecimalInput = string | number;
/** A date `YYYY-MM-DD`. */
export type IsoDate = string;

// ---- CRM records (contract.md) -------------------------------------------------------------------------------

export type InvoiceKind = "invoice" | "creditNote";
/** Xero's `LineAmountTypes`. */
export type AmountsAre = "exclusive" | "inclusive" | "noTax";
export type CrmInvoiceStatus = "Created" | "Pending" | "Live" | "Part Paid" | "Paid" | "Cancelled";
export type DiscountStrategy = "auto" | "rate" | "hold";
export type TaxStrategy = "xero" | "matchCrm";

/** A line discount: a percentage, or an amount off the whole line (one of the two). */
export type Discount = { percent: DecimalInput; amount?: undefined } | { amount: DecimalInput; percent?: undefined };

export interface Line {
  /** Absent for free-text lines. */
  productId?: string | null;
  description?: string;
  quantity: DecimalInput;
  /** The undiscounted unit price. */
  listPrice: DecimalInput;
  discount?: Discount | null;
  taxRateId?: string | null;
  /** Default: the product's, then `settings.defaultSalesAccountCode`. */
  accountCode?: string | null;
  /** Rule K1: CRM field → value (`{ Region: "North" }`), sent through `settings.trackingMapping`. */
  tracking?: Record<string, string>;
}

/** An invoice or a credit note of the CRM. */
export interface Invoice {
  /** The CRM id, unique. */
  id: string;
  kind?: InvoiceKind;
  /** Becomes `InvoiceNumber` / `CreditNoteNumber`. */
  number: string;
  reference?: string | null;
  companyId: string;
  /** Default: the company's primary person. */
  personId?: string | null;
  issueDate: IsoDate;
  dueDate?: IsoDate | null;
  currency: string;
  amountsAre?: AmountsAre;
  status: CrmInvoiceStatus;
  lines: Line[];
  /** The CRM's own total, as the CRM computed it. */
  total: DecimalInput;
  amountOutstanding: DecimalInput;
  /** Rule M1: the exchange rate the CRM fixed; absent: Xero's daily rate. */
  currencyRate?: DecimalInput | null;
  /** Rule K2: this invoice's branding theme (else the company's, then the settings'). */
  brandingThemeId?: string | null;
  sentToAccounts?: boolean | null;
  sentToAccountsDate?: IsoDate | null;
  xeroId?: string | null;
  /** Rule U7: the payments behind the balance, as Xero last reported them. */
  payments?: { date: IsoDate; amount: Decimal; reference?: string }[] | null;
  /** Rule U7: credit notes allocated to it in Xero. */
  credits?: { number?: string; date?: IsoDate; amount: Decimal }[] | null;
  /** Rule U7: Xero's date of the last payment of a paid invoice. */
  fullyPaidOnDate?: IsoDate | null;
  /** Rule U6: discrepancies a person dismissed (from `resolveDiscrepancy`); exactly these stop blocking updates. */
  dismissedDiscrepancies?: string[];
  /** Rule S11: the chain of drafts that amended it in Xero after it had payments (from send results). */
  amendments?: Amendment[];
  /** Rule O1: the customer's online invoice (Xero's link), read once the invoice is approved in Xero. */
  onlineInvoiceUrl?: string | null;
}

export interface Person {
  id: string;
  firstName?: string;
  lastName?: string;
  email?: string | null;
  primary?: boolean | null;
}

export interface Company {
  id: string;
  name: string;
  accountNumber?: string | null;
  xeroContactId?: string | null;
  balance?: DecimalInput | null;
  people?: Person[];
  /** Rule S3b: sent on the contact when present; absent or blank never blanks Xero's. */
  phone?: string | null;
  taxNumber?: string | null;
  /** The contact's default currency, an ISO code (`GBP`). */
  currency?: string | null;
  address?: Address | null;
  /** Rule S3a: a person chose *create new* over the Xero contacts that matched this company. */
  createXeroContact?: boolean | null;
  /** Rule K2: the branding theme of this company's invoices. */
  brandingThemeId?: string | null;
}
/** A company's postal address (Xero's `POBOX` address; a fifth line and later join the fourth). */
export interface Address {
  lines?: string[];
  city?: string | null;
  region?: string | null;
  postalCode?: string | null;
  country?: string | null;
}

export interface Product {
  id: string;
  code: string;
  name: string;
  description?: string | null;
  unitPrice: DecimalInput;
  taxRateId?: string | null;
  salesAccountCode?: string | null;
}

/** A CRM tax rate and its Xero mapping (rule T1); no `xeroTaxType` means unmapped. */
export interface TaxRate {
  id: string;
  name?: string;
  percent: DecimalInput;
  xeroTaxType?: string | null;
}

export interface Settings {
  enabled?: boolean;
  defaultSalesAccountCode?: string | null;
  discountStrategy?: DiscountStrategy;
  /** Rule S6a: `"xero"` (default) leaves tax to Xero; `"matchCrm"` sends line `TaxAmount`s reaching the CRM's total. */
  taxStrategy?: TaxStrategy;
  /** Rule K2: the default `BrandingThemeID`. */
  brandingThemeId?: string | null;
  /** Rule K1: CRM line field → Xero tracking category, and CRM value → Xero option name. */
  trackingMapping?: Record<string, { category: string; options: Record<string, string> }>;
}

/** Rules M1, K1, K2: `XeroClient.organisationOptions()`: what the settings' pickers offer. */
export interface OrganisationOptions {
  /** The organisation's base currency (`GET /Organisation`). */
  baseCurrency: string | null;
  /** The currencies enabled in Xero, base first: an invoice in any other is refused (rule M1). */
  currencies: { code: string; description: string }[];
  /** The active tracking categories (Xero allows at most two) and their active options (rule K1). */
  trackingCategories: { id: string; name: string; options: { id: string; name: string }[] }[];
  /** Rule K2: the branding themes, in Xero's order. */
  brandingThemes: { id: string; name: string }[];
}

/** What an invoice refers to. */
export interface Ctx {
  companies: Company[];
  products: Product[];
  taxRates: TaxRate[];
  settings: Settings;
  /** Rule M1: the currency codes the Xero organisation has enabled (`organisationOptions().currencies`); an invoice
   * in another is refused locally (`unknown_currency`). Absent: not checked here (Xero refuses it per invoice). */
  currencies?: string[];
}

// ---- Results -----------------------------------------------------------------------------------------------------

/** An invoice left out, with the rule that left it out (e.g. `"S1"`) and a sentence for the user. */
export interface Skipped {
  id: string;
  rule: string;
  reason: string;
}

export interface SendSelection {
  send: string[];
  skipped: Skipped[];
}

export interface UpdateSelection {
  update: string[];
  skipped: Skipped[];
}

export interface PreviewLine {
  lineAmount: Decimal;
  taxAmount: Decimal;
  discountRate?: Decimal;
  discountAmount?: Decimal;
}

/** What Xero will compute for an invoice (rules S5, S6), and how it differs from the CRM's totals. */
export interface Preview {
  lines: PreviewLine[];
  subTotal: Decimal;
  totalTax: Decimal;
  total: Decimal;
  matchesCrm: boolean;
  differences: string[];
}

/** The CRM fields to store after reading an invoice back from Xero; only the ones that change are present. */
export interface InvoiceChanges {
  status?: CrmInvoiceStatus;
  amountOutstanding?: Decimal;
  sentToAccounts?: boolean;
  sentToAccountsDate?: IsoDate | null;
  xeroId?: string;
}

export interface AppliedXeroInvoice {
  changes: InvoiceChanges;
  discrepancies: string[];
}

// ---- Xero objects (PascalCase, as components.schemas of xero_accounting.yaml) -----------------------------------

export interface XeroLineItem {
  Description: string;
  Quantity: number;
  UnitAmount: number;
  ItemCode?: string;
  AccountCode?: string;
  TaxType?: string;
  DiscountRate?: number;
  DiscountAmount?: number;
}

/** A contact reference inside an invoice, or a whole contact. */
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
/** `matchContact`'s `by`: the evidence that decided, or why a person must. */
export type ContactMatchedBy = "contactId" | "contactNumber" | "accountNumber" | "name" | "email" | "ambiguous" | "archived" | "none";
export interface ContactMatch {
  /** The ContactID to link, or `null` (create one, or wait for a person). */
  contactId: string | null;
  by: ContactMatchedBy;
  /** The ContactIDs a person must choose between (empty unless `ambiguous` or `archived`). */
  candidates: string[];
}

interface XeroDocumentBase {
  Reference?: string;
  Contact: XeroContact;
  Date: IsoDate;
  DueDate?: IsoDate;
  CurrencyCode: string;
  LineAmountTypes: "Exclusive" | "Inclusive" | "NoTax";
  Status: "DRAFT";
  LineItems: XeroLineItem[];
}

export interface XeroInvoice extends XeroDocumentBase {
  Type: "ACCREC";
  InvoiceID?: string;
  InvoiceNumber: string;
}

export interface XeroCreditNote extends XeroDocumentBase {
  Type: "ACCRECCREDIT";
  CreditNoteID?: string;
  CreditNoteNumber: string;
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

// ---- Xero answers and the send plan -----------------------------------------------------------------------------

/** A failed answer from Xero as `parseXeroError` reads it. */
export interface XeroErrorAnswer {
  /** `"validation"` (400 ValidationException), `"unauthorized"` (401: refresh once, retry), `"forbidden"` (403),
   * `"notFound"`, `"rateLimited"` (429: honour `retryAfterSeconds`), `"unavailable"` (500/503), `"other"`. */
  kind: "validation" | "unauthorized" | "forbidden" | "notFound" | "rateLimited" | "unavailable" | "other";
  status: number;
  /** Readable: Xero's own message where it gave one. */
  message: string;
  retryAfterSeconds?: number;
  /** Which rate limit was hit (`X-Rate-Limit-Problem`: `"minute"`, `"day"`, `"appminute"`). */
  problem?: string;
  /** For a ValidationException: each element's messages, in request order. */
  elements?: string[][];
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

/** One request to Xero's Accounting API, relative to `https://api.xero.com/api.xro/2.0`; the proxy adds the
 * bearer token and `xero-tenant-id`. */
export interface XeroRequest {
  /** Unique within the plan (`items-1`, `invoices-2`); the answer names it as `requestId`. */
  id: string;
  method: "GET" | "POST" | "PUT";
  path: string;
  query: Record<string, string>;
  /** Includes a deterministic `Idempotency-Key` for writes. */
  headers: Record<string, string>;
  body?: { Items: object[] } | { Contacts: XeroContact[] } | { Invoices: XeroInvoice[] } | { CreditNotes: XeroCreditNote[] };
}

export type Outcome = "pending" | "sent" | "failed" | "skipped";

export interface SendInvoiceResult {
  id: string;
  outcome: Outcome;
  rule?: string;
  message?: string;
  /** For a record that failed locally (rule L2): the error as data. */
  error?: { code: ErrorCode; message: string; record?: string; field?: string };
  /** For a sent invoice (rule S9): the CRM fields to store. */
  changes?: { sentToAccounts: boolean; sentToAccountsDate: IsoDate; xeroId: string };
  /** Rule S11: the draft that amended this paid invoice in Xero; append it to the invoice's `amendments`. */
  amendment?: Amendment;
}

/** A credit note (decrease) or further invoice (increase) amending a paid invoice in Xero (rule S11). */
export interface Amendment {
  kind: InvoiceKind;
  number: string;
  xeroId?: string;
  /** How much it moves the total, tax included (positive). */
  amount: Decimal;
}

export interface SendCompanyResult {
  id: string;
  outcome: Outcome;
  xeroContactId?: string;
  message?: string;
  /** Rule S3a: set when a person must choose (`by` is `ambiguous` or `archived`): store the chosen ContactID as the
   * company's `xeroContactId`, or `createXeroContact: true` for a new contact, and send again. */
  contactMatch?: { by: ContactMatchedBy; candidates: ContactCandidate[] };
}
/** One Xero contact a company may be (rule S3a), as the page shows it. */
export interface ContactCandidate {
  contactId: string;
  name: string;
  contactNumber?: string;
  email?: string;
  /** Accounts receivable outstanding in Xero. */
  balance?: Decimal;
  archived: boolean;
}

/** A `xero_log` entry (rule L1) without the time and the user, which the caller adds. */
export interface SendLogEntry {
  action: string;
  recordKind: "invoice" | "creditNote" | "company" | "product" | "taxRate" | "settings" | "options" | "xeroRecord";
  crmId: string;
  xeroId?: string;
  /** `refused`: stopped before any call (rule L1a: an unmapped tax rate, a malformed record, a failing product). */
  outcome: "ok" | "warning" | "error" | "skipped" | "refused";
  message: string;
}

/**
 * *Send to Xero* as a plain, serialisable state machine: make every request in `requests` (they may run
 * concurrently), give each answer to `applySendAnswer`, and repeat until `finished`. Keep the plan as it is
 * returned (it carries its inputs); only the documented fields are meant to be read.
 */
export interface SendPlan {
  stage: "reads" | "items" | "contacts" | "documents" | "finished";
  finished: boolean;
  requests: XeroRequest[];
  /** One per input invoice, in input order. */
  invoices: SendInvoiceResult[];
  companies: SendCompanyResult[];
  /** Every failing product with its reason; non-empty means no invoice was sent (rule S2). */
  productFailures: { id: string; reason: string }[];
  log: SendLogEntry[];
  [internal: string]: unknown;
}

// ---- Errors ------------------------------------------------------------------------------------------------------

/** Every `code` an error of the package may carry (`errorCodes()` lists them at run time). */
export type ErrorCode =
  // the core's (bad input, rules T1, S6, M1, O1, O2)
  | "invalid_field"
  | "missing_field"
  | "unknown_reference"
  | "unmapped_tax_rate"
  | "invoice_held"
  | "invalid_options"
  | "invalid_xero_response"
  | "unknown_currency"
  | "not_approved"
  | "no_contact_email"
  | "email_limit"
  // the proxy's, passed through by XeroClient (rules C1-C7, X1, X2)
  | "missing_session"
  | "invalid_session"
  | "expired_session"
  | "forbidden_role"
  | "forbidden_origin"
  | "not_found"
  | "method_not_allowed"
  | "relay_refused"
  | "invalid_request"
  | "invalid_state"
  | "invalid_ticket"
  | "payload_too_large"
  | "length_required"
  | "upstream_timeout"
  | "integration_disabled"
  | "not_connected"
  | "reconnect_required"
  | "tenant_not_chosen"
  | "unknown_tenant"
  | "tenant_bound"
  | "rate_limited"
  | "bad_signature"
  | "upstream_unavailable"
  | "config_error"
  | "internal_error"
  // a run's own stops (`stopped.code`, and thrown by a single action)
  | "session_refused"
  | "day_limit"
  | "xero_unauthorized"
  | "xero_read_failed"
  // the bindings'
  | "invalid_argument"
  | "internal"
  // XeroClient's own
  | "proxy_unreachable"
  | "proxy_error"
  | "unsupported_runtime";

/** What every function throws on bad input: an `Error` whose message names the record and the field (rule L2). */
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
 * @example
 * planSend([invoice], { mode: "selected" }); // { send: ["inv-1001"], skipped: [] }
 */
export function planSend(invoices: (Invoice | InvoiceSummary)[], options: { mode: "selected" | "allLive" }): SendSelection;

/**
 * Rules U1 (`"selected"`) and A2 (`"all"`): which invoices to update from Xero, and why the others are not.
 * @example
 * planUpdate(invoices, { mode: "all" }).update; // the ids to read back from Xero
 */
export function planUpdate(invoices: (Invoice | InvoiceSummary)[], options: { mode: "selected" | "all" }): UpdateSelection;

/** What `planSend` and `planUpdate` read of an invoice: a list screen's summary (no lines) is enough. */
export interface InvoiceSummary {
  id: string;
  status: CrmInvoiceStatus;
  total: DecimalInput;
  amountOutstanding: DecimalInput;
  sentToAccounts?: boolean | null;
  xeroId?: string | null;
}

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

/** `buildInvoicePayloads`' answer: the request bodies' documents, and the invoices left out (rule L2). */
export interface InvoicePayloads {
  /** The `Invoices` of `PUT /Invoices` bodies, in input order (at most 50 a request: slice them). */
  Invoices: XeroInvoice[];
  /** The `CreditNotes` of `PUT /CreditNotes` bodies, in input order. */
  CreditNotes: XeroCreditNote[];
  /** Each invoice that could not be built: its position in the input and the error `buildInvoicePayload` throws. */
  failed: { index: number; code: ErrorCode; message: string; record?: string; field?: string }[];
  /** Some unit amount has 4 decimal places: send the requests with `unitdp=4`. */
  needsUnitdp4: boolean;
}

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
 * Rules U2, U4, U5: the CRM changes implied by the invoice as Xero returns it.
 * @example
 * const { changes } = applyXeroInvoice(crmInvoice, xeroInvoice, { today: "2026-11-20" });
 * Object.assign(crmInvoice, changes); // e.g. { status: "Part Paid", amountOutstanding: "47.20" }
 */
export function applyXeroInvoice(
  crmInvoice: Invoice,
  xeroInvoice: XeroInvoiceAnswer,
  options: { today: IsoDate },
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

/** Rule RC1's report (`reconcile`, `XeroClient.reconcile`). Amounts are each in their own `currency`, never summed. */
export interface Reconciliation {
  onlyInCrm: { id: string; number: string; total: Decimal; currency: string; reason: string }[];
  onlyInXero: { xeroId: string; number: string; contactId: string; date: IsoDate | null; total: Decimal; currency: string; status: string }[];
  differing: {
    id: string;
    number: string;
    xeroId: string;
    currency: string;
    differences: { field: "number" | "contact" | "currency" | "total" | "amountOutstanding" | "status"; crm: string; xero: string }[];
  }[];
  matched: number;
  /** One line per finding: `Finding,CRM id,Number,Xero id,Currency,Field,CRM,Xero` (only in the CRM: Field is the reason, CRM the total) (no byte order mark: prepend one for Excel). */
  csv: string;
}

/** Rule U6: a person's choice on a discrepancy (U4). `acceptXero`: the CRM takes Xero's total, outstanding amount
 * and status; `sendCrm`: send the invoice again (`send: true`; refused where Xero can no longer edit it);
 * `dismiss`: these discrepancies stop blocking updates. Store `changes` on the invoice and record `log` with who.
 * @example
 * const { changes, send, log } = resolveDiscrepancy(invoice, xeroInvoice, { choice: "dismiss", today: "2026-11-20" });
 */
export function resolveDiscrepancy(
  crmInvoice: Invoice,
  xeroInvoice: XeroInvoiceAnswer,
  options: { choice: "acceptXero" | "sendCrm" | "dismiss"; today: IsoDate },
): {
  changes: Partial<Pick<Invoice, "total" | "amountOutstanding" | "status" | "sentToAccounts" | "sentToAccountsDate" | "xeroId">> & { dismissedDiscrepancies?: string[] };
  send: boolean;
  log: { action: "resolve discrepancy"; recordKind: "invoice" | "creditNote"; crmId: string; xeroId?: string; outcome: "resolved"; message: string };
};

/** Rule S3a: which existing Xero contact (as `GET /Contacts` returns them) a CRM company is. Evidence in order:
 * ContactNumber = company id, AccountNumber, Name as Xero compares names, an active contact with the primary person's
 * email. One active contact: linked; several, or only an archived one: `ambiguous` / `archived` with the candidates.
 * @example
 * const { contactId, by } = matchContact(company, contacts); // by: "name"
 */
export function matchContact(company: Company, contacts: XeroContact[]): ContactMatch;

/** Reads any failed answer from Xero, JSON or not (401, 403, 429 with its headers, ValidationException…). */
export function parseXeroError(answer: XeroHttpAnswer): XeroErrorAnswer;

/** Rules S1-S9: starts *Send to Xero* for these invoices: items first, then contacts, then invoices and credit
 * notes, at most 50 records a request. A bad record is a per-record failure in the plan, not an exception. */
export function planSendRequests(
  invoices: Invoice[],
  ctx: Ctx,
  options: { today: IsoDate; mode?: "selected" | "allLive" },
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

// ---- The sync client (issue 5) -----------------------------------------------------------------------------------

/** Rule A3: what `onProgress` receives. */
export interface SyncProgress {
  stage: "reads" | "items" | "contacts" | "documents" | "pages" | "balances" | "finished" | "stopped";
  /** Records finished (sent, failed, skipped, updated…) of `total`. */
  done: number;
  total: number;
  /** Xero calls made so far, every attempt counted. */
  calls: number;
  inFlight: number;
  elapsedMs: number;
  /** Estimated time left; absent until a call has been answered. */
  etaMs?: number;
}

/** A resumable checkpoint: plain JSON (store it anywhere, e.g. localStorage) and pass it back as `checkpoint`. */
export interface SyncCheckpoint {
  kind: "send" | "update";
  version: number;
  run: unknown;
}

/** Why a run stopped early (not connected, disabled, Xero's day limit, the session refused…); resume it later. */
export interface RunStop {
  code: string;
  message: string;
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

/** What `send` and `sendAllLive` resolve with: per record, the outcome and the CRM fields to store. */
export interface SendResult extends RunEnd {
  invoices: SendInvoiceResult[];
  /** Store `xeroContactId` on these companies (rule S3). */
  companies: SendCompanyResult[];
  /** Non-empty: no invoice was sent, and these are every failing product with its reason (rule S2). */
  productFailures: { id: string; reason: string }[];
  log: SendLogEntry[];
  /**
   * Rule L1a: present when the run refused records before any call; they were posted to the proxy's log
   * (`POST /log/refusals`). A failed report is `error` here (and on the console), never a rejected send.
   */
  refusalsLogged?: { reported: number; stored: number; error?: { code: string; message: string } };
}

export type UpdateOutcome = "pending" | "updated" | "unchanged" | "discrepancy" | "notFound" | "skipped" | "failed";

export interface UpdateInvoiceResult {
  id: string;
  outcome: UpdateOutcome;
  rule?: string;
  message?: string;
  /** The CRM fields to store (rules U2, U5). */
  changes?: InvoiceChanges;
  /** Rule U4: for a person to resolve; nothing was changed. */
  discrepancies?: string[];
}

/** A company's fields to store: its Xero ContactID (rule U3) and, after *Update all*, its balance (A2). */
export interface CompanyChanges {
  id: string;
  xeroContactId?: string;
  balance?: Decimal;
}

export interface UpdateResult extends RunEnd {
  invoices: UpdateInvoiceResult[];
  companies: CompanyChanges[];
  /** Pass as `since` to the next run: it then reads only what changed in Xero. */
  since: string;
}

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
}

export interface ChangesResult {
  invoices: UpdateInvoiceResult[];
  companies: CompanyChanges[];
  /** Pass as the next `cursor`. It stays the one given when the poll did not apply every change (cancelled, or
   * `stopped`): the next poll reads them again. */
  cursor: number;
  more: boolean;
  toRead: number[];
  unmatched: number;
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

/** Rule C6: the buttons show when `canSync`. */
export interface ConnectionState {
  status: "not_connected" | "pick_required" | "connected" | "reconnect_required";
  enabled: boolean;
  canSync: boolean;
  autoSend: boolean;
  tenantId?: string;
  tenantName?: string;
  reason?: string;
  /** Rule C7: the organisations this consent granted (when one must be picked, or is connected). */
  organisations: { tenantId: string; name: string }[];
  [more: string]: unknown;
}

/** The organisation's settings as the proxy keeps them (it enforces C2 and runs B2 with them). */
export interface ProxySettings {
  enabled: boolean;
  /** Rule T1: CRM tax rate id → Xero `TaxType`. */
  taxMapping: Record<string, string>;
  discountStrategy?: DiscountStrategy;
  defaultSalesAccountCode?: string;
  autoSend: boolean;
}

/** Rule L1: the log's filters (all optional; `to` as a date covers that whole day). */
export interface LogFilter {
  from?: string;
  to?: string;
  user?: string;
  action?: string;
  actionContains?: string;
  outcome?: string;
  kind?: string;
  crmRef?: string;
  xeroId?: string;
}

/** Rule L1: one row of `xero_log`. */
export interface LogRow {
  id: number;
  at: string;
  userId: string;
  userName: string;
  action: string;
  recordKind: string;
  crmRef: string;
  xeroId: string;
  outcome: string;
  message: string;
  httpStatus: number;
  [more: string]: unknown;
}

/** Rule T1: one choice for the tax mapping screen. */
export interface XeroTaxRateChoice {
  taxType: string;
  name: string;
  rate?: Decimal;
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
  log(filters?: LogFilter | null, options?: { before?: number | null; pageSize?: number }): Promise<{ rows: LogRow[]; nextBefore: number | null }>;
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
  ): Promise<Reconciliation & { finished: boolean; calls: number; cancelled: boolean; progress: SyncProgress; stopped?: { code: ErrorCode; message: string } }>;
  /** Rule A3: cancels every running operation (each resolves with a checkpoint). */
  cancel(): void;
}

/** Rule S6 before a send: one entry per invoice, in input order. */
export interface SendPreview {
  invoices: {
    id: string;
    /** Whether `send` (or `sendAllLive` with `mode: "allLive"`) will send it. */
    send: boolean;
    rule?: string;
    reason?: string;
    /** What Xero will compute (for the invoices that will be sent). */
    preview?: Preview;
    error?: { code: ErrorCode; message: string; record?: string; field?: string };
  }[];
  /** Every previewed invoice matches the CRM's totals to the cent. */
  matchesCrm: boolean;
}

export declare interface XeroClient {
  /** Rule S6: what Xero will make of each invoice, to show before sending. Synchronous. */
  preview(invoices: Invoice[], ctx: Ctx, options?: { mode?: "selected" | "allLive" }): SendPreview;
}
