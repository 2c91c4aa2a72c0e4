// The demo CRM's database: IndexedDB in the browser, so that changes survive a reload. The page keeps every record
// in memory too (512 invoices is small); each change is written through before the page reports it done.

const DB_NAME = "xerosync-demo-crm";
const DB_VERSION = 1;
const RECORD_STORES = ["companies", "products", "taxRates", "invoices"];
const META = "meta";

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB transaction aborted"));
  });
}

export async function openStore() {
  const request = indexedDB.open(DB_NAME, DB_VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    for (const name of RECORD_STORES) if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: "id" });
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
  };
  return new CrmStore(await promised(request));
}

/** The CRM's tables (companies, products, taxRates, invoices) and a key-value `meta` store (settings, user, …). */
export class CrmStore {
  constructor(db) {
    this.db = db;
  }

  /** Everything, as { companies, products, taxRates, invoices, settings }, or null when the database is empty. */
  async loadAll() {
    const tx = this.db.transaction([...RECORD_STORES, META], "readonly");
    const [companies, products, taxRates, invoices, settings] = await Promise.all([
      ...RECORD_STORES.map((name) => promised(tx.objectStore(name).getAll())),
      promised(tx.objectStore(META).get("settings")),
    ]);
    if (invoices.length === 0 || !settings) return null;
    // IndexedDB returns records by key ("vat0" < "vat20" < "vat5"); the CRM lists tax rates highest first.
    taxRates.sort((a, b) => Number(b.percent) - Number(a.percent) || a.id.localeCompare(b.id));
    return { companies, products, taxRates, invoices, settings };
  }

  /** Replaces the whole CRM (used to seed and to reset the demo); meta keys other than settings are cleared. */
  async replaceAll(data) {
    const tx = this.db.transaction([...RECORD_STORES, META], "readwrite");
    for (const name of [...RECORD_STORES, META]) tx.objectStore(name).clear();
    for (const name of RECORD_STORES) for (const record of data[name]) tx.objectStore(name).put(record);
    tx.objectStore(META).put(data.settings, "settings");
    await finished(tx);
  }

  /** Writes whole records of one table (`invoices`, `companies`, …). */
  async putRecords(storeName, records) {
    if (!RECORD_STORES.includes(storeName)) throw new Error(`unknown table ${storeName}`);
    const tx = this.db.transaction(storeName, "readwrite");
    for (const record of records) tx.objectStore(storeName).put(record);
    await finished(tx);
  }

  async getMeta(key) {
    return promised(this.db.transaction(META, "readonly").objectStore(META).get(key));
  }

  async setMeta(key, value) {
    const tx = this.db.transaction(META, "readwrite");
    if (value === undefined) tx.objectStore(META).delete(key);
    else tx.objectStore(META).put(value, key);
    await finished(tx);
  }
}
