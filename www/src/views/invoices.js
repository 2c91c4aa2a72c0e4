// The Invoices list: filters, selection, paging, and the Xero button area, which shows what rule C6 allows:
// Send to Xero / Update from Xero while enabled and connected, otherwise Connect to Xero (to the settings).

import { compare, formatByCurrency, formatMoney, sumByCurrency } from "../money.js";
import { connectionReason } from "../messages.js";
import { formatDate, h, replace, statusClass } from "../ui.js";
import { STATUSES } from "../demo-data.js";
import { STATUS } from "../xero.js";
import { openInvoiceDetail, openSendFlow, openUpdateFlow, openPreview } from "./invoice-actions.js";

const PAGE_SIZES = [25, 50, 100];

/** Sortable columns: what each sorts by. The default order is the newest first (issue date, then number). */
const SORTS = {
  number: (a, b) => a.number.localeCompare(b.number, "en", { numeric: true }),
  company: (a, b, app) => (app.companyById(a.companyId)?.name ?? "").localeCompare(app.companyById(b.companyId)?.name ?? ""),
  issueDate: (a, b) => a.issueDate.localeCompare(b.issueDate),
  dueDate: (a, b) => (a.dueDate ?? "").localeCompare(b.dueDate ?? ""),
  status: (a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status),
  total: (a, b) => compare(a.total, b.total),
  amountOutstanding: (a, b) => compare(a.amountOutstanding, b.amountOutstanding),
};

function sorted(app, invoices) {
  const { key, descending } = app.list.sort ?? { key: "issueDate", descending: true };
  const by = SORTS[key];
  const tieBreak = (a, b) => SORTS.number(a, b);
  const order = descending ? -1 : 1;
  return [...invoices].sort((a, b) => order * (by(a, b, app) || tieBreak(a, b)));
}

function matches(app, invoice) {
  const { query, status, kind } = app.list;
  if (status && invoice.status !== status) return false;
  if (kind && invoice.kind !== kind) return false;
  if (!query) return true;
  const q = query.trim().toLowerCase();
  const company = app.companyById(invoice.companyId);
  return (
    invoice.number.toLowerCase().includes(q) ||
    (invoice.reference ?? "").toLowerCase().includes(q) ||
    (company?.name ?? "").toLowerCase().includes(q)
  );
}

export function renderInvoices(app, main) {
  const filtered = sorted(app, app.data.invoices.filter((invoice) => matches(app, invoice)));
  const pageCount = Math.max(1, Math.ceil(filtered.length / app.list.pageSize));
  app.list.page = Math.min(app.list.page, pageCount - 1);
  const start = app.list.page * app.list.pageSize;
  const pageRows = filtered.slice(start, start + app.list.pageSize);
  const rerender = () => {
    replace(main);
    renderInvoices(app, main);
  };

  main.append(
    h("div", { class: "page-header" }, h("h1", {}, "Invoices"), h("p", { class: "subtle" }, summary(app)), outstanding(app)),
    filters(app, rerender),
    actionBar(app, filtered, rerender),
    table(app, pageRows, rerender),
    pager(app, filtered.length, pageCount, rerender),
  );
}

function summary(app) {
  const invoices = app.data.invoices.filter((i) => i.kind === "invoice").length;
  const credits = app.data.invoices.length - invoices;
  return `${invoices} invoices and ${credits} credit notes · ${app.data.companies.length} companies`;
}

/** Rule M1: what customers owe on open invoices, one amount per currency (never added across currencies). */
function outstanding(app) {
  const open = app.data.invoices.filter((i) => i.kind === "invoice" && i.status !== "Cancelled");
  const base = app.link.knownOrganisationOptions?.baseCurrency ?? "GBP";
  return h("p", { class: "subtle", id: "outstanding-by-currency" }, "Outstanding: ", h("strong", {}, formatByCurrency(sumByCurrency(open, (i) => i.amountOutstanding), { base })));
}

