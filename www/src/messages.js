// Messages for people (issue 12): every outcome of a send, an update, the change feed or an action is shown as a
// sentence for a finance user, with a link to the place that fixes it. The package keeps `code`, `rule`, `record` and
// `field` for programs and gives a `sentence` where it has one; the page decides the words where it has none, and
// where to send the person, from those fields. Rule codes, record ids, field paths and Xero's GUIDs never reach the
// screen: they stay in data-* attributes (`dataFor`) for tests and programs.

import { formatMoney } from "./money.js";
import { STATUS } from "./xero.js";

/** The rule ids of the specification (the rules table of README.md), as they may appear in a developer's message ("(rule S10)"). */
export const RULE_CODE = /(?<![\w-])(?:A[1-3]|B[12]|C[1-7]|K[12]|L1a?|L2|M1|O[12]|RC1|S(?:10|11|[1-9])|S3[ab]|S6a|T1|U[1-7]|X[12])(?![\w-])/;
/**
 * The demo CRM's own record id formats (demo-data.js: invoices, credit notes, companies, people, products, tax rates,
 * users), kept off the screen. Another CRM would put its own id formats here.
 */
export const DEMO_RECORD_ID = /(?<![\w-])(?:inv|cn|co|pr|p|p-f)-\d+(?![\w-])|(?<![\w-])vat\d+(?![\w-])|(?<![\w-])u-(?:finance|admin|sales)(?![\w-])/;
/** Xero's ids. */
export const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * Xero's own words (a validation message) made fit to show: without the package's "Xero: " prefix, rule
 * parentheticals, GUIDs and CRM ids; null when nothing readable is left.
 */
export function xeroWords(text) {
  if (typeof text !== "string") return null;
  let out = text
    .replace(/^(?:company \S+: )?Xero: /i, "")
    .replace(/\s*\((?:rule|rules) [^)]*\)/gi, "")
    .replace(new RegExp(GUID.source, "gi"), "")
    .replace(/\s{2,}/g, " ")
    .trim();
  if (!out || RULE_CODE.test(out) || DEMO_RECORD_ID.test(out) || /[[\]{}]|\b[a-z]+[A-Z]\w*\b|_/.test(out)) return null;
  if (!/[.!?]$/.test(out)) out += ".";
  return out.charAt(0).toUpperCase() + out.slice(1);
}

/** "invoice inv-9" → { kind: "invoice", id: "inv-9" } (the package's `record`). */
export function parseRecord(record) {
  const match = /^(.*\S)\s+(\S+)$/.exec(String(record ?? ""));
  return match ? { kind: match[1], id: match[2] } : null;
}

/** The line a field path is on, counted from one (`lines[1].taxRateId` → 2), or null. */
function lineOf(field) {
  const match = /^lines\[(\d+)\]/.exec(String(field ?? ""));
  return match ? Number(match[1]) + 1 : null;
}

// ---- Where a person fixes it ----------------------------------------------------------------------------------------

/**
 * A fix: `{ label, hash, focus?, invoiceId?, companyId? }`. `hash` is the view, `focus` the element there that is
 * scrolled to and focused; `invoiceId` opens that invoice's detail instead of moving.
 */
const FIX = {
  taxMapping: () => ({ label: "Map the tax rate in Xero settings", hash: "#/settings", focus: '[aria-labelledby="card-tax-mapping"]' }),
  tracking: () => ({ label: "Choose the option in Xero settings", hash: "#/settings", focus: '[aria-labelledby="card-tracking"]' }),
  currencies: () => ({ label: "See the currencies in Xero settings", hash: "#/settings", focus: '[aria-labelledby="card-currencies"]' }),
  sending: () => ({ label: "Change the discount strategy in Xero settings", hash: "#/settings", focus: '[aria-labelledby="card-sending"]' }),
  connection: (reconnect = false) => ({ label: reconnect ? "Reconnect in Xero settings" : "Connect in Xero settings", hash: "#/settings", focus: '[aria-labelledby="card-connection"]' }),
  invoice: (invoice) => (invoice ? { label: `Open ${invoice.number}`, hash: null, invoiceId: invoice.id } : null),
  company: (company) => (company ? { label: `Open ${company.name} in Companies`, hash: "#/companies", focus: `tr[data-id="${company.id}"]`, companyId: company.id } : { label: "Open Companies", hash: "#/companies" }),
  log: () => ({ label: "See Xero's answer in the Xero log", hash: "#/log", focus: "#log-results" }),
};

