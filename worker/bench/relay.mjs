// `npm run bench` (scripts/bench.sh): the latency the Worker adds to a relayed 50-invoice PUT on loopback against
// calling the simulator directly (same run, interleaved), and the CPU time the runtime spends per relayed call:
// first under `workerd serve` itself with a config of our own (worker/bench/workerd.mjs: what production runs, no
// proxy in front), then under `wrangler dev` (its proxy chain in front of workerd) for comparison.
// Prints one figure a line: `name: value unit (goal …)`. BENCH_RUNTIMES=workerd (or wrangler) runs only one.
import { start, session, auth, connect, enable, sim, newTenant } from "../test/harness.mjs";
import { startWorkerd, startFloor } from "./workerd.mjs";
import { descendants, cpuTicks } from "./cpu.mjs";

const N = Number(process.env.BENCH_N || 300);
const RUNTIMES = (process.env.BENCH_RUNTIMES || "workerd,wrangler").split(",");
const ORGS = 8; // the proxy allows 60 calls a minute per organisation (rule X2): spread the run over several
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function measure(env, runtime) {
  await sim(env, "/limits", { enabled: false });
  const tokens = [];
  const tenants = [];
  for (let i = 0; i < ORGS; i++) {
    // Each CRM organisation its own Xero organisation (rule C7), its customers named as a CRM sends them.
    const t = await session(env, { org: `bench-${i}`, ttlSecs: 3600 });
    const tenant = await newTenant(env, `Bench ${i} Ltd`);
    await connect(env, t, { tenants: [tenant] });
    await enable(env, t);
    tokens.push(t);
    tenants.push(tenant);
  }
  const tenantId = tenants[0];
  const direct = await sim(env, "/tokens", { tenants: [tenantId] });
  let seq = 0;
  const body = () => JSON.stringify({
    Invoices: Array.from({ length: 50 }, (_, i) => ({
      Type: "ACCREC", Contact: { Name: `Bench Customer ${i % 10}` }, InvoiceNumber: `B-${seq}-${i}`,
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
  await new Promise((r) => setTimeout(r, 300)); // the last calls' log rows, written after their answers
  const cpu1 = cpuTicks(pids);
  // What the runtime costs by itself: a CORS preflight (no I/O: the configuration read, a 204), and /health (one D1
  // read), against a GET straight to the simulator in the same loop.
  const timed = async (url, init) => {
    const t0 = performance.now();
    const r = await fetch(url, init);
    await r.arrayBuffer();
    if (r.status >= 400) throw new Error(`${url}: ${r.status}`);
    return performance.now() - t0;
  };
  // The fixed cost of a relayed call: a small GET (Organisation) through the Worker, through the floor (a plain JS
  // Worker making the same hops: a Durable Object, one outbound fetch; workerd only) and straight to the simulator,
  // interleaved, on organisations of their own (the proxy's 60 calls a minute each).
  const getW = [];
  const getD = [];
  const getF = [];
  const floor = runtime === "workerd" ? await startFloor() : null;
  try {
    const getTokens = [];
    for (let i = 0; i < ORGS; i++) {
      const t = await session(env, { org: `bench-get-${i}`, ttlSecs: 3600 });
      await connect(env, t, { tenants: [await newTenant(env, `Bench GET ${i} Ltd`)] });
      await enable(env, t);
      getTokens.push(t);
    }
    const org = `${env.sim}/api.xro/2.0/Organisation`;
    const dh = { authorization: `Bearer ${direct.access_token}`, "xero-tenant-id": tenantId };
    for (let i = 0; i < 220; i++) {
      const x = await timed(`${env.base}/xero/Organisation`, { headers: auth(getTokens[i % ORGS]) });
      const y = await timed(org, { headers: dh });
      const z = floor ? await timed(`${floor.base}/?to=${encodeURIComponent(org)}`, { headers: dh }) : 0;
      if (i >= 20) (getW.push(x), getD.push(y), getF.push(z));
    }
  } finally {
    await floor?.stop();
  }
  const noop = [];
  const health = [];
  const simGet = [];
  for (let i = 0; i < 100; i++) {
    noop.push(await timed(`${env.base}/xero/Invoices`, { method: "OPTIONS" }));
    health.push(await timed(`${env.base}/health`));
    simGet.push(await timed(`${env.sim}/_sim/counters`));
  }
  const f = (x) => x.toFixed(2);
  const on = runtime === "workerd" ? "under workerd serve, no proxy in front" : "under wrangler dev";
  const tag = runtime === "workerd" ? "" : " (wrangler dev)";
  const diffs = w.map((x, k) => x - d[k]);
  console.log(`worker relay 50-invoice PUT p50${tag}: ${f(pct(w, 50))} ms through the Worker, ${f(pct(d, 50))} ms to the simulator directly (goal — ${N} interleaved pairs ${on})`);
  console.log(`worker relay added latency p50${tag}: ${f(pct(w, 50) - pct(d, 50))} ms (goal ≤ 1 ms; ${on}; median of pairwise differences ${f(pct(diffs, 50))} ms)`);
  console.log(`worker relay added latency p99${tag}: ${f(pct(w, 99) - pct(d, 99))} ms (goal — ; ${on}; through the Worker p99 ${f(pct(w, 99))} ms, direct p99 ${f(pct(d, 99))} ms)`);
  const floorText = floor ? `; a plain JS Worker making the same hops adds ${f(pct(getF, 50) - pct(getD, 50))} ms (the runtime's floor)` : "";
  console.log(`worker relay added latency p50, small GET (Organisation)${tag}: ${f(pct(getW, 50) - pct(getD, 50))} ms (goal — ; the fixed cost of a relayed call${floorText}; ${on})`);
  console.log(`worker no-op route (OPTIONS preflight) p50${tag}: ${f(pct(noop, 50))} ms (goal — ; GET /health with its D1 read ${f(pct(health, 50))} ms, a GET to the simulator ${f(pct(simGet, 50))} ms; ${on})`);
  // The runtime's own CPU (Worker + Durable Object + local D1 for the log, its HTTP included) per relayed call.
  const cpuMs = ((cpu1 - cpu0) * 10) / N;
  console.log(`worker CPU per relayed call${tag} (whole runtime process tree, upper bound): ${f(cpuMs)} ms (goal < 10 ms)`);
}

for (const runtime of RUNTIMES) {
  const env = runtime === "workerd" ? await startWorkerd() : await start();
  try {
    await measure(env, runtime);
  } finally {
    await env.stop();
  }
}
