// The CRM page: loads the CRM from IndexedDB (seeding the demo data the first time), loads the xerosync package,
// opens the page's link to Xero (xero.js) and routes between the views by the URL hash.

import { DEMO_USERS, generateDemoData } from "./demo-data.js";
import { loadEngine } from "./engine.js";
import { openStore } from "./store.js";
import { applyFeedResult } from "./sync.js";
import { errorSentence, feedAnnouncement } from "./messages.js";
import { announce, h, openDialog, replace } from "./ui.js";
import { crmSession, openClient, STATUS, XeroLink } from "./xero.js";
import { renderCompanies } from "./views/companies.js";
import { renderDiscrepancies } from "./views/discrepancies.js";
import { renderInvoices } from "./views/invoices.js";
import { renderLog } from "./views/log.js";
import { renderReconciliation } from "./views/reconciliation.js";
import { renderSettings } from "./views/settings.js";
import { renderTools } from "./views/tools.js";

const ROUTES = [
  { path: "invoices", label: "Invoices", render: renderInvoices, xero: false },
  { path: "companies", label: "Companies", render: renderCompanies, xero: false },
  { path: "settings", label: "Xero settings", render: renderSettings, xero: true, whileDisabled: true },
  { path: "tools", label: "Xero tools", render: renderTools, xero: true },
  { path: "log", label: "Xero log", render: renderLog, xero: true },
  { path: "discrepancies", label: "Discrepancies", render: renderDiscrepancies, xero: true },
  { path: "reconciliation", label: "Reconciliation", render: renderReconciliation, xero: true },
];

/** Everything the views share: the CRM data, the current user, the package and the Xero link. */
class App {
  constructor({ store, data, engine, link, userId }) {
    this.store = store;
    this.data = data;
    this.engine = engine;
    this.link = link;
    this.user = DEMO_USERS.find((user) => user.id === userId) ?? DEMO_USERS[0];
    this.selection = new Set();
    this.list = { page: 0, pageSize: 50, query: "", status: "", kind: "" };
  }

  /** Rule C1: only finance and admin users see or use anything Xero. */
  get mayUseXero() {
    return this.user.role === "finance" || this.user.role === "admin";
  }

  /** Rules C1 + C2: Xero features are shown to this user and switched on. */
  get xeroVisible() {
    return this.mayUseXero && this.data.settings.enabled === true;
  }

  /**
   * The `ctx` of contract.md for the package's functions; with the organisation's enabled currencies once the Xero
   * link has read them (rule M1: an invoice in another currency is then refused before any call).
   */
  get ctx() {
    const { companies, products, taxRates, settings } = this.data;
    const options = this.link.connected ? this.link.knownOrganisationOptions : null;
    const ctx = { companies, products, taxRates, settings };
    if (options?.currencies?.length) ctx.currencies = options.currencies.map((currency) => currency.code);
    return ctx;
  }

  /** The ctx for a run against Xero: the organisation's options read first (kept by the link), when they can be. */
  async xeroCtx() {
    if (this.link.connected) await this.link.organisationOptions().catch(() => null);
    return this.ctx;
  }

  companyById(id) {
    return this.data.companies.find((company) => company.id === id);
  }

  /** Saves the settings in the CRM, then shares them with the proxy when there is one (it enforces C2 itself). */
  async saveSettings(patch) {
    this.data.settings = { ...this.data.settings, ...patch };
    await this.store.setMeta("settings", this.data.settings);
    await this.#share();
  }

  #share() {
    const shared = { settings: this.data.settings, taxRates: this.data.taxRates };
    return this.link.shareSettings(shared).catch((error) => announce(`Saved in the CRM, not yet in the proxy: ${errorSentence(error)}`, { tone: "error" }));
  }

  async saveTaxRates(taxRates) {
    this.data.taxRates = taxRates;
    await this.store.putRecords("taxRates", taxRates);
    await this.#share();
  }

  async switchUser(userId) {
    this.user = DEMO_USERS.find((user) => user.id === userId) ?? DEMO_USERS[0];
    await this.store.setMeta("userId", this.user.id);
    announce.clear(); // a message from the previous user's session must not linger (it may mention Xero: C1)
    this.render();
    await this.link.refresh(); // the proxy answers per user (C1): a sales session gets nothing
    await this.shareOnStart();
  }

  /**
   * The CRM holds the settings; a proxy that was (re)started since they were saved gets them again, so that it
   * enforces the same Enabled switch (C2). Only users who may use Xero can write them (C1).
   */
  async shareOnStart() {
    if (this.mayUseXero && this.link.state.status !== STATUS.UNAVAILABLE) await this.#share();
  }

  async resetDemo() {
    const data = generateDemoData();
    await this.store.replaceAll(data);
    await this.store.setMeta("userId", this.user.id);
    this.data = data;
    this.selection.clear();
    this.list.page = 0;
    this.render();
  }

  route() {
    const path = location.hash.replace(/^#\/?/, "") || "invoices";
    return ROUTES.find((route) => route.path === path) ?? ROUTES[0];
  }

  visibleRoutes() {
    return ROUTES.filter((route) => !route.xero || (this.mayUseXero && (this.xeroVisible || route.whileDisabled)));
  }

  render() {
    let route = this.route();
    if (!this.visibleRoutes().includes(route)) {
      route = ROUTES[0];
      history.replaceState(null, "", "#/invoices");
    }
    const navList = document.getElementById("nav-list");
    replace(
      navList,
      this.visibleRoutes().map((r) =>
        h("li", {}, h("a", { href: `#/${r.path}`, "aria-current": r === route ? "page" : null }, r.label)),
      ),
    );
    document.title = `${route.label} · Brightwater CRM`;
    const main = document.getElementById("main");
    replace(main);
    route.render(this, main);
  }
}