// ---- Errors (thrown, or carried as data) ----------------------------------------------------------------------------

/** Connection and proxy codes, in words (the same for every action). */
const CODE_SENTENCES = {
  xero_unavailable: "The CRM is not connected to Xero right now.",
  not_connected: "The CRM is not connected to Xero right now.",
  tenant_not_chosen: "Xero is connected, but the organisation this CRM sends to has not been chosen yet.",
  reconnect_required: "Xero ended the connection: it has to be connected again.",
  integration_disabled: "The Xero integration is switched off in Xero settings.",
  rate_limited: "Xero is busy: this organisation has made as many calls as Xero allows for the moment. Try again in a minute.",
  day_limit: "This Xero organisation has made as many calls as Xero allows in a day. Try again tomorrow; what was done is kept.",
  proxy_unreachable: "Xero could not be reached just now. Try again in a moment.",
  upstream_timeout: "Xero did not answer in time. Try again in a moment.",
  upstream_unavailable: "Xero is not available just now. Try again in a moment.",
  missing_session: "Your CRM session has ended. Reload the page.",
  invalid_session: "Your CRM session has ended. Reload the page.",
  expired_session: "Your CRM session has ended. Reload the page.",
  session_refused: "Your CRM session has ended. Reload the page.",
  forbidden_role: "Your CRM role does not allow Xero actions.",
  xero_unauthorized: "Xero refused the connection's access: it has to be connected again.",
  xero_read_failed: "Xero's records could not be read. Try again in a few minutes.",
};

const CONNECTION_CODES = new Set(["xero_unavailable", "not_connected", "tenant_not_chosen", "reconnect_required", "integration_disabled", "xero_unauthorized"]);

/** The fix of an error's `code` that concerns the connection or the settings, or null. */
function fixForCode(code) {
  if (CONNECTION_CODES.has(code)) return FIX.connection(code === "reconnect_required" || code === "xero_unauthorized");
  return null;
}

/**
 * Any error (a thrown XerosyncError, an error as data `{ code, message, sentence?, record?, field? }`, or the page's
 * own Error) in one sentence for a person: the package's sentence, else the page's words for its code, else
 * `fallback`. The page's own errors (no code) are written for people and are kept.
 */
export function errorSentence(error, fallback = "Something went wrong. Please try again; if it keeps failing, the Xero log shows Xero's answer.") {
  if (!error) return fallback;
  if (typeof error.sentence === "string" && error.sentence.trim()) return error.sentence.trim();
  if (error.code && CODE_SENTENCES[error.code]) return CODE_SENTENCES[error.code];
  if (!error.code && typeof error.message === "string" && error.message && !RULE_CODE.test(error.message) && !DEMO_RECORD_ID.test(error.message) && !GUID.test(error.message)) {
    return error.message;
  }
  return fallback;
}

/** An error as `{ text, fix }` (fix may be null), for a notice with a link. */
export function explainError(error, fallback) {
  return { text: errorSentence(error, fallback), fix: fixForCode(error?.code) };
}

// ---- Per-invoice outcomes -------------------------------------------------------------------------------------------

