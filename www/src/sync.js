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

/**
 * Applies what the package's XeroClient returned to the CRM: a SendResult, an UpdateResult or the change feed's
 * ChangesResult (B1), whose `invoices` carry each invoice's `changes` (and discrepancies, U4) and whose `companies`
 * their Xero ContactID (S3) or balance (A2).
 */
export async function applyResult(app, result) {
  const invoices = result.invoices ?? [];
  await applyChanges(app, "invoices", invoices.filter((entry) => entry.changes), INVOICE_FIELDS);
  // Rule S11: a paid invoice amended in Xero keeps the chain of drafts that amended it.
  const amended = invoices
    .filter((entry) => entry.amendment)
    .map(({ id, amendment }) => ({ id, changes: { amendments: [...(app.data.invoices.find((i) => i.id === id)?.amendments ?? []), amendment] } }));
  await applyChanges(app, "invoices", amended, ["amendments"]);
  await applyChanges(app, "companies", (result.companies ?? []).map((company) => ({ id: company.id, changes: company })), COMPANY_FIELDS);
  const found = invoices.filter((entry) => entry.discrepancies?.length).map((entry) => ({ id: entry.id, messages: entry.discrepancies }));
  if (found.length) await recordDiscrepancies(app, found);
  await recordContactMatches(app, result);
}

/**
 * Rules B1, B2: one poll of the change feed (the client's ChangesResult) stored before its cursor moves on: its
 * invoices' and companies' changes (a balance, a ContactID: stored even when no invoice changed), then the auto-send's
 * SendResult exactly as a manual Send's. Returns what there is to tell people: `{ stored, changed, sent, failed,
 * productFailures, sendError }` (`changed` the invoice entries that carried something, `sent` and `failed` the
 * auto-send's outcomes).
 */
export async function applyFeedResult(app, fed) {
  await applyResult(app, fed);
  if (fed.sent) await applyResult(app, fed.sent);
  const changed = (fed.invoices ?? []).filter((entry) => Object.keys(entry.changes ?? {}).length > 0 || entry.discrepancies?.length > 0);
  const companies = (fed.companies ?? []).filter((company) => COMPANY_FIELDS.some((field) => Object.hasOwn(company, field)));
  const outcomes = fed.sent?.invoices ?? [];
  return {
    stored: changed.length > 0 || companies.length > 0 || Boolean(fed.sent),
    changed,
    sent: outcomes.filter((entry) => entry.outcome === "sent"),
    failed: outcomes.filter((entry) => entry.outcome === "failed"),
    productFailures: fed.sent?.productFailures ?? [],
    sendError: fed.sendError ?? null,
  };
}

/** Rule S3a: the companies of a SendResult whose Xero contact a person must choose, with the candidates. */
export function contactMatchesOf(result) {
  return (result.companies ?? [])
    .filter((company) => ["ambiguous", "archived"].includes(company.contactMatch?.by))
    .map((company) => ({ id: company.id, by: company.contactMatch.by, message: company.message ?? null, candidates: company.contactMatch.candidates ?? [] }));
}

/**
 * Rule S3a: companies whose Xero contact a person must choose (several matches, or only an archived one) are kept
 * in the CRM with their candidates and the invoices that waited, until the choice is made. A company that got its
 * ContactID since is no longer waiting.
 */
export async function recordContactMatches(app, result, { now = new Date().toISOString() } = {}) {
  const waiting = new Map(((await app.store.getMeta("contactMatches")) ?? []).map((entry) => [entry.id, entry]));
  for (const match of contactMatchesOf(result)) {
    waiting.set(match.id, { ...match, invoiceIds: waitingInvoiceIds(app, result, match.id), foundAt: now });
  }
  for (const id of waiting.keys()) if (app.companyById(id)?.xeroContactId) waiting.delete(id);
  await app.store.setMeta("contactMatches", [...waiting.values()]);
}

/** The invoices of `companyId` that a send stopped because its Xero contact needs a person's choice (S3a). */
export function waitingInvoiceIds(app, result, companyId) {
  const companyOf = (id) => app.data.invoices.find((invoice) => invoice.id === id)?.companyId;
  return (result.invoices ?? []).filter((o) => o.outcome === "failed" && o.rule === "S3a" && companyOf(o.id) === companyId).map((o) => o.id);
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
