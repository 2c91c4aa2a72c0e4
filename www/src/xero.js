// The one module of the page that talks to Xero: everything behind it goes through the xerosync proxy (rule C3:
// tokens stay there). The views only ever see a XeroLink: its connection state, Xero's tax rates, send, update,
// progress callbacks, the log and the change feed. Behind it sits a *backend*; the sync client of the xerosync
// package (issue 5) is meant to be one. Until a backend exists, the link reports an honest "unavailable" state and
// every Xero operation rejects with code `xero_unavailable`: nothing here pretends that Xero answered.
//
// The backend contract (each method async unless noted; shapes are what the views consume):
//   connection()                 → ConnectionState (below), from the proxy
//   connectUrl({ returnTo })     → the proxy URL that starts the OAuth flow (C3); the page navigates to it
//   disconnect()                 → ConnectionState
//   chooseOrganisation(tenantId) → ConnectionState (C7: stored by the proxy, sent on every call)
//   taxRates()                   → [{ taxType, name, rate }]: the organisation's active revenue rates (T1)
//   send({ invoices, ctx, mode, onProgress, signal, checkpoint })   → SendResult   (S1-S9, A1, A3)
//   update({ invoices, ctx, mode, onProgress, signal, checkpoint }) → UpdateResult (U1-U5, A2, A3)
//   readLog(filters, { before }) → { rows: [LogRow], nextBefore }: one page of xero_log, newest first (L1);
//                                  nextBefore (null at the end) is the `before` of the next, older page
//   exportLog(filters)           → { blob, filename }: the proxy's CSV of every matching row (L1)
//   changes({ cursor, autoSend })  → { cursor, changes: [{ id, changes, discrepancies }], sent? } (B1); with
//                                  autoSend = { ctx }, also sends the live invoices (B2): sent is a SendResult
//   invoiceUrl({ kind, xeroId }) → string | null, sync: where a person opens that record in Xero
//   readXeroDocument({ kind, xeroId }) → Xero's invoice or credit note as Xero returns it (rule U6 needs it)
//   readSettings() / writeSettings({ settings, taxRates }) → the organisation's shared settings (C2, T1, S6, B2)
//   organisationOptions()        → { baseCurrency, currencies, trackingCategories, brandingThemes } (M1, K1, K2)
//   onlineInvoice(invoice)       → { changes: { onlineInvoiceUrl } }: the customer's link of an approved invoice (O1)
//   emailInvoice(invoice)        → { emailed: true, message }: Xero emails the approved invoice to its contact (O2)
//   reconcile(invoices, { companies, from, to, signal, onProgress }) → Reconciliation & { finished, calls } (RC1)
//
// The proxy (worker/) serves these as: GET /connection (status not_connected | pick_required | connected |
// reconnect_required, tenantId, tenantName, reason), GET /connections + POST /connections/select (C7),
// POST /connection/disconnect, GET /oauth/connect, GET|PUT /settings, GET /log (filters, before, format=csv),
// GET /changes?after=<cursor>, and /xero/* (e.g. GET /xero/TaxRates). Mapping those onto the contract is the
// adapter's job (proxy-backend.js), e.g. pick_required → "chooseOrganisation".
//
// ConnectionState: { status, reason, organisation: { tenantId, name } | null, organisations: [{ tenantId, name }] }
//   status: "unavailable" (no proxy/client) | "disconnected" | "chooseOrganisation" (C7) | "connected"
//           | "reconnectRequired" (C4: with the reason Xero gave)
// Progress (A3): { done, total, calls, etaSeconds, phase } — phase e.g. "products", "contacts", "invoices".
// SendResult: { outcomes: [{ id, outcome: "sent"|"skipped"|"failed", rule?, message?, changes? }],
//   companyChanges: [{ id, changes }], failingProducts: [{ id, code, reason }], cancelled, checkpoint,
//   contactMatches: [{ id, by: "ambiguous"|"archived", message, candidates: [{ contactId, name, contactNumber?,
//   email?, balance?, archived }] }] (S3a: companies whose Xero contact a person must choose) }
// UpdateResult: { outcomes: [{ id, outcome: "updated"|"unchanged"|"skipped"|"failed", message?, changes? }],
//   (changes may carry U7's payments: [{ date, amount, reference? }], credits: [{ number?, date?, amount }],
//   fullyPaidOnDate),
//   companyChanges: [{ id, changes }], discrepancies: [{ id, number, messages: [string] }], cancelled, checkpoint }
// LogRow: { time, user, action, recordKind, crmRef, xeroId, outcome, message }

