// Companies: the CRM's customers with their primary person and balance. Update from Xero gives a company its Xero
// ContactID (U3) and Update all refreshes balances (A2); both show here. Sales users see no Xero column (C1).
// Companies whose Xero contact a person must choose (S3a) are listed first, with their candidates, until chosen.
// Rule M1: what a company owes is shown per currency, never added across currencies; Xero's balance is in the
// organisation's base currency (Xero converts at each invoice's rate), and is labelled so. Rule K2: a company may
// have a branding theme of its own, chosen here (else the settings' default).

import { compare, formatByCurrency, formatMoney, sumByCurrency } from "../money.js";
import { contactMatches } from "../sync.js";
import { announce, h, replace } from "../ui.js";
import { contactChoicePanel } from "./contact-choice.js";
import { brandingSelect } from "./organisation-options.js";

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
  // Rule K2: the per-company theme picker needs the organisation's themes (read once by the link, then kept).
  const options = showXero ? app.link.knownOrganisationOptions : null;
  if (showXero && app.link.connected && !options) {
    app.link.organisationOptions().then(
      () => location.hash === "#/companies" && app.render(),
      () => {},
    );
  }
  const base = options?.baseCurrency ?? "GBP";
  // The column appears once the organisation's themes are known (connected): a picker with nothing to pick helps nobody.
  const themes = showXero && app.link.connected && options ? options.brandingThemes : null;
  main.append(
    h("div", { class: "page-header" }, h("h1", {}, "Companies"), h("p", { class: "subtle" }, `${companies.length} companies`)),
    waiting,
    h(
      "div",
      // Focusable: on a narrow screen the table scrolls sideways, and a keyboard must be able to scroll it too.
      { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Companies table" },
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
            h("th", { scope: "col", class: "num" }, "Outstanding"),
            h("th", { scope: "col", class: "num" }, `Accounts balance (${base})`),
            showXero ? h("th", { scope: "col" }, "Xero contact") : null,
            themes ? h("th", { scope: "col" }, "Branding theme") : null,
          ),
        ),
        h(
          "tbody",
          {},
          companies.map((company) => {
            const invoices = invoicesByCompany.get(company.id) ?? [];
            const openInvoices = invoices.filter((i) => i.kind === "invoice" && compare(i.amountOutstanding, "0") > 0 && i.status !== "Cancelled");
            const open = openInvoices.length;
            const owed = sumByCurrency(openInvoices, (i) => i.amountOutstanding);
            const person = company.people.find((p) => p.primary);
            return h(
              "tr",
              { dataset: { id: company.id } },
              h("th", { scope: "row" }, company.name),
              h("td", {}, company.accountNumber),
              h("td", {}, person ? h("span", {}, `${person.firstName} ${person.lastName}`, h("br"), h("span", { class: "subtle" }, person.email)) : "—"),
              h("td", { class: "num" }, String(invoices.length)),
              h("td", { class: "num" }, String(open)),
              // Rule M1: the CRM's open invoices, one amount per currency.
              h("td", { class: "num outstanding" }, formatByCurrency(owed, { base })),
              // The balance comes from the accounts (A2), in Xero's base currency; before the company was ever
              // synced there is none to show.
              h("td", { class: "num balance" }, company.xeroContactId && company.balance !== null && company.balance !== undefined ? formatMoney(company.balance, base) : h("span", { class: "subtle" }, "—")),
              showXero ? h("td", {}, xeroContactCell(company)) : null,
              themes ? h("td", {}, themeCell(app, company, options)) : null,
            );
          }),
        ),
      ),
    ),
  );
}

/** Rule K2: the company's own branding theme, or the settings' default (stored on the company, in IndexedDB). */
function themeCell(app, company, options) {
  const themes = options?.brandingThemes ?? null;
  const fallback = themes?.find((t) => t.id === app.data.settings.brandingThemeId)?.name ?? "Xero's default";
  return brandingSelect({
    id: `theme-${company.id}`,
    themes,
    value: company.brandingThemeId ?? "",
    label: `Branding theme for ${company.name}`,
    defaultLabel: `Settings' default (${fallback})`,
    onchange: async (event) => {
      const id = event.target.value || null;
      company.brandingThemeId = id;
      await app.store.putRecords("companies", [company]);
      announce(`${company.name}: ${id ? `branding theme ${themes.find((t) => t.id === id)?.name ?? id}` : "the settings' branding theme"}.`);
    },
  });
}

function xeroContactCell(company) {
  // Xero's ContactID is for programs (kept in the cell's data); people see that the company is linked.
  if (company.xeroContactId) return h("span", { class: "linked", dataset: { contactId: company.xeroContactId } }, "Linked to a Xero contact");
  if (company.createXeroContact) return h("span", { class: "subtle" }, "A new contact on the next send");
  return h("span", { class: "subtle" }, "Not in Xero yet");
}
