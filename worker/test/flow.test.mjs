// The vertical slice over HTTP: session → OAuth connect via the simulator → connection status → settings →
// relay (reads and a 50-invoice write) → xero_log with filters, paging and CSV. Rules C1-C3, C7, X1, L1, T1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  start, session, auth, connect, beginConnect, consent, enable, sim, eventually, parseCsv, ORIGIN, WEBHOOK_KEY,
} from "./harness.mjs";

let env;
let token;
let tenantId;

before(async () => {
  env = await start();
  token = await session(env, { org: "org-flow" });
});
after(async () => env && (await env.stop()));

async function get(path, t = token) {
  const r = await fetch(`${env.base}${path}`, { headers: auth(t) });
  return { status: r.status, body: await r.json() };
}

test("rule C3: not connected before the flow", async () => {
  const r = await get("/connection");
  assert.equal(r.status, 200);
  assert.equal(r.body.status, "not_connected");
});

test("rule C2: the relay refuses while the integration is disabled", async () => {
  const r = await get("/xero/Organisation");
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, "integration_disabled");
});

test("rule C3/C7: connect with one organisation, status, tenants", async () => {
  const tenants = await sim(env, "/tenants");
  tenantId = tenants[0].tenantId;
  const { callbackBody } = await connect(env, token, { tenants: [tenantId] });
  assert.equal(callbackBody.xero, "connected");
  const s = await get("/connection");
  assert.equal(s.body.status, "connected");
  assert.equal(s.body.tenantId, tenantId);
  assert.equal(s.body.tenantName, tenants[0].name);
  assert.equal(s.body.connectedBy, "u-ann");
  const t = await get("/connections");
  assert.equal(t.body.chosen, tenantId);
  assert.equal(t.body.tenants.length, 1);
});

test("rule C3/C7: connect redirects back to the CRM page; several organisations must be picked, never defaulted", async () => {
  const other = await session(env, { org: "org-return", sub: "u-ret" });
  const tenants = await sim(env, "/tenants");
  const { location, cookie } = await beginConnect(env, other, `${ORIGIN}/settings/xero`);
  const cb = await consent(location, [tenants[1].tenantId, tenants[2].tenantId]);
  const r = await fetch(cb, { headers: { cookie }, redirect: "manual" });
  assert.equal(r.status, 302);
  // The consent granted two organisations: the admin picks one.
  assert.equal(r.headers.get("location"), `${ORIGIN}/settings/xero?xero=pick`);
  const status = await get("/connection", other);
  assert.equal(status.body.status, "pick_required");
  assert.equal(status.body.tenantId, undefined);
  const list = await get("/connections", other);
  assert.equal(list.body.tenants.length, 2);
  assert.equal(list.body.chosen, null);
  await enable(env, other);
  const refused = await get("/xero/Organisation", other);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, "tenant_not_chosen");
  const pick = (tenantId) => fetch(`${env.base}/connections/select`, {
    method: "POST", headers: auth(other, { "content-type": "application/json" }), body: JSON.stringify({ tenantId }),
  });
  assert.equal((await pick("00000000-0000-0000-0000-000000000000")).status, 400);
  const ok = await pick(tenants[1].tenantId);
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).tenantId, tenants[1].tenantId);
  const org = await get("/xero/Organisation", other);
  assert.equal(org.status, 200);
  assert.equal(org.body.Organisations[0].Name, tenants[1].name);
  const bad = await fetch(`${env.base}/oauth/ticket`, {
    method: "POST", headers: auth(other, { "content-type": "application/json" }), body: JSON.stringify({ return: "https://evil.test/x" }),
  });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /return/);
});

