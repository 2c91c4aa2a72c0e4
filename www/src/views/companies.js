// Companies: the CRM's customers with their primary person and balance. Update from Xero gives a company its Xero
// ContactID (U3) and Update all refreshes balances (A2); both show here. Sales users see no Xero column (C1).
// Companies whose Xero contact a person must choose (S3a) are listed first, with their candidates, until chosen.

import { compare, formatMoney } from "../money.js";
import { contactMatches } from "../sync.js";
import { h, replace } from "../ui.js";
import { contactChoicePanel } from "./contact-choice.js";

export function renderCompanies(app, main) {
  const showXero = app.xeroVisible;
  const invoicesByCompany = new Map();
  for (const invoice of app.data.invoices) {
    const list = invoicesByCompany.get(invoice.companyId) ?? [];
    list.push(invoice);
    invoicesByCompany.set(invoice.companyId, list);
  }
  const companies = [...app.data.companies].sort((a, b) => a.name.localeCompare(b.name));
  const waiting = h("div", { id: "contact-choices" });
  if (showXero) contactMatches(app).then((matches) => replace(waiting, contactChoicePanel(app, matches)));
  main.append(
    h("div", { class: "page-header" }, h("h1", {}, "Companies"), h("p", { class: "subtle" }, `${companies.length} companies`)),
    waiting,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data-table", id: "company-table", "aria-label": "Companies" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Company"),
            h("th", { scope: "col" }, "Account"),
            h("th", { scope: "col" }, "Primary contact"),
            h("th", { scope: "col", class: "num" }, "Invoices"),
            h("th", { scope: "col", class: "num" }, "Open invoices"),
            h("th", { scope: "col", class: "num" }, "Accounts balance"),
            showXero ? h("th", { scope: "col" }, "Xero contact") : null,
          ),
        ),
        h(
          "tbody",
          {},
          companies.map((company) => {
            const invoices = invoicesByCompany.get(company.id) ?? [];
            const open = invoices.filter((i) => i.kind === "invoice" && compare(i.amountOutstanding, "0") > 0 && i.status !== "Cancelled").length;
            const person = company.people.find((p) => p.primary);
            return h(
              "tr",
              { dataset: { id: company.id } },
              h("th", { scope: "row" }, company.name),
              h("td", {}, company.accountNumber),
              h("td", {}, person ? h("span", {}, `${person.firstName} ${person.lastName}`, h("br"), h("span", { class: "subtle" }, person.email)) : "—"),
              h("td", { class: "num" }, String(invoices.length)),
              h("td", { class: "num" }, String(open)),
              // The balance comes from the accounts (A2); before the company was ever synced there is none to show.
              h("td", { class: "num" }, company.xeroContactId ? formatMoney(company.balance) : h("span", { class: "subtle" }, "—")),
              showXero ? h("td", {}, xeroContactCell(company)) : null,
            );
          }),
        ),
      ),
    ),
  );
}

function xeroContactCell(company) {
  if (company.xeroContactId) return h("code", {}, company.xeroContactId);
  if (company.createXeroContact) return h("span", { class: "subtle" }, "A new contact on the next send");
  return h("span", { class: "subtle" }, "Not in Xero yet");
}
