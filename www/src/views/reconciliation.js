// Reconciliation (rule RC1): the CRM's invoices of a period against Xero's, as the package's XeroClient.reconcile
// reports them: invoices only in the CRM, only in Xero (on the contacts the CRM's companies are linked to), and those
// whose number, contact, currency, total, status or outstanding amount differ, each difference with both values.
// A table with a filter by kind of finding, amounts each in its own currency (rule M1: never added up), and the
// report's own CSV (the package writes it) saved with a byte order mark so that Excel reads it as UTF-8.

import { formatMoney } from "../money.js";
import { progressPanel } from "../progress.js";
import { errorSentence, explainOutcome, parseRecord } from "../messages.js";
import { announce, formatDate, fixLink, h, needsConnection, replace } from "../ui.js";

const KINDS = [
  ["onlyInCrm", "Only in the CRM"],
  ["onlyInXero", "Only in Xero"],
  ["differing", "Differing"],
];

const FIELD_LABELS = {
  number: "Number",
  contact: "Contact",
  currency: "Currency",
  total: "Total",
  amountOutstanding: "Outstanding",
  status: "Status",
};

/** The period and the last report, kept while the page is open (moving between views keeps them). */
const state = { from: null, to: null, kind: "", report: null, ranAt: null, running: null };

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

/** The default period: the last three months up to today. */
function defaultPeriod() {
  const today = new Date();
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 2, 1));
  return { from: isoDay(from), to: isoDay(today) };
}

/** The report as rows, one per finding and differing field (the lines of the report's CSV, in its order). */
export function reportRows(app, report) {
  const companyOfContact = new Map(app.data.companies.filter((c) => c.xeroContactId).map((c) => [c.xeroContactId.toLowerCase(), c.name]));
  const contactName = (id) => (id ? (companyOfContact.get(String(id).toLowerCase()) ?? `a Xero contact no CRM company is linked to`) : "");
  const amount = (value, currency) => (value === "" || value === null || value === undefined ? "" : formatMoney(value, currency));
  const rows = [];
  for (const o of report.onlyInCrm) {
    rows.push({ kind: "onlyInCrm", number: o.number, id: o.id, field: o.reason === "never sent" ? "Never sent to Xero" : o.reason === "sent, but Xero has no such invoice" ? "Sent, but Xero has no such invoice" : "Not in Xero", crm: amount(o.total, o.currency), xero: "", currency: o.currency });
  }
  for (const o of report.onlyInXero) {
    const detail = [contactName(o.contactId), o.date ? formatDate(o.date) : null, o.status].filter(Boolean).join(", ");
    rows.push({ kind: "onlyInXero", number: o.number, xeroId: o.xeroId, field: "Total", crm: "", xero: amount(o.total, o.currency), detail, currency: o.currency });
  }
  for (const d of report.differing) {
    for (const diff of d.differences) {
      let crm = diff.crm;
      let xero = diff.xero;
      if (diff.field === "total" || diff.field === "amountOutstanding") {
        // Both in the invoice's currency, unless the currencies themselves differ (then each is in its own, unknown
        // here for Xero's side: shown as it came).
        const currencyDiffers = d.differences.some((x) => x.field === "currency");
        crm = amount(diff.crm, d.currency);
        xero = currencyDiffers ? diff.xero : amount(diff.xero, d.currency);
      } else if (diff.field === "contact") {
        crm = contactName(diff.crm);
        xero = contactName(diff.xero);
      }
      rows.push({ kind: "differing", number: d.number, id: d.id, xeroId: d.xeroId, field: FIELD_LABELS[diff.field] ?? diff.field, crm, xero, currency: d.currency });
    }
  }
  return rows;
}

