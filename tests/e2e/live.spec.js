// Journeys over the whole product: the CRM page, the proxy under `wrangler dev` and the Xero simulator (stack.js).
// Each journey starts from a fresh browser (fresh CRM data); the proxy and the simulator live for the whole file, so
// a journey connects only when the proxy is not connected already.

import { DEMO_TAX_RATES } from "../../www/src/demo-data.js";
import { expect, test, xeroApi } from "./stack.js";

const UK = "Demo Company (UK)";

/** Enables the integration in the CRM (rule C2), which also shares the settings with the proxy. */
async function enable(page) {
  await page.getByRole("link", { name: "Xero settings" }).click();
  await page.getByLabel("Enable the Xero integration").check();
  await expect(page.locator("#connection-status")).toBeVisible();
}

/** Rules C3, C7: Connect → the simulator's consent page (two organisations) → back → choose the UK one. */
async function connectThroughConsent(page, stack, shot) {
  await page.locator("#connect-button").click();
  await page.waitForURL(/\/identity\/connect\/authorize/);
  // The simulator offers four organisations; this consent grants two of them (lived-in.spec.js uses the fourth).
  await page.getByLabel("Starter Shop (UK)").uncheck();
  await page.getByLabel("Lived-in Ltd (UK)").uncheck();
  if (shot) await shot("consent-page");
  await page.getByRole("button", { name: "Allow access" }).click();
  await page.waitForURL(`${stack.url}/**`);
  await expect(page.locator("body")).toHaveAttribute("data-ready", "true");
  await expect(page.locator("#connection-status")).toContainText("choose the organisation");
  if (shot) await shot("choose-organisation");
  await page.getByLabel("Xero organisation").selectOption({ label: UK });
  await expect(page.locator("#connection-status")).toContainText(`Connected to ${UK}`);
}

/** Enabled and connected to the UK organisation, however the proxy stands (lived-in.spec.js connects elsewhere). */
async function ensureConnected(page, stack) {
  await enable(page);
  if (!(await page.locator("#connection-status").textContent()).includes(`Connected to ${UK}`)) {
    const disconnect = page.getByRole("button", { name: "Disconnect" });
    if (await disconnect.isVisible()) {
      await disconnect.click();
      await expect(page.locator("#connection-status")).toContainText("Not connected");
    }
    await connectThroughConsent(page, stack);
  }
}

test("rules C3, C7, T1, C5: connect through the consent page, choose the organisation, map taxes; the settings page keeps the connection", async ({ crmLive: page, stack, shot }) => {
  const token = await stack.session();
  // A fresh proxy: nobody has connected; enabling in the CRM shares the switch with the proxy (C2).
  await enable(page);
  await expect(page.locator("#connection-status")).toContainText("Not connected");
  await expect.poll(async () => (await stack.api(token, "/settings")).json.enabled).toBe(true);
  await shot("settings-not-connected");

  await connectThroughConsent(page, stack, shot);
  const connection = (await stack.api(token, "/connection")).json;
  expect(connection).toMatchObject({ status: "connected", tenantName: UK });
  const tenants = (await stack.api(token, "/connections")).json.tenants.map((t) => t.tenantName).sort();
  expect(tenants, "the consent granted the two organisations ticked, not the third").toEqual(["Demo Company (NZ)", UK]);

  // Rule T1: the mapping offers the organisation's revenue rates, read through the proxy.
  await expect(page.locator("#tax-note")).toContainText("Choose, for each CRM tax rate");
  const offered = await page.locator("#tax-vat20 option").evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  expect(offered).toContain("OUTPUT2");
  expect(offered, "only revenue rates are offered").not.toContain("INPUT2");
  await page.getByLabel("Zero rated").selectOption("EXEMPTOUTPUT");
  await expect(page.locator("#announcer")).toContainText("Zero rated mapped.");
  await shot("connected-taxes-mapped");
  const expected = Object.fromEntries(DEMO_TAX_RATES.map((rate) => [rate.id, rate.id === "vat0" ? "EXEMPTOUTPUT" : rate.xeroTaxType]));
  await expect.poll(async () => (await stack.api(token, "/settings")).json.taxMapping).toEqual(expected);

  // Rule S6's setting, in the contract's spelling: the CRM's "hold" is stored as "hold".
  await page.getByLabel("Hold back differences").check();
  await expect.poll(async () => (await stack.api(token, "/settings")).json.discountStrategy).toBe("hold");

  // Rule C5: leaving and reopening the settings, and reloading the page, never clears the connection.
  await page.getByRole("link", { name: "Invoices" }).click();
  await page.getByRole("link", { name: "Xero settings" }).click();
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-ready", "true");
  await expect(page.locator("#connection-status")).toContainText(`Connected to ${UK}`);
  await expect(page.getByLabel("Zero rated")).toHaveValue("EXEMPTOUTPUT");
  expect((await stack.api(token, "/connection")).json.status).toBe("connected");

  // Disconnect revokes the connection at the proxy for every user of the CRM; Connect is offered again.
  await page.getByRole("button", { name: "Disconnect" }).click();
  await expect(page.locator("#connection-status")).toContainText("Not connected");
  await expect(page.locator("#connect-button")).toBeEnabled();
  expect((await stack.api(token, "/connection")).json.status).toBe("not_connected");
});