test("rule T1: settings round trip, tax rates read through the relay", async () => {
  await enable(env, token, { taxMapping: { vat20: "OUTPUT2" } });
  const s = await get("/settings");
  assert.equal(s.body.enabled, true);
  assert.equal(s.body.taxMapping.vat20, "OUTPUT2");
  const bad = await fetch(`${env.base}/settings`, {
    method: "PUT",
    headers: auth(token, { "content-type": "application/json" }),
    body: JSON.stringify({ enabled: true, taxMapping: { X: "bad type" }, discountStrategy: "hold", autoSend: false }),
  });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /settings\.taxMapping\.X/);
  const rates = await get("/xero/TaxRates");
  assert.equal(rates.status, 200);
  assert.ok(rates.body.TaxRates.some((r) => r.TaxType === "OUTPUT2"));
  // Rule C2: switching off refuses at once; switching on again restores.
  await enable(env, token, { enabled: false, taxMapping: { vat20: "OUTPUT2" } });
  const off = await get("/xero/TaxRates");
  assert.equal(off.status, 403);
  assert.equal(off.body.error.code, "integration_disabled");
  await enable(env, token, { taxMapping: { vat20: "OUTPUT2" } });
  assert.equal((await get("/xero/TaxRates")).status, 200);
  // Shared by every user of the organisation.
  const colleague = await session(env, { org: "org-flow", sub: "u-bob", role: "admin" });
  assert.equal((await get("/settings", colleague)).body.taxMapping.vat20, "OUTPUT2");
  // Rule S6: the contract's spelling round-trips as it is; the proxy's former spelling is refused, naming the field.
  await enable(env, token, { taxMapping: { vat20: "OUTPUT2" }, discountStrategy: "rate", defaultSalesAccountCode: "200" });
  const rate = (await get("/settings")).body;
  assert.equal(rate.discountStrategy, "rate");
  assert.equal(rate.defaultSalesAccountCode, "200");
  const old = await fetch(`${env.base}/settings`, {
    method: "PUT",
    headers: auth(token, { "content-type": "application/json" }),
    body: JSON.stringify({ enabled: true, taxMapping: {}, discountStrategy: "holdBack", autoSend: false }),
  });
  assert.equal(old.status, 400);
  assert.match((await old.json()).error.message, /settings\.discountStrategy/);
});

test("rule X1/L1: a 50-invoice PUT is relayed with the tenant, and every record is logged", async () => {
  const contacts = (await get("/xero/Contacts")).body.Contacts;
  const contactId = contacts[0].ContactID;
  const invoices = Array.from({ length: 50 }, (_, i) => ({
    Type: "ACCREC",
    Contact: { ContactID: contactId },
    InvoiceNumber: `CRM-FLOW-${i + 1}`,
    Status: "DRAFT",
    LineAmountTypes: "Exclusive",
    LineItems: [{ Description: `Line ${i}`, Quantity: 1, UnitAmount: 10 + i, AccountCode: "200", TaxType: "OUTPUT2" }],
  }));
  invoices[7].LineItems = [{ Description: "", Quantity: 1, UnitAmount: 5, AccountCode: "200" }];
  const r = await fetch(`${env.base}/xero/Invoices?summarizeErrors=false`, {
    method: "PUT",
    headers: auth(token, { "content-type": "application/json", "idempotency-key": "flow-put-1", "x-xerosync-action": "send" }),
    body: JSON.stringify({ Invoices: invoices }),
  });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body).slice(0, 300));
  assert.equal(body.Invoices.length, 50);
  const dump = await sim(env, `/tenants/${tenantId}/dump`);
  assert.ok(dump.Invoices.some((i) => i.InvoiceNumber === "CRM-FLOW-1"), "written to the chosen tenant");
  // The log: one call row and one row per record.
  const log = await eventually(async () => {
    const l = await get("/log?action=" + encodeURIComponent("send: PUT Invoices") + "&pageSize=100");
    return l.body.rows.length >= 51 ? l : null;
  });
  assert.ok(log, "log rows arrive");
  assert.equal(log.body.rows.length, 51);
  assert.equal(log.body.nextBefore, null, "one page holds them all");
  const rec = log.body.rows.find((x) => x.crmRef === "CRM-FLOW-1");
  assert.equal(rec.outcome, "ok");
  assert.equal(rec.recordKind, "invoice");
  assert.equal(rec.userId, "u-ann");
  assert.equal(rec.userName, "Ann Finance");
  assert.match(rec.xeroId, /^[0-9a-f-]{36}$/);
  const failed = log.body.rows.find((x) => x.crmRef === "CRM-FLOW-8");
  if (body.Invoices[7].StatusAttributeString === "ERROR") {
    assert.equal(failed.outcome, "error");
    assert.ok(failed.message.length > 0);
  }
  // Filters and paging.
  const errorsOnly = await get("/log?outcome=error");
  assert.ok(errorsOnly.body.rows.every((x) => x.outcome === "error"));
  const p1 = await get("/log?pageSize=10");
  const p2 = await get(`/log?pageSize=10&before=${p1.body.nextBefore}`);
  assert.equal(p1.body.rows.length, 10);
  assert.equal(p1.body.nextBefore, p1.body.rows.at(-1).id);
  assert.ok(p1.body.rows[9].id > p2.body.rows[0].id, "newest first, the next page older");
  const byRef = await get("/log?ref=CRM-FLOW-2");
  assert.equal(byRef.body.rows.length, 1);
  assert.equal(byRef.body.nextBefore, null);
  // The page's "Action contains": any case, a substring.
  const contains = await get("/log?actionContains=PUT%20invoices&pageSize=100");
  assert.equal(contains.body.rows.length, 51);
  // CSV: the proxy's own, every cell quoted, a BOM for Excel, a download.
  const csv = await fetch(`${env.base}/log?format=csv&ref=CRM-FLOW-2`, { headers: auth(token) });
  assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.match(csv.headers.get("content-disposition"), /^attachment; filename="xero-log-\d{4}-\d{2}-\d{2}\.csv"$/);
  const text = Buffer.from(await csv.arrayBuffer()).toString("utf8");
  assert.ok(text.startsWith("\uFEFF"), "UTF-8 BOM");
  const lines = text.slice(1).trim().split("\r\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^"Time","User id","User name","Action"/);
  assert.match(lines[1], /"CRM-FLOW-2"/);
  assert.equal((await get("/log?pageSize=0")).status, 400);
  assert.equal((await get("/log?pageSize=501")).status, 400);
  assert.equal((await get("/log?before=0")).status, 400);
  // Offset paging is gone: asking for it is an error, not a silent first page.
  assert.equal((await get("/log?page=2")).body.error.code, "invalid_request");
});

