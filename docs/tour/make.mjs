#!/usr/bin/env node
// Regenerates the README's tour pictures from the e2e journeys' screenshots (tests/output/screens/, written by
// `bash tests/e2e/run.sh`): each is scaled to 720 px wide in Debian's Chromium and saved here as a small PNG.
//   node docs/tour/make.mjs                      (every picture)
//   node docs/tour/make.mjs 8-reconciliation.png (only those named)
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCREENS = path.join(HERE, "..", "..", "tests", "output", "screens");
const PICTURES = {
  "1-invoices.png": "live-rule-c6-connect-to-xero-while-not-connected-send-and-update--01-invoices-connected.png",
  "2-consent.png": "live-rules-c3-c7-t1-c5-connect-through-the-consent-page-choose-th-02-consent-page.png",
  "3-settings.png": "live-rules-c3-c7-t1-c5-connect-through-the-consent-page-choose-th-04-connected-taxes-mapped.png",
  "4-send-outcomes.png": "live-rules-s1-s2-s4-s9-t1-u1-u2-preview-and-send-good-and-bad-inv-02-send-outcomes.png",
  "5-part-paid.png": "live-rules-s1-s2-s4-s9-t1-u1-u2-preview-and-send-good-and-bad-inv-04-part-paid-after-update.png",
  "6-log.png": "live-rule-l1-the-log-shows-the-proxy-s-xero-log-filtered-and-expo-01-log-filtered.png",
  "7-euro-invoice.png": "beyond-rule-m1-a-eur-invoice-sent-in-euros-and-paid-in-xero-comes-b-02-euro-invoice-detail.png",
  "8-reconciliation.png": "beyond-rule-rc1-the-reconciliation-report-after-breaking-three-invo-01-reconciliation-report.png",
};
const only = process.argv.slice(2);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 720, height: 450 } });
  for (const [out, source] of Object.entries(PICTURES).filter(([out]) => only.length === 0 || only.includes(out))) {
    const data = (await readFile(path.join(SCREENS, source))).toString("base64");
    await page.setContent(`<body style="margin:0"><img id="shot" style="display:block;width:720px" src="data:image/png;base64,${data}"></body>`);
    await page.locator("#shot").screenshot({ path: path.join(HERE, out) });
  }
} finally {
  await browser.close();
}
