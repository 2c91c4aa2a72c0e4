// The page's own modules, run in Node (no browser): the demo data generator, the CRM's totals, money formatting,
// the static server's package resolution, and the Xero link without a backend.

import { test, expect } from "@playwright/test";
import * as xerosync from "xerosync";
import { crmTotals } from "../../www/src/crm-totals.js";
import { generateDemoData, STATUSES } from "../../www/src/demo-data.js";
import { formatByCurrency, formatMoney, fixed, round, dec, sumByCurrency } from "../../www/src/money.js";
import { browserEntry } from "../../www/serve.js";
import { chooseBackend, readPatiently, retryDelaySeconds, STATUS, XeroLink } from "../../www/src/xero.js";

const MONEY = /^\d+\.\d{2}$/;

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
  expect((await new XeroLink(chooseBackend({ xerosync: null, proxyUrl: null })).refresh()).reason).toMatch(/not loaded/);
  // A proxy that does not answer: unavailable with the reason; a package without the client: Send/Update say so.
  const user = { id: "u-finance", name: "Fiona Hart", role: "finance" };
  const unreachable = new XeroLink(chooseBackend({ xerosync: {}, proxyUrl: "http://127.0.0.1:1", currentUser: () => user, crm: () => ({ invoices: [] }) }));
  expect((await unreachable.refresh()).status).toBe(STATUS.UNAVAILABLE);
  expect(unreachable.state.reason).toBeTruthy();
  expect(unreachable.syncUnavailableReason).toMatch(/sync client/);
  await expect(unreachable.backend.send({ invoices: [] })).rejects.toMatchObject({ code: "xero_unavailable" });
  const link = new XeroLink(chooseBackend({ xerosync, proxyUrl: null }));
  const events = [];
  link.addEventListener("statechange", (event) => events.push(event.detail.status));
  const state = await link.refresh();
  expect(state.status).toBe(STATUS.UNAVAILABLE);
  expect(link.connected).toBe(false);
  expect(events).toEqual([STATUS.UNAVAILABLE]);
  for (const call of [() => link.send({ invoices: [] }), () => link.update({ invoices: [] }), () => link.taxRates(), () => link.readLog(), () => link.exportLog(), () => link.connectUrl(), () => link.disconnect()]) {
    await expect(call()).rejects.toMatchObject({ code: "xero_unavailable" });
  }
  expect(link.invoiceUrl({ kind: "invoice", xeroId: "abc" })).toBeNull();
  expect(await link.shareSettings({ settings: { enabled: true }, taxRates: [] })).toBe(false); // kept in the CRM only
});

test("rule X2: a read refused for Xero's rate limit is tried again after the time Xero gave, at most three times", async () => {
  const limited = (message) => Object.assign(new Error(message), { code: "rate_limited" });
  expect(retryDelaySeconds(limited("rate limited (minute); retry after 7 s"))).toBe(7);
  expect(retryDelaySeconds(Object.assign(limited("busy"), { retryAfter: 3 }))).toBe(3);
  expect(retryDelaySeconds(limited("busy"))).toBe(5);
  expect(retryDelaySeconds(limited("retry after 900 s"))).toBe(60);
  const waits = [];
  const sleep = async (ms) => waits.push(ms);
  let calls = 0;
  const flaky = async () => (++calls < 3 ? Promise.reject(limited("rate limited (minute); retry after 2 s")) : "rates");
  expect(await readPatiently(flaky, { sleep })).toBe("rates");
  expect(waits).toEqual([2000, 2000]);
  calls = -10;
  await expect(readPatiently(flaky, { sleep })).rejects.toMatchObject({ code: "rate_limited" });
  // Any other error is not tried again.
  let other = 0;
  await expect(readPatiently(async () => { other++; throw Object.assign(new Error("no"), { code: "not_connected" }); }, { sleep })).rejects.toMatchObject({ code: "not_connected" });
  expect(other).toBe(1);
});
