// The Invoices screen: demo data loaded from IndexedDB, the list, selection and filters, Xero's preview from the real
// package (rule S6), and keyboard access to the main actions.

import { test, expect, enableIntegration, tabTo } from "./fixtures.js";
import { amountDiscounted, demo, differing, matching, pounds, xeroTotals } from "./expected.js";
import { crmLineAmount } from "../../www/src/crm-totals.js";
import { compare, fixed, formatMoney, mul, percentOf, round, sub } from "../../www/src/money.js";

const rows = (page) => page.locator("#invoice-table tbody tr");

test("the page loads the seeded demo data into the invoice list", async ({ crm, shot }) => {
  const invoices = demo.invoices.filter((i) => i.kind === "invoice").length;
  const credits = demo.invoices.length - invoices;
  expect(invoices).toBe(524); // 500 in pounds, 24 of the customers abroad (rule M1)
  await expect(crm.getByRole("heading", { name: "Invoices", level: 1 })).toBeVisible();
  await expect(crm.locator(".page-header")).toContainText(`${invoices} invoices and ${credits} credit notes · ${demo.companies.length} companies`);
  await expect(rows(crm)).toHaveCount(50);
  await expect(crm.locator("#page-info")).toHaveText(`Showing 1–50 of ${demo.invoices.length}`);
  // The first row is the newest record of the generator, with its company, status and penny-exact amounts.
  const first = demo.invoices[0];
  const company = demo.companies.find((c) => c.id === first.companyId);
  const row = rows(crm).first();
  await expect(row.locator("td").nth(1)).toContainText(first.number);
  await expect(row.locator("td").nth(2)).toHaveText(company.name);
  await expect(row.locator("td").nth(5)).toHaveText(first.status);
  await expect(row.locator("td").nth(6)).toHaveText(pounds(first.total));
  await expect(row.locator("td").nth(7)).toHaveText(pounds(first.amountOutstanding));
  await expect(row.locator("td").nth(8)).toHaveText("No");
  await shot("list");

  await crm.getByRole("button", { name: "Next" }).click();
  await expect(crm.locator("#page-info")).toHaveText(`Showing 51–100 of ${demo.invoices.length}`);
  await expect(rows(crm).first().locator("td").nth(1)).toContainText(demo.invoices[50].number);
});

test("selection: single rows, the page, every match, and clearing", async ({ crm, shot }) => {
  await crm.getByLabel(`Select ${demo.invoices[0].number}`).check();
  await crm.getByLabel(`Select ${demo.invoices[2].number}`).check();
  await expect(crm.locator("#selection-count")).toContainText("2 selected");
  await expect(rows(crm).nth(0)).toHaveClass(/selected/);
  await expect(rows(crm).nth(1)).not.toHaveClass(/selected/);
  await shot("two-selected");

  await crm.getByLabel("Select all invoices on this page").check();
  await expect(crm.locator("#selection-count")).toContainText("50 selected");
  await crm.getByRole("button", { name: `Select all ${demo.invoices.length} matching` }).click();
  await expect(crm.locator("#selection-count")).toContainText(`${demo.invoices.length} selected`);
  // Selection survives paging.
  await crm.getByRole("button", { name: "Next" }).click();
  await expect(crm.getByLabel(`Select ${demo.invoices[50].number}`)).toBeChecked();
  await crm.getByRole("button", { name: "Clear selection" }).click();
  await expect(crm.locator("#selection-count")).toHaveText("No invoices selected");

  // Filters: every row shown has the chosen status, and the count is the generator's.
  await crm.getByLabel("Status").selectOption("Part Paid");
  const partPaid = demo.invoices.filter((i) => i.status === "Part Paid");
  await expect(crm.locator("#page-info")).toHaveText(`Showing 1–${Math.min(50, partPaid.length)} of ${partPaid.length}`);
  const statuses = await rows(crm).locator("td:nth-child(6)").allInnerTexts();
  expect(new Set(statuses)).toEqual(new Set(["Part Paid"]));
  await crm.getByLabel("Type").selectOption("creditNote");
  await expect(rows(crm)).toHaveCount(demo.invoices.filter((i) => i.status === "Part Paid" && i.kind === "creditNote").length);
  await shot("filtered");
});

