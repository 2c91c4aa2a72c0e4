// The page's link to Xero. Every call to the xerosync proxy is the package's `XeroClient` (rule C3: Xero's tokens
// stay in the proxy; this page never fetches the proxy itself); what is here is the page's own: the connection
// state the views draw (a "statechange" event on every change), the settings' pickers kept ten minutes per
// organisation, the change feed's polling loop, Xero's deep links, and the session callback the client asks.
// Results are the client's own (index.d.ts of the package): SendResult, UpdateResult, ChangesResult, LogRow,
// SyncProgress, Reconciliation; the views read them as they are.
//
// Without a client (the package not loaded, no proxy configured for the page) the link says so: its state is
// "unavailable" with the reason, and every Xero operation rejects with code `xero_unavailable`. Nothing here
// pretends that Xero answered.
//
//   const link = new XeroLink(openClient({ xerosync, proxyUrl, sessionToken: crmSession(() => app.user) }));
//   await link.refresh();                          → the client's ConnectionState, or { status: "unavailable", reason }
//   link.connected;                                 status === "connected"
//   await link.connectUrl({ returnTo });            client.connectUrl (C3): a one-use URL to navigate to
//   await link.disconnect();                        client.disconnect
//   await link.chooseOrganisation(tenantId);        client.selectOrganisation (C7)
//   await link.taxRates();                          client.taxRates (T1), kept per organisation
//   await link.organisationOptions();               client.organisationOptions (M1, K1, K2), kept per organisation
//   await link.send({ invoices, ctx, mode: "selected" | "allLive", onProgress, signal, checkpoint });
//                                                   client.send / sendAllLive (S1-S11, A1, A3) → SendResult
//   await link.update({ invoices, ctx, mode: "selected" | "all", onProgress, signal, checkpoint });
//                                                   client.update / updateAll (U1-U7, A2, A3) → UpdateResult
//   await link.readLog(filters, { before, pageSize }); client.log (L1): { rows: [LogRow], nextBefore, pageSize }
//   await link.exportLog(filters);                  client.logCsv (L1): { csv, filename }
//   await link.readXeroDocument(invoice);           client.readDocument (U6)
//   await link.logResolution(log);                  client.logResolution (U6); false without a client
//   await link.onlineInvoice(invoice); link.emailInvoice(invoice); link.reconcile(invoices, options)   (O1, O2, RC1)
//   await link.shareSettings({ settings, taxRates }); client.saveSettings (C2, T1, S6, B2); false without a client
//   const stop = link.watchChanges({ onChanges, getCursor, setCursor, when, autoSend, intervalMs });   client.changes (B1, B2)
//   link.invoiceUrl(invoice);                       where to open it in Xero, or null

export const STATUS = Object.freeze({
  /** The page's own: no client (package not loaded, no proxy configured) or the proxy could not be asked. */
  UNAVAILABLE: "unavailable",
  // The client's ConnectionState.status, as the package spells it.
  NOT_CONNECTED: "not_connected",
  PICK_REQUIRED: "pick_required",
  CONNECTED: "connected",
  RECONNECT_REQUIRED: "reconnect_required",
});

/** Thrown (as a rejection) by every Xero operation while there is no working connection. */
export class XeroUnavailableError extends Error {
  constructor(message) {
    super(message);
    this.name = "XeroUnavailableError";
    this.code = "xero_unavailable";
  }
}

/**
 * The client for this page, or why there is none: `{ client }` or `{ reason }`. `proxyUrl` is where the xerosync
 * proxy runs (set by `npm start` through the page's /config.json); `xerosync` is the loaded package module, or null.
 */
export function openClient({ xerosync, proxyUrl, sessionToken }) {
  if (!xerosync) return { reason: "the xerosync package is not loaded" };
  if (!proxyUrl) return { reason: "no xerosync proxy is configured for this page" };
  if (typeof xerosync.XeroClient !== "function") return { reason: "this build of the xerosync package has no XeroClient" };
  try {
    return { client: new xerosync.XeroClient({ proxyUrl: proxyUrl.replace(/\/+$/, ""), sessionToken }) };
  } catch (error) {
    return { reason: error.message };
  }
}

