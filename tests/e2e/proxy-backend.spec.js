// The page's adapter to the proxy (www/src/proxy-backend.js) in Node: the CRM's settings (contract.md) as the proxy
// stores them (worker/src/settings.rs, same spelling), the log filters, the progress, and a fake proxy answering
// the routes the adapter calls (the real one is exercised by live.spec.js).

import { test, expect } from "@playwright/test";
import { DEMO_TAX_RATES } from "../../www/src/demo-data.js";
import { fromProxySettings, logQuery, pageProgress, proxyBackend, revenueTaxRates, toProxySettings } from "../../www/src/proxy-backend.js";

test("rules T1, S6, C2, B2: CRM settings reach the proxy as they are (tax mapping by rate id) and come back unchanged", () => {
  const taxRates = DEMO_TAX_RATES.map((rate) => (rate.id === "vat0" ? { ...rate, xeroTaxType: null } : rate));
  const settings = { enabled: true, defaultSalesAccountCode: "200", discountStrategy: "hold", autoSend: true };
  expect(toProxySettings(settings, taxRates)).toEqual({
    enabled: true,
    taxMapping: { vat20: "OUTPUT2", vat5: "RROUTPUT" },
    discountStrategy: "hold",
    defaultSalesAccountCode: "200",
    autoSend: true,
  });
  // Every strategy, "rate" included, is sent unchanged: nothing is lost on the way.
  for (const strategy of ["auto", "rate", "hold"]) {
    const sent = toProxySettings({ ...settings, discountStrategy: strategy }, taxRates);
    expect(sent.discountStrategy).toBe(strategy);
    const back = fromProxySettings(sent, DEMO_TAX_RATES);
    expect(back.settings).toEqual({ ...settings, discountStrategy: strategy });
    expect(back.taxRates).toEqual(taxRates);
  }
  expect(toProxySettings({ enabled: true }, []).discountStrategy).toBe("auto");
  // A rate mapped under another id (or a name, as older proxies stored it) reads as unmapped.
  const back = fromProxySettings({ enabled: false, taxMapping: { vat0: "EXEMPTOUTPUT", "VAT 20%": "OUTPUT2" }, discountStrategy: "rate", autoSend: false }, DEMO_TAX_RATES);
  expect(back.settings).toEqual({ enabled: false, autoSend: false, discountStrategy: "rate" });
  expect(back.taxRates.map((rate) => [rate.id, rate.xeroTaxType])).toEqual([["vat20", null], ["vat5", null], ["vat0", "EXEMPTOUTPUT"]]);
});

test("rule T1: only active revenue rates are offered for the mapping", () => {
  const answer = { TaxRates: [
    { Name: "20% (VAT on Income)", TaxType: "OUTPUT2", Status: "ACTIVE", CanApplyToRevenue: true, EffectiveRate: 20 },
    { Name: "20% (VAT on Expenses)", TaxType: "INPUT2", Status: "ACTIVE", CanApplyToRevenue: false, EffectiveRate: 20 },
    { Name: "Old rate", TaxType: "OUTPUT", Status: "ARCHIVED", CanApplyToRevenue: true, EffectiveRate: 17.5 },
  ] };
  expect(revenueTaxRates(answer)).toEqual([{ taxType: "OUTPUT2", name: "20% (VAT on Income)", rate: "20" }]);
});

test("rule L1: the log filters become the proxy's query; a day as `to` covers the whole day", () => {
  const query = logQuery({ outcome: "error", action: "send", recordKind: "invoice", crmRef: "INV-1", from: "2026-11-01", to: "2026-11-20" });
  expect(Object.fromEntries(query)).toEqual({ outcome: "error", actionContains: "send", kind: "invoice", ref: "INV-1", from: "2026-11-01", to: "2026-11-20T23:59:59.999Z" });
  expect([...logQuery({ outcome: "", crmRef: null })]).toEqual([]);
});

test("rule A3: the client's progress in the page's words (ETA in whole seconds)", () => {
  expect(pageProgress({ stage: "documents", done: 3, total: 10, calls: 4, inFlight: 1, elapsedMs: 900, etaMs: 2100 })).toEqual({ done: 3, total: 10, calls: 4, phase: "documents", etaSeconds: 3 });
  expect(pageProgress({ stage: "items", done: 0, total: 10, calls: 0, inFlight: 0, elapsedMs: 0 })).not.toHaveProperty("etaSeconds");
});

