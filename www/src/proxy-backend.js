// The Xero link's backend for a real xerosync proxy (worker/): the backend contract at the top of xero.js, mapped
// onto the proxy's routes. The session is the demo's: minted by the proxy's DEV_MODE route (POST /dev/session) for
// the CRM user of the moment, as a CRM's back end would mint it; tokens for Xero never reach this page (rule C3).
// Send / Update run the package's sync client (XeroClient, issue 5) when the loaded build has it; until then they
// reject honestly with code `xero_unavailable`.
//
// The proxy stores the CRM's settings in the CRM's own spelling (contract.md; worker/src/settings.rs):
//   discountStrategy "auto" | "rate" | "hold" as it is, defaultSalesAccountCode when set, and the tax mapping keyed
//   by the CRM tax rate's id ({ vat20: "OUTPUT2" }) from each rate's `xeroTaxType`. Unmapped rates are left out.

import { XeroUnavailableError, STATUS } from "./xero.js";

/** The CRM organisation of the demo: every demo user belongs to it. */
export const DEMO_ORG = "brightwater";

// Literals, not STATUS.*: xero.js imports this module, so STATUS is not initialised yet when this line runs.
const PROXY_STATUS = {
  not_connected: "disconnected",
  pick_required: "chooseOrganisation",
  connected: "connected",
  reconnect_required: "reconnectRequired",
};

