// The bench's CRM records and organisations, shared by client.mjs and scale.mjs: invoices and companies as a CRM
// holds them, an organisation of the simulator connected through the proxy with a XeroClient, and a direct seed of
// sent invoices into the simulator's Xero API.
import { XeroClient } from "xerosync";
import { session, connect, enable, sim } from "../../worker/test/harness.mjs";

export const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200);
export const line = (name, value, unit, goal) => console.log(`${name}: ${value} ${unit} (goal ${goal})`);

export function invoice(i, products, companies) {
  return {
    id: `inv-${i}`, kind: "invoice", number: `B-${String(i).padStart(5, "0")}`, companyId: `co-${i % companies}`,
    issueDate: "2026-11-01", dueDate: "2026-12-01", currency: "GBP", amountsAre: "exclusive", status: "Created",
    lines: [{ productId: `pr-${i % products}`, description: "Widget", quantity: "2", listPrice: "10.00", taxRateId: "vat20" }],
    total: "24.00", amountOutstanding: "24.00", sentToAccounts: false,
  };
}
export const companyList = (n) => Array.from({ length: n }, (_, c) => ({ id: `co-${c}`, name: `Company ${c}`, balance: "0.00",
  people: [{ id: `p-${c}`, firstName: "Ann", lastName: `Lee${c}`, email: `ann${c}@example.test`, primary: true }] }));
export const ctx = (products, companies) => ({
  companies: companyList(companies),
  products: Array.from({ length: products }, (_, p) => ({ id: `pr-${p}`, code: `W-${p}`, name: `Widget ${p}`,
    unitPrice: "10.00", taxRateId: "vat20", salesAccountCode: "200" })),
  taxRates: [{ id: "vat20", name: "VAT 20%", percent: "20", xeroTaxType: "OUTPUT2" }],
  settings: { enabled: true, defaultSalesAccountCode: "200", discountStrategy: "auto" },
});

export async function organisation(env, name, { tier = "standard" } = {}) {
  const token = await session(env, { org: `org-bench-${name}`, sub: `u-bench-${name}`, ttlSecs: 86_400 });
  const tenant = await sim(env, "/tenants", { name: `Bench ${name} Ltd`, country: "UK", tier });
  await connect(env, token, { tenants: [tenant.tenantId] });
  const r = await fetch(`${env.base}/connections/select`, { method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ tenantId: tenant.tenantId }) });
  if (r.status !== 200) throw new Error(`select: ${r.status} ${await r.text()}`);
  await enable(env, token);
  return { token, tenant: tenant.tenantId, client: new XeroClient({ proxyUrl: env.base, sessionToken: () => token }) };
}

/** Writes straight to the simulator's Xero API (the seed of 10,000 sent invoices), 5 at a time. */
export async function seedInvoices(env, tenant, n, companies) {
  const tokens = await sim(env, "/tokens", { tenants: [tenant] });
  const headers = { authorization: `Bearer ${tokens.access_token}`, "xero-tenant-id": tenant, "content-type": "application/json" };
  const batches = [];
  for (let i = 0; i < n; i += 50) batches.push(Array.from({ length: Math.min(50, n - i) }, (_, k) => i + k));
  const out = [];
  for (let b = 0; b < batches.length; b += 5) {
    const answers = await Promise.all(batches.slice(b, b + 5).map(async (batch) => {
      const body = { Invoices: batch.map((i) => ({ Type: "ACCREC", InvoiceNumber: `U-${String(i).padStart(6, "0")}`,
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