/**
 * A session for `user` from the CRM's back end (www/serve.js, `POST /session`), which mints it at the proxy as a
 * CRM's server would: `{ token, expiresAt }` (seconds). The page never mints one itself.
 */
export async function mintSession(user) {
  const response = await fetch("/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: user.id, name: user.name, role: user.role }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok || typeof body?.token !== "string") {
    const error = new Error(body?.error?.message ?? `the CRM could not open a Xero session (HTTP ${response.status})`);
    error.code = body?.error?.code ?? "session_unavailable";
    throw error;
  }
  return body;
}

/**
 * The `sessionToken` callback of XeroClient: the session of the CRM user of the moment (`currentUser()`), kept per
 * user until a minute before it expires (the client asks for it on every request).
 */
export function crmSession(currentUser, { mint = mintSession, now = () => Date.now() } = {}) {
  const sessions = new Map(); // user id → Promise<{ token, expiresAt }>
  return async function sessionToken() {
    const user = currentUser();
    const kept = sessions.get(user.id);
    if (kept) {
      const session = await kept.catch(() => null);
      if (session && session.expiresAt - 60 > now() / 1000) return session.token;
    }
    const minting = mint(user);
    sessions.set(user.id, minting);
    try {
      return (await minting).token;
    } catch (error) {
      if (sessions.get(user.id) === minting) sessions.delete(user.id);
      throw error;
    }
  };
}

/**
 * The CRM's settings and tax rates → the client's ProxySettings (`saveSettings`): the tax mapping is kept on the
 * CRM's tax rates (`xeroTaxType`) and the proxy keys it by the rate's id; unmapped rates are left out. The fields
 * the proxy does not keep (taxStrategy, tracking, branding) stay in the CRM and reach the package in every ctx.
 */
export function proxySettings(settings, taxRates) {
  const taxMapping = {};
  for (const rate of taxRates ?? []) if (rate.xeroTaxType) taxMapping[rate.id] = rate.xeroTaxType;
  const body = {
    enabled: settings.enabled === true,
    taxMapping,
    discountStrategy: settings.discountStrategy ?? "auto",
    autoSend: settings.autoSend === true,
  };
  if (settings.defaultSalesAccountCode) body.defaultSalesAccountCode = settings.defaultSalesAccountCode;
  return body;
}

const unavailable = (reason) => ({ status: STATUS.UNAVAILABLE, reason, organisations: [] });

/** Only the options given (a run's `onProgress` and `signal` may be absent). */
function given(options) {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined && value !== null));
}

/**
 * The page's handle on Xero. Fires "statechange" events (detail: the state) whenever the state changes, and
 * "feederror" when a poll of the change feed fails.
 */
export class XeroLink extends EventTarget {
  /** `{ client, reason }` as openClient returns it. */
  constructor({ client = null, reason = null } = {}) {
    super();
    this.client = client;
    this.unavailableReason = client ? null : (reason ?? "there is no Xero client");
    this.state = unavailable("not checked yet");
  }

  /** True when Send and Update may be offered (rule C6 also needs the integration enabled, which the page knows). */
  get connected() {
    return this.state.status === STATUS.CONNECTED;
  }

  /** Re-reads the connection from the proxy. Never throws: a failure is a state with its reason. */
  async refresh() {
    if (!this.client) return this.#setState(unavailable(this.unavailableReason));
    try {
      this.#setState(await this.client.connection());
    } catch (error) {
      this.#setState(unavailable(error.message));
    }
    return this.state;
  }

  /** Starts the OAuth flow (C3): resolves to the URL the page must open. */
  async connectUrl(options = {}) {
    return this.#client().connectUrl(options);
  }

