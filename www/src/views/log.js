// The Xero log (rule L1): the proxy's xero_log, filtered (by the proxy) by outcome, action, record kind, CRM
// reference and dates, a page at a time (newest first; "Older" follows the proxy's nextBefore key), and exported as
// the proxy's own CSV of every matching row. Rows and filters are the package's (LogRow, LogFilter: XeroClient.log
// and logCsv). Without a connection the view says so.

import { errorSentence, readableLogMessage, recordIdFor, recordName } from "../messages.js";
import { formatDate, h, replace } from "../ui.js";

export const LOG_COLUMNS = [
  { key: "at", label: "Time" },
  { key: "userName", label: "User" },
  { key: "action", label: "Action" },
  { key: "recordKind", label: "Record" },
  { key: "crmRef", label: "CRM reference" },
  { key: "xeroId", label: "In Xero" },
  { key: "outcome", label: "Outcome" },
  { key: "message", label: "Message" },
];

/** Rows per page (the proxy allows up to 500). */
const PAGE_SIZE = 100;

const filters = { outcome: "", actionContains: "", kind: "", crmRef: "", from: "", to: "" };

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
  const newerButton = h("button", { type: "button", class: "button", id: "log-newer" }, "Newer");
  const olderButton = h("button", { type: "button", class: "button", id: "log-older" }, "Older");
  const pager = h("div", { class: "button-row", role: "group", "aria-label": "Log pages", hidden: true }, newerButton, olderButton);
  // The filters of the rows on screen (the form may have changed since), and the keys of the pages above this one.
  let applied = { ...filters };
  let newer = [];
  let page = { before: null, nextBefore: null };
  const show = async (before) => {
    replace(results, h("p", { class: "subtle" }, "Loading…"));
    try {
      const { rows, nextBefore } = await app.link.readLog(applied, { before, pageSize: PAGE_SIZE });
      page = { before, nextBefore };
      exportButton.disabled = rows.length === 0;
      newerButton.disabled = newer.length === 0;
      olderButton.disabled = nextBefore === null;
      pager.hidden = newer.length === 0 && nextBefore === null;
      replace(results, logTable(app, rows));
    } catch (error) {
      exportButton.disabled = true;
      pager.hidden = true;
      replace(results, h("div", { class: "notice", role: "status", id: "log-unavailable" }, h("strong", {}, "The log cannot be read. "), `It is kept by the xerosync proxy. ${errorSentence(error, "The proxy could not be reached.")}`));
    }
  };
  const load = () => {
    // A person types a number, a name or a product code; the proxy's log keeps the record's id.
    applied = { ...filters, crmRef: recordIdFor(app, filters.crmRef) };
    newer = [];
    return show(null);
  };
  olderButton.addEventListener("click", () => {
    newer.push(page.before);
    show(page.nextBefore);
  });
  newerButton.addEventListener("click", () => show(newer.pop() ?? null));
  exportButton.addEventListener("click", async () => {
    exportButton.disabled = true;
    try {
      const { csv, filename } = await app.link.exportLog(applied);
      // With a byte order mark, so that Excel reads it as UTF-8 (the proxy writes one; reading the answer as text drops it).
      const url = URL.createObjectURL(new Blob([csv.startsWith("\uFEFF") ? csv : `\uFEFF${csv}`], { type: "text/csv;charset=utf-8" }));
      const link = h("a", { href: url, download: filename });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      results.prepend(h("div", { class: "notice", role: "status" }, h("strong", {}, "The export failed. "), errorSentence(error, "The proxy could not be reached. Please try again.")));
    } finally {
      exportButton.disabled = false;
    }
  });
  const form = h(
    "form",
    { class: "filters card-filters", "aria-label": "Log filters", onsubmit: (e) => (e.preventDefault(), load()) },
    select("log-outcome", "Outcome", "outcome", [["ok", "Success"], ["warning", "Warning"], ["error", "Error"], ["refused", "Refused (not sent)"], ["resolved", "Resolved by a person"]]),
    // The proxy logs what the client did and the Xero call it made, e.g. "send: PUT Invoices", "GET TaxRates".
    field("log-action", "Action contains", h("input", { id: "log-action", type: "search", size: 14, value: filters.actionContains, onchange: (e) => (filters.actionContains = e.target.value) })),
    select("log-kind", "Record", "kind", [["invoice", "Invoice"], ["creditNote", "Credit note"], ["contact", "Company"], ["item", "Product"]]),
    field("log-ref", "CRM reference", h("input", { id: "log-ref", type: "search", size: 14, value: filters.crmRef, onchange: (e) => (filters.crmRef = e.target.value) })),
    field("log-from", "From", h("input", { id: "log-from", type: "date", value: filters.from, onchange: (e) => (filters.from = e.target.value) })),
    field("log-to", "To", h("input", { id: "log-to", type: "date", value: filters.to, onchange: (e) => (filters.to = e.target.value) })),
    h("div", { class: "button-row end" }, h("button", { type: "submit", class: "button primary" }, "Apply"), exportButton),
  );
  main.append(h("div", { class: "page-header" }, h("h1", {}, "Xero log"), h("p", { class: "subtle" }, "Every call to Xero, successes and errors alike.")), form, results, pager);
  load();
}

/**
 * A log row's cell for people: the CRM record by its number or name (its id stays in the row's data), Xero's record as
 * a link to it, the message without rule codes, ids or paths (issue 12).
 */
function cell(app, row, key) {
  switch (key) {
    case "at":
      return `${formatDate(row.at)} ${String(row.at ?? "").slice(11, 19)}`;
    case "userName":
      return row.userName || "—";
    case "crmRef":
      return row.crmRef ? (recordName(app, row.crmRef) ?? readableLogMessage(app, row.crmRef)) : "";
    case "xeroId": {
      if (!row.xeroId) return "";
      const kind = row.recordKind === "creditNote" ? "creditNote" : row.recordKind === "invoice" ? "invoice" : null;
      const url = kind ? app.link.invoiceUrl({ kind, xeroId: row.xeroId }) : null;
      return url ? h("a", { href: url, target: "_blank", rel: "noopener" }, "Open in Xero") : "Yes";
    }
    case "message":
      return readableLogMessage(app, row.message);
    default:
      return row[key] ?? "";
  }
}

function logTable(app, rows) {
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
            { class: row.outcome === "error" || row.outcome === "refused" ? "differs" : null, dataset: { crmRef: row.crmRef ?? "", xeroId: row.xeroId ?? "", message: row.message ?? "" } },
            LOG_COLUMNS.map((c) => h("td", {}, cell(app, row, c.key))),
          ),
        ),
      ),
    ),
  );
}
