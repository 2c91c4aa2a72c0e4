// Fixtures for the journeys over the whole product: the Xero simulator and the proxy under `wrangler dev`, started
// by the Worker tests' own harness (worker/test/harness.mjs: free 127.0.0.1 ports, a temp state dir, both stopped at
// the end and in any case after 10 minutes), the simulator's webhooks subscribed to the proxy, and the CRM page
// served with the proxy's URL (its /config.json, and its `POST /session` that mints the page's sessions at the proxy).
// One stack per Playwright worker (workers: 1, so one per run).

import { start, session as mintSession, sim as simCall, freePort, WEBHOOK_KEY } from "../../worker/test/harness.mjs";
import { DEMO_ORG, startStaticServer } from "../../www/serve.js";
import { test as base, expect } from "./fixtures.js";

/** The CRM organisation the page's sessions belong to (minted by the demo's back end, www/serve.js `POST /session`). */
export const CRM_ORG = DEMO_ORG;

export const test = base.extend({
  stack: [
    async ({}, use) => {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      // `--seed lived-in` as `npm start` runs it: Lived-in Ltd (UK)'s years of customers and invoices (lived-in.spec.js).
      const proxy = await start({ vars: { ALLOWED_ORIGINS: origin }, simArgs: ["--seed", "lived-in"] });
      let page = null;
      try {
        const subscribeWebhooks = async () => {
          const subscribed = await simCall(proxy, "/webhooks", { url: `${proxy.base}/webhooks/xero`, key: WEBHOOK_KEY });
          if (subscribed?.status !== "OK") throw new Error(`webhook subscription refused: ${JSON.stringify(subscribed)}`);
        };
        await subscribeWebhooks();
        page = await startStaticServer({ port, proxyUrl: proxy.base });
        await use({
          url: page.url,
          proxy: proxy.base,
          sim: proxy.sim,
          env: proxy,
          /** (Re)subscribes the simulator's webhooks to the proxy (rule B1). */
          subscribeWebhooks,
          /** The simulator's control API (`/_sim/…`). */
          control: (path, body, method) => simCall(proxy, path, body, method),
          /** A session of a demo user, as the page gets it (for checks from outside the page). */
          session: (user = { sub: "u-finance", name: "Fiona Hart", role: "finance" }) => mintSession(proxy, { ...user, org: CRM_ORG }),
          /** Calls the proxy as `token`'s user. */
          async api(token, path, { method = "GET", body } = {}) {
            const response = await fetch(`${proxy.base}${path}`, {
              method,
              headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
              body: body ? JSON.stringify(body) : undefined,
            });
            const text = await response.text();
            let json = null;
            try {
              json = JSON.parse(text);
            } catch {
              // CSV or empty
            }
            return { status: response.status, json, text };
          },
        });
      } finally {
        await page?.close();
        await proxy.stop();
      }
    },
    { scope: "worker", timeout: 120_000 },
  ],

  /** The CRM page on the stack, loaded and ready; fails on any page error. */
  crmLive: async ({ page, stack }, use) => {
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${stack.url}/#/invoices`);
    await expect(page.locator("body")).toHaveAttribute("data-ready", "true");
    await use(page);
    expect(errors, "uncaught errors in the page").toEqual([]);
  },
});

export { expect };

/** Xero's own screens (a bookkeeper at work in Xero), as an app of their own: not the xerosync app. */
const XERO_UI = { clientId: "xero-own-screens", clientSecret: "xero-own-screens-secret" };
const registered = new Set();

/**
 * The simulator's Accounting API, called as Xero's own UI would be: a token of its own, for an app of its own, so
 * that what a journey does "in Xero" never spends the xerosync app's calls (rule X2 counts per app and
 * organisation). Throws with Xero's answer when it refuses.
 */
export async function xeroApi(stack, tenantId, method, path, body) {
  if (!registered.has(stack.sim)) {
    await stack.control("/clients", XERO_UI);
    registered.add(stack.sim);
  }
  const { access_token: token } = await stack.control("/tokens", { clientId: XERO_UI.clientId, tenants: [tenantId] });
  const response = await fetch(`${stack.sim}/api.xro/2.0/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "xero-tenant-id": tenantId, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (a refusal in plain text): kept as text for the message
  }
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${typeof json === "string" ? json : JSON.stringify(json)}`);
  return json;
}
