// The dialogs of the Invoices screen: one invoice's detail (with Xero's preview beside the CRM's figures), the
// preview of a selection (S6), and the Send / Update flows (S1-S9, U1-U5) that run through the Xero link.

import { callEngine } from "../engine.js";
import { compare, dec, fixed, formatMoney, plain, sub } from "../money.js";
import { crmTotals } from "../crm-totals.js";
import { progressPanel } from "../progress.js";
import { applyResult, contactMatchesOf, waitingInvoiceIds } from "../sync.js";
import { explainError, explainOutcome, explainProductFailure, dataFor, previewDifference } from "../messages.js";
import { announce, explained, fixLink, formatDate, h, openDialog, registerInvoiceOpener, replace, statusClass } from "../ui.js";
import { contactChoicePanel } from "./contact-choice.js";
import { paymentsSection } from "./invoice-payments.js";
import { invoiceXeroSection } from "./invoice-xero.js";

const money = (value, currency) => (value === undefined || value === null ? "—" : formatMoney(value, currency));

/** The signed difference Xero − CRM as "+£0.01", or "" when equal. */
function difference(xeroTotal, crmTotal, currency) {
  const delta = sub(xeroTotal, crmTotal);
  if (delta.units === 0n) return "";
  return `${delta.units > 0n ? "+" : ""}${formatMoney(fixed(delta), currency)}`;
}

function engineNotice(app) {
  return app.engine.ok ? null : h("div", { class: "notice error", role: "alert" }, app.engine.message);
}

/** How Xero will get a line's discount (S5, S6): a rate, an amount, or none. */
function xeroDiscount(xeroLine, currency) {
  if (xeroLine?.discountRate !== undefined && xeroLine.discountRate !== null) return `${plain(String(xeroLine.discountRate))}%`;
  if (xeroLine?.discountAmount !== undefined && xeroLine.discountAmount !== null) return money(xeroLine.discountAmount, currency);
  return "";
}

/** Rule K1: a line's CRM tracking fields ("Region North · Department Sales"), under its description. */
function trackingText(line) {
  const entries = Object.entries(line.tracking ?? {}).filter(([, value]) => value);
  if (entries.length === 0) return null;
  return h("span", { class: "line-tracking" }, entries.map(([field, value]) => `${field} ${value}`).join(" · "));
}

