// The page's own modules, run in Node (no browser): the demo data generator, the CRM's totals, money formatting,
// the static server (its package resolution and the demo back end's session route), the Xero link and its session,
// and that the page reaches the proxy only through the package.

import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "@playwright/test";
import * as xerosync from "xerosync";
import { crmTotals } from "../../www/src/crm-totals.js";
import { DEMO_TAX_RATES, generateDemoData, STATUSES } from "../../www/src/demo-data.js";
import { formatByCurrency, formatMoney, fixed, round, dec, sumByCurrency } from "../../www/src/money.js";
import { browserEntry, DEMO_ORG, startStaticServer } from "../../www/serve.js";
import { crmSession, openClient, proxySettings, STATUS, XeroLink } from "../../www/src/xero.js";
import { applyFeedResult } from "../../www/src/sync.js";
import { feedAnnouncement } from "../../www/src/messages.js";
import { request as httpRequest } from "node:http";

const MONEY = /^\d+\.\d{2}$/;
const SRC = fileURLToPath(new URL("../../www/src/", import.meta.url));

test.describe("demo data", () => {
  const data = generateDemoData();

  test("is deterministic per seed, and a different seed gives different data", () => {
    expect(JSON.stringify(generateDemoData())).toBe(JSON.stringify(data));
    expect(JSON.stringify(generateDemoData({ seed: 7 }))).not.toBe(JSON.stringify(data));
  });

  test("has the sizes of the brief: 40 companies, 25 products, 3 tax rates, 500 invoices, credit notes in every status; and rule M1's customers abroad", () => {
    const uk = data.invoices.filter((i) => i.currency === "GBP");
    expect(data.companies.filter((c) => !c.currency)).toHaveLength(40);
    expect(data.products).toHaveLength(25);
    expect(data.taxRates).toHaveLength(3);
    expect(uk.filter((i) => i.kind === "invoice")).toHaveLength(500);
    // Rule M1: two customers invoiced in EUR and one in USD, eight invoices each, some open and some paid.
    const abroad = data.companies.filter((c) => c.currency);
    expect(abroad.map((c) => c.currency)).toEqual(["EUR", "EUR", "USD"]);
    for (const company of abroad) {
      const theirs = data.invoices.filter((i) => i.companyId === company.id);
      expect(theirs).toHaveLength(8);
      expect(theirs.every((i) => i.currency === company.currency)).toBe(true);
      expect(theirs.some((i) => i.status === "Created") && theirs.some((i) => i.status === "Paid")).toBe(true);
    }
    expect(data.invoices.filter((i) => i.currencyRate)).toHaveLength(1);
    for (const status of STATUSES) {
      expect(data.invoices.some((i) => i.kind === "invoice" && i.status === status), `invoice ${status}`).toBe(true);
      expect(data.invoices.some((i) => i.kind === "creditNote" && i.status === status), `credit note ${status}`).toBe(true);
    }
    expect(new Set(data.invoices.map((i) => i.id)).size).toBe(data.invoices.length);
    expect(new Set(data.invoices.map((i) => i.number)).size).toBe(data.invoices.length);
    expect(new Set(data.products.map((p) => p.code)).size).toBe(25);
  });

  test("rule K1: every line carries the CRM's tracking fields, Region by company and Department by product", () => {
    const values = { Region: new Set(), Department: new Set() };
    for (const invoice of data.invoices) {
      const regions = new Set(invoice.lines.map((line) => line.tracking?.Region));
      expect(regions.size, `${invoice.id}: one region per invoice (the company's)`).toBe(1);
      for (const line of invoice.lines) for (const field of Object.keys(values)) values[field].add(line.tracking[field]);
    }
    expect([...values.Region].sort()).toEqual(["East Anglia", "North", "South"]);
    expect([...values.Department].sort()).toEqual(["Sales", "Support"]);
  });

  test("records are in the contract's shapes, penny-exact and consistent with their status", () => {
    // Problems are collected and asserted once: 512 records × a dozen expect() calls would be slow for nothing.
    const problems = [];
    const check = (ok, what) => ok || problems.push(what);
    const companyIds = new Set(data.companies.map((c) => c.id));
    for (const company of data.companies) {
      check(company.people.filter((p) => p.primary).length === 1, `${company.id}: one primary person`);
      for (const person of company.people) check(/^[a-z.]+@[a-z0-9-]+\.example$/.test(person.email), `${person.id}: email ${person.email}`);
    }
    for (const product of data.products) {
      check(product.code.length <= 30 && product.name.length <= 50, `${product.id}: code/name length`);
      check(MONEY.test(product.unitPrice), `${product.id}: unitPrice ${product.unitPrice}`);
    }
    for (const invoice of data.invoices) {
      const id = invoice.id;
      check(companyIds.has(invoice.companyId), `${id}: company ${invoice.companyId}`);
      check(MONEY.test(invoice.total) && MONEY.test(invoice.amountOutstanding), `${id}: amounts ${invoice.total} ${invoice.amountOutstanding}`);
      check(invoice.total === crmTotals(invoice, data.taxRates).total, `${id}: total is not the CRM's computation`);
      const total = dec(invoice.total).units;
      const outstanding = dec(invoice.amountOutstanding).units;
      if (invoice.status === "Paid") check(outstanding === 0n, `${id}: Paid with ${invoice.amountOutstanding} outstanding`);
      else if (invoice.status === "Part Paid") check(outstanding > 0n && outstanding < total, `${id}: Part Paid outstanding`);
      else check(outstanding === total, `${id}: ${invoice.status} with outstanding ≠ total`);
      check(invoice.sentToAccounts === false && invoice.xeroId === null, `${id}: already sent`);
      check(invoice.dueDate >= invoice.issueDate, `${id}: due before issued`);
      check(invoice.lines.length > 0 && invoice.lines.every((l) => MONEY.test(l.listPrice)), `${id}: lines`);
    }
    expect(problems).toEqual([]);
  });

  test("every record is accepted by the package's previewInvoice, and some differ from Xero's totals (S6)", () => {
    const ctx = { companies: data.companies, products: data.products, taxRates: data.taxRates, settings: data.settings };
    const previews = data.invoices.map((invoice) => xerosync.previewInvoice(invoice, ctx));
    const differing = previews.filter((p) => !p.matchesCrm).length;
    expect(differing).toBeGreaterThan(0);
    expect(differing).toBeLessThan(data.invoices.length / 4);
  });
});