test("sorting by a column header, both ways, announced through aria-sort", async ({ crm, shot }) => {
  const byTotal = [...demo.invoices].sort((a, b) => compare(a.total, b.total) || a.number.localeCompare(b.number, "en", { numeric: true }));
  const header = crm.getByRole("columnheader", { name: "Total" });
  await expect(crm.getByRole("columnheader", { name: "Issued" })).toHaveAttribute("aria-sort", "descending");
  await header.getByRole("button").click();
  await expect(header).toHaveAttribute("aria-sort", "ascending");
  await expect(rows(crm).first().locator("td").nth(1)).toContainText(byTotal[0].number);
  await expect(rows(crm).first().locator("td").nth(6)).toHaveText(formatMoney(byTotal[0].total, byTotal[0].currency));
  await header.getByRole("button").click();
  await expect(header).toHaveAttribute("aria-sort", "descending");
  await expect(rows(crm).first().locator("td").nth(6)).toHaveText(formatMoney(byTotal[byTotal.length - 1].total, byTotal[byTotal.length - 1].currency));
  await expect(crm.getByRole("columnheader", { name: "Issued" })).not.toHaveAttribute("aria-sort", /.+/);
  await shot("by-total-descending");
});

test("rule S6: the preview shows Xero's totals from the real package and highlights a difference", async ({ crm, shot }) => {
  const expected = xeroTotals(differing);
  expect(expected.total).not.toBe(differing.total);
  await enableIntegration(crm);
  await crm.getByRole("link", { name: "Invoices" }).click();

  // One invoice's detail: CRM and Xero side by side, the differing total highlighted and explained.
  await crm.getByLabel("Search").fill(differing.number);
  await crm.getByLabel("Search").press("Enter");
  await expect(rows(crm)).toHaveCount(1);
  await crm.getByRole("button", { name: differing.number, exact: true }).click();
  const dialog = crm.getByRole("dialog", { name: `Invoice ${differing.number}` });
  const preview = dialog.locator("[data-preview]");
  await expect(preview).toHaveAttribute("data-preview", "differs");
  const totalRow = preview.locator("tr.grand");
  await expect(totalRow.locator("td").nth(0)).toHaveText(pounds(differing.total));
  await expect(totalRow.locator("td").nth(1)).toContainText(pounds(expected.total));
  await expect(totalRow.locator("td").nth(1)).toHaveClass(/differs/);
  await expect(preview.locator("tbody tr").nth(1).locator("td").nth(1)).toContainText(pounds(expected.totalTax));
  await expect(preview.getByRole("note")).toContainText(expected.total);
  await expect(preview.getByRole("note")).toContainText(differing.total);
  await shot("detail-differs");
  await crm.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // A selection: the differing row is highlighted, the matching one is not.
  await crm.getByLabel(`Select ${differing.number}`).check();
  await crm.getByLabel("Search").fill(matching.number);
  await crm.getByLabel("Search").press("Enter");
  await crm.getByLabel(`Select ${matching.number}`).check();
  await crm.getByRole("button", { name: "Preview Xero totals" }).click();
  const table = crm.locator("#preview-table");
  const bad = table.locator(`tr[data-id="${differing.id}"]`);
  const good = table.locator(`tr[data-id="${matching.id}"]`);
  await expect(bad).toHaveClass(/differs/);
  await expect(bad.locator(".xero-total")).toHaveText(pounds(expected.total));
  await expect(bad).toContainText("Differs");
  await expect(good).not.toHaveClass(/differs/);
  await expect(good.locator(".xero-total")).toHaveText(pounds(xeroTotals(matching).total));
  await expect(good).toContainText("Matches");
  await expect(crm.locator("#preview-summary")).toHaveText("1 of 2 differ from the CRM's totals.");
  // Nothing can be sent without a connection, and the dialog says so instead of pretending.
  await expect(crm.getByRole("dialog")).toContainText("Sending needs a connection to Xero");
  await shot("selection-preview");
});

