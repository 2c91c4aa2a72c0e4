// Rule U7 on an invoice's detail: the payments and allocated credit notes behind its balance, as Update from Xero
// (or the change feed) last brought them back, and the day Xero recorded it as fully paid.

import { formatMoney } from "../money.js";
import { formatDate, h } from "../ui.js";

/** The section for `invoice`, or null when Xero has reported neither payments nor credits for it. */
export function paymentsSection(invoice) {
  const payments = invoice.payments ?? [];
  const credits = invoice.credits ?? [];
  if (payments.length === 0 && credits.length === 0 && !invoice.fullyPaidOnDate) return null;
  const c = invoice.currency;
  const rows = [
    ...payments.map((p) => ({ date: p.date, what: "Payment", detail: p.reference ?? "", amount: p.amount })),
    ...credits.map((cr) => ({ date: cr.date, what: "Credit note", detail: cr.number ?? "", amount: cr.amount })),
  ].sort((a, b) => (a.date ?? "").localeCompare(b.date ?? ""));
  return h(
    "section",
    { class: "payments-block", "aria-labelledby": "payments-title" },
    h("h3", { id: "payments-title" }, "Payments and credits in Xero"),
    rows.length
      ? h(
          "table",
          { class: "data-table compact", "aria-label": "Payments and credits" },
          h(
            "thead",
            {},
            h("tr", {}, h("th", { scope: "col" }, "Date"), h("th", { scope: "col" }, "What"), h("th", { scope: "col" }, "Reference"), h("th", { scope: "col", class: "num" }, "Amount")),
          ),
          h(
            "tbody",
            {},
            rows.map((row) => h("tr", {}, h("td", { class: "date" }, row.date ? formatDate(row.date) : "—"), h("td", {}, row.what), h("td", {}, row.detail), h("td", { class: "num" }, formatMoney(row.amount, c)))),
          ),
        )
      : null,
    invoice.fullyPaidOnDate ? h("p", { id: "fully-paid-on" }, `Fully paid on ${formatDate(invoice.fullyPaidOnDate)}.`) : null,
  );
}