test("the CRM's totals round tax once per rate, unlike Xero's per-line rounding", () => {
  const taxRates = [{ id: "t", percent: "15" }];
  const line = (price) => ({ quantity: "1", listPrice: price, taxRateId: "t" });
  // Xero's own example: 25.06, 25.61, 25.63 at 15 % → Xero 11.44 tax; on the subtotal it is 11.45.
  const invoice = { amountsAre: "exclusive", lines: [line("25.06"), line("25.61"), line("25.63")] };
  expect(crmTotals(invoice, taxRates)).toEqual({ lines: ["25.06", "25.61", "25.63"], subTotal: "76.30", totalTax: "11.45", total: "87.75" });
  const inclusive = { amountsAre: "inclusive", lines: [{ quantity: "2", listPrice: "60.00", taxRateId: "t", discount: { amount: "5.00" } }] };
  expect(crmTotals(inclusive, taxRates)).toEqual({ lines: ["115.00"], subTotal: "100.00", totalTax: "15.00", total: "115.00" });
  const discounted = { amountsAre: "noTax", lines: [{ quantity: "3", listPrice: "19.99", taxRateId: "t", discount: { percent: "12.5" } }] };
  expect(crmTotals(discounted, taxRates).total).toBe("52.47"); // 59.97 − 7.50 (7.49625 rounded)
});

