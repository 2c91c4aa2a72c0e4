// `npm run bench` (scripts/bench.sh): the sync client (the npm package in Node) through the proxy (`wrangler dev`)
// against the simulator at Xero's limits (5 in flight, 60 a minute) with 200 ms latency a call. Prints Xero calls and
// wall time to send 1,000 invoices (100 products, 200 companies) against the bound ceil(calls/5) × one call's time
// measured in the same run, and the calls of *Update all* over 10,000 sent invoices, then of a re-run.
import { XeroClient } from "xerosync";
import { start, session, connect, enable, sim } from "../../worker/test/harness.mjs";

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200);
const line = (name, value, unit, goal) => console.log(`${name}: ${value} ${unit} (goal ${goal})`);

function invoice(i, products, companies) {
  return {
    id: `inv-${i}`, kind: "invoice", number: `B-${String(i).padStart(5, "0")}`, companyId: `co-${i % companies}`,
    issueDate: "2026-11-01", dueDate: "2026-12-01", currency: "GBP", amountsAre: "exclusive", status: "Created",
    lines: [{ productId: `pr-${i % products}`, description: "Widget", quantity: "2", listPrice: "10.00", taxRateId: "vat20" }],
    total: "24.00", amountOutstanding: "24.00", sentToAccounts: false,
  };
}
const companyList = (n) => Array.from({ length: n }, (_, c) => ({ id: `co-${c}`, name: `Company ${c}`, balance: "0.00",
  people: [{ id: `p-${c}`, firstName: "Ann", lastName: `Lee${c}`, email: `ann${c}@example.test`, primary: true }] }));
const ctx = (products, companies) => ({
  companies: companyList(companies),
  products: Array.from({ length: products }, (_, p) => ({ id: `pr-${p}`, code: `W-${p}`, name: `Widget ${p}`,
    unitPrice: "10.00", taxRateId: "vat20", salesAccountCode: "200" })),
  taxRates: [{ id: "vat20", name: "VAT 20%", percent: "20", xeroTaxType: "OUTPUT2" }],
  settings: { enabled: true, defaultSalesAccountCode: "200", discountStrategy: "auto" },
});

async function organisation(env, name) {
  const token = await session(env, { org: `org-bench-${name}`, sub: `u-bench-${name}`, ttlSecs: 86_400 });
  const tenant = await sim(env, "/tenants", { name: `Bench ${name} Ltd`, country: "UK" });
  await connect(env, token, { tenants: [tenant.tenantId] });
  const r = await fetch(`${env.base}/connections/select`, { method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ tenantId: tenant.tenantId }) });
  if (r.status !== 200) throw new Error(`select: ${r.status} ${await r.text()}`);
  await enable(env, token);
  return { token, tenant: tenant.tenantId, client: new XeroClient({ proxyUrl: env.base, sessionToken: () => token }) };
}

/** Writes straight to the simulator's Xero API (the seed of 10,000 sent invoices), 5 at a time. */
async function seedInvoices(env, tenant, n, companies) {
  const tokens = await sim(env, "/tokens", { tenants: [tenant] });
  const headers = { authorization: `Bearer ${tokens.access_token}`, "xero-tenant-id": tenant, "content-type": "application/json" };
  const batches = [];
  for (let i = 0; i < n; i += 50) batches.push(Array.from({ length: Math.min(50, n - i) }, (_, k) => i + k));
  const out = [];
  for (let b = 0; b < batches.length; b += 5) {
    const answers = await Promise.all(batches.slice(b, b + 5).map(async (batch) => {
      const body = { Invoices: batch.map((i) => ({ Type: "ACCREC", InvoiceNumber: `U-${String(i).padStart(5, "0")}`,
        Contact: { ContactNumber: `co-${i % companies}`, Name: `Company ${i % companies}` }, Date: "2026-11-01", DueDate: "2026-12-01",
        Status: "AUTHORISED", LineItems: [{ Description: "Widget", Quantity: 2, UnitAmount: 10, AccountCode: "200", TaxType: "OUTPUT2" }] })) };
      const r = await fetch(`${env.sim}/api.xro/2.0/Invoices?summarizeErrors=false`, { method: "PUT", headers, body: JSON.stringify(body) });
      if (r.status !== 200) throw new Error(`seed: ${r.status} ${await r.text()}`);
      return (await r.json()).Invoices;
    }));
    for (const a of answers) out.push(...a);
  }
  return out;
}