test("rule S6: the discount strategy of the settings reaches the preview (a rate that cannot reproduce the line, or an amount)", async ({ crm, shot }) => {
  const { invoice, index } = amountDiscounted;
  const line = invoice.lines[index];
  const crmAmount = fixed(crmLineAmount(line));
  await enableIntegration(crm);
  const lineRow = () => crm.getByRole("dialog").getByRole("table", { name: "Lines" }).locator("tbody tr").nth(index);
  const openInvoice = async () => {
    await crm.getByRole("link", { name: "Invoices" }).click();
    await crm.getByLabel("Search").fill(invoice.number);
    await crm.getByLabel("Search").press("Enter");
    await crm.getByRole("button", { name: invoice.number, exact: true }).click();
  };

  // "Always a percentage": the amount becomes a rate, Xero's line misses the CRM's by a penny, and it is highlighted.
  await crm.getByRole("link", { name: "Xero settings" }).click();
  await crm.getByLabel("Always a percentage", { exact: true }).check();
  await openInvoice();
  const cells = lineRow().locator("td");
  await expect(cells.nth(5)).toHaveText(pounds(crmAmount));
  await expect(cells.nth(6)).toHaveText(/^\d+(\.\d+)?%$/);
  const rate = (await cells.nth(6).innerText()).replace("%", "");
  // Xero's line for that rate (xero-api-notes.md: Quantity × UnitAmount × (100 − DiscountRate) / 100, 2 dp).
  const xeroAmount = fixed(round(percentOf(mul(line.quantity, line.listPrice), sub("100", rate)), 2));
  expect(xeroAmount).not.toBe(crmAmount);
  await expect(cells.nth(7)).toHaveText(pounds(xeroAmount));
  await expect(lineRow()).toHaveClass(/differs/);
  await expect(crm.getByRole("dialog").locator("[data-preview]")).toHaveAttribute("data-preview", "differs");
  await shot("rate");
  await crm.keyboard.press("Escape");

  // "Automatic": the same line goes as an amount, and Xero's line is the CRM's.
  await crm.getByRole("link", { name: "Xero settings" }).click();
  await crm.getByLabel("Automatic", { exact: true }).check();
  await openInvoice();
  await expect(cells.nth(6)).toHaveText(pounds(line.discount.amount));
  await expect(cells.nth(7)).toHaveText(pounds(crmAmount));
  await expect(lineRow()).not.toHaveClass(/differs/);
  await shot("auto");
});

test("keyboard: skip link, search, select, open and close an invoice, reach the settings", async ({ crm, shot }) => {
  await crm.locator("body").press("Tab");
  await expect(crm.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await crm.keyboard.press("Enter");
  await expect(crm.locator("main")).toBeFocused();

  const search = crm.getByLabel("Search");
  await tabTo(crm, search);
  await crm.keyboard.type(matching.number);
  await crm.keyboard.press("Enter");
  await expect(rows(crm)).toHaveCount(1);

  const checkbox = crm.getByLabel(`Select ${matching.number}`);
  await tabTo(crm, checkbox);
  await crm.keyboard.press("Space");
  await expect(checkbox).toBeChecked();
  await expect(crm.locator("#selection-count")).toContainText("1 selected");

  const open = crm.getByRole("button", { name: matching.number, exact: true });
  await tabTo(crm, open);
  await crm.keyboard.press("Enter");
  await expect(crm.getByRole("dialog", { name: `Invoice ${matching.number}` })).toBeVisible();
  await shot("dialog-by-keyboard");
  await crm.keyboard.press("Escape");
  await expect(crm.getByRole("dialog")).toHaveCount(0);
  await expect(open).toBeFocused(); // focus goes back to where it was

  const settings = crm.getByRole("link", { name: "Xero settings" });
  await tabTo(crm, settings, { backwards: true }); // from the table back to the navigation
  await crm.keyboard.press("Enter");
  await expect(crm.getByRole("heading", { name: "Xero settings", level: 1 })).toBeVisible();
  const enable = crm.getByLabel("Enable the Xero integration");
  await tabTo(crm, enable);
  await crm.keyboard.press("Space");
  await expect(enable).toBeChecked();
  await expect(crm.getByRole("link", { name: "Xero tools" })).toBeVisible();
  await shot("settings-by-keyboard");
});