test("money: exact rounding and formatting without floats", () => {
  expect(fixed(round(dec("2.675"), 2))).toBe("2.68");
  expect(fixed(round(dec("-2.675"), 2))).toBe("-2.68");
  expect(formatMoney("1234567.5", "GBP")).toBe("£1,234,567.50");
  expect(formatMoney("-0.01", "EUR")).toBe("−€0.01");
  // Rule M1: Intl.NumberFormat in the amount's own currency, from the exact decimal string (no float on the way).
  expect(formatMoney("12345678901234567.05", "USD")).toBe("US$12,345,678,901,234,567.05");
  expect(formatByCurrency(sumByCurrency([{ currency: "EUR", a: "0.10" }, { currency: "GBP", a: "2" }, { currency: "EUR", a: "0.20" }], (r) => r.a))).toBe("£2.00 · €0.30");
  expect(() => dec("1,5")).toThrow(/not a decimal/);
});

test("the static server finds the package's browser build from its exports", () => {
  expect(browserEntry({ exports: { ".": { types: "./i.d.ts", node: "./node.js", browser: "./browser.js" } } })).toBe("./browser.js");
  expect(browserEntry({ exports: { ".": { import: { browser: "./b.js", default: "./n.js" } } } })).toBe("./b.js");
  expect(browserEntry({ module: "./m.js", main: "./c.js" })).toBe("./m.js");
  expect(browserEntry({})).toBeNull();
});

test("the Xero link without a proxy or client: unavailable, with its reason, and every operation refused", async () => {
  expect((await new XeroLink(openClient({ xerosync: null, proxyUrl: null })).refresh()).reason).toMatch(/not loaded/);
  expect(openClient({ xerosync: {}, proxyUrl: "http://127.0.0.1:1" }).reason).toMatch(/no XeroClient/);
  // A proxy that does not answer: unavailable, with the client's reason.
  const unreachable = new XeroLink(openClient({ xerosync, proxyUrl: "http://127.0.0.1:1", sessionToken: async () => "t" }));
  expect((await unreachable.refresh()).status).toBe(STATUS.UNAVAILABLE);
  expect(unreachable.state.reason).toBeTruthy();
  const link = new XeroLink(openClient({ xerosync, proxyUrl: null }));
  const events = [];
  link.addEventListener("statechange", (event) => events.push(event.detail.status));
  const state = await link.refresh();
  expect(state).toEqual({ status: STATUS.UNAVAILABLE, reason: "no xerosync proxy is configured for this page", organisations: [] });
  expect(link.connected).toBe(false);
  expect(events).toEqual([STATUS.UNAVAILABLE]);
  for (const call of [() => link.send({ invoices: [] }), () => link.update({ invoices: [] }), () => link.taxRates(), () => link.readLog(), () => link.exportLog(), () => link.connectUrl(), () => link.disconnect(), () => link.organisationOptions()]) {
    await expect(call()).rejects.toMatchObject({ code: "xero_unavailable" });
  }
  expect(link.invoiceUrl({ kind: "invoice", xeroId: "abc" })).toBeNull();
  expect(await link.shareSettings({ settings: { enabled: true }, taxRates: [] })).toBe(false); // kept in the CRM only
  expect(await link.logResolution({})).toBe(false);
});

