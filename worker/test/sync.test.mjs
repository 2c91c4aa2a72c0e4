// Rule B1 (each organisation's Durable Object alarm polls with overlap + full re-read, webhooks → change feed
// pulled with a cursor), rule X2 (Xero's 429 + Retry-After passed through; a day-limit 429 parks the organisation)
// and rule C2 (disabled: no sync). No test here runs the Cron Trigger: the alarms alone do the work.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { start, session, auth, connect, enable, newTenant, sim, syncLogTotal, eventually, d1, WEBHOOK_KEY } from "./harness.mjs";

let env;
let token;
let tenantId;

// Alarms fire in real time under wrangler dev: a poll window every 3 s (40 calls a minute, under rule X2's 60).
const ALARM_VARS = { POLL_INTERVAL_SECS: "3" };

before(async () => {
  env = await start({ vars: ALARM_VARS });
  token = await session(env, { org: "org-sync" });
  ({ tenants: [tenantId] } = await connect(env, token));
  await enable(env, token);
});
after(async () => env && (await env.stop()));

const changes = async (after, t = token) => (await fetch(`${env.base}/changes?after=${after}`, { headers: auth(t) })).json();

test("rule B1: the organisation's alarm reads everything into the change feed first; later alarms add only what changed", async () => {
  const dump = await sim(env, `/tenants/${tenantId}/dump`);
  let first;
  const all = await eventually(async () => {
    first = await changes(0);
    const invoiceIds = new Set(first.changes.filter((c) => c.kind === "invoice").map((c) => c.xeroId));
    return dump.Invoices.every((inv) => invoiceIds.has(inv.InvoiceID));
  }, 30_000);
  assert.ok(all, `every invoice reached the feed without a button or a cron (${first.changes.length} changes)`);
  const one = first.changes.find((c) => c.kind === "invoice");
  assert.equal(one.source, "full");
  assert.ok("AmountDue" in one.record && "Status" in one.record && "Total" in one.record, JSON.stringify(one.record));
  assert.equal(first.cursor, first.changes.at(-1).seq);
  // Nothing changed: the next alarms' polls add nothing (the overlap window re-reads, the feed dedupes).
  const runs = await syncLogTotal(env, token);
  assert.ok(await eventually(async () => (await syncLogTotal(env, token)) >= runs + 4, 30_000), "two more polls ran");
  assert.equal((await changes(first.cursor)).changes.length, 0);
  // A new invoice in Xero shows up after the cursor, as a poll.
  const contacts = (await (await fetch(`${env.base}/xero/Contacts`, { headers: auth(token) })).json()).Contacts;
  const put = await fetch(`${env.base}/xero/Invoices?summarizeErrors=false`, {
    method: "PUT",
    headers: auth(token, { "content-type": "application/json" }),
    body: JSON.stringify({ Invoices: [{ Type: "ACCREC", Contact: { ContactID: contacts[0].ContactID }, InvoiceNumber: "CRM-SYNC-1",
      Status: "DRAFT", LineItems: [{ Description: "x", Quantity: 2, UnitAmount: 12.5, AccountCode: "200" }] }] }),
  });
  assert.equal(put.status, 200);
  const created = (await put.json()).Invoices[0];
  await sim(env, "/clock", { advanceSeconds: 5 });
  let next;
  assert.ok(await eventually(async () => (next = await changes(first.cursor)).changes.length > 0, 30_000), "the change arrived");
  assert.deepEqual(next.changes.map((c) => c.xeroId), [created.InvoiceID]);
  assert.equal(next.changes[0].source, "poll");
  assert.equal(next.changes[0].record.InvoiceNumber, "CRM-SYNC-1");
  // The alarm's calls are in the log too.
  const log = await (await fetch(`${env.base}/log?user=cron`, { headers: auth(token) })).json();
  assert.ok(log.rows.length >= 4 && log.rows.every((r) => r.action.startsWith("sync: GET ")));
});

