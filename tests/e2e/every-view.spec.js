// Issue 12, "messages for people": every view of the page, in every state of the integration (off, not connected,
// an organisation to pick, connected, reconnect required) and as every demo role (finance, admin, sales), shows
// nothing meant for programs: no `null`, `undefined`, `NaN` or `[object Object]`, no rule codes, no record ids. And a
// send that fails or skips says why in a sentence, with a link to the place that fixes it.
//
// One stack for the whole file (its own simulator and proxy, since it moves the simulator's clock 61 days for
// "reconnect required"); the states follow one another, set from outside as an admin's actions would (the connect
// flow through the harness, the organisation chosen through the proxy), so the file stays well under 90 s.
//
// What counts as a leak (decided here, independently of the page's own code):
// - rule codes: exactly the rule ids of the rules table in README.md (A1-A3, B1, B2, C1-C7, K1, K2, L1, L1a, L2, M1, O1,
//   O2, RC1, S1-S11, S3a, S3b, S6a, T1, U1-U7, X1, X2) as a word of their own, not inside a code or a number: so Xero's
//   tax type `OUTPUT2` or an amendment number `INV-1001-A1` are not flagged, "T1" or "(rule S3a)" are;
// - record ids: the demo CRM's ids (`inv-1173`, `cn-0001`, `co-3`, `pr-1`, `p-12`, `p-f1`, the tax rates' `vat20`, the
//   users' `u-finance`), lower case as the demo makes them (invoice numbers are `INV-1173`, upper case), and Xero's
//   GUIDs.

import { start, session as harnessSession, connect, sim as simCall, freePort } from "../../worker/test/harness.mjs";
import * as serve from "../../www/serve.js";
import { DEMO_USERS, generateDemoData } from "../../www/src/demo-data.js";
import { test as base, expect } from "./fixtures.js";

const CRM_ORG = serve.DEMO_ORG ?? "brightwater";
const UK = "Demo Company (UK)";
const NZ = "Demo Company (NZ)";

const RULE_CODE = /(?<![\w-])(?:A[1-3]|B[12]|C[1-7]|K[12]|L1a?|L2|M1|O[12]|RC1|S(?:10|11|[1-9])|S3[ab]|S6a|T1|U[1-7]|X[12])(?![\w-])/;
const RECORD_ID = /(?<![\w-])(?:(?:inv|cn|co|pr|p|p-f)-\d+|vat\d+|u-(?:finance|admin|sales))(?![\w-])/;
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const LEAKS = [
  ["null", /\bnull\b/],
  ["undefined", /\bundefined\b/],
  ["NaN", /\bNaN\b/],
  ["[object Object]", /\[object Object\]/],
  ["a rule code", RULE_CODE],
  ["a record id", RECORD_ID],
  ["a Xero id", GUID],
];

const VIEWS = ["invoices", "companies", "settings", "tools", "log", "discrepancies", "reconciliation"];
const demo = generateDemoData();

const test = base.extend({
  views: [
    async ({}, use) => {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const env = await start({ vars: { ALLOWED_ORIGINS: origin } });
      let server = null;
      try {
        // Xero's minute limit is not what this file is about: the views read the organisation's options per role.
        await simCall(env, "/limits", { perMinute: 100000, appPerMinute: 100000 });
        server = await serve.startStaticServer({ port, proxyUrl: env.base });
        const tenants = await simCall(env, "/tenants");
        const tenant = (name) => tenants.find((t) => t.name === name).tenantId;
        const token = () => harnessSession(env, { sub: "u-admin", name: "Adam Price", role: "admin", org: CRM_ORG });
        const api = async (path, { method = "GET", body } = {}) => {
          const response = await fetch(`${env.base}${path}`, {
            method,
            headers: { authorization: `Bearer ${await token()}`, ...(body ? { "content-type": "application/json" } : {}) },
            body: body ? JSON.stringify(body) : undefined,
          });
          return { status: response.status, json: await response.json().catch(() => null) };
        };
        await use({ url: server.url, env, tenant, token, api, sim: (path, body, method) => simCall(env, path, body, method) });
      } finally {
        await server?.close();
        await env.stop();
      }
    },
    { scope: "worker", timeout: 120_000 },
  ],
});

