// Accessibility (issue 6: labels, keyboard, contrast): axe-core's WCAG 2.1 A/AA rules on every view and dialog, run in
// the page itself (axe-core's own script, injected), as a finance user with the integration on.

import { createRequire } from "node:module";
import { test, expect, enableIntegration } from "./fixtures.js";
import { differing } from "./expected.js";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

test("every view and dialog passes axe-core's WCAG 2.1 AA rules", async ({ crm, shot }) => {
  expect(await violations(crm), "invoices, integration off").toEqual([]);
  await enableIntegration(crm);
  expect(await violations(crm), "settings").toEqual([]);
  for (const name of ["Companies", "Xero tools", "Xero log", "Discrepancies", "Reconciliation"]) {
    await crm.getByRole("link", { name }).click();
    await expect(crm.getByRole("heading", { level: 1 })).toBeVisible();
    expect(await violations(crm), name).toEqual([]);
  }
  await crm.getByRole("link", { name: "Invoices" }).click();
  await crm.getByLabel(`Select ${differing.number}`).check();
  expect(await violations(crm), "invoices with a selection").toEqual([]);
  await crm.getByRole("button", { name: "Preview Xero totals" }).click();
  await expect(crm.locator("#preview-table")).toBeVisible();
  expect(await violations(crm), "preview dialog").toEqual([]);
  await crm.keyboard.press("Escape");
  await crm.getByRole("button", { name: differing.number, exact: true }).click();
  await expect(crm.getByRole("dialog")).toBeVisible();
  expect(await violations(crm), "invoice dialog").toEqual([]);
  await shot("checked");
  // The check itself can fail: an unlabelled field and grey-on-grey text are reported.
  await crm.keyboard.press("Escape");
  await crm.evaluate(() => {
    document.querySelector("main").append(Object.assign(document.createElement("input"), { type: "text" }));
    const faint = Object.assign(document.createElement("p"), { textContent: "faint" });
    faint.style.cssText = "color:#ccc;background:#ddd";
    document.querySelector("main").append(faint);
  });
  const found = (await violations(crm)).join("\n");
  expect(found).toMatch(/^label /m);
  expect(found).toMatch(/^color-contrast /m);
});
