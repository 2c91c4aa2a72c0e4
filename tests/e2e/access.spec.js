// Who sees what (rules C1, C2, C6), and the honest "not connected" state while no proxy/client is behind the page:
// no view pretends that Xero answered.

import { test, expect, enableIntegration } from "./fixtures.js";
import { demo } from "./expected.js";

const xeroNav = ["Xero settings", "Xero tools", "Xero log", "Discrepancies"];

test("rule C1: a sales user sees nothing Xero, anywhere", async ({ crm, shot }) => {
  // As finance, with the integration on, the Xero parts are there…
  await enableIntegration(crm);
  await crm.getByRole("link", { name: "Invoices" }).click();
  for (const name of xeroNav) await expect(crm.getByRole("link", { name })).toBeVisible();
  await expect(crm.getByRole("columnheader", { name: "Xero" })).toBeVisible();
  await expect(crm.locator("[data-xero]")).toBeVisible();
  await shot("finance");

  // …and as sales, none of them: no navigation, no column, no buttons, not even the word.
  await crm.getByLabel("Signed in as").selectOption({ label: "Sam Okoro (sales)" });
  await expect(crm.locator("[data-xero]")).toHaveCount(0);
  for (const name of xeroNav) await expect(crm.getByRole("link", { name })).toHaveCount(0);
  await expect(crm.getByRole("columnheader", { name: "Xero" })).toHaveCount(0);
  await expect(crm.locator("#invoice-table tbody tr")).toHaveCount(50);
  expect(await crm.locator("body").innerText()).not.toMatch(/xero/i);
  await crm.getByRole("button", { name: demo.invoices[0].number, exact: true }).click();
  await expect(crm.getByRole("dialog")).toBeVisible();
  expect(await crm.getByRole("dialog").innerText()).not.toMatch(/xero/i);
  await shot("sales-detail");
  await crm.keyboard.press("Escape");

  // A Xero address typed in by hand lands on the invoices instead.
  for (const path of ["settings", "tools", "log", "discrepancies"]) {
    await crm.evaluate((p) => (location.hash = `#/${p}`), path);
    await expect(crm.getByRole("heading", { level: 1 })).toHaveText("Invoices");
  }
  await shot("sales");

  // Admin is allowed again.
  await crm.getByLabel("Signed in as").selectOption({ label: "Adam Price (admin)" });
  await expect(crm.getByRole("link", { name: "Xero tools" })).toBeVisible();
});

test("rules C2 and C6: no Xero buttons while disabled; Connect to Xero, not Send, while not connected", async ({ crm, shot }) => {
  await crm.getByLabel(`Select ${demo.invoices[0].number}`).check();
  // C2: disabled → no Xero buttons at all, only the settings to switch it on.
  await expect(crm.locator("[data-xero]")).toHaveCount(0);
  await expect(crm.getByRole("columnheader", { name: "Xero" })).toHaveCount(0);
  await expect(crm.getByRole("link", { name: "Xero settings" })).toBeVisible();
  await expect(crm.getByRole("link", { name: "Xero tools" })).toHaveCount(0);
  await shot("disabled");

  await enableIntegration(crm);
  await crm.getByRole("link", { name: "Invoices" }).click();
  // C6: enabled but not connected → Connect to Xero (leading to the settings), never Send or Update.
  await expect(crm.getByRole("button", { name: "Send to Xero" })).toHaveCount(0);
  await expect(crm.getByRole("button", { name: "Update from Xero" })).toHaveCount(0);
  await expect(crm.locator("[data-xero]")).toContainText("Xero: not connected");
  await shot("not-connected");
  await crm.getByRole("link", { name: "Connect to Xero" }).click();
  await expect(crm.getByRole("heading", { name: "Xero settings", level: 1 })).toBeVisible();
});