/** The CRM's settings and tax rates → the proxy's `PUT /settings` body (tax mapping by rate id). */
export function toProxySettings(settings, taxRates) {
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

/** The proxy's settings → `{ settings: patch, taxRates }` for the CRM (tax rates matched by id). */
export function fromProxySettings(proxy, crmTaxRates) {
  const taxRates = (crmTaxRates ?? []).map((rate) => ({ ...rate, xeroTaxType: proxy.taxMapping?.[rate.id] ?? null }));
  const settings = { enabled: proxy.enabled === true, autoSend: proxy.autoSend === true };
  if (proxy.discountStrategy) settings.discountStrategy = proxy.discountStrategy;
  if (proxy.defaultSalesAccountCode) settings.defaultSalesAccountCode = proxy.defaultSalesAccountCode;
  return { settings, taxRates };
}

/** Xero's `GET TaxRates` answer → the active rates that apply to revenue (rule T1), as `{ taxType, name, rate }`. */
export function revenueTaxRates(answer) {
  return (answer?.TaxRates ?? [])
    .filter((rate) => rate.Status === "ACTIVE" && rate.CanApplyToRevenue !== false)
    .map((rate) => ({ taxType: rate.TaxType, name: rate.Name, rate: String(rate.EffectiveRate ?? rate.DisplayTaxRate ?? "") }));
}

/** Rows per page of the log view (the proxy allows up to 500). */
export const LOG_PAGE_SIZE = 100;

/** xero_log rows as the proxy returns them → the page's LogRow. */
function logRow(row) {
  return {
    time: row.at,
    user: row.userName || row.userId,
    action: row.action,
    recordKind: row.recordKind,
    crmRef: row.crmRef,
    xeroId: row.xeroId,
    outcome: row.outcome,
    message: row.message,
  };
}

/** The page's log filters → the proxy's query parameters. */
export function logQuery(filters = {}) {
  const query = new URLSearchParams();
  const put = (name, value) => {
    if (value !== undefined && value !== null && value !== "") query.set(name, value);
  };
  put("outcome", filters.outcome);
  // The page's "Action contains" box: the proxy matches it as a case-insensitive substring.
  put("actionContains", filters.action?.trim());
  put("kind", filters.recordKind);
  put("ref", filters.crmRef);
  // Dates from the page are days; the proxy compares ISO times: `to` is inclusive of the whole day.
  put("from", filters.from);
  put("to", filters.to && /^\d{4}-\d{2}-\d{2}$/.test(filters.to) ? `${filters.to}T23:59:59.999Z` : filters.to);
  return query;
}

/** A failed proxy answer → an Error with the proxy's `code`. */
async function proxyError(response, what) {
  let code = `http_${response.status}`;
  let message = `${what}: HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
  } catch {
    // not JSON: keep the status
  }
  const error = new Error(message);
  error.code = code;
  error.status = response.status;
  return error;
}

/**
 * The backend for `proxyUrl`. `currentUser()` gives the CRM user ({ id, name, role }) whose session is used;
 * `crm()` gives the CRM data ({ invoices, companies, … }) the change feed is applied to; `xerosync` is the package.
 */
export function proxyBackend({ proxyUrl, xerosync, currentUser, crm, org = DEMO_ORG, fetchImpl = (...a) => fetch(...a) }) {
  const base = proxyUrl.replace(/\/+$/, "");
  const sessions = new Map(); // user id → { token, expiresAt }

  async function sessionToken() {
    const user = currentUser();
    const cached = sessions.get(user.id);
    if (cached && cached.expiresAt - 60 > Date.now() / 1000) return cached.token;
    const response = await fetchImpl(`${base}/dev/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sub: user.id, name: user.name, role: user.role, org }),
    });
    if (!response.ok) throw await proxyError(response, "the proxy's demo session route");
    const session = await response.json();
    sessions.set(user.id, session);
    return session.token;
  }

  async function call(path, { method = "GET", body, as = "json" } = {}) {
    const headers = { authorization: `Bearer ${await sessionToken()}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetchImpl(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw await proxyError(response, `${method} ${path}`);
    if (as === "response") return response;
    return as === "text" ? response.text() : response.json();
  }

  // The issue-5 sync client, made once when the package has it (it asks for the session on every request).
  const client = typeof xerosync?.XeroClient === "function" ? new xerosync.XeroClient({ proxyUrl: base, sessionToken }) : null;
  const noClient = async () => {
    throw new XeroUnavailableError("this build of the xerosync package has no sync client (Send and Update need it)");
  };

  async function connection() {
    const view = await call("/connection");
    const status = PROXY_STATUS[view.status] ?? STATUS.DISCONNECTED;
    let organisations = [];
    if (status === STATUS.CHOOSE_ORGANISATION || status === STATUS.CONNECTED) {
      const { tenants } = await call("/connections");
      organisations = (tenants ?? []).map((t) => ({ tenantId: t.tenantId, name: t.tenantName || t.tenantId }));
    }
    const organisation = view.tenantId ? { tenantId: view.tenantId, name: view.tenantName || view.tenantId } : null;
    const reason = status === STATUS.DISCONNECTED ? (view.reason ?? "nobody has connected this CRM to Xero yet") : (view.reason ?? null);
    return { status, reason, organisation, organisations };
  }

  return {
    client,
    syncUnavailableReason: client ? null : "Send and Update need the sync client, which this build of the package lacks",
    connection,
    // Rule C3: the session never goes in a URL; the proxy hands out a one-use ticket of about a minute, and the
    // page navigates with that (the navigation's Referer shows it came from this page).
    async connectUrl({ returnTo } = {}) {
      const { url } = await call("/oauth/ticket", { method: "POST", body: returnTo ? { return: returnTo } : {} });
      return url;
    },
    async disconnect() {
      await call("/connection/disconnect", { method: "POST", body: {} });
      return connection();
    },
    async chooseOrganisation(tenantId) {
      await call("/connections/select", { method: "POST", body: { tenantId } });
      return connection();
    },
    async taxRates() {
      return client ? client.taxRates() : revenueTaxRates(await call("/xero/TaxRates"));
    },
    async readLog(filters = {}, { before = null, pageSize = LOG_PAGE_SIZE } = {}) {
      const query = logQuery(filters);
      query.set("pageSize", String(pageSize));
      if (before !== null && before !== undefined) query.set("before", String(before));
      const { rows, nextBefore } = await call(`/log?${query}`);
      return { rows: rows.map(logRow), nextBefore: nextBefore ?? null };
    },
    async exportLog(filters = {}) {
      // The proxy writes the CSV (every matching row, formula-guarded, with a BOM for Excel): the page only saves it.
      const query = logQuery(filters);
      query.set("format", "csv");
      const response = await call(`/log?${query}`, { as: "response" });
      const disposition = response.headers.get("content-disposition") ?? "";
      const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? "xero-log.csv";
      return { blob: await response.blob(), filename };
    },
    // Rule U6 needs Xero's own invoice beside the CRM's: the client reads it through the relay (a logged call).
    readXeroDocument: client ? ({ kind, xeroId }) => client.readDocument({ kind, xeroId }) : noClient,
    // Rule U6: a person's choice goes to the proxy's xero_log (outcome resolved, the session's user); the client
    // owns the report's shape.
    logResolution: client ? (log) => client.logResolution(log) : noClient,
    // Rules M1, K1, K2, O1, O2, RC1: the client reads and writes through the proxy's relay (logged calls).
    organisationOptions: client ? () => client.organisationOptions() : noClient,
    onlineInvoice: client ? (invoice) => client.onlineInvoice(invoice) : noClient,
    emailInvoice: client ? (invoice) => client.emailInvoice(invoice) : noClient,
    reconcile: client
      ? (invoices, { companies, from, to, signal, onProgress }) => {
          const options = { companies, signal, onProgress: (progress) => onProgress?.(pageProgress(progress)) };
          if (from) options.from = from;
          if (to) options.to = to;
          return client.reconcile(invoices, options);
        }
      : noClient,
    async readSettings() {
      return call("/settings");
    },
    async writeSettings({ settings, taxRates }) {
      return call("/settings", { method: "PUT", body: toProxySettings(settings, taxRates) });
    },
    async changes({ cursor, autoSend = null }) {
      const data = crm();
      if (client) {
        const today = new Date().toISOString().slice(0, 10);
        const options = { invoices: data.invoices, companies: data.companies, today };
        // Rule B2: the client sends the live invoices (A1) as they stand after the feed's changes.
        if (autoSend) Object.assign(options, { autoSend: true, ctx: autoSend.ctx });
        const fed = await client.changes(Number(cursor ?? 0), options);
        const changes = (fed.invoices ?? []).map((entry) => ({ id: entry.id, changes: entry.changes ?? {}, discrepancies: entry.discrepancies ?? [] }));
        const result = { cursor: fed.cursor, changes: changes.filter((c) => Object.keys(c.changes).length || c.discrepancies.length) };
        if (fed.sent) result.sent = pageSendResult(fed.sent, autoSend.ctx);
        return result;
      }
      // Without the sync client there is no Send (and so no B2): only the changes are read.
      return changesWithoutClient(cursor ?? 0, data);
    },
    send: client ? (options) => sendWithClient(client, options) : noClient,
    update: client ? (options) => updateWithClient(client, options) : noClient,
    invoiceUrl({ kind, xeroId }) {
      // Xero's own deep links; in the demo they point at Xero, which the simulator stands in for.
      return kind === "creditNote"
        ? `https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=${encodeURIComponent(xeroId)}`
        : `https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=${encodeURIComponent(xeroId)}`;
    },
  };

  /**
   * Rule B1 with the package's pure `applyXeroInvoice` (U2-U5), for builds without the sync client: one page of
   * `/changes`; entries without a record (webhooks) are read back from Xero through the proxy, in one call per kind.
   */
  async function changesWithoutClient(cursor, data) {
    const feed = await call(`/changes?after=${encodeURIComponent(cursor)}&limit=100`);
    const byXeroId = new Map(data.invoices.filter((i) => i.xeroId).map((i) => [i.xeroId, i]));
    const wanted = feed.changes.filter((c) => (c.kind === "invoice" || c.kind === "creditNote") && byXeroId.has(c.xeroId));
    const records = new Map(wanted.filter((c) => c.record).map((c) => [c.xeroId, c.record]));
    for (const [kind, collection, idField] of [["invoice", "Invoices", "InvoiceID"], ["creditNote", "CreditNotes", "CreditNoteID"]]) {
      const ids = [...new Set(wanted.filter((c) => c.kind === kind && !records.has(c.xeroId)).map((c) => c.xeroId))];
      if (ids.length === 0) continue;
      const answer = await call(`/xero/${collection}?IDs=${ids.map(encodeURIComponent).join(",")}`);
      for (const record of answer[collection] ?? []) records.set(record[idField], record);
    }
    const today = new Date().toISOString().slice(0, 10);
    const changes = [];
    for (const xeroId of new Set(wanted.map((c) => c.xeroId))) {
      const record = records.get(xeroId);
      const invoice = byXeroId.get(xeroId);
      if (!record || typeof xerosync?.applyXeroInvoice !== "function") continue;
      const applied = xerosync.applyXeroInvoice(invoice, record, { today });
      const changed = Object.entries(applied.changes ?? {}).some(([field, value]) => invoice[field] !== value);
      if (changed || applied.discrepancies?.length) changes.push({ id: invoice.id, changes: applied.changes, discrepancies: applied.discrepancies ?? [] });
    }
    return { cursor: feed.cursor, changes };
  }
}

/** The client's progress (SyncProgress) → the page's `{ done, total, calls, etaSeconds, phase }`. */
export function pageProgress(progress) {
  const out = { done: progress.done, total: progress.total, calls: progress.calls, phase: progress.stage };
  if (progress.etaMs !== undefined && progress.etaMs !== null) out.etaSeconds = Math.ceil(progress.etaMs / 1000);
  return out;
}

function runOptions({ onProgress, signal, checkpoint }) {
  const options = { onProgress: (progress) => onProgress?.(pageProgress(progress)), signal };
  if (checkpoint) options.checkpoint = checkpoint;
  return options;
}

/** How a run ended, in the page's words: cancelled by the user, or stopped early (with the proxy's reason). */
function runEnd(result) {
  return {
    cancelled: result.cancelled === true || !!result.stopped,
    stopped: result.stopped ?? null,
    checkpoint: result.checkpoint ?? null,
  };
}

/** Send (S1-S9) or Send all live (A1) through the sync client; its SendResult → the page's SendResult. */
export async function sendWithClient(client, { invoices, ctx, mode, onProgress, signal, checkpoint }) {
  const run = mode === "allLive" ? "sendAllLive" : "send";
  const result = checkpoint
    ? await client[run](null, null, runOptions({ onProgress, signal, checkpoint }))
    : await client[run](invoices, ctx, runOptions({ onProgress, signal }));
  return pageSendResult(result, ctx);
}

/** The client's SendResult → the page's SendResult (the shape `applyResult` in sync.js stores). */
export function pageSendResult(result, ctx) {
  const productCode = (id) => ctx?.products?.find((product) => product.id === id)?.code ?? id;
  return {
    outcomes: result.invoices.map((entry) => ({
      id: entry.id,
      outcome: entry.outcome,
      rule: entry.rule,
      message: entry.message ?? entry.error?.message,
      changes: entry.changes,
      // Rule S11: the draft that amended a paid invoice in Xero; sync.js appends it to the invoice's chain.
      amendment: entry.amendment ?? null,
    })),
    companyChanges: result.companies.filter((company) => company.xeroContactId).map((company) => ({ id: company.id, changes: { xeroContactId: company.xeroContactId } })),
    // Rule S3a: the companies a person must match to a Xero contact, with the candidates to choose from.
    contactMatches: result.companies
      .filter((company) => company.contactMatch && ["ambiguous", "archived"].includes(company.contactMatch.by))
      .map((company) => ({ id: company.id, by: company.contactMatch.by, message: company.message ?? null, candidates: company.contactMatch.candidates ?? [] })),
    failingProducts: result.productFailures.map((failure) => ({ id: failure.id, code: productCode(failure.id), reason: failure.reason })),
    ...runEnd(result),
  };
}

/** Update (U1-U5) or Update all (A2) through the sync client; its UpdateResult → the page's UpdateResult. */
export async function updateWithClient(client, { invoices, ctx, mode, onProgress, signal, checkpoint }) {
  const run = mode === "all" ? "updateAll" : "update";
  const result = checkpoint
    ? await client[run](null, runOptions({ onProgress, signal, checkpoint }))
    : await client[run](invoices, { ...runOptions({ onProgress, signal }), companies: ctx?.companies });
  const number = (id) => invoices?.find((invoice) => invoice.id === id)?.number ?? id;
  return {
    outcomes: result.invoices.map((entry) => ({ id: entry.id, outcome: entry.outcome, rule: entry.rule, message: entry.message, changes: entry.changes })),
    companyChanges: result.companies.map(({ id, ...changes }) => ({ id, changes })),
    discrepancies: result.invoices.filter((entry) => entry.discrepancies?.length).map((entry) => ({ id: entry.id, number: number(entry.id), messages: entry.discrepancies })),
    ...runEnd(result),
  };
}