  async disconnect() {
    return this.#setState(await this.#client().disconnect());
  }

  async chooseOrganisation(tenantId) {
    return this.#setState(await this.#client().selectOrganisation(tenantId));
  }

  /**
   * Xero's revenue tax rates (T1). Kept for ten minutes per organisation like the organisation's options: the
   * settings page is drawn again on every change, and each reading is a Xero call (rule X2: 60 a minute).
   */
  async taxRates({ fresh = false } = {}) {
    const client = this.#requireConnected();
    return this.#kept("taxRates", () => client.taxRates(), fresh);
  }

  /** Send to Xero (mode "selected": client.send) or Send all live (mode "allLive": client.sendAllLive). */
  async send({ invoices, ctx, mode = "selected", onProgress, signal, checkpoint } = {}) {
    const client = this.#requireConnected();
    const run = mode === "allLive" ? "sendAllLive" : "send";
    // A resumed run takes its invoices and ctx from the checkpoint.
    return checkpoint ? client[run](null, null, given({ onProgress, signal, checkpoint })) : client[run](invoices, ctx, given({ onProgress, signal }));
  }

  /** Update from Xero (mode "selected": client.update) or Update all (mode "all": client.updateAll). */
  async update({ invoices, ctx, mode = "selected", onProgress, signal, checkpoint } = {}) {
    const client = this.#requireConnected();
    const run = mode === "all" ? "updateAll" : "update";
    return checkpoint ? client[run](null, given({ onProgress, signal, checkpoint })) : client[run](invoices, given({ onProgress, signal, companies: ctx?.companies }));
  }

  /**
   * Shares the CRM's Xero settings with the proxy, which enforces C2 and runs B2 for every user of the organisation.
   * Resolves to false (nothing shared) while there is no proxy to share them with; the page keeps its own copy.
   */
  async shareSettings({ settings, taxRates }) {
    if (!this.client || this.state.status === STATUS.UNAVAILABLE) return false;
    await this.client.saveSettings(proxySettings(settings, taxRates));
    return true;
  }

  /** Rule U6: records a person's choice (resolveDiscrepancy's `log`) in the proxy's log; false without a proxy. */
  async logResolution(log) {
    if (!this.client || this.state.status === STATUS.UNAVAILABLE) return false;
    await this.client.logResolution(log);
    return true;
  }

  /** Xero's own record of a sent invoice or credit note (as Xero returns it), for a person resolving a discrepancy (U6). */
  async readXeroDocument(invoice) {
    const client = this.#requireConnected();
    if (!invoice?.xeroId) throw new Error(`${invoice?.number ?? "This invoice"} has no Xero id: it was never sent.`);
    return client.readDocument({ kind: invoice.kind, xeroId: invoice.xeroId });
  }

  /**
   * Rules M1, K1, K2: the organisation's base and enabled currencies, active tracking categories with their options,
   * and branding themes, for the settings' pickers. Read once per organisation and kept for ten minutes (four Xero
   * calls each time); `fresh` reads them again.
   */
  async organisationOptions({ fresh = false } = {}) {
    const client = this.#requireConnected();
    return this.#kept("organisationOptions", () => client.organisationOptions(), fresh);
  }

  /** The organisation's options if they were read already for the organisation connected now, else null. */
  get knownOrganisationOptions() {
    const entry = this.#reads.get("organisationOptions");
    return entry && entry.tenantId === (this.state.tenantId ?? null) ? entry.value : null;
  }

  /** A read kept per organisation for ten minutes (a failed one is not kept); `fresh` reads it again. */
  #kept(key, read, fresh) {
    const tenantId = this.state.tenantId ?? null;
    const cached = this.#reads.get(key);
    if (!fresh && cached && cached.tenantId === tenantId && Date.now() - cached.at < 10 * 60 * 1000) return cached.promise;
    const entry = { tenantId, at: Date.now(), promise: null, value: null };
    entry.promise = read().then(
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
    return this.#requireConnected().onlineInvoice(invoice);
  }

