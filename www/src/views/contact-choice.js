// Rule S3a: a company without a Xero ContactID whose name, number or email matches several Xero contacts, or only an
// archived one, is not sent: a person chooses. This panel lists the candidates (name, number, email, balance,
// archived) with *Use this contact* per candidate and *Create new contact*; the choice is stored on the company and
// its invoices can then be sent again. Shown after a send (outcomes) and in the Companies view while it waits.

import { formatMoney } from "../money.js";
import { chooseContact } from "../sync.js";
import { errorSentence } from "../messages.js";
import { announce, h, replace } from "../ui.js";

const WHY = {
  ambiguous: (n) => `${n} Xero contacts could be this company, so nothing was created or sent for it.`,
  archived: () => "The only Xero contact that matches this company is archived, so nothing was created or sent for it.",
};

/**
 * `matches`: [{ id (company), by, candidates, invoiceIds? }]. `onChosen(company, choice)` runs after a choice is
 * stored (e.g. to offer sending the waiting invoices again).
 */
export function contactChoicePanel(app, matches, { onChosen = () => {} } = {}) {
  if (!matches?.length) return null;
  return h(
    "section",
    { class: "contact-choices", "aria-labelledby": "contact-choices-title" },
    h("h3", { id: "contact-choices-title" }, "Choose the Xero contact"),
    h("p", {}, "Xero already has customers that may be these companies. Pick the right contact, or create a new one; the choice is kept on the company."),
    matches.map((match) => companyChoice(app, match, onChosen)),
  );
}

function companyChoice(app, match, onChosen) {
  const company = app.companyById(match.id);
  const name = company?.name ?? "A company no longer in the CRM";
  const titleId = `contact-choice-${match.id}`;
  const section = h("section", { class: "card contact-choice", "aria-labelledby": titleId, dataset: { company: match.id } });
  const choose = (choice, text) => async () => {
    try {
      await chooseContact(app, match.id, choice);
    } catch (error) {
      announce(`The choice was not saved. ${errorSentence(error)}`, { tone: "error" });
      return;
    }
    replace(section, h("h4", { id: titleId }, name), h("p", { class: "notice ok", role: "status" }, text));
    announce(text);
    onChosen(company, choice);
  };
  const rows = match.candidates.map((candidate) =>
    h(
      "tr",
      { dataset: { contact: candidate.contactId } },
      h("th", { scope: "row" }, candidate.name),
      h("td", {}, candidate.contactNumber ?? "—"),
      h("td", {}, candidate.email ?? "—"),
      h("td", { class: "num" }, candidate.balance !== undefined && candidate.balance !== null ? formatMoney(candidate.balance, company?.currency ?? "GBP") : "—"),
      h("td", {}, candidate.archived ? "Archived" : "Active"),
      h(
        "td",
        {},
        h(
          "button",
          {
            type: "button",
            class: "button",
            "aria-label": `Use ${candidate.name} for ${name}`,
            onclick: choose({ contactId: candidate.contactId }, `${name} will be sent to the Xero contact ${candidate.name}. Send its invoices again.`),
          },
          "Use this contact",
        ),
      ),
    ),
  );
  replace(
    section,
    h("h4", { id: titleId }, name),
    h("p", {}, (WHY[match.by] ?? WHY.ambiguous)(match.candidates.length)),
    h(
      "table",
      { class: "data-table compact", "aria-label": `Xero contacts that may be ${name}` },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Name", "Number", "Email"].map((label) => h("th", { scope: "col" }, label)),
          h("th", { scope: "col", class: "num" }, "Balance"),
          h("th", { scope: "col" }, "State"),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Choice")),
        ),
      ),
      h("tbody", {}, rows),
    ),
    h(
      "div",
      { class: "button-row" },
      h(
        "button",
        {
          type: "button",
          class: "button",
          "aria-label": `Create a new Xero contact for ${name}`,
          onclick: choose({ create: true }, `A new Xero contact will be created for ${name}. Send its invoices again.`),
        },
        "Create new contact",
      ),
    ),
  );
  return section;
}