/** Every row of `/log?<query>` by following nextBefore, checking each page's shape on the way. */
async function allPages(query, pageSize, t = token) {
  const ids = [];
  let before = null;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 10_000, "paging ends");
    const r = await get(`/log?${query}&pageSize=${pageSize}${before === null ? "" : `&before=${before}`}`, t);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.rows.length <= pageSize);
    ids.push(...r.body.rows.map((x) => x.id));
    if (r.body.nextBefore === null) return { ids, pages: pages + 1 };
    assert.equal(r.body.rows.length, pageSize, "only the last page is short");
    assert.equal(r.body.nextBefore, r.body.rows.at(-1).id);
    before = r.body.nextBefore;
  }
}

test("rule L1: /log pages by key: no row twice, none missed, newest first, nextBefore null at the end", async () => {
  const action = encodeURIComponent("send: PUT Invoices");
  const whole = (await get(`/log?action=${action}&pageSize=500`)).body.rows.map((x) => x.id);
  assert.equal(whole.length, 51);
  const { ids, pages } = await allPages(`action=${action}`, 7);
  assert.equal(pages, 8, "51 rows in pages of 7");
  assert.deepEqual(ids, whole, "the same rows, in the same order");
  assert.equal(new Set(ids).size, ids.length, "no row twice");
  assert.ok(ids.every((id, i) => i === 0 || ids[i - 1] > id), "newest first");
  // Rows written while someone pages do not shift the next page (as an offset would): they are newer than its key.
  const snapshot = (await get("/log?pageSize=40")).body.rows.map((x) => x.id);
  const first = await get("/log?pageSize=20");
  await get("/xero/Organisation");
  assert.ok(await eventually(async () => (await get("/log?pageSize=1")).body.rows[0].id > snapshot[0]), "a newer row");
  const second = await get(`/log?pageSize=20&before=${first.body.nextBefore}`);
  assert.deepEqual(second.body.rows.map((x) => x.id), snapshot.slice(20, 40));
  // Across the whole log, unfiltered: the same walk in pages of 9 and 500.
  const small = await allPages("", 9);
  const big = await allPages("", 500);
  assert.deepEqual(small.ids, big.ids);
  assert.ok(small.pages > 1);
});