function confirmReset(app) {
  const reset = h("button", { type: "button", class: "button danger", id: "confirm-reset" }, "Reset demo data");
  const cancel = h("button", { type: "button", class: "button" }, "Cancel");
  const { dialog } = openDialog({
    title: "Reset the demo CRM?",
    body: h("p", {}, "Every invoice, company, product and setting goes back to the generated demo data. Changes are lost."),
    footer: [cancel, reset],
  });
  cancel.addEventListener("click", () => dialog.close());
  reset.addEventListener("click", async () => {
    await app.resetDemo();
    dialog.close();
    announce("Demo data reset.");
  });
  cancel.focus();
}

/** After the OAuth round trip the proxy sends the browser back with `?xero=connected|pick|error` (C3, C7). */
// What the proxy's `xeroError` code means to the person who pressed Connect (the code itself is for programs).
const CONNECT_ERRORS = {
  access_denied: "Xero did not connect: the access was cancelled on Xero's page.",
  tenant_bound: "Xero did not connect: that Xero organisation is already connected to another CRM. It has to be disconnected there first.",
  invalid_state: "Xero did not connect: the attempt expired or was started in another browser. Please press Connect to Xero again.",
};

function connectErrorText(code) {
  return CONNECT_ERRORS[code] ?? "Xero did not connect. Please try again; if it keeps failing, ask an administrator to look at the Xero log.";
}

function reportConnectOutcome() {
  const params = new URLSearchParams(location.search);
  const outcome = params.get("xero");
  if (!outcome) return;
  const messages = {
    connected: "Connected to Xero.",
    pick: "Connected to Xero: choose the organisation this CRM sends to.",
    error: connectErrorText(params.get("xeroError")),
  };
  announce(messages[outcome] ?? `Xero: ${outcome}`, { tone: outcome === "error" ? "error" : undefined });
  history.replaceState(null, "", `${location.pathname}${location.hash}`);
}

async function readConfig() {
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    return response.ok ? await response.json() : {};
  } catch {
    return {};
  }
}

async function start() {
  const store = await openStore();
  let data = await store.loadAll();
  if (!data) {
    data = generateDemoData();
    await store.replaceAll(data);
  }
  const [engine, config, userId] = await Promise.all([loadEngine(), readConfig(), store.getMeta("userId")]);
  let app = null;
  // The session of the CRM user of the moment, from the CRM's back end (serve.js), as the package's client asks.
  const link = new XeroLink(
    openClient({ xerosync: engine.ok ? engine.xerosync : null, proxyUrl: config.proxyUrl, sessionToken: crmSession(() => app.user) }),
  );
  app = new App({ store, data, engine, link, userId });
  window.crmApp = app; // for the browser console and the e2e tests' diagnostics

  const switcher = document.getElementById("user-switcher");
  replace(
    switcher,
    DEMO_USERS.map((user) => h("option", { value: user.id, selected: user.id === app.user.id }, `${user.name} (${user.role})`)),
  );
  switcher.addEventListener("change", () => app.switchUser(switcher.value));
  document.getElementById("reset-demo").addEventListener("click", () => confirmReset(app));
  window.addEventListener("hashchange", () => {
    app.render();
    document.getElementById("main").focus();
  });
  link.addEventListener("statechange", () => app.render());
  app.render();
  await link.refresh();
  await app.shareOnStart();
  reportConnectOutcome();
  // Rule B1: changes made in Xero reach the CRM without a button press, stored by the same code as Update's results.
  link.watchChanges({
    when: () => app.xeroVisible,
    crm: () => app.data,
    // Rule B2: with the auto-send setting on, the live invoices are sent after each batch, with the rules of A1.
    autoSend: () => (app.data.settings.autoSend === true ? { ctx: app.ctx } : null),
    getCursor: () => store.getMeta("changeCursor"),
    setCursor: (cursor) => store.setMeta("changeCursor", cursor),
    getRefusals: () => store.getMeta("autoSendRefusals"),
    setRefusals: (refusals) => store.setMeta("autoSendRefusals", refusals),
    onChanges: async (fed) => {
      // Everything the poll brought is stored first (the cursor moves on after this), whatever is said about it.
      const summary = await applyFeedResult(app, fed);
      if (summary.stored) app.render();
      const said = feedAnnouncement(app, summary);
      if (said) announce(said.text, { tone: said.tone });
    },
  });
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  replace(document.getElementById("main"), h("div", { class: "notice error", role: "alert" }, `The CRM failed to start: ${error.message}`));
  document.body.dataset.ready = "error";
});
