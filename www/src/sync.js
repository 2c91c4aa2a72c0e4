// Stores what a Xero operation returned: the CRM field changes per invoice and company (S9, U2, U3, U5) and the
// discrepancies a person has to resolve (U4). The rules that produced them live in the package; this file only
// writes their results into the CRM's tables, and writes them before the page says they are done.

// U7 adds the payments, credits and paid date behind a balance; U6's choices may change the total (Xero's figures
// accepted) and the discrepancies a person dismissed; O1 the customer's online invoice link, which Update from Xero
// (or XeroClient.onlineInvoice) reads once Xero has the invoice approved.
const INVOICE_FIELDS = [
  "status", "amountOutstanding", "sentToAccounts", "sentToAccountsDate", "xeroId",
  "payments", "credits", "fullyPaidOnDate", "total", "dismissedDiscrepancies", "onlineInvoiceUrl",
];
const COMPANY_FIELDS = ["xeroContactId", "balance"];

function pick(changes, fields) {
  const picked = {};
  for (const field of fields) if (changes && Object.hasOwn(changes, field)) picked[field] = changes[field];
  return picked;
}

/** Merges [{ id, changes }] into the records of `table` (in memory and in IndexedDB); returns the ids changed. */
export async function applyChanges(app, table, entries, fields) {
  const byId = new Map(app.data[table].map((record) => [record.id, record]));
  const changed = [];
  for (const { id, changes } of entries) {
    const record = byId.get(id);
    const patch = pick(changes, fields);
    if (!record || Object.keys(patch).length === 0) continue;
    Object.assign(record, patch);
    changed.push(record);
  }
  if (changed.length > 0) await app.store.putRecords(table, changed);
  return changed.map((record) => record.id);
}

/** Stores one invoice's changes (e.g. rule U6's), with the fields a Xero operation may change. */
export function applyInvoiceChanges(app, id, changes) {
  return applyChanges(app, "invoices", [{ id, changes }], INVOICE_FIELDS);
}

/** Applies a SendResult or UpdateResult (see xero.js) to the CRM. */
export async function applyResult(app, result) {
  const invoiceChanges = (result.outcomes ?? []).filter((outcome) => outcome.changes).map(({ id, changes }) => ({ id, changes }));
  await applyChanges(app, "invoices", invoiceChanges, INVOICE_FIELDS);
  // Rule S11: a paid invoice amended in Xero keeps the chain of drafts that amended it.
  const amended = (result.outcomes ?? [])
    .filter((outcome) => outcome.amendment)
    .map(({ id, amendment }) => ({ id, changes: { amendments: [...(app.data.invoices.find((i) => i.id === id)?.amendments ?? []), amendment] } }));
  await applyChanges(app, "invoices", amended, ["amendments"]);
  await applyChanges(app, "companies", result.companyChanges ?? [], COMPANY_FIELDS);
  if (result.discrepancies?.length) await recordDiscrepancies(app, result.discrepancies);
  if (result.contactMatches) await recordContactMatches(app, result);
}

/**
 * Rule S3a: companies whose Xero contact a person must choose (several matches, or only an archived one) are kept
 * in the CRM with their candidates and the invoices that waited, until the choice is made. A company that got its
 * ContactID since is no longer waiting.
 */
export async function recordContactMatches(app, result, { now = new Date().toISOString() } = {}) {
  const waiting = new Map(((await app.store.getMeta("contactMatches")) ?? []).map((entry) => [entry.id, entry]));
  for (const match of result.contactMatches ?? []) {
    waiting.set(match.id, { ...match, invoiceIds: waitingInvoiceIds(app, result, match.id), foundAt: now });
  }
  for (const id of waiting.keys()) if (app.companyById(id)?.xeroContactId) waiting.delete(id);
  await app.store.setMeta("contactMatches", [...waiting.values()]);
}

/** The invoices of `companyId` that a send stopped because its Xero contact needs a person's choice (S3a). */
export function waitingInvoiceIds(app, result, companyId) {
  const companyOf = (id) => app.data.invoices.find((invoice) => invoice.id === id)?.companyId;
  return (result.outcomes ?? []).filter((o) => o.outcome === "failed" && o.rule === "S3a" && companyOf(o.id) === companyId).map((o) => o.id);
}

/** The companies waiting for a person's choice of Xero contact (S3a), as recordContactMatches keeps them. */
export async function contactMatches(app) {
  return ((await app.store.getMeta("contactMatches")) ?? []).filter((entry) => !app.companyById(entry.id)?.xeroContactId && !app.companyById(entry.id)?.createXeroContact);
}

/**
 * A person's choice for a company (S3a): `{ contactId }` links it to that Xero contact, `{ create: true }` makes the
 * next send create a new one. Stored on the company (the package honours it without searching again).
 */
export async function chooseContact(app, companyId, { contactId = null, create = false }) {
  const company = app.companyById(companyId);
  if (!company) throw new Error(`No company ${companyId} in the CRM.`);
  if (contactId) {
    company.xeroContactId = contactId;
    delete company.createXeroContact;
  } else if (create) {
    company.createXeroContact = true;
  }
  await app.store.putRecords("companies", [company]);
  const waiting = ((await app.store.getMeta("contactMatches")) ?? []).filter((entry) => entry.id !== companyId);
  await app.store.setMeta("contactMatches", waiting);
  return company;
}

/** Rule U6: a person's decision on a discrepancy (the package's log line), kept in the CRM with who and when. */
export async function recordDecision(app, entry, { now = new Date().toISOString() } = {}) {
  const lines = (await app.store.getMeta("decisions")) ?? [];
  const line = { time: now, user: app.user.name, userId: app.user.id, ...entry };
  lines.push(line);
  await app.store.setMeta("decisions", lines);
  return line;
}

/** Applies the change feed's entries ([{ id, changes, discrepancies }]) with the same code as Update (B1). */
export async function applyFeed(app, changes) {
  await applyChanges(app, "invoices", changes, INVOICE_FIELDS);
  const found = changes
    .filter((change) => change.discrepancies?.length)
    .map((change) => ({ id: change.id, messages: change.discrepancies }));
  if (found.length) await recordDiscrepancies(app, found);
}

/** Discrepancies (U4) are kept in the CRM until a person marks them resolved; one open entry per invoice. */
export async function recordDiscrepancies(app, found, { now = new Date().toISOString() } = {}) {
  const list = (await app.store.getMeta("discrepancies")) ?? [];
  for (const { id, messages } of found) {
    const invoice = app.data.invoices.find((candidate) => candidate.id === id);
    const open = list.find((entry) => entry.id === id && !entry.resolvedAt);
    if (open) {
      open.messages = messages;
      open.foundAt = now;
    } else {
      list.push({ id, number: invoice?.number ?? id, messages, foundAt: now, resolvedAt: null, resolvedBy: null });
    }
  }
  await app.store.setMeta("discrepancies", list);
  return list;
}
