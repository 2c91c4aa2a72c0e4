// `npm run bench` (scripts/bench.sh), issue 13's scale: *Update all* over 100,000 sent invoices (BENCH_SCALE_INVOICES)
// through the proxy (the built Worker under `workerd serve`, as in production; BENCH_RUNTIME=wrangler for `wrangler
// dev`) and the simulator, with the package in Node: Xero calls, wall time, and the peak
// memory of the process. The invoices are seeded straight into the simulator an hour before,
// with no latency; the update runs at Xero's limits (5 in flight, 60 a minute), without added latency.
import { start, sim } from "../../worker/test/harness.mjs";
import { startWorkerd } from "../../worker/bench/workerd.mjs";
import { line, invoice, companyList, organisation, seedInvoices } from "./kit.mjs";

const N = Number(process.env.BENCH_SCALE_INVOICES ?? 100_000);
const COMPANIES = 1_000;
const MB = (bytes) => (bytes / 1_048_576).toFixed(0);

const env = process.env.BENCH_RUNTIME === "wrangler" ? await start() : await startWorkerd();
try {
  const updater = await organisation(env, "scale");
  await sim(env, "/faults", { latencyMs: 0 });
  await sim(env, "/limits", { enabled: false });
  const now = Date.now();
  await sim(env, "/clock", { set: new Date(now - 3_600_000).toISOString() });
  const s0 = performance.now();
  const seeded = await seedInvoices(env, updater.tenant, N, COMPANIES);
  const seeding = performance.now() - s0;
  await sim(env, "/clock", { set: new Date(now).toISOString() });
  await sim(env, "/limits", { enabled: true, clear: true });
  const contactOf = new Map(seeded.map((d) => [d.Contact.ContactNumber ?? "", d.Contact.ContactID]));
  const crm = seeded.map((d, i) => ({ ...invoice(i, 100, COMPANIES), number: d.InvoiceNumber, status: "Live",
    sentToAccounts: true, sentToAccountsDate: "2026-11-01", xeroId: d.InvoiceID }));
  const companies = companyList(COMPANIES).map((c) => ({ ...c, xeroContactId: contactOf.get(c.id) }));
  // The process's RSS, sampled: the CRM's 100,000 records, the package's wasm memory and the run's state.
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  const u0 = performance.now();
  const all = await updater.client.updateAll(crm, { companies });
  const wall = performance.now() - u0;
  clearInterval(sampler);
  if (!all.finished) throw new Error(`update all: ${JSON.stringify(all.stopped)}`);
  const updated = all.invoices.filter((e) => e.outcome === "updated" || e.outcome === "unchanged").length;
  if (updated !== N) throw new Error(`update all: ${updated} of ${N} read back`);
  const pages = Math.ceil(N / 1000);
  line(`scale: seeding ${N.toLocaleString("en")} invoices into the simulator (setup, not the product)`, seeding.toFixed(0), "ms", "-");
  line(`scale: update all over ${N.toLocaleString("en")} sent invoices: Xero calls`, all.calls, "calls", `≤ ${pages + 2} (invoice pages of 1,000, one page of credit notes, one of contacts)`);
  line(`scale: update all over ${N.toLocaleString("en")} sent invoices: wall time`, wall.toFixed(0), "ms", `- (Xero's floor: ${pages + 2} calls at 60 a minute)`);
  line(`scale: update all over ${N.toLocaleString("en")} sent invoices: process peak RSS`, MB(peakRss), "MB", "-");
} finally {
  await env.stop();
}