function filters(app, rerender) {
  const search = h("input", {
    type: "search",
    id: "invoice-search",
    value: app.list.query,
    placeholder: "Number, reference, company",
    onchange: (event) => {
      app.list.query = event.target.value;
      app.list.page = 0;
      rerender();
      document.getElementById("invoice-search")?.focus();
    },
  });
  const status = h(
    "select",
    {
      id: "status-filter",
      onchange: (event) => {
        app.list.status = event.target.value;
        app.list.page = 0;
        rerender();
        document.getElementById("status-filter")?.focus();
      },
    },
    h("option", { value: "" }, "All statuses"),
    STATUSES.map((s) => h("option", { value: s, selected: app.list.status === s }, s)),
  );
  const kind = h(
    "select",
    {
      id: "kind-filter",
      onchange: (event) => {
        app.list.kind = event.target.value;
        app.list.page = 0;
        rerender();
        document.getElementById("kind-filter")?.focus();
      },
    },
    h("option", { value: "" }, "Invoices and credit notes"),
    h("option", { value: "invoice", selected: app.list.kind === "invoice" }, "Invoices"),
    h("option", { value: "creditNote", selected: app.list.kind === "creditNote" }, "Credit notes"),
  );
  return h(
    "form",
    { class: "filters", role: "search", onsubmit: (event) => event.preventDefault() },
    h("label", { for: "invoice-search" }, "Search"),
    search,
    h("label", { for: "status-filter" }, "Status"),
    status,
    h("label", { for: "kind-filter" }, "Type"),
    kind,
  );
}

function selectedInvoices(app) {
  return app.data.invoices.filter((invoice) => app.selection.has(invoice.id));
}

function actionBar(app, filtered, rerender) {
  const count = app.selection.size;
  const selectionInfo = h(
    "div",
    { class: "selection-info", id: "selection-count", "aria-live": "polite" },
    count === 0 ? "No invoices selected" : `${count} selected`,
    count > 0
      ? h("button", { type: "button", class: "link-button", onclick: () => (app.selection.clear(), rerender()) }, "Clear selection")
      : null,
    count > 0 && count < filtered.length
      ? h(
          "button",
          {
            type: "button",
            class: "link-button",
            onclick: () => {
              for (const invoice of filtered) app.selection.add(invoice.id);
              rerender();
            },
          },
          `Select all ${filtered.length} matching`,
        )
      : null,
  );
  return h("div", { class: "action-bar", role: "toolbar", "aria-label": "Invoice actions" }, selectionInfo, xeroButtons(app, rerender));
}

/** The pill and the button while Send is not offered, by the connection's status (the others: not connected). */
const PILL = {
  [STATUS.PICK_REQUIRED]: ["Xero: choose the organisation", "Choose the Xero organisation"],
  [STATUS.RECONNECT_REQUIRED]: ["Xero: reconnect required", "Reconnect to Xero"],
};

/** Rule C6 (with C1 and C2): which Xero buttons this user sees right now. */
function xeroButtons(app, rerender) {
  if (!app.xeroVisible) return null;
  const none = app.selection.size === 0;
  const preview = h(
    "button",
    { type: "button", class: "button", id: "preview-xero", disabled: none, onclick: () => openPreview(app, selectedInvoices(app)) },
    "Preview Xero totals",
  );
  if (app.link.connected) {
    return h(
      "div",
      { class: "xero-actions", "data-xero": "" },
      preview,
      h("button", { type: "button", class: "button primary", id: "send-to-xero", disabled: none, onclick: () => openSendFlow(app, selectedInvoices(app), rerender) }, "Send to Xero"),
      h("button", { type: "button", class: "button", id: "update-from-xero", disabled: none, onclick: () => openUpdateFlow(app, selectedInvoices(app), rerender) }, "Update from Xero"),
    );
  }
  return h(
    "div",
    { class: "xero-actions", "data-xero": "" },
    h(
      "span",
      { class: "connection-pill", title: connectionReason(app.link.state), dataset: { status: app.link.state.status ?? "" } },
      h("span", { class: "dot", "aria-hidden": "true" }),
      PILL[app.link.state.status]?.[0] ?? "Xero: not connected",
    ),
    preview,
    h("a", { class: "button primary", href: "#/settings", id: "connect-to-xero" }, PILL[app.link.state.status]?.[1] ?? "Connect to Xero"),
  );
}

function table(app, rows, rerender) {
  const showXero = app.xeroVisible; // C1 and C2: no Xero column for sales, nor while the integration is off
  const pageIds = rows.map((invoice) => invoice.id);
  const selectedOnPage = pageIds.filter((id) => app.selection.has(id)).length;
  const all = h("input", {
    type: "checkbox",
    "aria-label": "Select all invoices on this page",
    checked: selectedOnPage > 0 && selectedOnPage === pageIds.length,
    indeterminate: selectedOnPage > 0 && selectedOnPage < pageIds.length,
    onchange: (event) => {
      for (const id of pageIds) event.target.checked ? app.selection.add(id) : app.selection.delete(id);
      rerender();
    },
  });
  const head = h(
    "tr",
    {},
    h("th", { class: "select-col", scope: "col" }, all),
    sortHeader(app, "number", "Number", rerender),
    sortHeader(app, "company", "Company", rerender),
    sortHeader(app, "issueDate", "Issued", rerender),
    sortHeader(app, "dueDate", "Due", rerender),
    sortHeader(app, "status", "Status", rerender),
    sortHeader(app, "total", "Total", rerender, "num"),
    sortHeader(app, "amountOutstanding", "Outstanding", rerender, "num"),
    h("th", { scope: "col" }, "Sent to Accounts"),
    showXero ? h("th", { scope: "col" }, "Xero") : null,
  );
  const body = rows.map((invoice) => row(app, invoice, showXero, rerender));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "data-table", id: "invoice-table", "aria-label": "Invoices" },
      h("thead", {}, head),
      h("tbody", {}, body.length ? body : h("tr", {}, h("td", { colspan: 10, class: "empty" }, "No invoices match these filters."))),
    ),
  );
}