test("rules C1, C3, C7: one demo session per CRM user, the states mapped, the connect URL is a one-use ticket's (no session in it)", async () => {
  const calls = [];
  let user = { id: "u-finance", name: "Fiona Hart", role: "finance" };
  const answers = {
    "POST /dev/session": (body) => ({ token: `token-of-${body.sub}`, expiresAt: Date.now() / 1000 + 3600 }),
    "GET /connection": () => ({ status: "pick_required" }),
    "GET /connections": () => ({ tenants: [{ tenantId: "t-uk", tenantName: "Demo Company (UK)" }, { tenantId: "t-nz", tenantName: "Demo Company (NZ)" }] }),
    "POST /oauth/ticket": (body) => ({ ticket: "t.n", expiresAt: Date.now() / 1000 + 60, url: `http://proxy.test/oauth/connect?ticket=t.n&sent=${encodeURIComponent(JSON.stringify(body))}` }),
  };
  const fetchImpl = async (url, { method = "GET", headers = {}, body } = {}) => {
    const path = new URL(url).pathname;
    calls.push(`${method} ${path} ${headers.authorization ?? ""}`.trim());
    const answer = answers[`${method} ${path}`];
    return new Response(JSON.stringify(answer ? answer(body ? JSON.parse(body) : null) : { error: { code: "not_found", message: "no" } }), { status: answer ? 200 : 404 });
  };
  const backend = proxyBackend({ proxyUrl: "http://proxy.test/", xerosync: {}, currentUser: () => user, crm: () => ({ invoices: [] }), fetchImpl });
  const state = await backend.connection();
  expect(state).toEqual({
    status: "chooseOrganisation", reason: null, organisation: null,
    organisations: [{ tenantId: "t-uk", name: "Demo Company (UK)" }, { tenantId: "t-nz", name: "Demo Company (NZ)" }],
  });
  expect(calls).toEqual(["POST /dev/session", "GET /connection Bearer token-of-u-finance", "GET /connections Bearer token-of-u-finance"]);
  const url = new URL(await backend.connectUrl({ returnTo: "http://crm.test/#/settings" }));
  expect(url.pathname).toBe("/oauth/connect");
  expect(calls.at(-1)).toBe("POST /oauth/ticket Bearer token-of-u-finance");
  expect(url.searchParams.get("session")).toBeNull();
  expect(JSON.parse(url.searchParams.get("sent"))).toEqual({ return: "http://crm.test/#/settings" });
  // Another user gets a session of their own (the proxy decides what a sales session may do: C1).
  user = { id: "u-sales", name: "Sam Okoro", role: "sales" };
  await expect(backend.readSettings()).rejects.toMatchObject({ code: "not_found", status: 404 });
  expect(calls.slice(-2)).toEqual(["POST /dev/session", "GET /settings Bearer token-of-u-sales"]);
});

test("rule L1: the log is read a page at a time by key, and exported as the proxy's own CSV", async () => {
  const asked = [];
  const fetchImpl = async (url, { method = "GET", headers = {} } = {}) => {
    const u = new URL(url);
    if (u.pathname === "/dev/session") return Response.json({ token: "t", expiresAt: Date.now() / 1000 + 3600 });
    asked.push({ path: u.pathname, query: Object.fromEntries(u.searchParams), auth: headers.authorization });
    if (u.searchParams.get("format") === "csv") {
      return new Response('\uFEFF"Time"\r\n', { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="xero-log-2026-11-20.csv"' } });
    }
    const before = u.searchParams.get("before");
    return Response.json(before ? { rows: [{ id: 1, at: "2026-11-01T00:00:00.000Z", userId: "u" }], nextBefore: null } : { rows: [{ id: 2, at: "2026-11-02T00:00:00.000Z", userId: "u" }], nextBefore: 2 });
  };
  const backend = proxyBackend({ proxyUrl: "http://proxy.test", xerosync: {}, currentUser: () => ({ id: "u", name: "U", role: "finance" }), crm: () => ({ invoices: [] }), fetchImpl });
  const first = await backend.readLog({ outcome: "error" });
  expect(first.nextBefore).toBe(2);
  expect(first.rows[0].time).toBe("2026-11-02T00:00:00.000Z");
  const older = await backend.readLog({ outcome: "error" }, { before: first.nextBefore });
  expect(older.nextBefore).toBeNull();
  expect(asked.map((a) => a.query)).toEqual([{ outcome: "error", pageSize: "100" }, { outcome: "error", pageSize: "100", before: "2" }]);
  const { blob, filename } = await backend.exportLog({ outcome: "error", action: "TaxRates" });
  expect(filename).toBe("xero-log-2026-11-20.csv");
  // The bytes as the proxy sent them, BOM included (Blob.text() would decode it away).
  expect([...new Uint8Array(await blob.arrayBuffer())].slice(0, 3)).toEqual([0xef, 0xbb, 0xbf]);
  expect(asked.at(-1)).toEqual({ path: "/log", query: { outcome: "error", actionContains: "TaxRates", format: "csv" }, auth: "Bearer t" });
});