test.describe.configure({ mode: "serial" });

/** The page's visible text (the page and any open dialog) has no leak; `where` names the place in the message. */
async function expectClean(page, where) {
  // Let the view's reads finish (tax rates, the organisation's options, the log) before judging what it says.
  await expect
    .poll(async () => page.evaluate(() => document.body.innerText), { timeout: 15_000, message: `${where}: still loading` })
    .not.toMatch(/Loading…|Reading the organisation's|Loading Xero's tax rates/);
  const text = await page.evaluate(() => [document.body.innerText, ...[...document.querySelectorAll("dialog[open]")].map((d) => d.innerText)].join("\n"));
  for (const [what, pattern] of LEAKS) {
    const found = pattern.exec(text);
    if (found) {
      const around = text.slice(Math.max(0, found.index - 80), found.index + 80).replace(/\s+/g, " ");
      throw new Error(`${where}: ${what} is visible ("${found[0]}" in "…${around}…")`);
    }
  }
}

async function ready(page, url) {
  await page.goto(`${url}/#/invoices`);
  await expect(page.locator("body")).toHaveAttribute("data-ready", "true");
}

async function signInAs(page, user) {
  const switcher = page.getByLabel("Signed in as");
  if ((await switcher.inputValue()) !== user.id) await switcher.selectOption(user.id);
  await expect(page.locator("#nav-list")).toContainText("Invoices");
}

async function closeDialogs(page) {
  await page.evaluate(() => document.querySelectorAll("dialog[open]").forEach((d) => d.close()));
}

