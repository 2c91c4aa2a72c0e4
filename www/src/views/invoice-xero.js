// An invoice's Xero section in its detail (finance and admin, integration enabled: rules C1, C2):
// - O1: the customer's online invoice link, stored on the CRM invoice once Xero has it approved (Update from Xero
//   brings it; "Get customer link" reads it for a sent invoice that has none yet);
// - O2: "Email from Xero", which asks Xero to email the approved invoice to its contact (the proxy logs it).
// Errors are told as sentences for the person who pressed the button, never as codes.

import { applyInvoiceChanges } from "../sync.js";
import { announce, h, needsConnection, replace } from "../ui.js";

/** What went wrong, in words for a finance user. `action` is "email" or "link". */
export function xeroActionSentence(error, { invoice, company, action }) {
  const number = invoice.number;
  const customer = company?.name ?? "the customer";
  switch (error?.code) {
    case "not_approved":
      return action === "email"
        ? `Xero cannot email ${number} yet: it is still a draft in Xero. Approve it in Xero first, then try again.`
        : `${number} has no customer link yet: Xero makes one once the invoice is approved. Approve it in Xero first, then try again.`;
    case "no_contact_email":
      return `Xero has no email address for ${customer}, so it cannot email ${number}. Add an email address to ${customer}'s primary contact and send the invoice to Xero again (or add it to the contact in Xero), then try again.`;
    case "email_limit":
      return `${number} was not emailed: this Xero organisation has sent as many emails as Xero allows in a day. Try again tomorrow.`;
    case "rate_limited":
      return `Xero is busy: this organisation has made as many calls as Xero allows for the moment, so nothing was done for ${number}. Try again in a minute.`;
    case "xero_unavailable":
    case "not_connected":
    case "reconnect_required":
    case "tenant_not_chosen":
    case "integration_disabled":
      return `${number}: the CRM is not connected to Xero right now. Connect to Xero in the settings, then try again.`;
    case "proxy_unreachable":
    case "upstream_timeout":
    case "upstream_unavailable":
      return `Xero could not be reached for ${number} just now. Try again in a moment.`;
    default:
      // The package's own sentence for a finance user, when its error has one (no codes, ids or field paths).
      if (typeof error?.sentence === "string" && error.sentence.trim()) return error.sentence;
      return action === "email"
        ? `Xero did not email ${number}. Please try again later; if it keeps failing, the Xero log shows Xero's answer.`
        : `The customer link of ${number} could not be read from Xero. Please try again later; if it keeps failing, the Xero log shows Xero's answer.`;
  }
}

/** The section, or null where it does not apply (not a sent invoice, or Xero not visible to this user). */
export function invoiceXeroSection(app, invoice) {
  if (!app.xeroVisible || invoice.kind === "creditNote" || !invoice.xeroId) return null;
  const company = app.companyById(invoice.companyId);
  const section = h("section", { class: "xero-invoice-block", "aria-labelledby": "xero-invoice-title", "data-xero": "" });
  const status = h("div", { id: "xero-invoice-status", role: "status" });
  const problem = h("div", { id: "xero-invoice-error", role: "alert" });

  const fail = (error, action) => {
    const sentence = xeroActionSentence(error, { invoice, company, action });
    replace(status);
    // The sentence is for people; the code stays on the element for whoever debugs it.
    replace(problem, h("p", { class: "notice error", dataset: { code: error?.code ?? "" } }, sentence));
    announce(sentence, { tone: "error" });
  };

  const busy = async (button, label, work) => {
    const text = button.textContent;
    button.disabled = true;
    button.textContent = label;
    replace(problem);
    try {
      await work();
    } finally {
      button.disabled = false;
      button.textContent = text;
    }
  };

  const getLink = h("button", { type: "button", class: "button", id: "get-online-invoice" }, "Get customer link");
  getLink.addEventListener("click", () =>
    busy(getLink, "Reading the link from Xero…", async () => {
      try {
        const { changes } = await app.link.onlineInvoice(invoice);
        await applyInvoiceChanges(app, invoice.id, changes);
        draw();
        announce(`${invoice.number}: the customer's online invoice link is stored.`);
      } catch (error) {
        fail(error, "link");
      }
    }),
  );

  const email = h("button", { type: "button", class: "button", id: "email-from-xero" }, "Email from Xero");
  email.addEventListener("click", () =>
    busy(email, "Asking Xero to email it…", async () => {
      try {
        await app.link.emailInvoice(invoice);
        const sentence = `Xero emailed ${invoice.number} to ${company?.name ?? "the customer"}'s contact.`;
        replace(status, h("p", { class: "notice ok" }, sentence));
        announce(sentence);
      } catch (error) {
        fail(error, "email");
      }
    }),
  );

  const draw = () => {
    const url = invoice.onlineInvoiceUrl;
    const connected = app.link.connected;
    getLink.disabled = !connected;
    email.disabled = !connected;
    replace(
      section,
      h("h3", { id: "xero-invoice-title" }, "The customer's invoice in Xero"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Online invoice"),
        h(
          "dd",
          { id: "online-invoice" },
          url
            ? h("a", { href: url, target: "_blank", rel: "noopener", id: "online-invoice-link" }, "The customer's online invoice", h("span", { class: "visually-hidden" }, ` (${invoice.number}, new tab)`))
            : h("span", { class: "subtle" }, "Not read yet: Xero makes the link once the invoice is approved."),
        ),
      ),
      url ? h("p", { class: "hint" }, "Send this link to the customer: they see the invoice and can pay it online.") : null,
      h("div", { class: "button-row" }, url ? null : getLink, email),
      connected ? null : needsConnection(app),
      status,
      problem,
    );
  };
  draw();
  return section;
}
