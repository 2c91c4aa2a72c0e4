// The Xero log (rule L1): rows of the proxy's xero_log, filtered by outcome, action, record kind, CRM reference and
// dates, and exported as CSV. The rows come from the link (xero.js); without a connection the view says so.

import { toCsv } from "../csv.js";
import { formatDate, h, replace } from "../ui.js";

export const LOG_COLUMNS = [
  { key: "time", label: "Time" },
  { key: "user", label: "User" },
  { key: "action", label: "Action" },
  { key: "recordKind", label: "Record" },
  { key: "crmRef", label: "CRM reference" },
  { key: "xeroId", label: "Xero id" },
  { key: "outcome", label: "Outcome" },
  { key: "message", label: "Message" },
];

/** The filters as the log view applies them (also sent to the proxy, which may filter first). */
export function filterLog(rows, { outcome, action, recordKind, crmRef, from, to } = {}) {
  const ref = crmRef?.trim().toLowerCase();
  return rows.filter(
    (row) =>
      (!outcome || row.outcome === outcome) &&
      (!action || String(row.action ?? "").toLowerCase().includes(action.trim().toLowerCase())) &&
      (!recordKind || row.recordKind === recordKind) &&
      (!ref || String(row.crmRef ?? "").toLowerCase().includes(ref)) &&
      (!from || String(row.time).slice(0, 10) >= from) &&
      (!to || String(row.time).slice(0, 10) <= to),
  );
}

const filters = { outcome: "", action: "", recordKind: "", crmRef: "", from: "", to: "" };

function select(id, label, key, options) {
  return field(
    id,
    label,
    h("select", { id, onchange: (e) => (filters[key] = e.target.value) }, h("option", { value: "" }, "Any"), options.map(([value, text]) => h("option", { value, selected: filters[key] === value }, text))),
  );
}

function field(id, label, control) {
  return h("div", { class: "stacked" }, h("label", { for: id }, label), control);
}

export function renderLog(app, main) {
  const results = h("div", { class: "log-results" });
  const exportButton = h("button", { type: "button", class: "button", id: "export-csv", disabled: true }, "Export CSV");
  let rows = [];
  const load = async () => {
    replace(results, h("p", { class: "subtle" }, "Loading…"));
    try {
      rows = filterLog(await app.link.readLog({ ...filters }), filters);
      exportButton.disabled = rows.length === 0;
      replace(results, logTable(rows));
    } catch (error) {
      rows = [];
      exportButton.disabled = true;
      replace(results, h("div", { class: "notice", role: "status", id: "log-unavailable" }, h("strong", {}, "The log cannot be read. "), `It is kept by the xerosync proxy (xero_log). ${error.message}`));
    }
  };
  exportButton.addEventListener("click", () => {
    const url = URL.createObjectURL(new Blob([toCsv(rows, LOG_COLUMNS)], { type: "text/csv" }));
    const link = h("a", { href: url, download: `xero-log-${new Date().toISOString().slice(0, 10)}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  const form = h(
    "form",
    { class: "filters card-filters", "aria-label": "Log filters", onsubmit: (e) => (e.preventDefault(), load()) },
    select("log-outcome", "Outcome", "outcome", [["ok", "Success"], ["warning", "Warning"], ["error", "Error"]]),
    // The proxy logs what the client did and the Xero call it made, e.g. "send: PUT Invoices", "GET TaxRates".
    field("log-action", "Action contains", h("input", { id: "log-action", type: "search", size: 14, value: filters.action, onchange: (e) => (filters.action = e.target.value) })),
    select("log-kind", "Record", "recordKind", [["invoice", "Invoice"], ["creditNote", "Credit note"], ["contact", "Company"], ["item", "Product"]]),
    field("log-ref", "CRM reference", h("input", { id: "log-ref", type: "search", size: 14, value: filters.crmRef, onchange: (e) => (filters.crmRef = e.target.value) })),
    field("log-from", "From", h("input", { id: "log-from", type: "date", value: filters.from, onchange: (e) => (filters.from = e.target.value) })),
    field("log-to", "To", h("input", { id: "log-to", type: "date", value: filters.to, onchange: (e) => (filters.to = e.target.value) })),
    h("div", { class: "button-row end" }, h("button", { type: "submit", class: "button primary" }, "Apply"), exportButton),
  );
  main.append(h("div", { class: "page-header" }, h("h1", {}, "Xero log"), h("p", { class: "subtle" }, "Every call to Xero, successes and errors alike.")), form, results);
  load();
}

function logTable(rows) {
  if (rows.length === 0) return h("p", { class: "empty" }, "No log entries match these filters.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data-table compact", "aria-label": "Xero log" },
      h("thead", {}, h("tr", {}, LOG_COLUMNS.map((c) => h("th", { scope: "col" }, c.label)))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            { class: row.outcome === "error" ? "differs" : null },
            LOG_COLUMNS.map((c) => h("td", {}, c.key === "time" ? `${formatDate(row.time)} ${String(row.time).slice(11, 19)}` : (row[c.key] ?? ""))),
          ),
        ),
      ),
    ),
  );
}