const env = await start();
try {
  // The same send with no latency: what the proxy, the simulator and the client cost on this machine.
  const quick = await organisation(env, "send-0");
  await sim(env, "/faults", { latencyMs: 0 });
  const q0 = performance.now();
  const quickSent = await quick.client.send(Array.from({ length: 1000 }, (_, i) => invoice(i, 100, 200)), ctx(100, 200));
  const overhead = performance.now() - q0;
  if (!quickSent.finished) throw new Error("send at 0 ms did not finish");

  // One call's time through the proxy at this latency: the baseline of the wall-time bound.
  const sender = await organisation(env, "send");
  await sim(env, "/faults", { latencyMs: LATENCY_MS });
  const t0 = performance.now();
  await sender.client.taxRates();
  await sender.client.taxRates();
  const oneCall = (performance.now() - t0) / 2;
  const invoices = Array.from({ length: 1000 }, (_, i) => invoice(i, 100, 200));
  const searches = async () => (await sim(env, "/counters")).byEndpoint["GET /api.xro/2.0/Contacts"] ?? 0;
  const searchesBefore = await searches();
  const started = performance.now();
  const sent = await sender.client.send(invoices, ctx(100, 200));
  const wall = performance.now() - started;
  const ok = sent.invoices.filter((r) => r.outcome === "sent").length;
  if (ok !== 1000) throw new Error(`send: ${ok} of 1000 sent: ${JSON.stringify(sent.invoices.find((r) => r.outcome !== "sent"))}`);
  const bound = Math.ceil(sent.calls / 5) * oneCall;
  const searched = (await searches()) - searchesBefore;
  line("client send 1,000 invoices (100 products, 200 companies): Xero calls", sent.calls, "calls", "≤ 26 writes + the contact searches");
  line("client send 1,000 invoices: of which contact searches for existing customers (rule S3a)", searched, "calls", "≤ 14: about 15 companies a read (1,500 characters of where, within Xero's URL length), not one per company");
  line("client send 1,000 invoices: one call through the proxy (baseline)", oneCall.toFixed(0), "ms", `latency ${LATENCY_MS} ms`);
  line("client send 1,000 invoices: wall time", wall.toFixed(0), "ms", `≤ 1.2 × ceil(calls/5) × one call = ${(1.2 * bound).toFixed(0)} ms`);
  line("client send 1,000 invoices: wall time / (ceil(calls/5) × one call)", (wall / bound).toFixed(2), "ratio", "≤ 1.2");
  line("client send 1,000 invoices at 0 ms latency (proxy + simulator + client work)", overhead.toFixed(0), "ms", "-");

  // Update all over 10,000 sent invoices: seeded straight into the simulator an hour ago, no latency, no limits.
  const updater = await organisation(env, "update");
  await sim(env, "/faults", { latencyMs: 0 });
  await sim(env, "/limits", { enabled: false });
  const now = Date.now();
  await sim(env, "/clock", { set: new Date(now - 3_600_000).toISOString() });
  const seeded = await seedInvoices(env, updater.tenant, 10_000, 200);
  await sim(env, "/clock", { set: new Date(now).toISOString() });
  await sim(env, "/limits", { enabled: true, clear: true });
  await sim(env, "/faults", { latencyMs: LATENCY_MS });
  const contactOf = new Map(seeded.map((d) => [d.Contact.ContactNumber ?? "", d.Contact.ContactID]));
  const crm = seeded.map((d, i) => ({ ...invoice(i, 100, 200), number: d.InvoiceNumber, status: "Live",
    sentToAccounts: true, sentToAccountsDate: "2026-11-01", xeroId: d.InvoiceID }));
  const companies = companyList(200).map((c) => ({ ...c, xeroContactId: contactOf.get(c.id) ?? seeded.find((d) => d.Contact.Name === c.name)?.Contact.ContactID }));
  const u0 = performance.now();
  const all = await updater.client.updateAll(crm, { companies });
  const u1 = performance.now();
  if (!all.finished) throw new Error(`update all: ${JSON.stringify(all.stopped)}`);
  const rerun = await updater.client.updateAll(crm, { companies, since: all.since });
  const u2 = performance.now();
  line("client update all over 10,000 sent invoices: Xero calls", all.calls, "calls", "≤ 12");
  line("client update all over 10,000 sent invoices: wall time", (u1 - u0).toFixed(0), "ms", "-");
  line("client update all, re-run with nothing changed: Xero calls", rerun.calls, "calls", "≤ 2");
  line("client update all, re-run with nothing changed: wall time", (u2 - u1).toFixed(0), "ms", "-");
} finally {
  await env.stop();
}