export function openInvoiceDetail(app, invoice) {
  const company = app.companyById(invoice.companyId);
  const person = company?.people.find((p) => p.id === invoice.personId) ?? company?.people.find((p) => p.primary);
  const crm = crmTotals(invoice, app.data.taxRates);
  const showXero = app.xeroVisible;
  const previewed = showXero ? callEngine(app.engine, "previewInvoice", invoice, app.ctx) : null;
  const preview = previewed?.value;
  const taxName = (id) => app.data.taxRates.find((rate) => rate.id === id)?.name ?? "A tax rate no longer in the CRM";
  const discountText = (d) => (!d ? "" : d.percent !== undefined ? `${plain(d.percent)}%` : formatMoney(d.amount, invoice.currency));

  const lines = h(
    "table",
    { class: "data-table compact", "aria-label": "Lines" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Description"),
        h("th", { scope: "col", class: "num" }, "Qty"),
        h("th", { scope: "col", class: "num" }, "List price"),
        h("th", { scope: "col", class: "num" }, "Discount"),
        h("th", { scope: "col" }, "Tax rate"),
        h("th", { scope: "col", class: "num" }, "CRM amount"),
        preview ? h("th", { scope: "col", class: "num xero-col" }, "Xero discount") : null,
        preview ? h("th", { scope: "col", class: "num xero-col" }, "Xero amount") : null,
        preview ? h("th", { scope: "col", class: "num xero-col" }, "Xero tax") : null,
      ),
    ),
    h(
      "tbody",
      {},
      invoice.lines.map((line, index) => {
        const xeroLine = preview?.lines?.[index];
        const differs = xeroLine && compare(String(xeroLine.lineAmount), crm.lines[index]) !== 0;
        return h(
          "tr",
          { class: differs ? "differs" : null },
          h("td", {}, line.description, trackingText(line)),
          h("td", { class: "num" }, plain(line.quantity)),
          h("td", { class: "num" }, money(line.listPrice, invoice.currency)),
          h("td", { class: "num" }, discountText(line.discount)),
          h("td", {}, taxName(line.taxRateId)),
          h("td", { class: "num" }, money(crm.lines[index], invoice.currency)),
          preview ? h("td", { class: "num xero-col" }, xeroDiscount(xeroLine, invoice.currency)) : null,
          preview ? h("td", { class: "num xero-col" }, money(xeroLine?.lineAmount, invoice.currency)) : null,
          preview ? h("td", { class: "num xero-col" }, money(xeroLine?.taxAmount, invoice.currency)) : null,
        );
      }),
    ),
  );

  const body = h(
    "div",
    { class: "detail" },
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Company"), h("dd", {}, company?.name ?? "A company no longer in the CRM"),
      h("dt", {}, "Contact"), h("dd", {}, person ? `${person.firstName} ${person.lastName} <${person.email}>` : "—"),
      h("dt", {}, "Issued"), h("dd", {}, formatDate(invoice.issueDate)),
      h("dt", {}, "Due"), h("dd", {}, formatDate(invoice.dueDate)),
      h("dt", {}, "Status"), h("dd", {}, h("span", { class: statusClass(invoice.status) }, invoice.status)),
      h("dt", {}, "Currency"), h("dd", { id: "invoice-currency" }, invoice.currency, invoice.currencyRate ? ` (rate fixed by the CRM: ${plain(String(invoice.currencyRate))} per 1 of the base currency)` : ""),
      h("dt", {}, "Amounts are"), h("dd", {}, { exclusive: "Tax exclusive", inclusive: "Tax inclusive", noTax: "No tax" }[invoice.amountsAre]),
      invoice.reference ? [h("dt", {}, "Reference"), h("dd", {}, invoice.reference)] : null,
      h("dt", {}, "Outstanding"), h("dd", {}, money(invoice.amountOutstanding, invoice.currency)),
      h("dt", {}, "Sent to Accounts"), h("dd", {}, invoice.sentToAccounts ? `Yes, ${formatDate(invoice.sentToAccountsDate)}` : "No"),
      showXero && app.link.invoiceUrl(invoice)
        ? [h("dt", {}, "In Xero"), h("dd", {}, h("a", { href: app.link.invoiceUrl(invoice), target: "_blank", rel: "noopener" }, "Open in Xero"))]
        : null,
    ),
    lines,
    totalsComparison(app, invoice, crm, showXero ? previewed : null),
    paymentsSection(invoice),
    invoiceXeroSection(app, invoice),
  );
  return openDialog({ title: `${invoice.kind === "creditNote" ? "Credit note" : "Invoice"} ${invoice.number}`, body, wide: true });
}

