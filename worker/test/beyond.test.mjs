// Rules M1, K1, K2, O1, O2, RC1 over HTTP: the relay's new reads and the two actions on one invoice, through the
// Worker to the simulator; O2's email is logged by the session's user, Xero's daily email limit reaches the caller
// as Xero's own 400, and a sales user may do none of it (rule C1).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, session, auth, connect, enable, sim, eventually } from "./harness.mjs";

let env;
let token;
let tenantId;

before(async () => {
  env = await start();
  token = await session(env, { org: "org-beyond", sub: "u-fay", name: "Fay Finance" });
  ({ tenants: [tenantId] } = await connect(env, token));
  await enable(env, token);
});
after(async () => env && (await env.stop()));

async function xero(path, { method = "GET", body, headers = {}, t = token } = {}) {
  const r = await fetch(`${env.base}/xero${path}`, {
    method,
    headers: auth(t, body === undefined ? headers : { "content-type": "application/json", ...headers }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {}
  return { status: r.status, body: json, text };
}

/** An approved sales invoice on a demo contact with an email address; its InvoiceID. */
async function approvedInvoice(number) {
  const contacts = (await xero("/Contacts")).body.Contacts;
  const contact = contacts.find((c) => c.EmailAddress);
  assert.ok(contact, "the demo organisation has a contact with an email address");
  const r = await xero("/Invoices?summarizeErrors=false", {
    method: "PUT",
    headers: { "idempotency-key": `beyond-${number}` },
    body: { Invoices: [{ Type: "ACCREC", InvoiceNumber: number, Status: "AUTHORISED", Date: "2026-11-10", DueDate: "2026-12-10",
      Contact: { ContactID: contact.ContactID }, CurrencyCode: "EUR", LineAmountTypes: "Exclusive",
      LineItems: [{ Description: "Work", Quantity: 1, UnitAmount: 100, AccountCode: "200", TaxType: "OUTPUT2" }] }] },
  });
  assert.equal(r.status, 200, r.text);
  return r.body.Invoices[0].InvoiceID;
}

test("rules M1, K1, K2: currencies, tracking categories and branding themes are relayed, read-only", async () => {
  const currencies = await xero("/Currencies");
  assert.equal(currencies.status, 200, currencies.text);
  const codes = currencies.body.Currencies.map((c) => c.Code);
  for (const code of ["GBP", "EUR", "USD"]) assert.ok(codes.includes(code), codes.join());
  assert.equal((await xero("/TrackingCategories")).status, 200);
  const themes = await xero("/BrandingThemes");
  assert.equal(themes.status, 200);
  assert.ok(themes.body.BrandingThemes.length >= 1);
  const write = await xero("/Currencies", { method: "PUT", body: { Currencies: [{ Code: "JPY" }] } });
  assert.equal(write.status, 400);
  assert.equal(write.body.error.code, "relay_refused");
});

test("rules O1, O2: the online invoice link and Email from Xero, logged by the session's user", async () => {
  const id = await approvedInvoice("BEY-1");
  const online = await xero(`/Invoices/${id}/OnlineInvoice`);
  assert.equal(online.status, 200, online.text);
  assert.match(online.body.OnlineInvoices[0].OnlineInvoiceUrl, /^https?:\/\/.+\/online\//);
  const email = await xero(`/Invoices/${id}/Email`, { method: "POST", body: {} });
  assert.equal(email.status, 204, email.text);
  const dump = await sim(env, `/tenants/${tenantId}/dump`);
  assert.equal(dump.Emails.filter((e) => e.InvoiceID === id).length, 1, "the simulator recorded exactly one email");
  const row = await eventually(async () => {
    const rows = (await (await fetch(`${env.base}/log?pageSize=50`, { headers: auth(token) })).json()).rows;
    return rows.find((r) => r.action === "POST Invoices Email");
  });
  assert.ok(row, "the email has its log row");
  assert.equal(row.xeroId, id);
  assert.equal(row.userId, "u-fay");
  assert.equal(row.outcome, "ok");
});

test("rule O2: Xero's daily email limit reaches the caller as Xero's 400, logged as an error", async () => {
  const id = await approvedInvoice("BEY-2");
  await sim(env, "/limits", { emailsPerDay: 1 });
  try {
    const refused = await xero(`/Invoices/${id}/Email`, { method: "POST", body: {} });
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.text, /daily limit/);
    const logged = await eventually(async () => {
      const rows = (await (await fetch(`${env.base}/log?pageSize=50&outcome=error`, { headers: auth(token) })).json()).rows;
      return rows.find((r) => r.action === "POST Invoices Email" && r.xeroId === id);
    });
    assert.ok(logged, "the refused email has its error row");
    assert.equal(logged.httpStatus, 400);
  } finally {
    await sim(env, "/limits", { emailsPerDay: 1000 });
  }
});

test("rules O1, O2, C1: a sales session may not email or read links; other actions on an invoice are not relayed", async () => {
  const id = await approvedInvoice("BEY-3");
  const sales = await session(env, { org: "org-beyond", sub: "u-sam", role: "sales" });
  assert.equal((await xero(`/Invoices/${id}/Email`, { method: "POST", body: {}, t: sales })).status, 403);
  assert.equal((await xero(`/Invoices/${id}/OnlineInvoice`, { t: sales })).status, 403);
  for (const [method, path] of [["GET", `/Invoices/${id}/History`], ["GET", `/Invoices/${id}/Email`], ["POST", `/Invoices/${id}/OnlineInvoice`]]) {
    const r = await xero(path, { method, body: method === "POST" ? {} : undefined });
    assert.equal(r.status, 400, `${method} ${path}`);
    assert.equal(r.body.error.code, "relay_refused");
  }
});

test("rule RC1: a period's documents are read with the where on Date, paged", async () => {
  await approvedInvoice("BEY-4");
  const where = encodeURIComponent("Date >= DateTime(2026, 11, 01) && Date <= DateTime(2026, 11, 30)");
  const r = await xero(`/Invoices?page=1&pageSize=1000&where=${where}`);
  assert.equal(r.status, 200, r.text);
  const numbers = r.body.Invoices.map((i) => i.InvoiceNumber);
  assert.ok(numbers.includes("BEY-4"), numbers.join());
  const bad = await xero(`/Invoices?where=${encodeURIComponent("Total > 0")}`);
  assert.equal(bad.status, 400);
});