test("rule B1: a signed webhook records the changed ids in the organisation's feed", async () => {
  const before = (await changes(0)).cursor;
  const body = JSON.stringify({
    events: [
      { resourceUrl: "https://api.xero.com/api.xro/2.0/Invoices/x", resourceId: "11111111-2222-4333-8444-555555555555",
        eventDateUtc: "2026-11-26T01:00:00.000", eventType: "UPDATE", eventCategory: "INVOICE", tenantId, tenantType: "ORGANISATION" },
      { resourceId: "66666666-2222-4333-8444-555555555555", eventDateUtc: "2026-11-26T01:00:01.000", eventType: "CREATE",
        eventCategory: "CREDITNOTE", tenantId, tenantType: "ORGANISATION" },
      { resourceId: "77777777-2222-4333-8444-555555555555", eventDateUtc: "2026-11-26T01:00:01.000", eventType: "UPDATE",
        eventCategory: "INVOICE", tenantId: "99999999-0000-4000-8000-000000000000", tenantType: "ORGANISATION" },
    ],
    firstEventSequence: 1, lastEventSequence: 3, entropy: "abc",
  });
  const sig = createHmac("sha256", WEBHOOK_KEY).update(body).digest("base64");
  const t0 = Date.now();
  const r = await fetch(`${env.base}/webhooks/xero`, { method: "POST", headers: { "x-xero-signature": sig }, body });
  assert.equal(r.status, 200);
  assert.equal(await r.text(), "");
  assert.ok(Date.now() - t0 < 5000, "answered within 5 s");
  const got = (await changes(before)).changes;
  assert.deepEqual(got.map((c) => [c.kind, c.xeroId, c.source]), [
    ["invoice", "11111111-2222-4333-8444-555555555555", "webhook"],
    ["creditNote", "66666666-2222-4333-8444-555555555555", "webhook"],
  ]);
  // A redelivery of the same events adds nothing.
  await fetch(`${env.base}/webhooks/xero`, { method: "POST", headers: { "x-xero-signature": sig }, body });
  assert.equal((await changes(before)).changes.length, 2);
  // Other organisations never see them.
  const other = await session(env, { org: "org-elsewhere" });
  assert.equal((await changes(0, other)).changes.length, 0);
  assert.equal((await fetch(`${env.base}/changes?after=-1`, { headers: auth(token) })).status, 400);
});

test("rule B1: a 1,000-event delivery is answered in one tenant look-up and recorded whole", async () => {
  const before = (await changes(0)).cursor;
  const id = (i) => `${String(i).padStart(8, "0")}-aaaa-4bbb-8ccc-dddddddddddd`;
  const events = Array.from({ length: 1000 }, (_, i) => ({
    resourceId: id(i), eventDateUtc: "2026-11-27T01:00:00.000", eventType: "UPDATE",
    eventCategory: i % 2 ? "CREDITNOTE" : "INVOICE", tenantId, tenantType: "ORGANISATION",
  }));
  const body = JSON.stringify({ events, firstEventSequence: 1, lastEventSequence: 1000, entropy: "big" });
  const sig = createHmac("sha256", WEBHOOK_KEY).update(body).digest("base64");
  const t0 = Date.now();
  const r = await fetch(`${env.base}/webhooks/xero`, { method: "POST", headers: { "x-xero-signature": sig }, body });
  const ms = Date.now() - t0;
  assert.equal(r.status, 200);
  assert.equal(await r.text(), "");
  // Xero allows 5 s; the figure is printed, not asserted (the machine may be busy).
  console.log(`# webhook: 1,000 events answered in ${ms} ms (Xero's limit 5000 ms)`);
  let seen = 0;
  for (let after = before; ;) {
    const page = await changes(after);
    seen += page.changes.length;
    if (!page.more) break;
    after = page.cursor;
  }
  assert.equal(seen, 1000);
});

test("rule C2: a disabled organisation is not synced by its alarm", async () => {
  const t = await session(env, { org: "org-off" });
  await connect(env, t, { tenants: [await newTenant(env, "Switched Off Ltd")] });
  // Time for several poll windows: the enabled organisation polls meanwhile, this one does not.
  const runs = await syncLogTotal(env, token);
  assert.ok(await eventually(async () => (await syncLogTotal(env, token)) >= runs + 6, 30_000), "alarms ran meanwhile");
  assert.equal((await changes(0, t)).changes.length, 0);
  assert.equal(await syncLogTotal(env, t), 0, "no background call for a disabled organisation");
  // Switched on, it is polled from its alarm; switched off again, it stops.
  await enable(env, t);
  // (Its new Xero organisation holds no invoices: the log shows the polls.)
  assert.ok(await eventually(async () => (await syncLogTotal(env, t)) >= 2, 30_000), "polled once enabled");
  await enable(env, t, { enabled: false });
  await new Promise((r) => setTimeout(r, 1500)); // an alarm already running may finish
  const stopped = await syncLogTotal(env, t);
  await new Promise((r) => setTimeout(r, 7000));
  assert.equal(await syncLogTotal(env, t), stopped, "no poll after switching off");
});