import { proxyBackend } from "./proxy-backend.js";

export const STATUS = Object.freeze({
  UNAVAILABLE: "unavailable",
  DISCONNECTED: "disconnected",
  CHOOSE_ORGANISATION: "chooseOrganisation",
  CONNECTED: "connected",
  RECONNECT_REQUIRED: "reconnectRequired",
});

/** Thrown (as a rejection) by every Xero operation while there is no working connection. */
export class XeroUnavailableError extends Error {
  constructor(message) {
    super(message);
    this.name = "XeroUnavailableError";
    this.code = "xero_unavailable";
  }
}

/** The backend used while the package has no sync client or no proxy is configured: it says so, and does nothing. */
export function unavailableBackend(reason) {
  const state = { status: STATUS.UNAVAILABLE, reason, organisation: null, organisations: [] };
  const refuse = async () => {
    throw new XeroUnavailableError(`Not connected to Xero: ${reason}`);
  };
  return {
    connection: async () => state,
    connectUrl: refuse,
    disconnect: refuse,
    chooseOrganisation: refuse,
    taxRates: refuse,
    send: refuse,
    update: refuse,
    readLog: refuse,
    exportLog: refuse,
    readXeroDocument: refuse,
    logResolution: refuse,
    changes: refuse,
    readSettings: refuse,
    writeSettings: refuse,
    organisationOptions: refuse,
    onlineInvoice: refuse,
    emailInvoice: refuse,
    reconcile: refuse,
    invoiceUrl: () => null,
  };
}

/**
 * Picks the backend for this page. `proxyUrl` is where the xerosync proxy runs (set by `npm start` through the
 * page's /config.json); `xerosync` is the loaded package module, or null when it could not be loaded;
 * `currentUser()` is the CRM user whose session calls the proxy and `crm()` the CRM data the change feed applies to.
 */
export function chooseBackend({ xerosync, proxyUrl, currentUser, crm }) {
  if (!xerosync) return unavailableBackend("the xerosync package is not loaded");
  if (!proxyUrl) return unavailableBackend("no xerosync proxy is configured for this page");
  return proxyBackend({ proxyUrl, xerosync, currentUser, crm });
}

/**
 * How long a read refused for Xero's rate limit (rule X2: 60 calls a minute per organisation) waits before it is
 * tried again: the error's own figure when it carries one (the package's error has no field for it yet, so the
 * proxy's "retry after N s" in its message is read too), else five seconds; never more than a minute.
 */
export function retryDelaySeconds(error) {
  const given = error?.retryAfter ?? error?.retryAfterSeconds ?? /retry after (\d+)/i.exec(String(error?.message ?? ""))?.[1];
  const seconds = Number(given);
  return Math.min(Number.isFinite(seconds) && seconds > 0 ? seconds : 5, 60);
}

/** A read of the settings' pickers, tried up to three times while Xero answers "rate limited". */
export async function readPatiently(read, { attempts = 3, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)) } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (error?.code !== "rate_limited" || attempt >= attempts) throw error;
      await sleep(retryDelaySeconds(error) * 1000);
    }
  }
}

/**
 * The page's handle on Xero. Fires "statechange" events (detail: ConnectionState) whenever the state changes.
 */
export class XeroLink extends EventTarget {
  constructor(backend) {
    super();
    this.backend = backend;
    this.state = { status: STATUS.UNAVAILABLE, reason: "not checked yet", organisation: null, organisations: [] };
  }