test("rule X1: reads pass filters and paging; the answer carries Xero's limit headers", async () => {
  const r = await fetch(`${env.base}/xero/Invoices?Statuses=DRAFT&page=1&pageSize=10`, { headers: auth(token) });
  assert.equal(r.status, 200);
  const b = await r.json();
  assert.ok(b.Invoices.length <= 10);
  assert.ok(b.Invoices.every((i) => i.Status === "DRAFT"));
  assert.ok(r.headers.get("x-daylimit-remaining"), "limit headers passed through");
});

test("rule S8: credit notes are looked up by number through the relay; other where filters are refused", async () => {
  const contactId = (await get("/xero/Contacts")).body.Contacts[0].ContactID;
  const numbers = ["CRM-CN-S8-1", "CRM-CN-S8-2"];
  const put = await fetch(`${env.base}/xero/CreditNotes?summarizeErrors=false`, {
    method: "PUT",
    headers: auth(token, { "content-type": "application/json", "idempotency-key": "flow-cn-s8" }),
    body: JSON.stringify({
      CreditNotes: numbers.map((n) => ({
        Type: "ACCRECCREDIT", Contact: { ContactID: contactId }, CreditNoteNumber: n, Status: "DRAFT",
        LineAmountTypes: "Exclusive",
        LineItems: [{ Description: "Refund", Quantity: 1, UnitAmount: 5, AccountCode: "200", TaxType: "OUTPUT2" }],
      })),
    }),
  });
  assert.equal(put.status, 200, (await put.text()).slice(0, 300));
  // The filter exactly as the core's lookup_request builds it, encoded as the browser's URLSearchParams does.
  const where = numbers.map((n) => `CreditNoteNumber=="${n}"`).join(" OR ");
  const r = await fetch(`${env.base}/xero/CreditNotes?${new URLSearchParams({ where, unitdp: "4" })}`, { headers: auth(token) });
  assert.equal(r.status, 200);
  const found = (await r.json()).CreditNotes.map((c) => c.CreditNoteNumber);
  // The filter reaches the simulator intact and narrows the list to exactly the numbers asked for.
  assert.deepEqual([...found].sort(), [...numbers].sort());
  for (const bad of [
    `CreditNoteNumber=="CRM-CN-S8-1" OR Total>0`,
    `CreditNoteNumber=="CRM-CN-S8-1" || CreditNoteNumber=="x"`,
    `CreditNoteNumber.Contains("CRM")`,
    `(CreditNoteNumber=="CRM-CN-S8-1")`,
    `CreditNoteNumber=="CRM\\"-1"`,
  ]) {
    const refused = await fetch(`${env.base}/xero/CreditNotes?${new URLSearchParams({ where: bad })}`, { headers: auth(token) });
    assert.equal(refused.status, 400, bad);
    assert.equal((await refused.json()).error.code, "relay_refused", bad);
  }
  const onInvoices = await fetch(`${env.base}/xero/Invoices?${new URLSearchParams({ where })}`, { headers: auth(token) });
  assert.equal(onInvoices.status, 400);
});

test("rule C1: the log and the connection are per CRM organisation", async () => {
  const stranger = await session(env, { org: "org-other", sub: "u-x" });
  assert.deepEqual((await get("/log", stranger)).body.rows, []);
  assert.equal((await get("/connection", stranger)).body.status, "not_connected");
});

test("rule C3: disconnect revokes and forgets", async () => {
  const other = await session(env, { org: "org-return", sub: "u-ret" });
  const r = await fetch(`${env.base}/connection/disconnect`, { method: "POST", headers: auth(other) });
  const b = await r.json();
  assert.equal(r.status, 200);
  assert.equal(b.status, "not_connected");
  assert.equal(b.revoked, true);
  assert.equal((await get("/connection", other)).body.status, "not_connected");
});