test("rule C6: Connect to Xero while not connected; Send and Update once enabled and connected", async ({ crmLive: page, stack, shot }) => {
  const token = await stack.session();
  await enable(page);
  await page.getByRole("link", { name: "Invoices" }).click();
  await page.getByRole("checkbox", { name: /^Select INV-/ }).first().check();
  const connected = (await stack.api(token, "/connection")).json.status === "connected";
  if (!connected) {
    await expect(page.locator("#connect-to-xero")).toBeVisible();
    await expect(page.locator("#send-to-xero")).toHaveCount(0);
    await ensureConnected(page, stack);
    await page.getByRole("link", { name: "Invoices" }).click();
  }
  await expect(page.locator("#connect-to-xero")).toHaveCount(0);
  // Connected: the page's link says so, Send is offered and the not-connected pill is gone.
  await expect.poll(() => page.evaluate(() => window.crmApp.link.state.status)).toBe("connected");
  await expect(page.locator("#send-to-xero")).toBeVisible();
  await expect(page.locator(".connection-pill")).toHaveCount(0);
  // (the OAuth round trip reloaded the page: the selection is the page's, so tick one again)
  await page.getByRole("checkbox", { name: /^Select INV-/ }).first().check();
  await expect(page.locator("#send-to-xero")).toBeEnabled();
  await expect(page.locator("#update-from-xero")).toBeEnabled();
  await shot("invoices-connected");
  // Disabled in the CRM (rule C2): no Xero buttons at all, and the proxy refuses Xero calls.
  await page.getByRole("link", { name: "Xero settings" }).click();
  await page.getByLabel("Enable the Xero integration").uncheck();
  await expect.poll(async () => (await stack.api(token, "/settings")).json.enabled).toBe(false);
  expect((await stack.api(token, "/xero/TaxRates")).status).not.toBe(200);
  await page.getByRole("link", { name: "Invoices" }).click();
  await expect(page.locator("[data-xero]")).toHaveCount(0);
});