  /** Why Send / Update cannot run although connected (a package build without the sync client), or null. */
  get syncUnavailableReason() {
    return this.backend.syncUnavailableReason ?? null;
  }

  /** True when Send and Update may be offered (rule C6 also needs the integration enabled, which the page knows). */
  get connected() {
    return this.state.status === STATUS.CONNECTED;
  }

  /** Re-reads the connection from the proxy. Never throws: a failure is a state with its reason. */
  async refresh() {
    try {
      this.#setState(await this.backend.connection());
    } catch (error) {
      this.#setState({ status: STATUS.UNAVAILABLE, reason: error.message, organisation: null, organisations: [] });
    }
    return this.state;
  }

  /** Starts the OAuth flow (C3): resolves to the URL the page must open. */
  async connectUrl(options = {}) {
    return this.backend.connectUrl(options);
  }

  async disconnect() {
    return this.#setState(await this.backend.disconnect());
  }

  async chooseOrganisation(tenantId) {
    return this.#setState(await this.backend.chooseOrganisation(tenantId));
  }

  /**
   * Xero's revenue tax rates (T1). Kept for ten minutes per organisation like the organisation's options: the
   * settings page is drawn again on every change, and each reading is a Xero call (rule X2: 60 a minute).
   */
  async taxRates({ fresh = false } = {}) {
    this.#requireConnected();
    return this.#kept("taxRates", () => this.backend.taxRates(), fresh);
  }

  /** Send to Xero (mode "selected", S1-S9) or Send all live (mode "allLive", A1). See SendResult above. */
  async send({ invoices, ctx, mode = "selected", onProgress = () => {}, signal, checkpoint } = {}) {
    this.#requireConnected();
    return this.backend.send({ invoices, ctx, mode, onProgress, signal, checkpoint });
  }

  /** Update from Xero (mode "selected", U1-U5) or Update all (mode "all", A2). See UpdateResult above. */
  async update({ invoices, ctx, mode = "selected", onProgress = () => {}, signal, checkpoint } = {}) {
    this.#requireConnected();
    return this.backend.update({ invoices, ctx, mode, onProgress, signal, checkpoint });
  }

  /**
   * Shares the CRM's Xero settings with the proxy, which enforces C2 and runs B2 for every user of the organisation.
   * Resolves to false (nothing shared) while there is no proxy to share them with; the page keeps its own copy.
   */
  async shareSettings({ settings, taxRates }) {
    if (this.state.status === STATUS.UNAVAILABLE) return false;
    await this.backend.writeSettings({ settings, taxRates });
    return true;
  }

  /** Rule U6: records a person's choice (resolveDiscrepancy's `log`) in the proxy's log; false without a proxy. */
  async logResolution(log) {
    if (this.state.status === STATUS.UNAVAILABLE) return false;
    await this.backend.logResolution(log);
    return true;
  }

  /** Xero's own record of a sent invoice or credit note (as Xero returns it), for a person resolving a discrepancy (U6). */
  async readXeroDocument(invoice) {
    this.#requireConnected();
    if (!invoice?.xeroId) throw new Error(`${invoice?.number ?? "This invoice"} has no Xero id: it was never sent.`);
    return this.backend.readXeroDocument({ kind: invoice.kind, xeroId: invoice.xeroId });
  }

  /**
   * Rules M1, K1, K2: the organisation's base and enabled currencies, active tracking categories with their options,
   * and branding themes, for the settings' pickers. Read once per organisation and kept for ten minutes (four Xero
   * calls each time); `fresh` reads them again.
   */
  async organisationOptions({ fresh = false } = {}) {
    this.#requireConnected();
    return this.#kept("organisationOptions", () => this.backend.organisationOptions(), fresh);
  }

  /** The organisation's options if they were read already for the organisation connected now, else null. */
  get knownOrganisationOptions() {
    const entry = this.#reads.get("organisationOptions");
    return entry && entry.tenantId === (this.state.organisation?.tenantId ?? null) ? entry.value : null;
  }

