// Discrepancies (rule U4): invoices that Update from Xero (or the change feed) did not change silently because Xero
// voided or deleted them, or because Xero's total differs from the CRM's. A person resolves each one (rule U6): accept
// Xero's figures, send the CRM's figures again (where Xero can still edit the invoice), or dismiss. Each choice is
// logged with who made it; the proxy has no route for log lines made in the page yet, so they are kept in the CRM and
// listed here.

import { callEngine } from "../engine.js";
import { formatMoney } from "../money.js";
import { applyInvoiceChanges, applyResult, recordDecision } from "../sync.js";
import { discrepancySentence, errorSentence, explainOutcome, readableLogMessage } from "../messages.js";
import { announce, formatDate, h, replace } from "../ui.js";

const CHOICES = [
  ["acceptXero", "Accept Xero's figures"],
  ["sendCrm", "Send the CRM's figures again"],
  ["dismiss", "Dismiss"],
];

export function renderDiscrepancies(app, main) {
  const list = h("div", {}, h("p", { class: "subtle" }, "Loading…"));
  const decisions = h("div", {});
  main.append(
    h("div", { class: "page-header" }, h("h1", {}, "Discrepancies"), h("p", { class: "subtle" }, "Differences between the CRM and Xero that need a person to decide.")),
    list,
    decisions,
  );
  const show = async () => {
    const all = (await app.store.getMeta("discrepancies")) ?? [];
    const open = all.filter((entry) => !entry.resolvedAt);
    showDecisions(app, decisions);
    if (open.length === 0) {
      replace(list, h("div", { class: "empty-state", id: "no-discrepancies" }, h("h2", {}, "No open discrepancies"), h("p", {}, "Update from Xero lists here any invoice that was voided or deleted in Xero, or whose Xero total differs from the CRM's, instead of changing it silently.")));
      return;
    }
    const rows = open.map((entry) => {
      const status = h("div", { class: "resolution", role: "status" });
      const buttons = CHOICES.map(([choice, label]) =>
        h("button", { type: "button", class: "button", "aria-label": `${label} for ${entry.number}`, onclick: (event) => resolve(entry, choice, event.target.closest("td"), status) }, label),
      );
      return h(
        "tr",
        { dataset: { id: entry.id } },
        h("td", {}, entry.number),
        h("td", {}, h("ul", { class: "differences" }, entry.messages.map((m) => h("li", { dataset: { message: m } }, discrepancySentence(m, app.data.invoices.find((i) => i.id === entry.id)))))),
        h("td", {}, formatDate(entry.foundAt)),
        h("td", {}, h("div", { class: "button-row" }, buttons), status),
      );
    });
    const head = h(
      "tr",
      {},
      h("th", { scope: "col" }, "Invoice"),
      h("th", { scope: "col" }, "What differs"),
      h("th", { scope: "col" }, "Found"),
      h("th", { scope: "col" }, "Resolve"),
    );
    replace(
      list,
      h("div", { class: "table-wrap" }, h("table", { class: "data-table", "aria-label": "Open discrepancies" }, h("thead", {}, head), h("tbody", {}, rows))),
    );

    async function resolve(entry, choice, cell, status) {
      for (const button of cell.querySelectorAll("button")) button.disabled = true;
      replace(status, "Reading the invoice from Xero…");
      try {
        const message = await resolveOne(app, entry, choice);
        entry.resolvedAt = new Date().toISOString();
        entry.resolvedBy = app.user.id;
        entry.resolution = choice;
        await app.store.setMeta("discrepancies", all);
        announce(message);
        show();
      } catch (error) {
        const text = errorSentence(error, `${entry.number} was not changed: Xero could not be reached. Please try again.`);
        replace(status, h("p", { class: "notice error", dataset: { code: error?.code ?? "" } }, text));
        announce(text, { tone: "error" });
        for (const button of cell.querySelectorAll("button")) button.disabled = false;
      }
    }
  };
  show();
}

/** Rule U6 for one discrepancy: Xero's invoice read, the package's resolution stored, sent if asked, logged. */
async function resolveOne(app, entry, choice) {
  const invoice = app.data.invoices.find((candidate) => candidate.id === entry.id);
  if (!invoice) throw new Error(`${entry.number} is no longer in the CRM.`);
  const xeroInvoice = await app.link.readXeroDocument(invoice);
  const today = new Date().toISOString().slice(0, 10);
  const resolved = callEngine(app.engine, "resolveDiscrepancy", invoice, xeroInvoice, { choice, today });
  if (resolved.error) {
    // Xero can no longer take the CRM's figures (paid, credited, voided or deleted there): the package refuses the choice.
    throw new Error(choice === "sendCrm" && resolved.error.code === "invalid_options"
      ? `${entry.number} was not changed: Xero can no longer edit it (it has payments or credits, or it was voided or deleted there). Accept Xero's figures or dismiss.`
      : `${entry.number} was not changed. ${errorSentence(resolved.error)}`);
  }
  const { changes, send, log } = resolved.value;
  await applyInvoiceChanges(app, invoice.id, changes);
  let message;
  if (send) {
    const result = await app.link.send({ invoices: [invoice], ctx: app.ctx, mode: "selected" });
    await applyResult(app, result);
    const outcome = result.invoices.find((o) => o.id === invoice.id);
    if (outcome?.outcome !== "sent") {
      await recordDecision(app, { ...log, outcome: "error", message: `${log.message}; Xero did not take it: ${outcome?.message ?? outcome?.error?.message ?? "no answer"}` });
      throw new Error(`${entry.number}: the CRM's figures were not sent again. ${outcome ? explainOutcome(app, outcome).text : "Xero gave no answer."}`);
    }
    message = `${entry.number}: the CRM's figures were sent to Xero again.`;
  } else if (choice === "acceptXero") {
    message = `${entry.number}: Xero's figures accepted: total ${formatMoney(invoice.total, invoice.currency)}, ${invoice.status}.`;
  } else {
    message = `${entry.number}: dismissed; these differences no longer stop Update from Xero.`;
  }
  await recordDecision(app, log);
  try {
    await app.link.logResolution(log);
  } catch (error) {
    // The choice is made and kept in the CRM; only the proxy's copy of the line is missing.
    return `${message} (Not written to the Xero log: ${errorSentence(error, "the proxy could not be reached.")})`;
  }
  return message;
}

/** The U6 choices made in this CRM, newest first, with who made them. */
async function showDecisions(app, element) {
  const lines = ((await app.store.getMeta("decisions")) ?? []).slice().reverse();
  if (lines.length === 0) {
    replace(element);
    return;
  }
  const number = (id) => app.data.invoices.find((invoice) => invoice.id === id)?.number ?? "An invoice no longer in the CRM";
  const said = (message) => readableLogMessage(app, message);
  replace(
    element,
    h("h2", { id: "decisions-title" }, "Decisions"),
    h("p", { class: "hint" }, "Kept in this CRM, and written to the Xero log (outcome Resolved) with who made them."),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data-table compact", "aria-labelledby": "decisions-title", id: "decisions" },
        h("thead", {}, h("tr", {}, ["When", "Who", "Invoice", "What was decided"].map((label) => h("th", { scope: "col" }, label)))),
        h("tbody", {}, lines.map((line) => h("tr", {}, h("td", {}, new Date(line.time).toLocaleString("en-GB", { timeZone: "UTC" })), h("td", {}, line.user), h("td", {}, number(line.crmId)), h("td", { dataset: { message: line.message ?? "" } }, said(line.message))))),
      ),
    ),
  );
}