test("rule L1: the CSV holds every matching row, read in pages of 1,000 (more than one page here)", async () => {
  const contactId = (await get("/xero/Contacts")).body.Contacts[0].ContactID;
  // 20 writes of 50 invoices: 1,020 log rows of one action (a call row and 50 record rows each).
  for (let n = 0; n < 20; n++) {
    const invoices = Array.from({ length: 50 }, (_, i) => ({
      Type: "ACCREC", Contact: { ContactID: contactId }, InvoiceNumber: `CRM-CSV-${n}-${i}`, Status: "DRAFT",
      LineItems: [{ Description: "x", Quantity: 1, UnitAmount: 1, AccountCode: "200" }],
    }));
    const r = await fetch(`${env.base}/xero/Invoices?summarizeErrors=false`, {
      method: "PUT",
      headers: auth(token, { "content-type": "application/json", "idempotency-key": `flow-csv-${n}`, "x-xerosync-action": "bulk" }),
      body: JSON.stringify({ Invoices: invoices }),
    });
    assert.equal(r.status, 200, (await r.text()).slice(0, 300));
  }
  const action = encodeURIComponent("bulk: PUT Invoices");
  const logged = await eventually(async () => {
    const { ids } = await allPages(`action=${action}`, 500);
    return ids.length >= 1020 ? ids : null;
  }, 15_000);
  assert.equal(logged?.length, 1020);
  const csv = await fetch(`${env.base}/log?format=csv&action=${action}`, { headers: auth(token) });
  assert.equal(csv.status, 200);
  const rows = parseCsv(await csv.text());
  assert.equal(rows.length, 1 + 1020, "header and every row, none twice");
  const refs = rows.slice(1).map((r) => r[5]).filter(Boolean);
  assert.equal(new Set(refs).size, 1000, "each record once");
  assert.ok(rows.slice(1).every((r) => r.length === 10 && r[3] === "bulk: PUT Invoices"));
});

const cron = (e) => fetch(`${e.base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);

test("rule L1/B1: retention: the cron deletes log rows and feed entries older than the configured days", async () => {
  // The defaults (400 and 30 days) keep today's rows.
  const action = encodeURIComponent("send: PUT Invoices");
  assert.equal((await cron(env)).status < 500, true);
  assert.equal((await get(`/log?action=${action}&pageSize=100`)).body.rows.length, 51);
  // With 0 days, everything written before a cron run goes in that run.
  const short = await start({ vars: { LOG_RETENTION_DAYS: "0", FEED_RETENTION_DAYS: "0" } });
  try {
    const t = await session(short, { org: "org-retention" });
    const { tenants: [tenantId] } = await connect(short, t);
    await enable(short, t);
    const call = async (path) => (await fetch(`${short.base}${path}`, { headers: auth(t) })).json();
    await call("/xero/Organisation");
    const body = JSON.stringify({
      events: [{ resourceId: "11111111-2222-4333-8444-555555555555", eventDateUtc: "2026-11-26T01:00:00.000", eventType: "UPDATE",
        eventCategory: "INVOICE", tenantId, tenantType: "ORGANISATION" }],
      firstEventSequence: 1, lastEventSequence: 1, entropy: "ret",
    });
    const sig = createHmac("sha256", WEBHOOK_KEY).update(body).digest("base64");
    assert.equal((await fetch(`${short.base}/webhooks/xero`, { method: "POST", headers: { "x-xero-signature": sig }, body })).status, 200);
    const logged = await eventually(async () => {
      const rows = (await call("/log?pageSize=500")).rows;
      return rows.some((r) => r.action === "GET Organisation") ? rows : null;
    });
    assert.ok(logged, "log rows written");
    const newestLogged = logged[0].id;
    const feed = await call("/changes?after=0");
    assert.ok(feed.changes.length >= 1, "feed entries written");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await cron(short)).status < 500, true);
    const left = (await call("/log?pageSize=500")).rows;
    assert.deepEqual(left.filter((r) => r.id <= newestLogged), [], "old log rows deleted");
    const leftFeed = (await call("/changes?after=0")).changes;
    assert.deepEqual(leftFeed.filter((c) => c.seq <= feed.cursor), [], "old feed entries deleted");
  } finally {
    await short.stop();
  }
});