/** The page's sentence for a local refusal that carries `{ code, field }` (rules T1, K1, M1, S6, L2). */
function localFailure(app, invoice, error) {
  const field = String(error.field ?? "");
  const line = lineOf(field);
  const company = invoice ? app.companyById(invoice.companyId) : null;
  switch (error.code) {
    case "unmapped_tax_rate": {
      const rate = invoice && line ? app.data.taxRates.find((r) => r.id === invoice.lines[line - 1]?.taxRateId) : null;
      const text = error.sentence ?? `${line ? `Line ${line}` : "It"} uses the tax rate ${rate?.name ?? "of a line"}, which is not mapped to a Xero tax type. Map it in Xero settings.`;
      return { text, fix: FIX.taxMapping() };
    }
    case "unknown_currency":
      return { text: error.sentence ?? `It is in ${invoice?.currency ?? "a currency"} which your Xero organisation has not enabled. Enable it in Xero, or change the invoice's currency.`, fix: FIX.currencies() };
    case "invoice_held":
      return { text: error.sentence ?? "It is held back because Xero cannot reproduce the CRM's amounts. Change the discount strategy in Xero settings, or the invoice.", fix: FIX.sending() };
    default:
      break;
  }
  // Rule K1: a tracking value without a Xero option, named with its value (the package's sentence does so too).
  const tracking = /^lines\[(\d+)\]\.tracking\.(.+)$/.exec(field);
  if (tracking && invoice) {
    const value = invoice.lines[Number(tracking[1])]?.tracking?.[tracking[2]];
    return {
      text: error.sentence ?? `Line ${Number(tracking[1]) + 1}'s ${tracking[2]} is ${value ?? "a value"}, which has no Xero tracking option yet. Choose one in Xero settings.`,
      fix: FIX.tracking(),
    };
  }
  const record = parseRecord(error.record);
  const text = error.sentence ?? (error.code === "missing_field" ? "A field Xero needs is missing." : "A field is not valid for Xero.");
  if (record?.kind === "company") return { text: `${company?.name ?? "Its company"}: ${lowerFirst(text)}`, fix: FIX.company(app.companyById(record.id) ?? company) };
  if (record?.kind === "product") {
    const product = app.data.products.find((p) => p.id === record.id);
    return { text: `The product ${product?.name ?? "on a line"}: ${lowerFirst(text)}`, fix: FIX.log() };
  }
  if (record?.kind === "tax rate") return { text, fix: FIX.taxMapping() };
  return { text, fix: FIX.invoice(invoice) };
}

