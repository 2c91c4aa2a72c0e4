// `npm run bench` (scripts/bench.sh), issue 13's scale: a 5,000-invoice send on a Starter organisation stops cleanly
// at Xero's day limit (rule X2) and resumes the next day from its checkpoint (rule A3) without a duplicate. The day
// passes on simulated clocks: the simulator's (Xero's rolling day) and the proxy's for that organisation (its DEV_MODE
// `POST /dev/clock`: the limiter and the token checks), so the bench takes seconds, not days. The day's budget is
// scaled down (BENCH_DAY_BUDGET calls instead of a Starter organisation's 1,000) so the send, about 120 calls, spans
// days; the figures that matter are the ratios: calls over the floor, invoices in Xero over invoices sent.
import { start, sim } from "../../worker/test/harness.mjs";
import { line, invoice, ctx, organisation } from "./kit.mjs";

const INVOICES = 5000;
const BUDGET = Number(process.env.BENCH_DAY_BUDGET ?? 50);
const DAY_MS = 86_400_000;

const env = await start();
try {
  const org = await organisation(env, "starter", { tier: "starter" });
  await sim(env, "/faults", { latencyMs: 0 });
  await sim(env, "/limits", { starterPerDay: BUDGET, clear: true });
  const invoices = Array.from({ length: INVOICES }, (_, i) => invoice(i, 100, 200));
  const started = performance.now();
  let result = await org.client.send(invoices, ctx(100, 200));
  const days = [result];
  while (result.stopped?.code === "day_limit" && days.length < 10) {
    // The next day: Xero's rolling day and the organisation's clock at the proxy move on together.
    await sim(env, "/clock", { advanceDays: 1 });
    const moved = await fetch(`${env.base}/dev/clock`, { method: "POST",
      headers: { authorization: `Bearer ${org.token}`, "content-type": "application/json" }, body: JSON.stringify({ advanceMs: DAY_MS }) });
    if (moved.status !== 200) throw new Error(`dev clock: ${moved.status} ${await moved.text()}`);
    result = await org.client.send(null, null, { checkpoint: result.checkpoint });
    days.push(result);
    if (process.env.BENCH_DEBUG) console.log(JSON.stringify({ calls: result.calls, stopped: result.stopped, counters: (await sim(env, "/counters")).byEndpoint, sent: result.invoices.filter((r) => r.outcome === "sent").length }));
  }
  const wall = performance.now() - started;
  if (!result.finished) throw new Error(`the send did not finish in ${days.length} days: ${JSON.stringify(result.stopped)}`);
  const stops = days.slice(0, -1).map((d) => d.stopped?.code);
  if (stops.some((code) => code !== "day_limit")) throw new Error(`a day ended otherwise than at the day limit: ${stops}`);
  if (days.slice(0, -1).some((d, i) => d.calls === (i ? days[i - 1].calls : 0))) throw new Error("a day made no call: the organisation was still parked");
  const dump = await (await fetch(`${env.sim}/_sim/tenants/${org.tenant}/dump`)).json();
  const numbers = dump.Invoices.map((d) => d.InvoiceNumber);
  const duplicates = numbers.length - new Set(numbers).size;
  // A resumed run's `calls` counts from the run's start (the checkpoint carries it): each day's is the difference.
  const perDay = days.map((d, i) => d.calls - (i ? days[i - 1].calls : 0));
  const calls = result.calls;
  const sent = result.invoices.filter((r) => r.outcome === "sent").length;
  line(`send ${INVOICES.toLocaleString("en")} invoices on a Starter organisation with ${BUDGET} calls a day: days`, days.length, "days", `ceil(calls / ${BUDGET}) = ${Math.ceil(calls / BUDGET)}`);
  line("the same: Xero calls each day", perDay.join(" + "), "calls", `each day ≤ ${BUDGET}, stopped with day_limit and a checkpoint`);
  line("the same: invoices in Xero after the last day / invoices in the CRM", `${numbers.length} / ${INVOICES}`, "invoices", `${INVOICES} / ${INVOICES}`);
  line("the same: duplicate invoice numbers in Xero", duplicates, "invoices", "0");
  line("the same: invoices the resumed run reports sent", sent, "invoices", `${INVOICES}`);
  line("the same: wall time over all days (simulated clocks, 0 ms latency)", wall.toFixed(0), "ms", "-");
} finally {
  await env.stop();
}
