// Stores what a Xero operation returned: the CRM field changes per invoice and company (S9, U2, U3, U5) and the
// discrepancies a person has to resolve (U4). The rules that produced them live in the package; this file only
// writes their results into the CRM's tables, and writes them before the page says they are done.

const INVOICE_FIELDS = ["status", "amountOutstanding", "sentToAccounts", "sentToAccountsDate", "xeroId"];
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

/** Applies a SendResult or UpdateResult (see xero.js) to the CRM. */
export async function applyResult(app, result) {
  const invoiceChanges = (result.outcomes ?? []).filter((outcome) => outcome.changes).map(({ id, changes }) => ({ id, changes }));
  await applyChanges(app, "invoices", invoiceChanges, INVOICE_FIELDS);
  await applyChanges(app, "companies", result.companyChanges ?? [], COMPANY_FIELDS);
  if (result.discrepancies?.length) await recordDiscrepancies(app, result.discrepancies);
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