/** CRM totals beside Xero's predicted ones (S6), with every difference highlighted and listed. */
function totalsComparison(app, invoice, crm, previewed) {
  const c = invoice.currency;
  if (!previewed) {
    return h("dl", { class: "totals" }, h("dt", {}, "Subtotal"), h("dd", {}, money(crm.subTotal, c)), h("dt", {}, "Tax"), h("dd", {}, money(crm.totalTax, c)), h("dt", {}, "Total"), h("dd", {}, money(invoice.total, c)));
  }
  if (previewed.error) {
    // The package missing is the demo's own set-up problem, told as the engine tells it (how to build it).
    if (["package_unavailable", "function_missing"].includes(previewed.error.code)) {
      return h("div", { class: "notice error", role: "alert", "data-preview": "error", dataset: { code: previewed.error.code } }, `Xero preview unavailable: ${previewed.error.message}`);
    }
    const why = explainOutcome(app, { id: invoice.id, outcome: "failed", error: previewed.error });
    return h("div", { class: "notice error", role: "alert", "data-preview": "error", dataset: dataFor({ error: previewed.error }) }, `Xero preview unavailable. ${why.text}`, why.fix ? [" ", fixLink(app, why.fix)] : null);
  }
  const p = previewed.value;
  const cell = (xero, ours) => {
    const differs = compare(String(xero), ours) !== 0;
    return h("td", { class: differs ? "num differs" : "num" }, money(xero, c), differs ? h("span", { class: "visually-hidden" }, " (differs)") : null);
  };
  return h(
    "section",
    { class: "preview-block", "aria-label": "Xero preview", "data-preview": p.matchesCrm ? "matches" : "differs" },
    h("h3", {}, "What Xero will compute"),
    h(
      "table",
      { class: "data-table compact totals-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), h("th", { scope: "col", class: "num" }, "CRM"), h("th", { scope: "col", class: "num" }, "Xero"))),
      h(
        "tbody",
        {},
        h("tr", {}, h("th", { scope: "row" }, "Subtotal"), h("td", { class: "num" }, money(crm.subTotal, c)), cell(p.subTotal, crm.subTotal)),
        h("tr", {}, h("th", { scope: "row" }, "Tax"), h("td", { class: "num" }, money(crm.totalTax, c)), cell(p.totalTax, crm.totalTax)),
        h("tr", { class: "grand" }, h("th", { scope: "row" }, "Total"), h("td", { class: "num" }, money(invoice.total, c)), cell(p.total, invoice.total)),
      ),
    ),
    p.matchesCrm
      ? h("p", { class: "notice ok" }, "Xero's totals match the CRM's.")
      : h("div", { class: "notice warn", role: "note" }, h("strong", {}, "Xero's totals differ from the CRM's:"), h("ul", {}, (p.differences ?? []).map((d) => h("li", {}, previewDifference(d, c))))),
  );
}

/** Xero's preview of each invoice of a selection (S6), as rows; shared by the Preview button and the Send flow. */
function previewTable(app, invoices) {
  let differing = 0;
  const rows = invoices.map((invoice) => {
    const company = app.companyById(invoice.companyId);
    const result = callEngine(app.engine, "previewInvoice", invoice, app.ctx);
    const c = invoice.currency;
    if (result.error) {
      differing++;
      const why = explainOutcome(app, { id: invoice.id, outcome: "failed", error: result.error });
      return h("tr", { class: "differs", dataset: { ...dataFor({ error: result.error }), id: invoice.id } }, h("td", { class: "nowrap" }, invoice.number), h("td", {}, company?.name ?? ""), h("td", { class: "num" }, money(invoice.total, c)), h("td", { colspan: 3 }, `Cannot preview. ${why.text}`, why.fix ? [" ", fixLink(app, why.fix)] : null));
    }
    const p = result.value;
    if (!p.matchesCrm) differing++;
    return h(
      "tr",
      { class: p.matchesCrm ? null : "differs", dataset: { id: invoice.id } },
      h("td", { class: "nowrap" }, invoice.number),
      h("td", {}, company?.name ?? ""),
      h("td", { class: "num" }, money(invoice.total, c)),
      h("td", { class: "num xero-total" }, money(p.total, c)),
      h("td", { class: "num" }, difference(dec(String(p.total)), invoice.total, c)),
      h("td", {}, p.matchesCrm ? h("span", { class: "check ok" }, "Matches") : h("span", { class: "check warn" }, "Differs", h("ul", { class: "differences" }, (p.differences ?? []).map((d) => h("li", {}, previewDifference(d, c)))))),
    );
  });
  const table = h(
    "table",
    { class: "data-table compact", id: "preview-table", "aria-label": "Xero preview" },
    h("thead", {}, h("tr", {}, ["Number", "Company"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col", class: "num" }, "CRM total"), h("th", { scope: "col", class: "num" }, "Xero total"), h("th", { scope: "col", class: "num" }, "Difference"), h("th", { scope: "col" }, "Check"))),
    h("tbody", {}, rows),
  );
  const summary = h("p", { class: differing ? "notice warn" : "notice ok", role: "status", id: "preview-summary" }, differing ? `${differing} of ${invoices.length} differ from the CRM's totals.` : `All ${invoices.length} match the CRM's totals.`);
  return { element: h("div", {}, summary, h("div", { class: "table-wrap" }, table)), differing };
}

function planned(app, invoices) {
  const plan = callEngine(app.engine, "planSend", invoices, { mode: "selected", sentences: true });
  if (plan.error) return { error: plan.error };
  const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
  return { send: plan.value.send.map((id) => byId.get(id)).filter(Boolean), skipped: plan.value.skipped };
}

function skippedList(app, skipped, kind = "send") {
  if (!skipped?.length) return null;
  const number = (id) => app.data.invoices.find((invoice) => invoice.id === id)?.number ?? "An invoice no longer in the CRM";
  return h(
    "div",
    { class: "notice", id: "skipped-list" },
    h("strong", {}, `${skipped.length} will not be ${kind === "update" ? "read back" : "sent"}:`),
    h(
      "ul",
      {},
      skipped.map((s) => {
        const why = explainOutcome(app, { ...s, outcome: "skipped" }, { kind });
        return h("li", { dataset: dataFor(s) }, `${number(s.id)}: ${why.text}`);
      }),
    ),
  );
}

/** The Preview button: Xero's totals for the selection, without sending anything. */
export function openPreview(app, invoices) {
  const plan = app.engine.ok ? planned(app, invoices) : null;
  const body = h(
    "div",
    {},
    engineNotice(app),
    plan?.error ? explained({ text: `Cannot plan the send. ${explainError(plan.error).text}`, fix: null }, app, { data: dataFor({ error: plan.error }) }) : null,
    app.engine.ok ? previewTable(app, invoices).element : null,
    plan && !plan.error ? skippedList(app, plan.skipped) : null,
    app.link.connected ? null : h("p", { class: "subtle" }, "Sending needs a connection to Xero.", " ", fixLink(app, { label: "Connect in Xero settings", hash: "#/settings", focus: '[aria-labelledby="card-connection"]' })),
  );
  return openDialog({ title: `Xero preview of ${invoices.length} ${invoices.length === 1 ? "invoice" : "invoices"}`, body, wide: true });
}

/** Send to Xero: plan (S1), preview (S6), confirm, run with progress, then per-invoice outcomes (S9, S2). */
export function openSendFlow(app, invoices, rerender) {
  const plan = planned(app, invoices);
  const content = h("div", {}, engineNotice(app));
  const confirm = h("button", { type: "button", class: "button primary", id: "confirm-send", disabled: !!plan.error || !plan.send?.length }, `Send ${plan.send?.length ?? 0} to Xero`);
  const { dialog } = openDialog({ title: "Send to Xero", body: content, wide: true, footer: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Close"), confirm] });
  if (plan.error) content.append(explained({ text: `Cannot plan the send. ${explainError(plan.error).text}`, fix: null }, app, { data: dataFor({ error: plan.error }) }));
  // (Element.append would write a missing list as the text "null".)
  else content.append(...[previewTable(app, plan.send).element, skippedList(app, plan.skipped)].filter(Boolean));
  confirm.addEventListener("click", () => runOperation(app, { kind: "send", invoices: plan.send, content, confirm, rerender }));
}

/** Update from Xero: plan (U1), run with progress, then outcomes and discrepancies (U2-U5). */
export function openUpdateFlow(app, invoices, rerender) {
  const plan = callEngine(app.engine, "planUpdate", invoices, { mode: "selected", sentences: true });
  const content = h("div", {});
  const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
  const toUpdate = plan.value ? plan.value.update.map((id) => byId.get(id)).filter(Boolean) : [];
  const confirm = h("button", { type: "button", class: "button primary", disabled: !toUpdate.length }, `Update ${toUpdate.length} from Xero`);
  const { dialog } = openDialog({ title: "Update from Xero", body: content, footer: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Close"), confirm] });
  if (plan.error) content.append(explained({ text: `Cannot plan the update. ${explainError(plan.error).text}`, fix: null }, app, { data: dataFor({ error: plan.error }) }));
  else content.append(...[h("p", {}, `${toUpdate.length} of ${invoices.length} selected will be read back from Xero.`), skippedList(app, plan.value.skipped, "update")].filter(Boolean));
  confirm.addEventListener("click", () => runOperation(app, { kind: "update", invoices: toUpdate, content, confirm, rerender }));
}

async function runOperation(app, { kind, invoices, content, confirm, rerender }) {
  const controller = new AbortController();
  const panel = progressPanel({ label: kind === "send" ? "Sending to Xero" : "Updating from Xero", onCancel: () => controller.abort() });
  confirm.disabled = true;
  replace(content, panel.element);
  try {
    const options = { invoices, ctx: await app.xeroCtx(), mode: "selected", onProgress: (p) => panel.update(p), signal: controller.signal };
    const result = kind === "send" ? await app.link.send(options) : await app.link.update(options);
    await applyResult(app, result);
    const stopped = result.stopped ? explainError(result.stopped, "Xero stopped the run.").text : null;
    // The package's stop sentences may say already that what was done is kept: said once.
    const kept = stopped && /what was done is kept/i.test(stopped) ? "" : " What was done is kept.";
    panel.finish(stopped ? `Stopped. ${stopped}${kept}` : result.cancelled ? "Cancelled; what was done is kept." : "Done.");
    if (result.stopped) content.append(explained({ text: "Stopped before the end.", fix: explainError(result.stopped).fix }, app, { tone: "warn", role: "status", data: { code: result.stopped.code ?? "" } }));
    content.append(outcomesTable(app, result, kind));
    if (contactMatchesOf(result).length) content.append(resendAfterChoice(app, result, { content, confirm, rerender }));
    announce(kind === "send" ? "Send to Xero finished." : "Update from Xero finished.");
  } catch (error) {
    panel.finish("Stopped.");
    content.append(explained(explainError(error, kind === "send" ? "Nothing more was sent: Xero could not be reached. Please try again." : "Nothing more was read: Xero could not be reached. Please try again."), app, { data: { code: error?.code ?? "" } }));
  }
  rerender();
}

/**
 * Rule S3a after a send: the candidates of each company a person must match, and, once chosen, a button that sends
 * that company's waiting invoices again (the choice is already stored on the company).
 */
function resendAfterChoice(app, result, { content, confirm, rerender }) {
  const waiting = new Set();
  const resend = h("button", { type: "button", class: "button primary", id: "send-again", hidden: true }, "Send again");
  const invoicesToResend = () => app.data.invoices.filter((invoice) => waiting.has(invoice.id));
  resend.addEventListener("click", () => runOperation(app, { kind: "send", invoices: invoicesToResend(), content, confirm, rerender }));
  const panel = contactChoicePanel(app, contactMatchesOf(result), {
    onChosen: (company) => {
      for (const id of waitingInvoiceIds(app, result, company.id)) waiting.add(id);
      const count = invoicesToResend().length;
      resend.hidden = count === 0;
      replace(resend, `Send ${count} ${count === 1 ? "invoice" : "invoices"} again`);
      rerender();
    },
  });
  return h("div", {}, panel, h("div", { class: "button-row" }, resend));
}

/** How an outcome reads to a person; a cancelled invoice removed from Xero (S10) says so. */
function outcomeText(o) {
  if (o.rule === "S10" && o.outcome === "sent") return "sent (cancelled in Xero)";
  if (o.outcome === "notFound") return "not in Xero";
  return o.outcome;
}

/**
 * Per-invoice outcomes (S9), each with a sentence for a person and a link to where it is fixed; when S2 stopped a send,
 * every failing product. The rule, the error's code and field stay in data-* attributes for programs.
 */
function outcomesTable(app, result, kind = "send") {
  const number = (id) => app.data.invoices.find((invoice) => invoice.id === id)?.number ?? "An invoice no longer in the CRM";
  const failingProducts = result.productFailures ?? [];
  return h(
    "div",
    {},
    failingProducts.length
      ? h(
          "div",
          { class: "notice error", role: "alert", id: "failing-products" },
          h("strong", {}, "No invoice was sent: these products failed in Xero"),
          h(
            "ul",
            {},
            failingProducts.map((p) => {
              const why = explainProductFailure(app, p);
              return h("li", { dataset: { id: p.id } }, why.text, " ", fixLink(app, why.fix));
            }),
          ),
        )
      : null,
    h(
      "table",
      { class: "data-table compact", "aria-label": "Outcomes" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Number"), h("th", { scope: "col" }, "Outcome"), h("th", { scope: "col" }, "What happened"), h("th", { scope: "col" }, "Where to fix it"))),
      h(
        "tbody",
        {},
        (result.invoices ?? []).map((o) => {
          const why = explainOutcome(app, o, { kind });
          return h(
            "tr",
            { class: o.outcome === "failed" ? "differs" : null, dataset: dataFor(o) },
            h("td", {}, number(o.id)),
            h("td", {}, outcomeText(o)),
            h("td", { class: "sentence" }, why.text),
            h("td", {}, fixLink(app, why.fix)),
          );
        }),
      ),
    ),
  );
}

registerInvoiceOpener(openInvoiceDetail);