test("the link passes the client's own answers through: the connection as the package spells it, a run's mode, pickers kept per organisation", async () => {
  const calls = [];
  let tenantId = "t-uk";
  const client = {
    connection: async () => ({ status: "connected", tenantId, tenantName: "Demo Company (UK)", organisations: [{ tenantId: "t-uk", name: "Demo Company (UK)" }], enabled: true, canSync: true }),
    taxRates: async () => (calls.push(`taxRates ${tenantId}`), [{ taxType: "OUTPUT2", name: "20% (VAT on Income)", rate: "20" }]),
    sendAllLive: async (...args) => (calls.push(["sendAllLive", ...args]), { invoices: [] }),
    update: async (...args) => (calls.push(["update", ...args]), { invoices: [] }),
  };
  const link = new XeroLink({ client });
  expect((await link.refresh()).status).toBe(STATUS.CONNECTED);
  expect(link.connected).toBe(true);
  await link.taxRates();
  await link.taxRates();
  expect(calls).toEqual(["taxRates t-uk"]); // one Xero call for ten minutes
  tenantId = "t-nz";
  await link.refresh();
  await link.taxRates();
  expect(calls).toEqual(["taxRates t-uk", "taxRates t-nz"]); // another organisation: read again
  const ctx = { companies: [{ id: "co-1" }] };
  await link.send({ invoices: [{ id: "inv-1" }], ctx, mode: "allLive" });
  await link.update({ invoices: [{ id: "inv-1" }], ctx, checkpoint: { kind: "update" } });
  expect(calls.slice(2)).toEqual([["sendAllLive", [{ id: "inv-1" }], ctx, {}], ["update", null, { checkpoint: { kind: "update" } }]]);
  expect(link.invoiceUrl({ kind: "creditNote", xeroId: "cn 1" })).toBe("https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=cn%201");
});

/** The page's App as sync.js uses it: the CRM's data and a store that records what was written. */
function storedApp(data) {
  const meta = new Map();
  const written = [];
  return {
    data,
    written,
    meta,
    store: {
      putRecords: async (table, records) => written.push({ table, records: structuredClone(records) }),
      getMeta: async (key) => meta.get(key),
      setMeta: async (key, value) => meta.set(key, value),
    },
    companyById: (id) => data.companies.find((company) => company.id === id),
  };
}

test("rules B1, B2: a poll of the change feed with only companies' changes is stored (balances, a ContactID from an auto-send that skipped every invoice)", async () => {
  const data = generateDemoData();
  const app = storedApp(data);
  const [first, second] = data.companies;
  const skipped = data.invoices.find((invoice) => invoice.companyId === second.id);
  const fed = {
    invoices: [],
    companies: [{ id: first.id, balance: "1234.56" }],
    cursor: 7,
    more: false,
    finished: true,
    sent: { invoices: [{ id: skipped.id, outcome: "skipped", reason: "its status is Paid" }], companies: [{ id: second.id, xeroContactId: "c0ffee00-0000-4000-8000-000000000001" }], productFailures: [] },
  };
  const summary = await applyFeedResult(app, fed);
  expect(summary.stored).toBe(true);
  expect(first.balance).toBe("1234.56");
  expect(second.xeroContactId).toBe("c0ffee00-0000-4000-8000-000000000001");
  const companiesWritten = app.written.filter((w) => w.table === "companies").flatMap((w) => w.records);
  expect(companiesWritten.find((c) => c.id === first.id)?.balance).toBe("1234.56");
  expect(companiesWritten.find((c) => c.id === second.id)?.xeroContactId).toBe("c0ffee00-0000-4000-8000-000000000001");
  expect(feedAnnouncement(app, summary)).toBeNull(); // stored, nothing to say

  // Through the link's loop, the way main.js wires it: stored before the cursor moves on.
  const order = [];
  const client = { connection: async () => ({ status: "connected", tenantId: "t-uk", organisations: [], enabled: true, canSync: true }), changes: async () => ({ ...fed, companies: [{ id: first.id, balance: "99.00" }], sent: undefined }) };
  const link = new XeroLink({ client });
  await link.refresh();
  await new Promise((resolve) => {
    const stop = link.watchChanges({
      crm: () => data,
      getCursor: () => 0,
      onChanges: async (result) => {
        await applyFeedResult(app, result);
        order.push(`stored ${first.balance}`);
      },
      setCursor: (cursor) => {
        order.push(`cursor ${cursor}`);
        stop();
        resolve();
      },
    });
  });
  expect(order).toEqual(["stored 99.00", "cursor 7"]);
});

