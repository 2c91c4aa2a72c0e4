// `npm run bench` (scripts/bench.sh): the latency the Worker adds to a relayed 50-invoice PUT on loopback against
// calling the simulator directly (same run, alternating), and the CPU time workerd spends per relayed call.
// Prints one figure a line: `name: value unit (goal …)`.
import { readFileSync, readdirSync } from "node:fs";
import { start, session, auth, connect, enable, sim } from "../test/harness.mjs";

const N = Number(process.env.BENCH_N || 200);
const ORGS = 8; // the proxy allows 60 calls a minute per organisation (rule X2): spread the run over several
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function descendants(pid) {
  const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  const parent = new Map();
  for (const d of all) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* gone */ }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of parent) if (p === out[i]) out.push(c);
  return out;
}

function cpuTicks(pids) {
  let t = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").slice(0).split(") ")[1].split(" ");
      t += Number(f[11]) + Number(f[12]); // utime + stime
    } catch { /* gone */ }
  }
  return t;
}

const env = await start();
try {
  await sim(env, "/limits", { enabled: false });
  const tokens = [];
  let tenantId;
  for (let i = 0; i < ORGS; i++) {
    const t = await session(env, { org: `bench-${i}` });
    ({ tenants: [tenantId] } = await connect(env, t));
    await enable(env, t);
    tokens.push(t);
  }
  const direct = await sim(env, "/tokens", {});
  const contacts = (await (await fetch(`${env.base}/xero/Contacts`, { headers: auth(tokens[0]) })).json()).Contacts;
  let seq = 0;
  const body = () => JSON.stringify({
    Invoices: Array.from({ length: 50 }, (_, i) => ({
      Type: "ACCREC", Contact: { ContactID: contacts[i % contacts.length].ContactID }, InvoiceNumber: `B-${seq}-${i}`,
      Status: "DRAFT", LineAmountTypes: "Exclusive",
      LineItems: [{ Description: `Bench line ${i}`, Quantity: 2, UnitAmount: 19.99, DiscountRate: 10, AccountCode: "200", TaxType: "OUTPUT2" }],
    })),
  });
  async function viaWorker(i) {
    const b = body();
    seq++;
    const t0 = performance.now();
    const r = await fetch(`${env.base}/xero/Invoices?summarizeErrors=false`, {
      method: "PUT", headers: auth(tokens[i % ORGS], { "content-type": "application/json", "idempotency-key": `bench-w-${seq}` }), body: b,
    });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`worker PUT ${r.status}`);
    return performance.now() - t0;
  }
  async function viaSim() {
    const b = body();
    seq++;
    const t0 = performance.now();
    const r = await fetch(`${env.sim}/api.xro/2.0/Invoices?summarizeErrors=false`, {
      method: "PUT",
      headers: { authorization: `Bearer ${direct.access_token}`, "xero-tenant-id": tenantId, "content-type": "application/json", "idempotency-key": `bench-d-${seq}` },
      body: b,
    });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`direct PUT ${r.status}`);
    return performance.now() - t0;
  }
  for (let i = 0; i < 20; i++) { await viaWorker(i); await viaSim(); } // warm up
  const w = [];
  const d = [];
  const pids = descendants(env.pid);
  const cpu0 = cpuTicks(pids);
  let workerMs = 0;
  for (let i = 0; i < N; i++) {
    const x = await viaWorker(i);
    w.push(x);
    workerMs += x;
    d.push(await viaSim());
  }
  const cpu1 = cpuTicks(pids);
  // What the local runtime costs by itself: a route that does nothing (wrangler dev's proxy chain + workerd).
  const noop = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await (await fetch(`${env.base}/health`)).arrayBuffer();
    noop.push(performance.now() - t0);
  }
  const f = (x) => x.toFixed(2);
  console.log(`worker relay 50-invoice PUT, simulator direct p50: ${f(pct(d, 50))} ms`);
  console.log(`worker relay 50-invoice PUT, through the Worker p50: ${f(pct(w, 50))} ms`);
  console.log(`worker relay added latency p50: ${f(pct(w, 50) - pct(d, 50))} ms (goal ≤ 1 ms; ratio worker/direct ${f(pct(w, 50) / pct(d, 50))})`);
  console.log(`worker relay added latency p99: ${f(pct(w, 99) - pct(d, 99))} ms (ratio worker/direct ${f(pct(w, 99) / pct(d, 99))})`);
  console.log(`worker no-op route (GET /health) p50 under wrangler dev: ${f(pct(noop, 50))} ms (the local runtime's own share of the figures above)`);
  // workerd's own CPU (Worker + Durable Object + local D1 for the log, the runtime's HTTP included) per call.
  const cpuMs = ((cpu1 - cpu0) * 10) / N;
  console.log(`worker CPU per relayed call (whole workerd process, upper bound): ${f(cpuMs)} ms (goal < 10 ms)`);
} finally {
  await env.stop();
}
