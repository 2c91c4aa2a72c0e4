// A typed usage of the package, checked by `tsc --noEmit` (test/types.test.js). The `@ts-expect-error` lines must
// fail to type-check: if the types decayed to `any`, tsc would report them as unused and the test would fail.
import {
  applySendAnswer,
  applyXeroInvoice,
  buildInvoicePayload,
  parseXeroError,
  planSend,
  planSendRequests,
  planUpdate,
  previewInvoice,
  type Ctx,
  type Invoice,
  type SendPlan,
  type XerosyncError,
} from "xerosync";

const ctx: Ctx = {
  companies: [{ id: "co-1", name: "Acme Ltd", people: [{ id: "p-1", firstName: "Ann", lastName: "Lee", primary: true }] }],
  products: [{ id: "pr-1", code: "W", name: "Widget", unitPrice: "30.00", taxRateId: "vat20" }],
  taxRates: [{ id: "vat20", name: "VAT 20%", percent: "20", xeroTaxType: "OUTPUT2" }],
  settings: { discountStrategy: "auto", defaultSalesAccountCode: "200" },
};

const invoice: Invoice = {
  id: "inv-1",
  number: "INV-1",
  companyId: "co-1",
  issueDate: "2026-11-01",
  currency: "GBP",
  status: "Live",
  lines: [{ productId: "pr-1", quantity: 3, listPrice: "30.00", discount: { percent: "10" }, taxRateId: "vat20" }],
  total: "97.20",
  amountOutstanding: "97.20",
};

const selection = planSend([invoice], { mode: "allLive" });
const firstId: string | undefined = selection.send[0];
const rules: string[] = selection.skipped.map((s) => s.rule);
const updates: string[] = planUpdate([invoice], { mode: "all" }).update;

const preview = previewInvoice(invoice, ctx);
const total: string = preview.total;
const matches: boolean = preview.matchesCrm;

const payload = buildInvoicePayload(invoice, ctx);
const number: string = payload.Type === "ACCREC" ? payload.InvoiceNumber : payload.CreditNoteNumber;
const quantity: number | undefined = payload.LineItems[0]?.Quantity;

const applied = applyXeroInvoice(invoice, { Status: "PAID", AmountDue: 0 }, { today: "2026-11-20" });
const status = applied.changes.status;

const failure = parseXeroError({ status: 429, body: "", retryAfter: "30" });
const wait: number | undefined = failure.kind === "rateLimited" ? failure.retryAfterSeconds : undefined;

async function send(callXero: (path: string, body: unknown) => Promise<{ status: number; body: string }>) {
  let plan: SendPlan = planSendRequests([invoice], ctx, { today: "2026-11-02" });
  while (!plan.finished) {
    const answers = await Promise.all(
      plan.requests.map(async (r) => ({ requestId: r.id, ...(await callXero(r.path, r.body)) })),
    );
    plan = applySendAnswer(plan, answers);
  }
  return plan.invoices.map((r) => (r.outcome === "sent" ? r.changes?.xeroId : r.error?.code));
}

try {
  previewInvoice(invoice, ctx);
} catch (e) {
  const err = e as XerosyncError;
  const where: string = `${err.code} ${err.record ?? ""} ${err.field ?? ""}`;
  console.log(where);
}

// @ts-expect-error: mode must be "selected" or "allLive"
planSend([invoice], { mode: "everything" });
// @ts-expect-error: the CRM status is spelled "Part Paid"
const wrongStatus: Invoice = { ...invoice, status: "PartPaid" };
// @ts-expect-error: a discount is a percentage or an amount, not both
const bothDiscounts: Invoice = { ...invoice, lines: [{ quantity: 1, listPrice: 1, discount: { percent: 1, amount: 1 } }] };
// @ts-expect-error: results are decimal strings
const totalAsNumber: number = preview.total;
// @ts-expect-error: applyXeroInvoice needs { today }
applyXeroInvoice(invoice, {}, {});

export { firstId, rules, updates, total, matches, number, quantity, status, wait, send, wrongStatus, bothDiscounts, totalAsNumber };

// init and the entry `xerosync/manual` (same types): the wasm handed over as a URL, a fetch, bytes or a module.
import { init, previewInvoice as previewManual } from "xerosync/manual";
await init();
await init({ wasm: new URL("https://cdn.example/xerosync_bg.wasm") });
await init({ wasm: fetch("/xerosync_bg.wasm") });
await init({ wasm: new Uint8Array(8) });
// @ts-expect-error the option is spelled `wasm` (wasm-bindgen's `module_or_path` is not read)
await init({ module_or_path: "/xerosync_bg.wasm" });
const manualTotal: string = previewManual(invoice, ctx).total;
void manualTotal;

// The generated types (types.generated.d.ts, from the core's Rust types) are the package's: ErrorCode is a closed
// list, results' optional fields are absent rather than null, and the Rust names' TypeScript spellings are importable.
import type { ErrorCode, ErrorData, SendInvoiceResult, SyncProgress } from "xerosync";
const known: ErrorCode = "unmapped_tax_rate";
// @ts-expect-error: not a code the package has
const unknownCode: ErrorCode = "no_such_code";
const asData: ErrorData = { code: "invalid_field", message: "invoice inv-1: total: expected a decimal", sentence: "The total is not a number." };
// @ts-expect-error: an absent optional result field is left out, never null (skip_serializing_if)
const nullRule: SendInvoiceResult = { id: "inv-1", outcome: "sent", rule: null };
const progress: SyncProgress = { stage: "items", done: 1, total: 2, calls: 1, inFlight: 0, elapsedMs: 10 };
export { known, unknownCode, asData, nullRule, progress };