function lowerFirst(text) {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** Rule T1 without the package's error (a result mapping that dropped it): the page finds the unmapped line itself. */
function unmappedTaxRate(app, invoice) {
  const index = invoice?.lines.findIndex((line) => !app.data.taxRates.find((r) => r.id === line.taxRateId)?.xeroTaxType) ?? -1;
  if (index < 0) return { text: "A tax rate on it is not mapped to a Xero tax type. Map it in Xero settings.", fix: FIX.taxMapping() };
  const rate = app.data.taxRates.find((r) => r.id === invoice.lines[index].taxRateId);
  return { text: `Line ${index + 1} uses the tax rate ${rate?.name ?? "of that line"}, which is not mapped to a Xero tax type. Map it in Xero settings.`, fix: FIX.taxMapping() };
}

/** Why an invoice is left out of a send or an update (plan `skipped`, or a skipped outcome), in words. */
function skipSentence(app, invoice, { rule, message, reason }, kind) {
  const why = String(reason ?? message ?? "");
  const status = /its status is (.+)$/.exec(why)?.[1];
  if (status) return `${kind === "update" ? "Not read from Xero" : "Not sent"}: its status is ${status}.`;
  if (/payments were made/.test(why)) {
    const owed = invoice ? `${formatMoney(invoice.amountOutstanding, invoice.currency)} of ${formatMoney(invoice.total, invoice.currency)} is outstanding` : "part of it is paid";
    return `Not sent: payments were made on it in the CRM (${owed}). Only invoices without payments go to Xero.`;
  }
  if (/more than the total/.test(why)) return "Not sent: its outstanding amount is more than its total. Correct the invoice in the CRM.";
  if (/never sent to Xero/.test(why)) return "Not sent: it was cancelled before it ever went to Xero, so there is nothing to cancel there.";
  if (/^cancelled/.test(why)) return "Cancelled in the CRM: select it and send it to cancel it in Xero too.";
  if (/not been sent to accounts/.test(why)) return "Not read from Xero: it has not been sent to Xero yet.";
  if (/nothing to amend/.test(why)) return "Xero's copy has payments and its total is already the CRM's: nothing to amend.";
  if (rule === "S10") return "Not sent: it is cancelled in the CRM.";
  return kind === "update" ? "Not read from Xero this time." : "Not sent this time.";
}

/**
 * One outcome of Send, Update, the change feed's auto-send or a plan's skip list, for a person: `{ text, fix }`.
 * `outcome`: { id, outcome, rule?, message?, sentence?, error?, amendment?, reason? } as the page's results carry
 * them. `kind`: "send" or "update". The package's `sentence` is preferred; the page keeps its own words where it
 * adds what the sentence leaves out on purpose: a local error's record (company, product) and an amendment's amount
 * in the CRM's currency. The fix (where to go) is the page's either way.
 */
export function explainOutcome(app, outcome, options = {}) {
  const explained = explainOutcomeByRule(app, outcome, options);
  const sentence = typeof outcome.sentence === "string" ? outcome.sentence.trim() : "";
  return sentence && !outcome.error && !outcome.amendment ? { ...explained, text: sentence } : explained;
}

function explainOutcomeByRule(app, outcome, { kind = "send" } = {}) {
  const invoice = app.data.invoices.find((i) => i.id === outcome.id) ?? null;
  const company = invoice ? app.companyById(invoice.companyId) : null;
  const rule = outcome.rule ?? null;
  const error = outcome.error && typeof outcome.error === "object" ? outcome.error : null;
  const state = outcome.outcome ?? "skipped";

  if (state === "sent") {
    if (rule === "S10") {
      const how = /\b(DELETED|VOIDED)\b/.exec(String(outcome.message ?? ""))?.[1];
      return { text: `Cancelled in the CRM, so it is now ${how ? `${how} in Xero` : "cancelled in Xero too"}.`, fix: null };
    }
    if (outcome.amendment) {
      const a = outcome.amendment;
      const what = a.kind === "creditNote" ? "credit note" : "invoice";
      return { text: `Xero's copy has payments, so the change of ${formatMoney(a.amount, invoice?.currency)} went as draft ${what} ${a.number}, referring to it.`, fix: null };
    }
    return { text: kind === "update" ? "Read back from Xero." : "Sent to Xero as a draft.", fix: null };
  }
  if (state === "updated") return { text: "Updated from Xero.", fix: null };
  if (state === "unchanged") return { text: "Already up to date with Xero.", fix: null };
  if (state === "discrepancy") return { text: "Xero's copy differs from the CRM's: a person decides in Discrepancies.", fix: { label: "Open Discrepancies", hash: "#/discrepancies" } };
  if (state === "notFound") return { text: "Xero has no such invoice any more. Check it in Xero, or send it again.", fix: FIX.invoice(invoice) };
  if (state === "skipped" || outcome.reason) return { text: skipSentence(app, invoice, outcome, kind), fix: FIX.invoice(invoice) };

  // Failed.
  if (error) return localFailure(app, invoice, error);
  const words = xeroWords(outcome.message);
  switch (rule) {
    case "T1":
      return unmappedTaxRate(app, invoice);
    case "M1":
      return localFailure(app, invoice, { code: "unknown_currency" });
    case "S6":
      return localFailure(app, invoice, { code: "invoice_held" });
    case "S2":
      return { text: "Not sent: a product on the send failed in Xero, so no invoice was sent. The products are listed above.", fix: FIX.log() };
    case "S3":
      return { text: `Xero refused its company, ${company?.name ?? "the customer"}${words ? `: ${lowerFirst(words)}` : "."}${words ? "" : " Correct the company, then send again."}`, fix: FIX.company(company) };
    case "S3a":
      return { text: `Not sent: Xero has more than one contact that may be ${company?.name ?? "its company"}, or only an archived one. Choose the contact, then send again.`, fix: FIX.company(company) };
    case "S8":
      return { text: `Not sent: Xero already has an invoice numbered ${invoice?.number ?? "like this one"} that is not this one. Check it in Xero, or change the number in the CRM.`, fix: FIX.invoice(invoice) };
    case "S10":
      return { text: "It is cancelled in the CRM, but Xero's copy could not be cancelled. Check it in Xero.", fix: FIX.log() };
    case "S11":
      return { text: /VOIDED|DELETED/.test(String(outcome.message)) ? "Xero's copy is voided or deleted, so the CRM's change was not written to it. Resolve it in Xero, or cancel it in the CRM." : "The CRM's change could not be carried to Xero's paid copy. See Xero's answer in the Xero log.", fix: FIX.log() };
    case "S9":
      return { text: words ? `Xero refused it: ${lowerFirst(words)}` : "Xero refused it. See Xero's answer in the Xero log.", fix: FIX.invoice(invoice) };
    default:
      if (CODE_SENTENCES[outcome.code]) return explainError({ code: outcome.code });
      return { text: words ? `Xero did not take it: ${lowerFirst(words)}` : kind === "update" ? "It could not be read from Xero. Try again; the Xero log shows Xero's answer." : "It was not sent to Xero. Try again; the Xero log shows Xero's answer.", fix: FIX.log() };
  }
}

/** A product that stopped a send (rule S2), for a person. */
export function explainProductFailure(app, failure) {
  const product = app.data.products.find((p) => p.id === failure.id);
  const name = product ? `${product.name} (${product.code})` : "A product";
  if (typeof failure.sentence === "string" && failure.sentence.trim()) return { text: `${name}: ${failure.sentence.trim()}`, fix: FIX.log() };
  const words = xeroWords(failure.reason);
  return { text: `${name}: ${words ? lowerFirst(words) : "Xero did not take it."}`, fix: FIX.log() };
}

/**
 * What a poll of the change feed brought (sync.js `applyFeedResult`), as one short announcement: `{ text, tone }`, or
 * null when there is nothing to say. An auto-send's failures say why, one sentence per invoice (the first three;
 * the rest are in the Xero log), or the product that stopped the send (S2); a send that could not start, why.
 */
export function feedAnnouncement(app, { changed = [], sent = [], failed = [], productFailures = [], sendError = null } = {}) {
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts = [];
  if (changed.length) parts.push(`${plural(changed.length, "change")} arrived from Xero.`);
  if (sent.length + failed.length > 0) {
    parts.push(`Auto-send: ${sent.length} sent, ${failed.length} failed.`);
    if (productFailures.length) {
      parts.push(`No invoice was sent, because of a product. ${explainProductFailure(app, productFailures[0]).text}`);
    } else {
      const number = (id) => app.data.invoices.find((invoice) => invoice.id === id)?.number ?? "An invoice";
      for (const outcome of failed.slice(0, 3)) parts.push(`${number(outcome.id)}: ${explainOutcome(app, outcome).text}`);
      if (failed.length > 3) parts.push(`${failed.length - 3} more ${failed.length === 4 ? "is" : "are"} in the Xero log.`);
    }
  }
  if (sendError) parts.push(`Auto-send could not start: ${errorSentence(sendError)}`);
  if (parts.length === 0) return null;
  return { text: parts.join(" "), tone: sendError || failed.length ? "error" : "info" };
}

/**
 * A discrepancy found by Update (U4), for a person: the package's "field: detail" with the amounts in the invoice's
 * currency and no ids.
 */
export function discrepancySentence(message, invoice) {
  const text = String(message ?? "");
  const currency = invoice?.currency ?? "GBP";
  const money = (value) => (/^-?\d+(\.\d+)?$/.test(value) ? formatMoney(value, currency) : value);
  let match;
  if ((match = /^total: Xero has (\S+), the CRM has (\S+)$/.exec(text))) return `The total differs: Xero has ${money(match[1])}, the CRM has ${money(match[2])}.`;
  if ((match = /^status: the (\w[\w ]*) is (VOIDED|DELETED) in Xero$/.exec(text))) return `The ${match[1]} was ${match[2] === "VOIDED" ? "voided" : "deleted"} in Xero.`;
  if ((match = /^number: Xero has (.+), the CRM has (.+)$/.exec(text))) return `The number differs: Xero has ${match[1]}, the CRM has ${match[2]}.`;
  if (/^xeroId:/.test(text)) return "Xero's record is not the one the CRM links to.";
  if ((match = /^kind: (.+)$/.exec(text))) return `${match[1].charAt(0).toUpperCase()}${match[1].slice(1)}.`;
  const words = xeroWords(text.replace(/^\w+: /, ""));
  return words ?? "Xero's copy differs from the CRM's.";
}

/** The connection's state in words for people; the proxy's own reason (e.g. `invalid_grant`) stays for programs. */
export function connectionReason(state) {
  const reason = String(state?.reason ?? "");
  switch (state?.status) {
    case STATUS.RECONNECT_REQUIRED:
      return "Xero ended the connection (it was not used for a long time, or access was removed in Xero). Reconnect to carry on.";
    case STATUS.PICK_REQUIRED:
      return "Choose the organisation this CRM sends to.";
    case STATUS.CONNECTED:
      return "";
    default:
      if (!reason || RULE_CODE.test(reason) || DEMO_RECORD_ID.test(reason) || GUID.test(reason) || /_/.test(reason)) return "nobody has connected this CRM to Xero yet";
      return reason;
  }
}

/** data-* attributes that keep, for programs and tests, what people are not shown. */
export function dataFor(outcome) {
  const data = {};
  if (outcome?.id) data.id = outcome.id;
  if (outcome?.rule) data.rule = outcome.rule;
  const code = outcome?.error?.code ?? outcome?.code;
  if (code) data.code = code;
  if (outcome?.error?.field) data.field = outcome.error.field;
  return data;
}

/**
 * A preview difference (rule S6: "line 2 (Consultancy): Xero will compute 97.20, the CRM has 97.21", "total: …")
 * with its amounts in the invoice's currency.
 */
export function previewDifference(text, currency) {
  const match = /^(.*): Xero will compute (-?\d+(?:\.\d+)?), the CRM has (-?\d+(?:\.\d+)?)$/.exec(String(text ?? ""));
  if (!match) return xeroWords(text) ?? "Xero's figures differ from the CRM's.";
  const what = match[1] === "total" ? "Total" : match[1].charAt(0).toUpperCase() + match[1].slice(1);
  return `${what}: Xero will compute ${formatMoney(match[2], currency)}, the CRM has ${formatMoney(match[3], currency)}.`;
}

/** A CRM record's name for people: an invoice's number, a company's name, a product's code, a tax rate's name. */
export function recordName(app, id) {
  const text = String(id ?? "");
  const invoice = app.data.invoices.find((i) => i.id === text);
  if (invoice) return invoice.number;
  const company = app.companyById(text);
  if (company) return company.name;
  const product = app.data.products.find((p) => p.id === text);
  if (product) return product.code ?? product.name;
  const rate = app.data.taxRates.find((r) => r.id === text);
  if (rate) return rate.name;
  for (const c of app.data.companies) {
    const person = c.people?.find((p) => p.id === text);
    if (person) return `${person.firstName} ${person.lastName}`;
  }
  return null;
}

/** What a person types as a CRM reference (a number, a name, a code) → the record id the proxy's log keeps. */
export function recordIdFor(app, typed) {
  const text = String(typed ?? "").trim();
  if (!text) return text;
  const lower = text.toLowerCase();
  return (
    app.data.invoices.find((i) => i.number.toLowerCase() === lower)?.id ??
    app.data.companies.find((c) => c.name.toLowerCase() === lower)?.id ??
    app.data.products.find((p) => p.code?.toLowerCase() === lower)?.id ??
    text
  );
}

/**
 * A log line's message (the proxy's and the package's words, for an audit) shown without rule codes, record ids,
 * field paths or Xero's GUIDs: ids become the records' names, paths words. The raw message stays in a data attribute.
 */
export function readableLogMessage(app, text) {
  let out = String(text ?? "");
  out = out.replace(/\s*\((?:rule|rules) [^)]*\)/gi, "");
  out = out.replace(new RegExp(`\\brules? (?:${RULE_CODE.source})(?:(?:, | and )(?:${RULE_CODE.source}))*`, "g"), "");
  out = out.replace(new RegExp(DEMO_RECORD_ID.source, "g"), (id) => recordName(app, id) ?? "a record");
  out = out.replace(new RegExp(GUID.source, "gi"), "…");
  out = out.replace(/\blines\[(\d+)\]\.?([A-Za-z.]*)/g, (_, i, rest) => `line ${Number(i) + 1}${rest ? `'s ${rest.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().replace(/\./g, " ")}` : ""}`);
  out = out.replace(new RegExp(RULE_CODE.source, "g"), "");
  return out.replace(/\s{2,}/g, " ").replace(/\s+([,.;:])/g, "$1").trim();
}
