// `npm run bench` (scripts/bench.sh): the time to turn 10,000 invoices of 5 lines into Xero request bodies (JSON
// text, 50 invoices a request) with the package, next to xero-node's ObjectSerializer serialising the same invoices
// (as xero-node model objects, built beforehand) in the same process. Two ways with the package:
//   - buildInvoicePayload: one call per invoice, then the batches wrapped as { Invoices: [...] };
//   - buildInvoicePayloads: one call for all the invoices (the context read once), then sliced into the bodies;
//   - buildRequestBodies: one call that answers the bodies themselves (written as text in wasm, never JS objects);
//   - the send plan held in wasm: prepareSend, the same answers fed back, then the invoice requests' bodies;
//   - the JSON send plan: planSendRequests, the items and contacts answers fed back (every element accepted), then the
//     bodies of the invoice requests: what *Send to Xero* really does.
// Prints `name: value unit (goal …)` lines. Each figure is the best of BENCH_ROUNDS runs after a warm-up run (V8
// compiles wasm with a baseline compiler first and optimises hot functions later).
import * as xerosync from "xerosync";
import * as xn from "xero-node";
import { crmContext, crmInvoices, xeroNodeInvoices } from "./data.js";
import { acceptAll } from "./answers.js";

const COUNT = Number(process.env.BENCH_INVOICES ?? 10000);
const LINES = 5;
const BATCH = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TODAY = "2026-11-02";

const ctx = crmContext();
const invoices = crmInvoices(ctx, COUNT, LINES);
const models = xeroNodeInvoices(xn, ctx, invoices);

function batches(list) {
  const out = [];
  for (let i = 0; i < list.length; i += BATCH) out.push(list.slice(i, i + BATCH));
  return out;
}
const crmBatches = batches(invoices);
const modelBatches = batches(models);

function withBuildInvoicePayload() {
  return crmBatches.map((batch) =>
    JSON.stringify({ Invoices: batch.map((invoice) => xerosync.buildInvoicePayload(invoice, ctx)) }),
  );
}

// The same, with the context prepared once (issue 13's `prepare(ctx)`).
function withPrepare() {
  const prepared = xerosync.prepare(ctx);
  const bodies = crmBatches.map((batch) =>
    JSON.stringify({ Invoices: batch.map((invoice) => prepared.buildInvoicePayload(invoice)) }),
  );
  prepared.free();
  return bodies;
}

function withBuildInvoicePayloads() {
  const { Invoices, failed } = xerosync.buildInvoicePayloads(invoices, ctx);
  if (failed.length) throw new Error(`buildInvoicePayloads: ${failed[0].message}`);
  const bodies = [];
  for (let i = 0; i < Invoices.length; i += BATCH) bodies.push(JSON.stringify({ Invoices: Invoices.slice(i, i + BATCH) }));
  return bodies;
}

function withBuildRequestBodies() {
  const { invoices: bodies, failed } = xerosync.buildRequestBodies(invoices, ctx);
  if (failed.length) throw new Error(`buildRequestBodies: ${failed[0].message}`);
  return bodies;
}

function withPreparedSend() {
  const send = xerosync.prepareSend(invoices, ctx, { today: TODAY, mode: "selected" });
  while (send.stage !== "documents") {
    if (send.finished) throw new Error("the send plan finished before the invoices");
    send.apply(send.requests().map(acceptAll));
  }
  const bodies = send.requests().map((request) => JSON.stringify(request.body));
  send.free();
  return bodies;
}

function withSendPlan() {
  let plan = xerosync.planSendRequests(invoices, ctx, { today: TODAY, mode: "selected" });
  while (plan.stage !== "documents") {
    if (plan.finished) throw new Error("the send plan finished before the invoices");
    plan = xerosync.applySendAnswer(plan, plan.requests.map(acceptAll));
  }
  return plan.requests.map((request) => JSON.stringify(request.body));
}

function withXeroNode() {
  return modelBatches.map((batch) =>
    JSON.stringify(xn.ObjectSerializer.serialize(Object.assign(new xn.Invoices(), { invoices: batch }), "Invoices")),
  );
}

/** The best of ROUNDS runs after one warm-up, in milliseconds; checks the bodies hold every invoice. */
function time(fn) {
  let bodies = fn();
  let best = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    bodies = fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const total = bodies.reduce((n, body) => n + (JSON.parse(body).Invoices?.length ?? 0), 0);
  if (total !== COUNT) throw new Error(`${fn.name}: ${total} invoices in the bodies, expected ${COUNT}`);
  return best;
}

const theirs = time(withXeroNode);
const perInvoice = time(withBuildInvoicePayload);
const withPrepared = time(withPrepare);
const batch = time(withBuildInvoicePayloads);
const bodies = time(withBuildRequestBodies);
const preparedSend = time(withPreparedSend);
const sendPlan = time(withSendPlan);
const of = `${COUNT} invoices x ${LINES} lines`;
const ms = (v) => v.toFixed(1);
console.log(`request bodies, xero-node ObjectSerializer (${of}): ${ms(theirs)} ms`);
console.log(`request bodies, xerosync buildInvoicePayload (${of}): ${ms(perInvoice)} ms`);
console.log(`request bodies, xerosync prepare(ctx) then buildInvoicePayload per invoice (${of}): ${ms(withPrepared)} ms`);
console.log(`request bodies, xerosync buildInvoicePayloads (${of}): ${ms(batch)} ms`);
console.log(`request bodies, xerosync buildRequestBodies (${of}): ${ms(bodies)} ms`);
console.log(`request bodies, xerosync prepareSend (${of}): ${ms(preparedSend)} ms`);
console.log(`request bodies, xerosync send plan (${of}): ${ms(sendPlan)} ms`);
console.log(`request bodies ratio, buildInvoicePayload (same ctx each call) / xero-node: ${(perInvoice / theirs).toFixed(2)} x (goal <= 0.25)`);
console.log(`request bodies ratio, prepare(ctx) + buildInvoicePayload / xero-node: ${(withPrepared / theirs).toFixed(2)} x (goal <= 0.25)`);
console.log(`request bodies ratio, buildInvoicePayloads / xero-node: ${(batch / theirs).toFixed(2)} x (goal <= 0.25)`);
console.log(`request bodies ratio, buildRequestBodies / xero-node: ${(bodies / theirs).toFixed(2)} x (goal <= 0.25)`);
console.log(`request bodies ratio, prepareSend (plan held in wasm) / xero-node: ${(preparedSend / theirs).toFixed(2)} x (goal <= 1.0)`);
console.log(`request bodies ratio, JSON send plan / xero-node: ${(sendPlan / theirs).toFixed(2)} x (goal: prepareSend's)`);