test("rule B2: the auto-send's announcement says why each invoice failed, in sentences, and why a send could not start", async () => {
  const data = generateDemoData();
  const app = storedApp(data);
  const [a, b] = data.invoices;
  const said = feedAnnouncement(app, { changed: [{ id: a.id, changes: { status: "Paid" } }], sent: [], failed: [{ id: b.id, outcome: "failed", rule: "S8", message: "Xero: Invoice # must be unique. (rule S8)" }] });
  expect(said.tone).toBe("error");
  expect(said.text).toContain("1 change arrived from Xero. Auto-send: 0 sent, 1 failed.");
  expect(said.text).toContain(`${b.number}: Not sent: Xero already has an invoice numbered ${b.number}`);
  const many = feedAnnouncement(app, { failed: data.invoices.slice(0, 5).map((invoice) => ({ id: invoice.id, outcome: "failed", rule: "S8" })) });
  expect(many.text).toContain("2 more are in the Xero log.");
  const stopped = feedAnnouncement(app, { sendError: { code: "invalid_request", message: "ctx.companies[3].id: expected a string" } });
  expect(stopped.text).toMatch(/^Auto-send could not start: /);
  expect(stopped.text).not.toContain("ctx.");
  expect(feedAnnouncement(app, { sendError: { code: "invalid_request", message: "x", sentence: "The CRM's data could not be read." } }).text).toBe("Auto-send could not start: The CRM's data could not be read.");
});

test("rules T1, S6, C2, B2: the CRM's settings as the proxy keeps them (ProxySettings: tax mapping by CRM rate id)", () => {
  const taxRates = DEMO_TAX_RATES.map((rate) => (rate.id === "vat0" ? { ...rate, xeroTaxType: null } : rate));
  const settings = { enabled: true, defaultSalesAccountCode: "200", discountStrategy: "hold", autoSend: true, taxStrategy: "matchCrm", brandingThemeId: "b-1" };
  expect(proxySettings(settings, taxRates)).toEqual({
    enabled: true,
    taxMapping: { vat20: "OUTPUT2", vat5: "RROUTPUT" },
    discountStrategy: "hold",
    defaultSalesAccountCode: "200",
    autoSend: true,
  });
  for (const strategy of ["auto", "rate", "hold"]) expect(proxySettings({ ...settings, discountStrategy: strategy }, taxRates).discountStrategy).toBe(strategy);
  expect(proxySettings({ enabled: true }, [])).toEqual({ enabled: true, taxMapping: {}, discountStrategy: "auto", autoSend: false });
});

test("rules C1, C3: the page's session comes from the CRM's back end, one per CRM user, kept until a minute before it expires", async () => {
  const minted = [];
  let user = { id: "u-finance", name: "Fiona Hart", role: "finance" };
  let clock = 1_000_000_000_000;
  const mint = async (who) => (minted.push(who.id), { token: `token-of-${who.id}-${minted.length}`, expiresAt: clock / 1000 + 3600 });
  const sessionToken = crmSession(() => user, { mint, now: () => clock });
  const [a, b] = await Promise.all([sessionToken(), sessionToken()]);
  expect([a, b]).toEqual(["token-of-u-finance-1", "token-of-u-finance-1"]);
  user = { id: "u-sales", name: "Sam Okoro", role: "sales" };
  expect(await sessionToken()).toBe("token-of-u-sales-2");
  user = { id: "u-finance", name: "Fiona Hart", role: "finance" };
  expect(await sessionToken()).toBe("token-of-u-finance-1");
  clock += (3600 - 59) * 1000; // less than a minute left: a new one
  expect(await sessionToken()).toBe("token-of-u-finance-3");
  // A refused mint is not kept.
  const failing = crmSession(() => user, { mint: async () => Promise.reject(new Error("no proxy")) });
  await expect(failing()).rejects.toThrow("no proxy");
});

