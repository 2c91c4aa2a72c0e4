// Rule L1a over HTTP: POST /log/refusals stores what a send refused before any call as xero_log rows with outcome
// `refused`, attributed to the session's user; a bad report is refused whole, naming the entry and field; rule C1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, session, auth } from "./harness.mjs";

let env;
let token;

before(async () => {
  env = await start();
  token = await session(env, { org: "org-refusals", sub: "u-rita", name: "Rita Finance" });
});
after(async () => env && (await env.stop()));

function report(body, t = token) {
  return fetch(`${env.base}/log/refusals`, {
    method: "POST",
    headers: auth(t, { "content-type": "application/json" }),
    body: typeof body === "string" ? body : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}

async function refusedRows(t = token, extra = "") {
  const r = await fetch(`${env.base}/log?outcome=refused&pageSize=500${extra}`, { headers: auth(t) });
  assert.equal(r.status, 200);
  return (await r.json()).rows;
}

const entry = (i) => ({
  recordKind: i % 10 === 0 ? "product" : "invoice",
  crmId: i % 10 === 0 ? `pr-${i}` : `inv-${i}`,
  message: `invoice inv-${i}: lines[0].taxRateId: tax rate vat5 (VAT 5%) is not mapped to a Xero tax type (rule T1)`,
});

test("rule L1a: a report is stored one row per entry, outcome refused, the session's user, no Xero id", async () => {
  // 40 entries: more than one multi-row insert statement (31 rows each).
  const refusals = Array.from({ length: 40 }, (_, i) => entry(i));
  refusals[1].outcome = "refused";
  const r = await report({ action: "auto send", refusals });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { stored: 40 });
  const rows = await refusedRows();
  assert.equal(rows.length, 40);
  for (const row of rows) {
    assert.equal(row.outcome, "refused");
    assert.equal(row.userId, "u-rita");
    assert.equal(row.userName, "Rita Finance");
    assert.equal(row.action, "auto send");
    assert.equal(row.xeroId, "");
    assert.equal(row.httpStatus, 0);
  }
  const byRef = Object.fromEntries(rows.map((x) => [x.crmRef, x]));
  assert.equal(byRef["inv-7"].recordKind, "invoice");
  assert.equal(byRef["inv-7"].message, entry(7).message);
  assert.equal(byRef["pr-30"].recordKind, "product");
  // The log's other filters see the rows too.
  assert.equal((await refusedRows(token, "&kind=product")).length, 4);
  assert.equal((await refusedRows(token, "&user=u-rita&ref=inv-39")).length, 1);
  // Another organisation's log does not.
  const stranger = await session(env, { org: "org-elsewhere", sub: "u-x" });
  assert.deepEqual(await refusedRows(stranger), []);
});

test("rule U6: a person's choice on a discrepancy is logged as resolved, by the session's user; a refusal outcome is refused for it", async () => {
  const line = { recordKind: "invoice", crmId: "inv-77", message: "dismissed (rule U6): total: Xero has 130.00, the CRM has 120.00" };
  const r = await report({ action: "resolve discrepancy", refusals: [{ ...line, outcome: "resolved" }] });
  assert.deepEqual(r, { status: 200, body: { stored: 1 } });
  const rows = await (await fetch(`${env.base}/log?outcome=resolved`, { headers: auth(token) })).json();
  assert.deepEqual(
    rows.rows.map((x) => [x.action, x.crmRef, x.userId, x.message]),
    [["resolve discrepancy", "inv-77", "u-rita", line.message]],
  );
  const mixed = await report({ action: "resolve discrepancy", refusals: [{ ...line, outcome: "refused" }] });
  assert.equal(mixed.status, 400);
  assert.match(mixed.body.error.message, /refusals\[0\]\.outcome/);
});

test("rule L1a: a malformed report is 400 naming the entry and field, and nothing of it is stored", async () => {
  const org = await session(env, { org: "org-refusals-bad", sub: "u-bad" });
  const refusals = [entry(1), entry(2), { ...entry(3), crmId: undefined }, entry(4)];
  const cases = [
    [{ action: "send", refusals }, "refusals[2].crmId"],
    [{ action: "send", refusals: [entry(1), { ...entry(2), outcome: "ok" }] }, "refusals[1].outcome"],
    [{ action: "send", refusals: [entry(1), { ...entry(2), recordKind: "settings" }] }, "refusals[1].recordKind"],
    [{ action: "send", refusals: [{ ...entry(1), xeroId: "abc" }] }, "refusals[0].xeroId"],
    [{ action: "send", refusals: [{ ...entry(1), message: "x".repeat(1001) }] }, "refusals[0].message"],
    // The user is the session's: a body naming one is refused.
    [{ action: "send", refusals: [entry(1)], userId: "u-someone-else" }, "body"],
    [{ action: "PUT Invoices", refusals: [entry(1)] }, "action"],
    [{ action: "send", refusals: Array.from({ length: 501 }, (_, i) => entry(i)) }, "refusals"],
  ];
  for (const [body, field] of cases) {
    const r = await report(body, org);
    assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "invalid_request");
    assert.ok(r.body.error.message.includes(`${field}:`), `${field}: ${r.body.error.message}`);
    assert.ok(!r.body.error.message.includes("u-someone-else"), "never quotes what was sent");
  }
  const notJson = await report("{", org);
  assert.equal(notJson.status, 400);
  assert.deepEqual(await refusedRows(org), [], "nothing stored");
});

test("rule L1a: the body is capped before it is read", async () => {
  const big = JSON.stringify({ action: "send", refusals: [{ ...entry(1), message: "x".repeat(300 * 1024) }] });
  const r = await report(big);
  assert.equal(r.status, 413);
  assert.equal(r.body.error.code, "payload_too_large");
});

test("rule C1: a sales session may not report refusals", async () => {
  const sales = await session(env, { org: "org-refusals", sub: "u-sam", role: "sales" });
  const r = await report({ action: "send", refusals: [entry(1)] }, sales);
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, "forbidden_role");
  assert.ok((await refusedRows()).every((row) => row.userId !== "u-sam"));
});