  /** A read kept per organisation for ten minutes (a failed one is not kept); `fresh` reads it again. */
  #kept(key, read, fresh) {
    const tenantId = this.state.organisation?.tenantId ?? null;
    const cached = this.#reads.get(key);
    if (!fresh && cached && cached.tenantId === tenantId && Date.now() - cached.at < 10 * 60 * 1000) return cached.promise;
    const entry = { tenantId, at: Date.now(), promise: null, value: null };
    entry.promise = readPatiently(read).then(
      (value) => {
        entry.value = value;
        return value;
      },
      (error) => {
        if (this.#reads.get(key) === entry) this.#reads.delete(key);
        throw error;
      },
    );
    this.#reads.set(key, entry);
    return entry.promise;
  }

  /** Rule O1: the customer's online invoice link of a sent, approved invoice: { changes: { onlineInvoiceUrl } }. */
  async onlineInvoice(invoice) {
    this.#requireConnected();
    return this.backend.onlineInvoice(invoice);
  }

  /** Rule O2: Xero emails the approved invoice to its contact: { emailed, message }. */
  async emailInvoice(invoice) {
    this.#requireConnected();
    return this.backend.emailInvoice(invoice);
  }

  /** Rule RC1: the CRM's invoices of a period against Xero's: a Reconciliation with `finished` and `calls`. */
  async reconcile(invoices, { companies, from, to, signal, onProgress } = {}) {
    this.#requireConnected();
    return this.backend.reconcile(invoices, { companies, from, to, signal, onProgress });
  }

  /** One page of xero_log matching { outcome, action, recordKind, crmRef, from, to } (L1): { rows, nextBefore }. */
  async readLog(filters = {}, page = {}) {
    this.#requireConnected();
    return this.backend.readLog(filters, page);
  }

  /** The proxy's CSV of every row matching the filters (L1): { blob, filename }. */
  async exportLog(filters = {}) {
    this.#requireConnected();
    return this.backend.exportLog(filters);
  }

  /**
   * Polls the change feed (B1) every `intervalMs` while connected and hands each batch to `onChanges`.
   * Returns a function that stops it. The cursor is kept by the caller (`getCursor`/`setCursor`) so it survives reloads;
   * `when()` lets the page pause it (integration disabled, C2, or a user without Xero rights, C1).
   * Rule B2: `autoSend()` returns `{ ctx }` while the auto-send setting is on (null otherwise); the live invoices are
   * then sent after each batch, and `onChanges(changes, sent)` gets the SendResult too.
   */
  watchChanges({ onChanges, getCursor, setCursor, when = () => true, autoSend = () => null, intervalMs = 5000 }) {
    let stopped = false;
    let timer = null;
    const tick = async () => {
      if (stopped) return;
      if (this.connected && when()) {
        try {
          const { cursor, changes, sent = null } = await this.backend.changes({ cursor: await getCursor(), autoSend: autoSend() });
          const attempted = (sent?.outcomes ?? []).some((o) => o.outcome === "sent" || o.outcome === "failed");
          if (changes.length > 0 || attempted) await onChanges(changes, attempted ? sent : null);
          await setCursor(cursor);
        } catch (error) {
          this.dispatchEvent(new CustomEvent("feederror", { detail: error }));
        }
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /** Where to open an invoice or credit note in Xero, or null (not sent, or no connection to link through). */
  invoiceUrl(invoice) {
    if (!invoice?.xeroId) return null;
    return this.backend.invoiceUrl({ kind: invoice.kind, xeroId: invoice.xeroId });
  }

  /** Reads kept by #kept: key → { tenantId, at, promise, value }. */
  #reads = new Map();

  #requireConnected() {
    if (!this.connected) {
      throw new XeroUnavailableError(`Not connected to Xero: ${this.state.reason ?? this.state.status}`);
    }
  }

  #setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("statechange", { detail: state }));
    return state;
  }
}
