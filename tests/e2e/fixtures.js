// Shared fixtures of the e2e tests: the CRM page served by www/serve.js on 127.0.0.1 at a free port (one server per
// worker, closed at the end, and in any case after 15 minutes), a page opened on it and ready, and `shot(name)`,
// which saves a numbered screenshot of each step under tests/output/screens/ (gitignored).

import { test as base, expect } from "@playwright/test";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../../www/serve.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCREENS = path.join(HERE, "..", "output", "screens");
const SERVER_LIFETIME_MS = 15 * 60 * 1000;

export const test = base.extend({
  crmUrl: [
    async ({}, use) => {
      const server = await startStaticServer({ port: 0, proxyUrl: null });
      const safety = setTimeout(() => server.close(), SERVER_LIFETIME_MS);
      safety.unref();
      try {
        await use(server.url);
      } finally {
        clearTimeout(safety);
        await server.close();
      }
    },
    { scope: "worker" },
  ],

  /** The CRM page, loaded and ready (demo data in IndexedDB, package loaded). Fails on any page error. */
  crm: async ({ page, crmUrl }, use) => {
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${crmUrl}/#/invoices`);
    await expect(page.locator("body")).toHaveAttribute("data-ready", "true");
    await use(page);
    expect(errors, "uncaught errors in the page").toEqual([]);
  },

  shot: async ({ page }, use, testInfo) => {
    let step = 0;
    const prefix = `${path.basename(testInfo.file, ".spec.js")}-${testInfo.title.replace(/[^a-z0-9]+/gi, "-").toLowerCase().slice(0, 60)}`;
    await mkdir(SCREENS, { recursive: true });
    await use(async (name, options = {}) => {
      step += 1;
      const file = path.join(SCREENS, `${prefix}-${String(step).padStart(2, "0")}-${name}.png`);
      await page.screenshot({ path: file, ...options });
      return file;
    });
  },
});

export { expect };

/** Presses Tab (or Shift+Tab) until `locator` has focus, at most `max` times: proves it is reachable by keyboard. */
export async function tabTo(page, locator, { max = 80, backwards = false } = {}) {
  for (let i = 0; i < max; i++) {
    if (await locator.evaluate((element) => element === document.activeElement).catch(() => false)) return i;
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
  }
  throw new Error(`not reachable with ${max} Tab presses: ${locator}`);
}

/** Enables the integration (rule C2) through the Settings page, as an admin would. */
export async function enableIntegration(page) {
  await page.getByRole("link", { name: "Xero settings" }).click();
  await page.getByLabel("Enable the Xero integration").check();
  await expect(page.getByRole("link", { name: "Xero tools" })).toBeVisible();
}