/** A column header that sorts the list (aria-sort tells screen readers the current order). */
function sortHeader(app, key, label, rerender, className) {
  const current = app.list.sort ?? { key: "issueDate", descending: true };
  const active = current.key === key;
  return h(
    "th",
    { scope: "col", class: className, "aria-sort": active ? (current.descending ? "descending" : "ascending") : null },
    h(
      "button",
      {
        type: "button",
        class: "sort-button",
        id: `sort-${key}`,
        onclick: () => {
          app.list.sort = { key, descending: active ? !current.descending : false };
          app.list.page = 0;
          rerender();
          document.getElementById(`sort-${key}`)?.focus();
        },
      },
      label,
      h("span", { class: "sort-mark", "aria-hidden": "true" }, active ? (current.descending ? "▼" : "▲") : ""),
    ),
  );
}

function row(app, invoice, showXero, rerender) {
  const company = app.companyById(invoice.companyId);
  const selected = app.selection.has(invoice.id);
  const xeroUrl = showXero ? app.link.invoiceUrl(invoice) : null;
  return h(
    "tr",
    { class: selected ? "selected" : null, dataset: { id: invoice.id } },
    h(
      "td",
      { class: "select-col" },
      h("input", {
        type: "checkbox",
        "aria-label": `Select ${invoice.number}`,
        checked: selected,
        onchange: (event) => {
          event.target.checked ? app.selection.add(invoice.id) : app.selection.delete(invoice.id);
          rerender();
          document.querySelector(`tr[data-id="${invoice.id}"] input[type=checkbox]`)?.focus();
        },
      }),
    ),
    h(
      "td",
      {},
      h("button", { type: "button", class: "link-button number", onclick: () => openInvoiceDetail(app, invoice) }, invoice.number),
      invoice.kind === "creditNote" ? h("span", { class: "tag" }, "Credit note") : null,
    ),
    h("td", {}, company?.name ?? invoice.companyId),
    h("td", { class: "date" }, formatDate(invoice.issueDate)),
    h("td", { class: "date" }, formatDate(invoice.dueDate)),
    h("td", {}, h("span", { class: statusClass(invoice.status) }, invoice.status)),
    h("td", { class: "num" }, formatMoney(invoice.total, invoice.currency)),
    h("td", { class: "num" }, formatMoney(invoice.amountOutstanding, invoice.currency)),
    h("td", {}, invoice.sentToAccounts ? h("span", { class: "sent" }, `Yes, ${formatDate(invoice.sentToAccountsDate)}`) : h("span", { class: "subtle" }, "No")),
    showXero
      ? h("td", {}, xeroUrl ? h("a", { href: xeroUrl, target: "_blank", rel: "noopener" }, "Open in Xero", h("span", { class: "visually-hidden" }, ` (${invoice.number}, new tab)`)) : h("span", { class: "subtle" }, "—"))
      : null,
  );
}

function pager(app, total, pageCount, rerender) {
  const go = (page) => {
    app.list.page = page;
    rerender();
  };
  const from = total === 0 ? 0 : app.list.page * app.list.pageSize + 1;
  const to = Math.min(total, (app.list.page + 1) * app.list.pageSize);
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    h("span", { id: "page-info" }, `Showing ${from}–${to} of ${total}`),
    h("button", { type: "button", class: "button", disabled: app.list.page === 0, onclick: () => go(app.list.page - 1) }, "Previous"),
    h("span", {}, `Page ${app.list.page + 1} of ${pageCount}`),
    h("button", { type: "button", class: "button", disabled: app.list.page >= pageCount - 1, onclick: () => go(app.list.page + 1) }, "Next"),
    h("label", { for: "page-size" }, "Rows per page"),
    h(
      "select",
      {
        id: "page-size",
        onchange: (event) => {
          app.list.pageSize = Number(event.target.value);
          app.list.page = 0;
          rerender();
        },
      },
      PAGE_SIZES.map((size) => h("option", { value: size, selected: app.list.pageSize === size }, String(size))),
    ),
  );
}
