// prepareSend (issue 13; rules S1-S9): the send plan held in wasm gives, step by step, the very requests and, at the
// end, the very plan that the JSON functions give for the same answers, lost answer and look-up (rule S8) included.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as xerosync from "xerosync";

const ctx = {
  companies: [
    { id: "co-1", name: "Acme Ltd", accountNumber: "ACME01", people: [{ id: "p-1", firstName: "Ann", lastName: "Lee", primary: true }] },
    { id: "co-2", name: "Bolt Ltd", people: [] },
  ],
  products: [{ id: "pr-1", code: "WIDGET-B", name: "Widget", unitPrice: "30.00", taxRateId: "vat20", salesAccountCode: "200" }],
  taxRates: [{ id: "vat20", name: "VAT 20%", percent: "20", xeroTaxType: "OUTPUT2" }],
  settings: { enabled: true, defaultSalesAccountCode: "200", discountStrategy: "auto" },
};
const invoice = (n, companyId) => ({
  id: `inv-${n}`, kind: "invoice", number: `INV-${n}`, companyId, issueDate: "2026-11-01", dueDate: "2026-12-01",
  currency: "GBP", amountsAre: "exclusive", status: "Live",
  lines: [{ productId: "pr-1", description: "Widget", quantity: String(n % 4 + 1), listPrice: "30.00", taxRateId: "vat20" }],
  total: "0.00", amountOutstanding: "0.00", sentToAccounts: false, sentToAccountsDate: null, xeroId: null,
});
const invoices = [
  ...Array.from({ length: 60 }, (_, i) => invoice(1000 + i, i % 2 ? "co-1" : "co-2")),
  { ...invoice(2000, "co-1"), lines: [{ description: "", quantity: "1", listPrice: "1" }] }, // refused locally
];

let next = 1;
const ids = { Items: "ItemID", Contacts: "ContactID", Invoices: "InvoiceID" };
/** An empty Xero that accepts every record; the same answers are fed to both plans. */
function answer(request) {
  if (request.method === "GET") return { requestId: request.id, status: 200, body: JSON.stringify({ [request.path.split("/")[1]]: [] }) };
  const [key] = Object.keys(request.body);
  const records = request.body[key].map((r) => ({ ...r, [ids[key]]: `00000000-0000-4000-8000-${String(next++).padStart(12, "0")}`, StatusAttributeString: "OK" }));
  return { requestId: request.id, status: 200, body: JSON.stringify({ [key]: records }) };
}

test("a PreparedSend makes the same requests and ends in the same plan as the JSON functions (rules S1-S9, S8)", () => {
  const options = { today: "2026-11-02", mode: "selected" };
  let plan = xerosync.planSendRequests(invoices, ctx, options);
  const send = xerosync.prepareSend(invoices, ctx, options);
  let lost = false;
  let steps = 0;
  while (!plan.finished) {
    assert.equal(send.finished, false);
    assert.equal(send.stage, plan.stage);
    assert.deepEqual(send.requests(), plan.requests);
    const answers = plan.requests.map(answer);
    const write = plan.requests.findIndex((r) => r.method === "PUT" && r.path === "/Invoices");
    if (write >= 0 && !lost) {
      // Rule S8: the first invoice write's answer is lost; the look-up finds nothing, so it is sent again.
      lost = true;
      const { requestId } = answers[write];
      const lookup = xerosync.sendLookupRequest(plan, { requestId });
      assert.deepEqual(send.lookupRequest({ requestId }), lookup);
      const none = { requestId, status: 200, body: JSON.stringify({ Invoices: [] }) };
      const json = xerosync.applySendLookup(plan, none);
      assert.equal(send.applyLookup(none), json.found);
      plan = json.plan;
      answers.splice(write, 1);
    }
    plan = xerosync.applySendAnswer(plan, answers);
    send.apply(answers);
    steps++;
  }
  assert.ok(lost && steps >= 3, `${steps} steps`);
  assert.equal(send.finished, true);
  assert.equal(send.stage, "finished");
  assert.deepEqual(send.plan(), plan);
  const { invoices: outcomes, companies, productFailures, log } = send.results();
  assert.deepEqual({ invoices: outcomes, companies, productFailures, log }, {
    invoices: plan.invoices, companies: plan.companies, productFailures: plan.productFailures, log: plan.log,
  });
  assert.equal(outcomes.filter((o) => o.outcome === "sent").length, 60);
  assert.equal(outcomes[60].outcome, "failed");
  send.free();
});

test("a PreparedSend refuses a bad answer by its request and keeps the answers before it", () => {
  const send = xerosync.prepareSend(invoices.slice(0, 2), ctx, { today: "2026-11-02" });
  const before = send.plan();
  const [first] = send.requests();
  assert.throws(() => send.apply({ requestId: "no-such-request", status: 200, body: "{}" }), { code: "invalid_xero_response" });
  assert.deepEqual(send.plan(), before, "nothing applied");
  assert.throws(() => send.apply([answer(first), { requestId: first.id, status: 200, body: "{}" }]), (err) => {
    assert.equal(err.code, "invalid_xero_response");
    assert.match(err.message, new RegExp(first.id));
    return true;
  });
  assert.notDeepEqual(send.plan(), before, "the first answer stays applied");
  assert.throws(() => xerosync.prepareSend(invoices, ctx, {}), { code: "invalid_options", field: "today" });
});