  /** Rule O2: Xero emails the approved invoice to its contact: { emailed, message }. */
  async emailInvoice(invoice) {
    return this.#requireConnected().emailInvoice(invoice);
  }

  /** Rule RC1: the CRM's invoices of a period against Xero's (`{ companies, from, to, signal, onProgress }`). */
  async reconcile(invoices, options = {}) {
    return this.#requireConnected().reconcile(invoices, given(options));
  }

  /** One page of xero_log (L1), newest first: `filters` is the client's LogFilter, `page` `{ before, pageSize }`. */
  async readLog(filters = {}, page = {}) {
    return this.#requireConnected().log(filters, given(page));
  }

  /** The proxy's CSV of every row matching the filters (L1): { csv, filename }. */
  async exportLog(filters = {}) {
    return this.#requireConnected().logCsv(filters);
  }

  /**
   * Polls the change feed (B1) every `intervalMs` while connected and hands each poll that brought something to
   * `onChanges(result)`: the client's ChangesResult (its `invoices` and `companies` are stored like Update's, its
   * `sent` like Send's). Returns a function that stops it. The cursor is kept by the caller (`getCursor`/`setCursor`)
   * so it survives reloads; `when()` lets the page pause it (integration disabled, C2, or a user without Xero
   * rights, C1). Rule B2: `autoSend()` returns `{ ctx }` while the auto-send setting is on (null otherwise); the
   * client then sends the live invoices after applying the changes; its book of refused invoices (not tried again
   * until they change) is handed to `setRefusals` and back through `getRefusals`, so that it outlives a reload.
   */
  watchChanges({ onChanges, getCursor, setCursor, when = () => true, autoSend = () => null, intervalMs = 5000, crm, getRefusals = () => null, setRefusals = () => {} }) {
    let stopped = false;
    let timer = null;
    const tick = async () => {
      if (stopped) return;
      let more = false;
      if (this.connected && when()) {
        try {
          const { invoices, companies } = crm();
          const send = autoSend();
          const options = { invoices, companies, today: new Date().toISOString().slice(0, 10) };
          if (send) Object.assign(options, { autoSend: true, ctx: send.ctx, refusals: (await getRefusals()) ?? {} });
          const result = await this.client.changes(Number((await getCursor()) ?? 0), options);
          if (result.invoices.length > 0 || result.companies.length > 0 || result.sent || result.sendError) await onChanges(result);
          await setCursor(result.cursor);
          if (result.refusals) await setRefusals(result.refusals);
          more = result.more === true && result.finished !== false;
        } catch (error) {
          this.dispatchEvent(new CustomEvent("feederror", { detail: error }));
        }
      }
      // A full page: the next one at once.
      if (!stopped) timer = setTimeout(tick, more ? 0 : intervalMs);
    };
    timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /** Where to open an invoice or credit note in Xero (its own deep links), or null (not sent, or no client). */
  invoiceUrl(invoice) {
    if (!invoice?.xeroId || !this.client) return null;
    const id = encodeURIComponent(invoice.xeroId);
    return invoice.kind === "creditNote"
      ? `https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=${id}`
      : `https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=${id}`;
  }

  /** Reads kept by #kept: key → { tenantId, at, promise, value }. */
  #reads = new Map();

  #client() {
    if (!this.client) throw new XeroUnavailableError(`Not connected to Xero: ${this.unavailableReason}`);
    return this.client;
  }

  #requireConnected() {
    if (!this.connected) {
      throw new XeroUnavailableError(`Not connected to Xero: ${this.state.reason ?? this.state.status}`);
    }
    return this.client;
  }

  #setState(state) {
    this.state = { ...state, organisations: state.organisations ?? [] };
    this.dispatchEvent(new CustomEvent("statechange", { detail: this.state }));
    return this.state;
  }
}