test("without a proxy every Xero view says so instead of faking a result", async ({ crm, shot }) => {
  await enableIntegration(crm);
  // Settings: the connection state and its reason; connecting and the organisation choice are unavailable.
  await expect(crm.locator("#connection-status")).toContainText("Not connected");
  await expect(crm.locator("#connection-status")).toContainText("no xerosync proxy is configured");
  await expect(crm.getByRole("button", { name: "Connect to Xero" })).toBeDisabled();
  await expect(crm.getByLabel("Xero organisation")).toBeDisabled();
  await expect(crm.locator("#tax-note")).toContainText("cannot be read");
  await expect(crm.getByLabel("VAT 20%")).toBeDisabled();
  await expect(crm.getByLabel("VAT 20%")).toHaveValue("OUTPUT2"); // the stored mapping is shown, not lost
  await shot("settings");

  // Tools: the counts come from the package's plans; starting needs a connection.
  await crm.getByRole("link", { name: "Xero tools" }).click();
  // Rule A1: cancelled invoices are not live either (they go to Xero only by S10, when selected and sent before).
  const live = demo.invoices.filter((i) => i.amountOutstanding === i.total && !["Paid", "Pending", "Cancelled"].includes(i.status));
  await expect(crm.locator("#sendAll-count")).toHaveText(`${live.length} records to do`);
  await expect(crm.locator("#updateAll-count")).toHaveText("0 records to do"); // nothing was ever sent (A2)
  await expect(crm.locator("#sendAll-start")).toBeDisabled();
  await expect(crm.locator("#updateAll-start")).toBeDisabled();
  await shot("tools");

  // Log: not readable, and nothing to export.
  await crm.getByRole("link", { name: "Xero log" }).click();
  await expect(crm.locator("#log-unavailable")).toContainText("The log cannot be read");
  await expect(crm.getByRole("button", { name: "Export CSV" })).toBeDisabled();
  await shot("log");

  // Discrepancies: none found yet.
  await crm.getByRole("link", { name: "Discrepancies" }).click();
  await expect(crm.locator("#no-discrepancies")).toContainText("No open discrepancies");
  await shot("discrepancies");
});

test("without the package's build the preview says how to build it, and the list still works", async ({ page, shot }) => {
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const { startStaticServer } = await import("../../www/serve.js");
  const empty = await mkdtemp(path.join(tmpdir(), "no-xerosync-"));
  const server = await startStaticServer({ pkgDir: empty });
  try {
    await page.goto(`${server.url}/#/invoices`);
    await expect(page.locator("body")).toHaveAttribute("data-ready", "true");
    await expect(page.locator("#invoice-table tbody tr")).toHaveCount(50);
    await enableIntegration(page);
    await page.getByRole("link", { name: "Invoices" }).click();
    await page.getByRole("button", { name: demo.invoices[0].number, exact: true }).click();
    const preview = page.locator("[data-preview]");
    await expect(preview).toHaveAttribute("data-preview", "error");
    await expect(preview).toContainText("could not be loaded");
    await expect(preview).toContainText("scripts/build-wasm.sh");
    await shot("no-package");
  } finally {
    await server.close();
    await rm(empty, { recursive: true, force: true });
  }
});

test("companies: every company with its primary contact and invoice count; the Xero column only for finance", async ({ crm, shot }) => {
  await enableIntegration(crm);
  await crm.getByRole("link", { name: "Companies" }).click();
  const table = crm.locator("#company-table");
  await expect(table.locator("tbody tr")).toHaveCount(demo.companies.length);
  const company = demo.companies[0];
  const row = table.locator(`tr[data-id="${company.id}"]`);
  const primary = company.people.find((p) => p.primary);
  await expect(row.locator("th")).toHaveText(company.name);
  await expect(row).toContainText(primary.email);
  await expect(row.locator("td").nth(2)).toHaveText(String(demo.invoices.filter((i) => i.companyId === company.id).length));
  await expect(row).toContainText("Not in Xero yet");
  await shot("finance");
  await crm.getByLabel("Signed in as").selectOption({ label: "Sam Okoro (sales)" });
  await expect(table.locator("tbody tr")).toHaveCount(demo.companies.length);
  expect(await crm.locator("body").innerText()).not.toMatch(/xero/i);
});