export function renderReconciliation(app, main) {
  if (!state.from) Object.assign(state, defaultPeriod());
  const results = h("div", { class: "reconciliation-results", id: "reconciliation-results" });
  const progress = h("div", {});
  const from = h("input", { type: "date", id: "rc-from", value: state.from, required: true, onchange: (e) => (state.from = e.target.value) });
  const to = h("input", { type: "date", id: "rc-to", value: state.to, required: true, onchange: (e) => (state.to = e.target.value) });
  const run = h("button", { type: "submit", class: "button primary", id: "run-reconciliation", disabled: !app.link.connected || !!state.running }, "Run");
  const form = h(
    "form",
    {
      class: "filters card-filters",
      "aria-label": "Reconciliation period",
      onsubmit: (event) => {
        event.preventDefault();
        start();
      },
    },
    h("div", { class: "stacked" }, h("label", { for: "rc-from" }, "From"), from),
    h("div", { class: "stacked" }, h("label", { for: "rc-to" }, "To"), to),
    h("div", { class: "button-row end" }, run),
  );

  const show = () => {
    // The page may have been drawn again while the report ran (a connection change): draw the current view.
    if (!results.isConnected) {
      if (location.hash === "#/reconciliation") app.render();
      return;
    }
    if (state.running) {
      replace(results, h("p", { class: "subtle" }, "The reconciliation is running…"));
      return;
    }
    if (!state.report) {
      replace(results, h("p", { class: "subtle", id: "reconciliation-empty" }, "Choose a period and press Run: the CRM's invoices of that period are compared with Xero's."));
      return;
    }
    replace(results, reportView(app, state, show));
  };

  async function start() {
    if (!state.from || !state.to || state.from > state.to) {
      replace(results, h("p", { class: "notice error", role: "alert" }, "Choose a period whose start is not after its end."));
      return;
    }
    const controller = new AbortController();
    const panel = progressPanel({ label: "Reading Xero's invoices of the period", onCancel: () => controller.abort() });
    state.running = controller;
    run.disabled = true;
    replace(progress, panel.element);
    replace(results);
    try {
      const report = await app.link.reconcile(app.data.invoices, {
        companies: app.data.companies,
        from: state.from,
        to: state.to,
        signal: controller.signal,
        onProgress: (p) => panel.update(p),
      });
      state.report = { ...report, from: state.from, to: state.to };
      state.ranAt = new Date();
      state.kind = "";
      const findings = report.onlyInCrm.length + report.onlyInXero.length + report.differing.length;
      panel.finish(report.finished === false ? "Stopped before the end: the report covers what was read." : "Done.");
      announce(`Reconciliation: ${findings} ${findings === 1 ? "invoice needs" : "invoices need"} a look, ${report.matched} matched.`);
    } catch (error) {
      panel.finish("Stopped.");
      // One CRM invoice the package cannot read stops the report: name it (by its number) and offer it to fix.
      const record = parseRecord(error?.record);
      const invoice = record ? app.data.invoices.find((i) => i.id === record.id) : null;
      const why = invoice ? explainOutcome(app, { id: invoice.id, outcome: "failed", error }) : { text: errorSentence(error, "Xero could not be reached. Please try again."), fix: null };
      replace(
        results,
        h(
          "div",
          { class: "notice error", role: "alert", id: "reconciliation-error", dataset: { code: error?.code ?? "" } },
          `The reconciliation could not run. ${invoice ? `${invoice.number}: ` : ""}${why.text}`,
          why.fix ? [" ", fixLink(app, why.fix)] : null,
        ),
      );
      return;
    } finally {
      state.running = null;
      run.disabled = !app.link.connected;
    }
    replace(progress);
    show();
  }

  replace(
    main,
    h(
      "div",
      { class: "page-header" },
      h("h1", {}, "Reconciliation"),
      h("p", { class: "subtle" }, "The CRM's invoices of a period against Xero's: what is only on one side, and what differs."),
    ),
    form,
    app.link.connected ? null : needsConnection(app),
    progress,
    results,
  );
  show();
}

function reportView(app, state, redraw) {
  const report = state.report;
  const rows = reportRows(app, report);
  const count = (kind) => (kind === "onlyInCrm" ? report.onlyInCrm.length : kind === "onlyInXero" ? report.onlyInXero.length : report.differing.length);
  const shown = rows.filter((row) => !state.kind || row.kind === state.kind);
  const label = Object.fromEntries(KINDS);
  const filter = h(
    "fieldset",
    { class: "radios inline", id: "finding-filter" },
    h("legend", {}, "Show"),
    [["", "Every finding"], ...KINDS].map(([kind, text]) =>
      h(
        "span",
        { class: "radio" },
        h("input", {
          type: "radio",
          name: "finding-kind",
          id: `finding-${kind || "all"}`,
          value: kind,
          checked: state.kind === kind,
          onchange: () => {
            state.kind = kind;
            redraw();
            document.getElementById(`finding-${kind || "all"}`)?.focus();
          },
        }),
        h("label", { for: `finding-${kind || "all"}` }, kind ? `${text} (${count(kind)})` : text),
      ),
    ),
  );
  const exportButton = h("button", { type: "button", class: "button", id: "export-reconciliation" }, "Export CSV");
  exportButton.addEventListener("click", () => {
    // The package writes the CSV (every cell quoted, formulas defused); the page adds Excel's byte order mark.
    const blob = new Blob(["\uFEFF" + report.csv], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: `reconciliation-${report.from}-to-${report.to}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  const total = report.onlyInCrm.length + report.onlyInXero.length + report.differing.length;
  return h(
    "div",
    {},
    h(
      "p",
      { id: "reconciliation-summary", role: "status" },
      `${formatDate(report.from)} to ${formatDate(report.to)}: `,
      h("strong", {}, total === 0 ? "the CRM and Xero agree" : `${total} ${total === 1 ? "invoice needs" : "invoices need"} a look`),
      ` (${report.onlyInCrm.length} only in the CRM, ${report.onlyInXero.length} only in Xero, ${report.differing.length} differing); ${report.matched} matched.`,
    ),
    h("div", { class: "button-row" }, filter, exportButton),
    shown.length === 0
      ? h("p", { class: "empty" }, total === 0 ? "Nothing to reconcile in this period." : "No findings of this kind.")
      : h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "data-table compact", id: "reconciliation-table", "aria-label": "Reconciliation findings" },
            h("thead", {}, h("tr", {}, ["Finding", "Invoice", "What", "CRM", "Xero"].map((t, i) => h("th", { scope: "col", class: i >= 3 ? "num" : null }, t)))),
            h(
              "tbody",
              {},
              shown.map((row) =>
                h(
                  "tr",
                  { dataset: { kind: row.kind, number: row.number } },
                  h("td", {}, label[row.kind]),
                  h("td", { class: "nowrap" }, row.number || "(no number)", row.detail ? h("span", { class: "line-tracking" }, row.detail) : null),
                  h("td", {}, row.field),
                  h("td", { class: "num" }, row.crm),
                  h("td", { class: "num" }, row.xero),
                ),
              ),
            ),
          ),
        ),
  );
}