/** Filters the invoice list (the search applies on Enter, as a change). */
async function search(page, text) {
  const box = page.getByLabel("Search", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

/** Ticks an invoice's row, found through the search box (the selection is kept across searches). */
async function select(page, number) {
  await search(page, number);
  await page.getByRole("checkbox", { name: `Select ${number}`, exact: true }).check();
}

test("rules S1, S2-S4, S9, T1, U1-U2: preview and send good and bad invoices, pay some in Xero, update: Part Paid, Paid, outstanding", async ({ crmLive: page, stack, shot }) => {
  await ensureConnected(page, stack);
  // Rule T1: "Zero rated" left unmapped, so an invoice using it must not be sent, and its error names the rate.
  await page.getByLabel("Zero rated").selectOption("");
  await expect(page.locator("#announcer")).toContainText("Zero rated mapped.");
  const picks = await page.evaluate(() => {
    const { invoices } = window.crmApp.data;
    const open = invoices.filter((i) => i.kind === "invoice" && i.status === "Created" && i.amountOutstanding === i.total && !i.sentToAccounts);
    const vat20 = open.filter((i) => i.lines.every((l) => l.taxRateId === "vat20"));
    return {
      good: vat20.slice(0, 2).map((i) => ({ id: i.id, number: i.number, total: i.total })),
      unmapped: open.find((i) => i.lines.some((l) => l.taxRateId === "vat0")).number,
      partPaid: invoices.find((i) => i.kind === "invoice" && i.status === "Part Paid").number,
    };
  });
  await page.getByRole("link", { name: "Invoices" }).click();
  for (const number of [...picks.good.map((g) => g.number), picks.unmapped, picks.partPaid]) await select(page, number);
  await search(page, "");
  await page.locator("#send-to-xero").click();
  const dialog = page.getByRole("dialog", { name: "Send to Xero" });
  // Rule S1: the part-paid invoice is not sent, with the reason; rule S6: the preview comes first.
  await expect(dialog).toContainText(picks.partPaid);
  await expect(dialog).toContainText("payments were made");
  await shot("send-preview");
  await dialog.locator("#confirm-send").click();
  const outcomes = dialog.getByRole("table", { name: "Outcomes" });
  await expect(outcomes).toBeVisible({ timeout: 60_000 });
  for (const good of picks.good) await expect(outcomes.getByRole("row", { name: new RegExp(good.number) })).toContainText("sent");
  const bad = outcomes.getByRole("row", { name: new RegExp(picks.unmapped) });
  await expect(bad).toContainText("failed");
  await expect(bad).toContainText("Zero rated");
  await shot("send-outcomes");
  await dialog.getByText("Close", { exact: true }).click();

  // Rule S9: the sent ones are marked Sent to Accounts with their Xero id; the failed one keeps its state.
  const stored = await page.evaluate((ids) => ids.map((id) => window.crmApp.data.invoices.find((i) => i.id === id)), picks.good.map((g) => g.id));
  for (const invoice of stored) expect(invoice).toMatchObject({ sentToAccounts: true, xeroId: expect.any(String) });
  const uk = (await stack.control("/tenants")).find((t) => t.name === UK).tenantId;
  const dump = await stack.control(`/tenants/${uk}/dump`);
  const inXero = (dump.invoices ?? dump.Invoices ?? []).filter((i) => [...picks.good.map((g) => g.number), picks.unmapped].includes(i.InvoiceNumber));
  expect(inXero.map((i) => [i.InvoiceNumber, i.Status]).sort()).toEqual(picks.good.map((g) => [g.number, "DRAFT"]).sort());

  // In Xero: both approved, the first paid in full, the second in part. The webhooks are paused meanwhile, so it is
  // the Update button that brings the payments back, not the change feed.
  await stack.control("/webhooks", undefined, "DELETE");
  const [first, second] = stored;
  for (const invoice of stored) await xeroApi(stack, uk, "POST", `Invoices/${invoice.xeroId}`, { Invoices: [{ InvoiceID: invoice.xeroId, Status: "AUTHORISED" }] });
  const pay = (invoice, amount) => xeroApi(stack, uk, "PUT", "Payments", { Payments: [{ Invoice: { InvoiceID: invoice.xeroId }, Account: { Code: "090" }, Date: "2026-11-21", Amount: amount }] });
  await pay(first, Number(first.total));
  await pay(second, 5);

  await page.locator("#update-from-xero").click();
  const update = page.getByRole("dialog", { name: "Update from Xero" });
  await update.getByRole("button", { name: /^Update \d+ from Xero$/ }).click();
  await expect(update.getByRole("table", { name: "Outcomes" })).toBeVisible({ timeout: 60_000 });
  await shot("update-outcomes");
  await update.getByText("Close", { exact: true }).click();
  const money = (value) => `£${Number(value).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  await search(page, first.number);
  await expect(page.locator(`tr[data-id="${first.id}"]`)).toContainText("Paid");
  await expect(page.locator(`tr[data-id="${first.id}"]`)).toContainText("£0.00");
  await search(page, second.number);
  const row = page.locator(`tr[data-id="${second.id}"]`);
  await expect(row).toContainText("Part Paid");
  await expect(row).toContainText(money(Number(second.total) - 5));
  await shot("part-paid-after-update");
  await stack.subscribeWebhooks();
});

test("rules A1, A2, A3, S8: Send all live and Update all, with progress, a cancel and a resume; no invoice twice in Xero", async ({ crmLive: page, stack, shot }) => {
  // Two whole runs at Xero's pace: with 400 ms of latency and Xero's 60 calls a minute they may wait out a minute
  // window, so this journey gets more than the default minute (a slow machine must not fail it).
  test.setTimeout(240_000);
  await ensureConnected(page, stack);
  const uk = (await stack.control("/tenants")).find((t) => t.name === UK).tenantId;
  // Xero answering slowly, so that the run can be cancelled half-way.
  await stack.control("/faults", { latencyMs: 400 });
  try {
    await page.getByRole("link", { name: "Xero tools" }).click();
    const count = Number(await page.locator("#sendAll-count strong").textContent());
    expect(count, "rule A1: the live invoices of the demo CRM").toBeGreaterThan(100);
    await page.locator("#sendAll-start").click();
    const card = page.locator("section.tool", { has: page.locator("#sendAll-title") });
    await expect(card.locator(".progress-text")).toContainText(/\d+ of \d+ done · \w+ · \d+ Xero calls/);
    await shot("send-all-progress");
    await card.getByRole("button", { name: "Cancel" }).click();
    await expect(page.locator("#announcer")).toContainText("Send all live invoices: cancelled.");
    await expect(page.locator("#sendAll-resume")).toBeVisible();
    const halfway = await page.evaluate(() => window.crmApp.data.invoices.filter((i) => i.sentToAccounts).length);
    expect(halfway, "cancelled before the end").toBeLessThan(count);
    await page.locator("#sendAll-resume").click();
    await expect(page.locator("#announcer")).toContainText("Send all live invoices: finished.", { timeout: 90_000 });
    await expect(page.locator("#sendAll-resume")).toBeHidden();
  } finally {
    await stack.control("/faults", undefined, "DELETE");
  }
  // Rule S8: whatever the cancel and the resume did, no CRM invoice is in Xero twice.
  const numbers = (await stack.control(`/tenants/${uk}/dump`)).Invoices.map((i) => i.InvoiceNumber).filter((n) => /^INV-/.test(n));
  expect(numbers.length).toBeGreaterThan(100);
  expect(new Set(numbers).size, "one Xero invoice per CRM invoice").toBe(numbers.length);
  const sent = await page.evaluate(() => window.crmApp.data.invoices.filter((i) => i.sentToAccounts && i.xeroId).map((i) => i.number));
  for (const number of sent.filter((n) => n.startsWith("INV-"))) expect(numbers).toContain(number);

  // Rule A2: Update all reads them back and then sets every company's balance from Xero.
  await page.locator("#updateAll-start").click();
  // How the run ended stays on its card (the announcement may be replaced by the change feed's at once).
  await expect(page.locator("#updateAll-ended")).toHaveText("Finished.", { timeout: 90_000 });
  await shot("update-all-finished");
  const balances = await page.evaluate(() => window.crmApp.data.companies.filter((c) => c.xeroContactId && c.balance !== undefined && c.balance !== null).length);
  expect(balances).toBeGreaterThan(0);
});

test("rule C1: a sales user sees nothing Xero while the CRM is connected, and the proxy refuses a sales session", async ({ crmLive: page, stack, shot }) => {
  await ensureConnected(page, stack);
  await page.getByRole("link", { name: "Invoices" }).click();
  await expect(page.locator("[data-xero]")).toHaveCount(1);
  await page.getByLabel("Signed in as").selectOption({ label: "Sam Okoro (sales)" });
  await expect(page.locator("[data-xero]")).toHaveCount(0);
  await expect(page.getByRole("navigation").getByRole("link")).toHaveText(["Invoices", "Companies"]);
  await expect(page.locator("main")).not.toContainText("Xero");
  await shot("sales-user");
  const sales = await stack.session({ sub: "u-sales", name: "Sam Okoro", role: "sales" });
  for (const path of ["/connection", "/settings", "/log", "/xero/TaxRates"]) {
    expect((await stack.api(sales, path)).status, path).toBe(403);
  }
});

test("rule L1: the log shows the proxy's xero_log, filtered, and exports it as CSV", async ({ crmLive: page, stack, shot }) => {
  // The journeys before this one may have spent Xero's minute of calls: the package then waits out the 429's
  // Retry-After (rule X2) before the tax rates come, up to a minute.
  test.setTimeout(150_000);
  await ensureConnected(page, stack);
  // Reading the tax rates (the mapping screen) is a logged Xero call.
  await expect(page.locator("#tax-note")).toContainText("Choose, for each CRM tax rate", { timeout: 75_000 });
  await page.getByRole("link", { name: "Xero log" }).click();
  const table = page.getByRole("table", { name: "Xero log" });
  await expect(table).toContainText("TaxRates");
  await page.getByLabel("Action contains").fill("taxrates");
  await page.getByLabel("Outcome").selectOption("ok");
  await page.getByRole("button", { name: "Apply" }).click();
  const rows = table.locator("tbody tr");
  await expect(rows.first()).toContainText("Fiona Hart");
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  for (const text of await rows.allTextContents()) expect(text).toContain("TaxRates");
  // Errors only: every row shown is one (refused calls are logged too, e.g. while the integration was off: C2).
  await page.getByLabel("Outcome").selectOption("error");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator(".log-results")).not.toContainText("Loading");
  for (const text of await rows.allTextContents()) expect(text).toMatch(/error/);
  expect(await rows.count()).toBeLessThan(count);
  await page.getByLabel("Outcome").selectOption("ok");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveCount(count);
  await shot("log-filtered");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const csv = await (await import("node:fs/promises")).readFile(await download.path(), "utf8");
  // The proxy's CSV (worker/src/csv.rs): a BOM for Excel, every cell quoted, the proxy's file name.
  expect(csv.startsWith("\uFEFF")).toBe(true);
  expect(download.suggestedFilename()).toMatch(/^xero-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toMatch(/^"Time","User id","User name","Action"/);
  expect(lines).toHaveLength(count + 1);
  expect(lines.slice(1).every((line) => line.includes("TaxRates"))).toBe(true);
});


/**
 * A live CRM invoice with nothing paid (none of `exclude`), linked to an authorised Xero invoice of the same number
 * and total made through the simulator's API: it stands for one an earlier Send created. Returns { invoice, xeroId }.
 */
async function linkedInXero(page, stack, uk, exclude = []) {
  const inXero = (await stack.control(`/tenants/${uk}/dump`)).Invoices.map((i) => i.InvoiceNumber);
  const invoice = await page.evaluate((taken) => window.crmApp.data.invoices.find((i) => i.kind === "invoice" && ["Live", "Pending", "Created"].includes(i.status) && i.amountOutstanding === i.total && !taken.includes(i.number)), [...inXero, ...exclude]);
  const company = await page.evaluate((id) => window.crmApp.data.companies.find((c) => c.id === id).name, invoice.companyId);
  const created = await xeroApi(stack, uk, "PUT", "Invoices", {
    Invoices: [{
      Type: "ACCREC", Status: "AUTHORISED", InvoiceNumber: invoice.number, Contact: { Name: company },
      Date: invoice.issueDate, DueDate: invoice.dueDate, LineAmountTypes: "Exclusive",
      LineItems: [{ Description: "As in the CRM", Quantity: 1, UnitAmount: Number(invoice.total), AccountCode: "200", TaxType: "ZERORATEDOUTPUT" }],
    }],
  });
  const xeroId = created.Invoices[0].InvoiceID;
  expect(created.Invoices[0].Total).toBe(Number(invoice.total));
  await page.evaluate(async ({ id, xeroId }) => {
    const app = window.crmApp;
    const record = app.data.invoices.find((i) => i.id === id);
    Object.assign(record, { xeroId, sentToAccounts: true, sentToAccountsDate: "2026-11-20" });
    await app.store.putRecords("invoices", [record]);
  }, { id: invoice.id, xeroId });
  return { invoice, xeroId };
}

test("rule B1: a payment made in Xero reaches the invoice screen by itself (webhook → proxy's change feed → page)", async ({ crmLive: page, stack, shot }) => {
  await stack.subscribeWebhooks();
  await ensureConnected(page, stack);
  const uk = (await stack.control("/tenants")).find((t) => t.name === UK).tenantId;
  const { invoice, xeroId } = await linkedInXero(page, stack, uk);
  await page.getByRole("link", { name: "Invoices" }).click();
  await search(page, invoice.number);
  const row = page.locator(`tr[data-id="${invoice.id}"]`);
  await expect(row).toContainText(invoice.status);

  // Part of it is paid in Xero: nobody presses a button in the CRM.
  const pay = (amount) => xeroApi(stack, uk, "PUT", "Payments", { Payments: [{ Invoice: { InvoiceID: xeroId }, Account: { Code: "090" }, Date: "2026-11-21", Amount: amount }] });
  await pay(10);
  const outstanding = (Number(invoice.total) - 10).toFixed(2);
  await expect(row).toContainText("Part Paid", { timeout: 30_000 });
  await expect(row).toContainText(`£${Number(outstanding).toLocaleString("en-GB", { minimumFractionDigits: 2 })}`);
  await shot("part-paid-from-webhook");
  await pay(Number(outstanding));
  await expect(row).toContainText("Paid", { timeout: 30_000 });
  await expect(row).not.toContainText("Part Paid");
  await expect(row).toContainText("£0.00");
  await shot("paid-from-webhook");
  // The change was stored in the CRM, not only drawn: it survives a reload.
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-ready", "true");
  const stored = await page.evaluate((id) => window.crmApp.data.invoices.find((i) => i.id === id), invoice.id);
  expect(stored).toMatchObject({ status: "Paid", amountOutstanding: "0.00" });
});

test("rule B2: with auto-send on, a live invoice is sent by itself once a change arrives from Xero; with it off, it is not", async ({ crmLive: page, stack, shot }) => {
  test.setTimeout(180_000);
  await stack.subscribeWebhooks();
  await ensureConnected(page, stack);
  const uk = (await stack.control("/tenants")).find((t) => t.name === UK).tenantId;
  const inXero = () => stack.control(`/tenants/${uk}/dump`).then((dump) => dump.Invoices.map((i) => i.InvoiceNumber));
  // The target: a live invoice never sent, with nothing paid and a mapped tax rate, under a number Xero does not have
  // (the journeys before this one share the simulator and sent the demo CRM's live invoices already).
  const target = await page.evaluate(async (number) => {
    const app = window.crmApp;
    const invoice = app.data.invoices.find((i) => i.kind === "invoice" && i.status === "Created" && i.amountOutstanding === i.total && !i.sentToAccounts && i.lines.every((l) => l.taxRateId === "vat20"));
    invoice.number = number;
    await app.store.putRecords("invoices", [invoice]);
    return invoice;
  }, `INV-B2-${Date.now()}`);
  expect(await inXero()).not.toContain(target.number);
  // The trigger: another invoice, in Xero already, whose payments there make the change feed move.
  const { invoice: trigger, xeroId } = await linkedInXero(page, stack, uk, [target.number]);
  // Auto-send follows A1 (every live invoice): the CRM keeps only these two, so that it has one invoice to send.
  await page.evaluate((ids) => {
    window.crmApp.data.invoices = window.crmApp.data.invoices.filter((i) => ids.includes(i.id));
  }, [target.id, trigger.id]);
  const pay = (amount) => xeroApi(stack, uk, "PUT", "Payments", { Payments: [{ Invoice: { InvoiceID: xeroId }, Account: { Code: "090" }, Date: "2026-11-21", Amount: amount }] });
  const targetRow = page.locator(`tr[data-id="${target.id}"]`);
  const triggerRow = page.locator(`tr[data-id="${trigger.id}"]`);
  await page.getByRole("link", { name: "Invoices" }).click();
  await search(page, "");

  // Auto-send off (the default): the change arrives, and the live invoice stays unsent.
  await pay(10);
  await expect(triggerRow).toContainText("Part Paid", { timeout: 30_000 });
  await expect(targetRow).toContainText("No");
  expect(await page.evaluate((id) => window.crmApp.data.invoices.find((i) => i.id === id).sentToAccounts, target.id)).toBeFalsy();
  expect(await inXero()).not.toContain(target.number);

  // Auto-send on: the next change sends it, with no button pressed, and it is marked Sent to Accounts (S9).
  await page.getByRole("link", { name: "Xero settings" }).click();
  await page.getByLabel("Send live invoices automatically").check();
  await expect(page.locator("#announcer")).toContainText("Auto-send on.");
  await page.getByRole("link", { name: "Invoices" }).click();
  await search(page, "");
  await pay(5);
  await expect(triggerRow).toContainText(`£${(Number(trigger.total) - 15).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`, { timeout: 30_000 });
  // Up to a minute: the journeys before this one may have spent the organisation's minute window (rule X2).
  await expect(targetRow.locator(".sent")).toContainText("Yes", { timeout: 75_000 });
  await shot("auto-sent");
  const stored = await page.evaluate((id) => window.crmApp.data.invoices.find((i) => i.id === id), target.id);
  expect(stored).toMatchObject({ sentToAccounts: true, xeroId: expect.any(String), sentToAccountsDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  const sent = (await stack.control(`/tenants/${uk}/dump`)).Invoices.filter((i) => i.InvoiceNumber === target.number);
  expect(sent.map((i) => [i.InvoiceID, i.Status])).toEqual([[stored.xeroId, "DRAFT"]]);
  // Stored in the CRM's IndexedDB as a manual Send's result is, not only drawn.
  const saved = await page.evaluate(async (id) => (await window.crmApp.store.loadAll()).invoices.find((i) => i.id === id), target.id);
  expect(saved).toMatchObject({ sentToAccounts: true, xeroId: stored.xeroId });
  // A further change sends nothing again: an invoice already sent to accounts is not re-written on every poll (X2).
  const invoiceWrites = async () => {
    const { byEndpoint } = await stack.control("/counters");
    return Object.entries(byEndpoint).filter(([key]) => /^(PUT|POST) \/api\.xro\/2\.0\/Invoices/.test(key)).reduce((n, [, count]) => n + count, 0);
  };
  const writesBefore = await invoiceWrites();
  await pay(1);
  await expect(triggerRow).toContainText(`£${(Number(trigger.total) - 16).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`, { timeout: 30_000 });
  await page.waitForTimeout(6_000); // one more poll of the change feed, with auto-send still on
  expect(await invoiceWrites()).toBe(writesBefore);
});