/** Every view and the dialogs this user can reach in this state, each checked. */
async function visitEverything(page, state, user) {
  const at = (view) => `${state}, ${user.role}, ${view}`;
  for (const view of VIEWS) {
    await page.evaluate((v) => (location.hash = `#/${v}`), view);
    await expect(page.locator("#main h1")).toBeVisible();
    await expectClean(page, at(view));
  }
  // An invoice's detail (a sent one where there is one: it has its Xero section).
  await page.evaluate(() => (location.hash = "#/invoices"));
  const sent = await page.evaluate(() => window.crmApp.data.invoices.find((i) => i.xeroId)?.number ?? null);
  const number = sent ?? demo.invoices[0].number;
  await search(page, number);
  await page.getByRole("button", { name: number, exact: true }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectClean(page, at(`the detail of ${number}`));
  await closeDialogs(page);
  await search(page, "");
  // The Xero dialogs where this user has them: Preview, and Send / Update once connected.
  if (await page.locator("#preview-xero").count()) {
    await page.getByRole("checkbox", { name: /^Select INV-/ }).first().check();
    await page.locator("#preview-xero").click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await expectClean(page, at("the preview"));
    await closeDialogs(page);
    for (const button of ["#send-to-xero", "#update-from-xero"]) {
      if (!(await page.locator(button).count())) continue;
      await page.locator(button).click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await expectClean(page, at(button === "#send-to-xero" ? "the send's preview" : "the update's plan"));
      await closeDialogs(page);
    }
    await page.getByRole("button", { name: "Clear selection" }).click();
  }
}

async function search(page, text) {
  const box = page.getByLabel("Search", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

async function everyRole(page, state) {
  for (const user of DEMO_USERS) {
    await signInAs(page, user);
    await visitEverything(page, state, user);
  }
  await signInAs(page, DEMO_USERS[0]);
}

async function enable(page) {
  await page.evaluate(() => (location.hash = "#/settings"));
  await page.getByLabel("Enable the Xero integration").check();
  await expect(page.locator("#connection-status")).toBeVisible();
}

/** Xero's own screens (a bookkeeper at work in Xero), as an app of their own: not the xerosync app's calls. */
async function inXero(views, tenantId, method, path, body) {
  const app = { clientId: "xero-own-screens", clientSecret: "xero-own-screens-secret" };
  await views.sim("/clients", app).catch(() => null);
  const { access_token: token } = await views.sim("/tokens", { clientId: app.clientId, tenants: [tenantId] });
  const response = await fetch(`${views.env.sim}/api.xro/2.0/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "xero-tenant-id": tenantId, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

function trap(page) {
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

test("integration off: every view, every role", async ({ page, views }) => {
  const errors = trap(page);
  await ready(page, views.url);
  await everyRole(page, "off");
  expect(errors).toEqual([]);
});

test("not connected: every view, every role", async ({ page, views }) => {
  const errors = trap(page);
  await ready(page, views.url);
  await enable(page);
  await expect(page.locator("#connection-status")).toContainText("Not connected");
  await everyRole(page, "not connected");
  expect(errors).toEqual([]);
});

test("an organisation to pick: every view, every role", async ({ page, views }) => {
  const errors = trap(page);
  await ready(page, views.url);
  await enable(page);
  await connect(views.env, await views.token(), { tenants: [views.tenant(UK), views.tenant(NZ)] });
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-ready", "true");
  await page.evaluate(() => (location.hash = "#/settings"));
  await expect(page.locator("#connection-status")).toContainText("choose the organisation");
  await everyRole(page, "pick required");
  expect(errors).toEqual([]);
});

test("connected: every view, every role; a failed and a skipped send say why, with a link to the fix", async ({ page, views }) => {
  test.setTimeout(120_000);
  const errors = trap(page);
  await ready(page, views.url);
  await enable(page);
  await page.getByLabel("Xero organisation").selectOption({ label: UK });
  await expect(page.locator("#connection-status")).toContainText(`Connected to ${UK}`);

  // Rule T1: Zero rated unmapped; an invoice using it fails, one without a valid issue date fails, a paid one is
  // skipped, a good one is sent.
  await page.getByLabel("Zero rated").selectOption("");
  await expect(page.locator("#announcer")).toContainText("Zero rated mapped.");
  const open = (i) => i.kind === "invoice" && i.currency === "GBP" && ["Created", "Live"].includes(i.status) && i.amountOutstanding === i.total && !i.sentToAccounts;
  const zero = demo.invoices.find((i) => open(i) && i.lines.some((l) => l.taxRateId === "vat0"));
  const good = demo.invoices.filter((i) => open(i) && i.lines.every((l) => l.taxRateId === "vat20"));
  const [fine, undated] = good;
  const paid = demo.invoices.find((i) => i.kind === "invoice" && i.status === "Paid");
  await page.evaluate(async (id) => {
    const app = window.crmApp;
    const invoice = app.data.invoices.find((i) => i.id === id);
    invoice.issueDate = "";
    await app.store.putRecords("invoices", [invoice]);
  }, undated.id);
  await page.evaluate(() => (location.hash = "#/invoices"));
  for (const invoice of [zero, fine, undated, paid]) {
    await search(page, invoice.number);
    await page.getByRole("checkbox", { name: `Select ${invoice.number}`, exact: true }).check();
  }
  await search(page, "");
  await page.locator("#send-to-xero").click();
  const dialog = page.getByRole("dialog");
  // Before sending: the paid one is left out, in words.
  await expect(dialog.locator("#skipped-list")).toContainText(`${paid.number}: Not sent: payments were made on it`);
  await expectClean(page, "connected, the send's preview with a skipped invoice");
  await dialog.locator("#confirm-send").click();
  const outcomes = dialog.getByRole("table", { name: "Outcomes" });
  await expect(outcomes).toBeVisible({ timeout: 60_000 });
  const row = (invoice) => outcomes.locator(`tr[data-id="${invoice.id}"]`);
  await expect(row(fine)).toContainText("sent");
  await expect(row(zero)).toContainText("failed");
  await expect(row(zero)).toHaveAttribute("data-rule", "T1"); // for programs, not shown
  await expect(row(zero)).toContainText(/Line \d uses the tax rate Zero rated, which is not mapped to a Xero tax type\. Map it in Xero settings\./);
  await expect(row(undated)).toContainText("failed");
  await expect(row(undated)).toContainText("The issue date is not valid.");
  await expectClean(page, "connected, the send's outcomes");

  // The invoice's link opens that invoice, over the outcomes.
  await row(undated).getByRole("button", { name: `Open ${undated.number}` }).click();
  await expect(page.getByRole("heading", { name: `Invoice ${undated.number}` })).toBeVisible();
  await page.keyboard.press("Escape");
  // The tax rate's link goes to the settings' tax mapping, and the rate is there to map.
  await row(zero).getByRole("link", { name: "Map the tax rate in Xero settings" }).click();
  await expect(page.getByRole("heading", { name: "Xero settings", level: 1 })).toBeVisible();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  const taxCard = page.locator('[aria-labelledby="card-tax-mapping"]');
  await expect(taxCard).toBeFocused();
  await expect(taxCard.getByLabel("Zero rated")).toHaveValue("");
  await taxCard.getByLabel("Zero rated").selectOption("ZERORATEDOUTPUT");
  await expect(page.locator("#announcer")).toContainText("Zero rated mapped.");

  // Deleted in Xero (a bookkeeper at work there): Update finds it and leaves it to a person, in words (rule U4).
  const xeroId = await page.evaluate((id) => window.crmApp.data.invoices.find((i) => i.id === id).xeroId, fine.id);
  await inXero(views, views.tenant(UK), "POST", `Invoices/${xeroId}`, { Invoices: [{ InvoiceID: xeroId, Status: "DELETED" }] });
  await page.evaluate(() => (location.hash = "#/invoices"));
  await search(page, fine.number);
  await page.getByRole("checkbox", { name: `Select ${fine.number}`, exact: true }).check();
  await page.locator("#update-from-xero").click();
  await page.getByRole("dialog").getByRole("button", { name: /^Update 1 from Xero$/ }).click();
  const updated = page.getByRole("dialog").getByRole("table", { name: "Outcomes" });
  await expect(updated).toBeVisible({ timeout: 60_000 });
  await expectClean(page, "connected, the update's outcomes");
  await closeDialogs(page);
  await search(page, "");
  await page.getByRole("button", { name: "Clear selection" }).click();
  await page.evaluate(() => (location.hash = "#/discrepancies"));
  await expect(page.getByRole("table", { name: "Open discrepancies" })).toContainText("The invoice was deleted in Xero.");

  // The reconciliation's report, kept while the page is open, is then part of every role's visit.
  await page.evaluate(() => (location.hash = "#/reconciliation"));
  await page.locator("#rc-from").fill(zero.issueDate);
  await page.locator("#rc-to").fill(zero.issueDate);
  await page.locator("#run-reconciliation").click();
  // The invoice without a valid issue date stops it: named, with the way to it.
  const stopped = page.locator("#reconciliation-error");
  await expect(stopped).toContainText(`The reconciliation could not run. ${undated.number}: The issue date is not valid.`, { timeout: 60_000 });
  await expectClean(page, "connected, the reconciliation stopped by an invoice");
  await stopped.getByRole("button", { name: `Open ${undated.number}` }).click();
  await expect(page.getByRole("heading", { name: `Invoice ${undated.number}` })).toBeVisible();
  await closeDialogs(page);
  await page.evaluate(async ({ id, date }) => {
    const app = window.crmApp;
    const invoice = app.data.invoices.find((i) => i.id === id);
    invoice.issueDate = date;
    await app.store.putRecords("invoices", [invoice]);
  }, { id: undated.id, date: undated.issueDate });
  await page.locator("#run-reconciliation").click();
  await expect(page.locator("#reconciliation-summary"), await page.locator("#reconciliation-results").innerText()).toBeVisible({ timeout: 60_000 });

  await everyRole(page, "connected");
  expect(errors).toEqual([]);
});

test("reconnect required: every view, every role", async ({ page, views }) => {
  const errors = trap(page);
  // Sixty-one idle days: the refresh token is spent at Xero (rule C4), and the next Xero call finds it so.
  await views.sim("/clock", { advanceDays: 61 });
  const answer = await views.api("/xero/Organisation");
  expect(answer.status).toBe(409);
  await ready(page, views.url);
  await enable(page);
  await expect(page.locator("#connection-status")).toContainText("Reconnect required");
  await everyRole(page, "reconnect required");
  expect(errors).toEqual([]);
});