// Rule X2 counts calls exactly: its own Worker, whose alarms (the harness's long intervals) make no call meanwhile.
describe("rules X2 and C4 (no background polls meanwhile)", () => {
  let env;
  let token;
  before(async () => {
    env = await start();
    token = await session(env, { org: "org-limits" });
    await connect(env, token);
    await enable(env, token);
  });
  after(async () => env && (await env.stop()));

  test("rule X2: Xero's 429 and Retry-After reach the caller; the minute window is then honoured locally", async () => {
    await sim(env, "/limits", { perMinute: 2, clear: true });
    await sim(env, "/counters", undefined, "DELETE");
    const statuses = [];
    let limited;
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${env.base}/xero/Organisation`, { headers: auth(token) });
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal(limited.headers.get("x-rate-limit-problem"), "minute");
    const reached = (await sim(env, "/counters")).total;
    const again = await fetch(`${env.base}/xero/Organisation`, { headers: auth(token) });
    assert.equal(again.status, 429);
    assert.ok(Number(again.headers.get("retry-after")) >= 1);
    assert.equal((await again.json()).error.code, "rate_limited");
    assert.equal((await sim(env, "/counters")).total, reached, "held back without calling Xero");
    await sim(env, "/limits", { perMinute: 60, clear: true });
  });

  test("rule X2: a day-limit 429 parks the organisation until Retry-After", async () => {
    // A spends its own day's budget and learns it from X-DayLimit-Remaining; B's organisation has its budget spent by
    // another client of the app (a direct token at the simulator), so B learns of it from Xero's 429.
    const [, second, third] = (await sim(env, "/tenants")).map((t) => t.tenantId);
    const a = await session(env, { org: "org-day-a" });
    const b = await session(env, { org: "org-day-b" });
    for (const [t, tenant] of [[a, second], [b, third]]) {
      await connect(env, t, { tenants: [tenant] });
      await enable(env, t);
    }
    await sim(env, "/limits", { perDay: 1, starterPerDay: 1, clear: true });
    assert.equal((await fetch(`${env.base}/xero/Organisation`, { headers: auth(a) })).status, 200);
    // A read X-DayLimit-Remaining: 0 and holds itself back.
    const aHeld = await fetch(`${env.base}/xero/Organisation`, { headers: auth(a) });
    assert.equal(aHeld.status, 429);
    assert.equal(aHeld.headers.get("x-rate-limit-problem"), "day");
    const direct = (await sim(env, "/tokens", { tenants: [third] })).access_token;
    const spent = await fetch(`${env.sim}/api.xro/2.0/Organisation`, { headers: { authorization: `Bearer ${direct}`, "xero-tenant-id": third } });
    assert.equal(spent.status, 200, "the other client spent B's organisation's day");
    const limited = await fetch(`${env.base}/xero/Organisation`, { headers: auth(b) });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("x-rate-limit-problem"), "day");
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(retryAfter >= 1);
    await sim(env, "/counters", undefined, "DELETE");
    const parked = await fetch(`${env.base}/xero/Invoices`, { headers: auth(b) });
    assert.equal(parked.status, 429);
    assert.equal((await parked.json()).error.code, "rate_limited");
    assert.equal(parked.headers.get("x-rate-limit-problem"), "day");
    assert.ok(Number(parked.headers.get("retry-after")) <= retryAfter);
    assert.equal((await sim(env, "/counters")).total, 0, "a parked organisation does not call Xero");
    // The next day: Xero's rolling day moves on (the simulator's clock) and so does B's organisation's (the demo's
    // POST /dev/clock): the park is over and B's calls reach Xero again. The simulator's clock is then put back.
    const before = (await sim(env, "/clock")).now;
    await sim(env, "/clock", { advanceDays: 1 });
    const moved = await fetch(`${env.base}/dev/clock`, { method: "POST", headers: { ...auth(b), "content-type": "application/json" }, body: JSON.stringify({ advanceMs: 86_400_000 }) });
    assert.equal(moved.status, 200);
    assert.equal((await moved.json()).aheadMs, 86_400_000);
    const nextDay = await fetch(`${env.base}/xero/Organisation`, { headers: auth(b) });
    assert.equal(nextDay.status, 200, "the next day, the organisation calls Xero again");
    // One call to Xero's API (the day-old access token is refreshed first, which the counters count too).
    assert.equal((await sim(env, "/counters")).byEndpoint["GET /api.xro/2.0/Organisation"], 1);
    await sim(env, "/clock", { set: before });
    await sim(env, "/limits", { perDay: 5000, starterPerDay: 1000, clear: true });
  });

  test("rule C4: the Cron Trigger is only a safety net: it re-arms a lost alarm and calls Xero not at all", async () => {
    const mirror = async () => (await d1(env, "SELECT next_alarm_ms FROM sync_state WHERE org = 'org-limits'"))[0]?.next_alarm_ms;
    const armed = await mirror();
    assert.ok(armed > Date.now(), `the object mirrored its alarm (${armed})`);
    // The mirror says the alarm is lost: the next cron run asks the object, which still has it.
    await d1(env, "UPDATE sync_state SET next_alarm_ms = 0 WHERE org = 'org-limits'");
    await sim(env, "/counters", undefined, "DELETE");
    const r = await fetch(`${env.base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);
    assert.ok(r.status < 500, `cron: ${r.status}`);
    const restored = await eventually(async () => {
      const m = await mirror();
      return m > 0 && Math.abs(m - armed) < 5000;
    }, 20_000);
    assert.ok(restored, `the safety net restored the mirror from the object's alarm (${await mirror()} vs ${armed})`);
    assert.equal((await sim(env, "/counters")).total, 0, "no Xero call from the cron");
  });
});
