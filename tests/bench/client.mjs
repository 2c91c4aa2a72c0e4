// `npm run bench` (scripts/bench.sh): the sync client (the npm package in Node) through the proxy (the built Worker
// under `workerd serve` as it runs in production, worker/bench/workerd.mjs; BENCH_RUNTIME=wrangler for `wrangler dev`)
// against the simulator at Xero's limits (5 in flight, 60 a minute) with 200 ms latency a call. Prints Xero calls and
// wall time to send 1,000 invoices (100 products, 200 companies) against the bound ceil(calls/5) × one call's time
// measured in the same run, and the calls of *Update all* over 10,000 sent invoices, then of a re-run.
import { start, sim } from "../../worker/test/harness.mjs";
import { startWorkerd } from "../../worker/bench/workerd.mjs";
import { descendants, cpuTicks, CLK_TCK } from "../../worker/bench/cpu.mjs";
import { LATENCY_MS, line, invoice, companyList, ctx, organisation, seedInvoices } from "./kit.mjs";

const RUNTIME = process.env.BENCH_RUNTIME === "wrangler" ? "wrangler dev" : "workerd";
const env = RUNTIME === "workerd" ? await startWorkerd() : await start();
try {
  // The same send with no latency: what the proxy, the simulator and the client cost on this machine. The first is
  // cold (wasm compiled and optimised on first use, in Node and in workerd); the second, to a second organisation, is
  // the steady state.
  await sim(env, "/faults", { latencyMs: 0 });
  const zeroLatencySend = async (name) => {
    const quick = await organisation(env, name);
    // Where the time goes: this process (the client), the proxy's runtime, the simulator (in clock ticks).
    const proxyPids = env.pid ? descendants(env.pid) : [];
    const simPids = env.simPid ? [env.simPid] : [];
    const [p0, s0] = [cpuTicks(proxyPids), cpuTicks(simPids)];
    const c0 = process.cpuUsage();
    const q0 = performance.now();
    const quickSent = await quick.client.send(Array.from({ length: 1000 }, (_, i) => invoice(i, 100, 200)), ctx(100, 200));
    if (!quickSent.finished) throw new Error("send at 0 ms did not finish");
    const cpu = process.cpuUsage(c0);
    const tick = 1000 / CLK_TCK; // ms a clock tick
    return { wall: performance.now() - q0, clientCpu: (cpu.user + cpu.system) / 1000, calls: quickSent.calls,
      proxyCpu: (cpuTicks(proxyPids) - p0) * tick, simCpu: (cpuTicks(simPids) - s0) * tick };
  };
  const cold = (await zeroLatencySend("send-0-cold")).wall;
  const { wall: overhead, clientCpu, proxyCpu, simCpu, calls: zeroCalls } = await zeroLatencySend("send-0");

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
  line("client send 1,000 invoices: wall time", wall.toFixed(0), "ms", `≤ 1.10 × ceil(calls/5) × one call = ${(1.1 * bound).toFixed(0)} ms`);
  line("client send 1,000 invoices: wall time / (ceil(calls/5) × one call)", (wall / bound).toFixed(2), "ratio", "≤ 1.10");
  line(`client send 1,000 invoices at 0 ms latency, first (cold) send (proxy under ${RUNTIME} + simulator + client work)`, cold.toFixed(0), "ms", "-");
  line(`client send 1,000 invoices at 0 ms latency, warm (proxy under ${RUNTIME} + simulator + client work)`, overhead.toFixed(0), "ms", "≤ 150 ms");
  line("client send 1,000 invoices at 0 ms latency, warm: of which the client's own CPU (this Node process)", clientCpu.toFixed(0), "ms", "-");
  if (RUNTIME === "workerd") {
    line(`client send 1,000 invoices at 0 ms latency, warm: the proxy's CPU (workerd, ${zeroCalls} calls, local D1 included)`, proxyCpu.toFixed(0), "ms", "-");
    line("client send 1,000 invoices at 0 ms latency, warm: the simulator's CPU (Xero's own time, not ours)", simCpu.toFixed(0), "ms", "-");
  }

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
