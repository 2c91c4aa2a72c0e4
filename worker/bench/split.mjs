// Where a relayed call's added latency sits, from workerd's own system calls (strace must be installed): for each
// call, the time from reading the caller's request to writing Xero's request (the request side: Worker, Durable
// Object hop, the object's checks) and from reading Xero's answer to writing the caller's (the answer side). Both are
// in-process work with no system call between them, so strace's overhead barely touches them. Calls are spaced
// 30 ms apart so that one call's log write (after its answer) does not overlap the next.
// `node worker/bench/split.mjs [build dir]` (BENCH_KIND=get for a small GET instead of the 50-invoice PUT).
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorkerd } from "./workerd.mjs";
import { session, auth, connect, enable, sim, newTenant } from "../test/harness.mjs";

const KIND = process.env.BENCH_KIND || "put";
const N = 30;
const out = join(tmpdir(), `xerosync-split-${process.pid}.txt`);
const env = await startWorkerd(process.argv[2] ? { build: process.argv[2] } : {});
try {
  await sim(env, "/limits", { enabled: false });
  const t = await session(env, { org: "split", ttlSecs: 3600 });
  await connect(env, t, { tenants: [await newTenant(env, "Split Ltd")] });
  await enable(env, t);
  let seq = 0;
  const call = async () => {
    seq++;
    const r = KIND === "get"
      ? await fetch(`${env.base}/xero/Organisation`, { headers: auth(t) })
      : await fetch(`${env.base}/xero/Invoices?summarizeErrors=false`, {
        method: "PUT",
        headers: auth(t, { "content-type": "application/json", "idempotency-key": `split-${seq}` }),
        body: JSON.stringify({
          Invoices: Array.from({ length: 50 }, (_, i) => ({
            Type: "ACCREC", Contact: { Name: `Split Customer ${i % 10}` }, InvoiceNumber: `S-${seq}-${i}`, Status: "DRAFT",
            LineAmountTypes: "Exclusive", LineItems: [{ Description: `Line ${i}`, Quantity: 2, UnitAmount: 19.99, AccountCode: "200", TaxType: "OUTPUT2" }],
          })),
        }),
      });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${KIND} ${r.status}`);
  };
  for (let i = 0; i < 10; i++) await call();
  const strace = spawn("strace", ["-f", "-tt", "-T", "-p", String(env.pid), "-o", out], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 1500)); // attached
  for (let i = 0; i < N; i++) {
    await new Promise((r) => setTimeout(r, 30));
    await call();
  }
  strace.kill("SIGINT");
  await new Promise((r) => strace.once("exit", r));
  const ms = (line) => {
    const [h, m, s] = line.split(" ")[1].split(":");
    return (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  };
  const request = [];
  const answer = [];
  let inAt = null;
  let xeroAt = null;
  for (const line of readFileSync(out, "utf8").split("\n")) {
    if (/read\(\d+, "(PUT|GET) \/xero\//.test(line)) inAt = ms(line);
    else if (inAt !== null && /write\(\d+, "(PUT|GET) \/api\.xro\//.test(line)) (request.push(ms(line) - inAt), (inAt = null));
    else if (/read\(\d+, "HTTP\/1\.1 \d+/.test(line)) xeroAt = ms(line);
    else if (xeroAt !== null && /write\(\d+, "HTTP\/1\.1 \d+/.test(line)) (answer.push(ms(line) - xeroAt), (xeroAt = null));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`worker relay ${KIND} request side p50: ${median(request).toFixed(2)} ms (goal — ; caller's request read → Xero's request written, ${request.length} calls)`);
  console.log(`worker relay ${KIND} answer side p50: ${median(answer).toFixed(2)} ms (goal — ; Xero's answer read → caller's answer written, ${answer.length} calls)`);
} finally {
  await env.stop();
  rmSync(out, { force: true });
}