test("rules C1, C3: serve.js mints the session at the proxy for a CRM user it knows (POST /session), with the CRM's own name and role", async () => {
  const asked = [];
  const fetchImpl = async (url, { method, body }) => {
    asked.push({ url, method, body: JSON.parse(body) });
    return Response.json({ token: "jwt", expiresAt: 1_900_000_000 });
  };
  const server = await startStaticServer({ proxyUrl: "http://proxy.test/", fetchImpl });
  const post = (body, type = "application/json") => fetch(`${server.url}/session`, { method: "POST", headers: { "content-type": type }, body: JSON.stringify(body) });
  try {
    const answer = await post({ id: "u-sales", name: "Sam Okoro", role: "admin" });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ token: "jwt", expiresAt: 1_900_000_000 });
    expect(asked).toEqual([{ url: "http://proxy.test/dev/session", method: "POST", body: { sub: "u-sales", name: "Sam Okoro", role: "sales", org: DEMO_ORG } }]);
    expect((await post({ id: "u-nobody", role: "admin" })).status).toBe(403);
    expect((await post({ id: "u-admin" }, "text/plain")).status).toBe(415);
    expect((await fetch(`${server.url}/session`)).status).toBe(405);
    // DNS rebinding: a site whose name resolves to 127.0.0.1 sends its own name as Host; only the loopback names mint.
    const port = new URL(server.url).port;
    const withHost = (host) =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path: "/session", method: "POST", headers: { host, "content-type": "application/json" } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        });
        req.on("error", reject);
        req.end(JSON.stringify({ id: "u-admin" }));
      });
    expect(await withHost("evil.example:" + port)).toBe(403);
    expect(await withHost("127.0.0.1")).toBe(403);
    expect(await withHost("localhost:1")).toBe(403);
    expect(asked).toHaveLength(1);
    expect(await withHost(`localhost:${port}`)).toBe(200);
    expect(await withHost(`127.0.0.1:${port}`)).toBe(200);
    expect(asked).toHaveLength(3);
  } finally {
    await server.close();
  }
  const refusing = await startStaticServer({ proxyUrl: "http://proxy.test", fetchImpl: async () => Response.json({ error: { code: "not_found", message: "no dev sessions here" } }, { status: 404 }) });
  const none = await startStaticServer({ proxyUrl: null });
  try {
    const refused = await fetch(`${refusing.url}/session`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"id":"u-admin"}' });
    expect(refused.status).toBe(502);
    expect(await refused.json()).toEqual({ error: { code: "not_found", message: "no dev sessions here" } });
    expect((await fetch(`${none.url}/session`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"id":"u-admin"}' })).status).toBe(503);
  } finally {
    await refusing.close();
    await none.close();
  }
});

test("issue 12: the page talks to the proxy only through the package: its own fetches go to its own back end ('/…' literals)", async () => {
  const files = (await readdir(SRC, { recursive: true })).filter((file) => /\.(m?js|html)$/.test(file));
  expect(files).toContain("xero.js");
  const problems = [];
  let own = 0;
  for (const file of [...files.map((f) => path.join(SRC, f)), path.join(SRC, "..", "index.html")]) {
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(/\bfetch\b/g)) {
      const after = text.slice(match.index + match[0].length);
      const line = text.slice(0, match.index).split("\n").length;
      // A call whose first argument is a string literal of a path on this origin (not "//host"), nothing computed.
      if (/^\(\s*(["'`])\/(?!\/)[^"'`$\\]*\1\s*[,)]/.test(after)) own++;
      else problems.push(`${path.relative(SRC, file)}:${line}: ${text.slice(match.index, match.index + 60).split("\n")[0]}`);
    }
    for (const match of text.matchAll(/\b(?:XMLHttpRequest|sendBeacon|EventSource|WebSocket)\b/g)) {
      problems.push(`${path.relative(SRC, file)}:${text.slice(0, match.index).split("\n").length}: ${match[0]}`);
    }
  }
  expect(problems, "calls to anything but the page's own back end: the proxy is the package's XeroClient's").toEqual([]);
  expect(own, "/config.json and /session").toBeGreaterThanOrEqual(2);
});
