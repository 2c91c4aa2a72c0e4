// The demo CRM's data: 40 UK companies with their people, 25 products, 3 tax rates, 500 invoices and a few credit
// notes in every status, in the shapes of ../../shared/spec/contract.md; then three customers abroad (two in EUR, one
// in USD: rule M1) with 24 invoices in their currency. Every line carries the CRM's tracking fields Region and
// Department (rule K1). Deterministic: the same seed gives the same
// data, byte for byte, in the browser and in Node (the e2e tests import this module to know what the page shows).
// Amounts are exact decimal strings; totals are the CRM's own (see crm-totals.js), so some differ from Xero's.

import { crmTotals } from "./crm-totals.js";
import { dec, fixed, mul, round, sub } from "./money.js";

export const DEFAULT_SEED = 20261126;
/** Dates are relative to this day, not to the clock, so the data never changes under a test. */
export const DEMO_TODAY = "2026-11-20";

export const STATUSES = ["Created", "Pending", "Live", "Part Paid", "Paid", "Cancelled"];

/** mulberry32: a tiny seeded PRNG; good enough for demo data, identical in every JS engine. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const weighted = (pairs) => {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [value, weight] of pairs) if ((r -= weight) < 0) return value;
    return pairs[pairs.length - 1][0];
  };
  return { next, int, pick, weighted, chance: (p) => next() < p };
}

const COMPANY_NAMES = [
  "Harbourline Logistics", "Kestrel Dental Group", "Millbrook Bakery", "Northgate Architects", "Pennine Outdoor",
  "Quayside Marine Supplies", "Redfern & Hale Solicitors", "Saltmarsh Brewing Co", "Thistle Print Works",
  "Upland Veterinary Practice", "Vantage Fitness Studios", "Willow Lane Nurseries", "Ashdown Property Services",
  "Bramble Hill Farm Shop", "Cobalt Engineering", "Driftwood Cafe", "Elmstead Primary Academy", "Foxglove Florists",
  "Granite Peak Climbing", "Hollybush Care Homes", "Ironbridge Joinery", "Juniper Wealth Partners",
  "Kingsmead Motors", "Larkspur Events", "Meridian Clinics", "Nettlecombe Holiday Lets", "Oakhurst Accountants",
  "Pebble Bay Surf School", "Riverside Physiotherapy", "Skylark Media", "Tamar Valley Cider", "Union Street Deli",
  "Verity Recruitment", "Westcombe Dairy", "Yarrow Garden Design", "Zenith Office Interiors", "Beacon Hill Golf Club",
  "Copperleaf Studios", "Dunmore Plumbing & Heating", "Evergreen Facilities",
];
const FIRST_NAMES = [
  "Ann", "Ben", "Chloe", "Daniel", "Eleanor", "Farah", "George", "Hannah", "Imran", "Jess", "Kieran", "Leah",
  "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tom", "Uma", "Victor", "Wendy", "Yusuf", "Zara",
];
const LAST_NAMES = [
  "Lee", "Patel", "Okafor", "Davies", "Hughes", "MacLeod", "Nowak", "O'Brien", "Fraser", "Khan", "Evans", "Walsh",
  "Thompson", "Ahmed", "Clarke", "Robinson", "Singh", "Murphy", "Wright", "Bennett",
];

export const DEMO_TAX_RATES = [
  { id: "vat20", name: "VAT 20%", percent: "20", xeroTaxType: "OUTPUT2" },
  { id: "vat5", name: "VAT 5% (reduced)", percent: "5", xeroTaxType: "RROUTPUT" },
  { id: "vat0", name: "Zero rated", percent: "0", xeroTaxType: "ZERORATEDOUTPUT" },
];

// [code, name, description, unit price, tax rate, sales account, how it is sold]
const PRODUCT_ROWS = [
  ["CONS-HOUR", "Consultancy", "Consultancy, per hour", "85.00", "vat20", "200", "hours"],
  ["CONS-DAY", "Consultancy day", "On-site consultancy, full day", "595.00", "vat20", "200", "days"],
  ["TRAIN-SEAT", "Training seat", "One seat on a scheduled course", "249.99", "vat20", "200", "units"],
  ["SUPP-STD-M", "Standard support", "Standard support, monthly", "49.95", "vat20", "200", "months"],
  ["SUPP-PRM-M", "Premium support", "Premium support with 4h response, monthly", "129.00", "vat20", "200", "months"],
  ["LIC-CRM-U", "CRM licence", "CRM user licence, monthly", "17.50", "vat20", "200", "units"],
  ["LIC-CRM-ANN", "CRM licence, annual", "CRM user licence, 12 months", "189.00", "vat20", "200", "units"],
  ["HW-ROUTER", "Business router", "Dual-WAN business router", "214.99", "vat20", "200", "units"],
  ["HW-SWITCH-24", "24-port switch", "Managed 24-port gigabit switch", "329.00", "vat20", "200", "units"],
  ["HW-AP-WIFI6", "Wi-Fi 6 access point", "Ceiling-mount Wi-Fi 6 access point", "139.49", "vat20", "200", "units"],
  ["HW-CABLE-5M", "Network cable 5 m", "Cat6 patch cable, 5 m", "4.79", "vat20", "200", "many"],
  ["HW-LAPTOP-14", "Laptop 14 inch", "14-inch business laptop, 16 GB", "899.00", "vat20", "200", "units"],
  ["HW-DOCK", "USB-C dock", "USB-C docking station", "119.95", "vat20", "200", "units"],
  ["SW-BACKUP-TB", "Cloud backup", "Cloud backup, per TB per month", "8.33", "vat20", "200", "many"],
  ["SW-AV-SEAT", "Endpoint protection", "Endpoint protection, per seat per year", "23.40", "vat20", "200", "many"],
  ["INST-HALF", "Installation, half day", "Installation visit, up to 4 hours", "240.00", "vat20", "200", "units"],
  ["TRAVEL-MILE", "Travel", "Travel, per mile", "0.45", "vat20", "200", "miles"],
  ["PRINT-MANUAL", "Printed manual", "Printed user manual (zero rated)", "12.00", "vat0", "200", "units"],
  ["BOOK-GUIDE", "Field guide", "Printed field guide book (zero rated)", "18.99", "vat0", "200", "units"],
  ["EXPORT-SVC", "Export service", "Service supplied outside the UK (zero rated)", "150.00", "vat0", "200", "units"],
  ["ENERGY-INST", "Insulation install", "Energy-saving insulation, installed (reduced rate)", "310.00", "vat5", "200", "units"],
  ["SOLAR-SURVEY", "Solar survey", "Domestic solar PV survey (reduced rate)", "95.00", "vat5", "200", "units"],
  ["CHILD-SEAT", "Child car seat", "Child car seat (reduced rate)", "64.99", "vat5", "200", "units"],
  ["HOSTING-VPS", "VPS hosting", "Virtual server, per month", "27.99", "vat20", "260", "months"],
  ["DOMAIN-UK", "Domain name", ".co.uk domain, per year", "9.99", "vat20", "260", "units"],
];

const FREE_TEXT_LINES = [
  ["Delivery and packaging", "12.50"],
  ["Expedited courier", "24.00"],
  ["Out-of-hours call-out surcharge", "75.00"],
  ["Parking and congestion charge", "15.00"],
];

function slug(name) {
  return name.toLowerCase().replace(/&/g, "and").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function addDays(isoDate, days) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Rule K1: the CRM's line fields that the settings can map to Xero tracking categories, with their values. */
export const TRACKING_FIELDS = {
  Region: ["North", "South", "East Anglia"],
  Department: ["Sales", "Support"],
};

/** A company's sales region (a CRM field of its own, not random: the PRNG's sequence stays as it was). */
function regionOf(companyIndex) {
  return TRACKING_FIELDS.Region[companyIndex % TRACKING_FIELDS.Region.length];
}

/** Support and subscriptions are the support team's; everything else is sales. */
function departmentOf(line, products) {
  const code = products.find((product) => product.id === line.productId)?.code ?? "";
  return /^(SUPP|LIC|SW|HOSTING|DOMAIN)-/.test(code) ? "Support" : "Sales";
}

function withTracking(record, companies, products) {
  const region = regionOf(companies.findIndex((company) => company.id === record.companyId));
  for (const line of record.lines) line.tracking = { Region: region, Department: departmentOf(line, products) };
  return record;
}

/**
 * Rule M1: customers abroad, invoiced in their own currency (the simulator's demo organisation enables EUR and USD).
 * Their lines are zero-rated exports, priced from the price list at a fixed rate of the CRM's own.
 */
const FOREIGN_COMPANIES = [
  { name: "Lumiere Atelier SARL", currency: "EUR", rate: "1.17", address: { lines: ["12 Rue de la Republique"], city: "Lyon", postalCode: "69002", country: "FR" } },
  { name: "Hafenblick Software GmbH", currency: "EUR", rate: "1.17", address: { lines: ["Am Sandtorkai 41"], city: "Hamburg", postalCode: "20457", country: "DE" } },
  { name: "Cedar Ridge Analytics Inc", currency: "USD", rate: "1.27", address: { lines: ["1600 Market St"], city: "Denver", region: "CO", postalCode: "80202", country: "US" } },
];
/** The statuses of each foreign customer's eight invoices: open ones to send, and some paid already. */
const FOREIGN_STATUSES = ["Created", "Live", "Created", "Part Paid", "Paid", "Live", "Pending", "Created"];
const FOREIGN_PRODUCTS = ["CONS-HOUR", "CONS-DAY", "TRAIN-SEAT", "SUPP-PRM-M", "LIC-CRM-ANN", "HW-ROUTER", "HW-DOCK", "EXPORT-SVC"];

function makeForeign(r, { companies, products, taxRates, firstNumber }) {
  const foreign = FOREIGN_COMPANIES.map((spec, k) => {
    const index = companies.length + k;
    const domain = `${slug(spec.name)}.example`;
    const firstName = r.pick(FIRST_NAMES);
    const lastName = r.pick(LAST_NAMES);
    const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, "");
    return {
      id: `co-${index + 1}`,
      name: spec.name,
      accountNumber: `${spec.name.replace(/[^A-Za-z]/g, "").slice(0, 4).toUpperCase()}${String(index + 1).padStart(2, "0")}`,
      xeroContactId: null,
      balance: "0.00",
      currency: spec.currency,
      address: spec.address,
      people: [{ id: `p-f${k + 1}`, firstName, lastName, email: `${local}@${domain}`, primary: true }],
    };
  });
  const all = [...companies, ...foreign];
  const invoices = [];
  let number = firstNumber;
  foreign.forEach((company, k) => {
    const { rate } = FOREIGN_COMPANIES[k];
    for (const status of FOREIGN_STATUSES) {
      const issueDate = addDays(DEMO_TODAY, -r.int(2, 150));
      const lines = Array.from({ length: r.int(1, 3) }, () => {
        const code = r.pick(FOREIGN_PRODUCTS);
        const product = products.find((p) => p.code === code);
        const line = {
          productId: product.id,
          description: product.description,
          quantity: r.pick(["1", "1", "2", "3", "5"]),
          listPrice: fixed(round(mul(product.unitPrice, rate), 2)),
          taxRateId: "vat0",
        };
        if (r.chance(0.2)) line.discount = { percent: r.pick(["5", "10"]) };
        return line;
      });
      const record = {
        id: `inv-${number}`,
        kind: "invoice",
        number: `INV-${number}`,
        reference: `PO ${r.int(1000, 9999)}`,
        companyId: company.id,
        issueDate,
        dueDate: addDays(issueDate, 30),
        currency: company.currency,
        // One invoice whose exchange rate the CRM fixed (M1: sent as CurrencyRate); the others take Xero's.
        ...(number === firstNumber + 2 ? { currencyRate: "1.165000" } : {}),
        amountsAre: "exclusive",
        status,
        lines,
      };
      const totals = crmTotals(record, taxRates);
      record.total = totals.total;
      record.amountOutstanding = outstandingFor(status, totals.total, r);
      record.sentToAccounts = false;
      record.sentToAccountsDate = null;
      record.xeroId = null;
      invoices.push(withTracking(record, all, products));
      number++;
    }
  });
  return { companies: foreign, invoices };
}

function makeCompanies(r) {
  let personNumber = 1;
  return COMPANY_NAMES.map((name, index) => {
    const domain = `${slug(name)}.example`;
    const people = Array.from({ length: r.int(1, 3) }, (_, i) => {
      const firstName = r.pick(FIRST_NAMES);
      const lastName = r.pick(LAST_NAMES);
      const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, "");
      return { id: `p-${personNumber++}`, firstName, lastName, email: `${local}@${domain}`, primary: i === 0 };
    });
    const letters = name.replace(/[^A-Za-z]/g, "").slice(0, 4).toUpperCase();
    return {
      id: `co-${index + 1}`,
      name,
      accountNumber: `${letters}${String(index + 1).padStart(2, "0")}`,
      xeroContactId: null,
      balance: "0.00",
      people,
    };
  });
}

function makeProducts() {
  return PRODUCT_ROWS.map(([code, name, description, unitPrice, taxRateId, salesAccountCode], index) => ({
    id: `pr-${index + 1}`,
    code,
    name,
    description,
    unitPrice,
    taxRateId,
    salesAccountCode,
  }));
}

function quantityFor(r, soldBy) {
  switch (soldBy) {
    case "hours": return r.pick(["0.5", "1", "1.5", "2", "2.25", "3", "4", "6.5", "7.5"]);
    case "days": return r.pick(["1", "2", "3", "5"]);
    case "months": return r.pick(["1", "1", "3", "6", "12"]);
    case "miles": return String(r.int(8, 180));
    case "many": return String(r.int(2, 40));
    default: return String(r.weighted([[1, 6], [2, 3], [r.int(3, 12), 2]]));
  }
}

function makeLine(r, products, kind) {
  if (kind === "invoice" && r.chance(0.07)) {
    const [description, listPrice] = r.pick(FREE_TEXT_LINES);
    return { description, quantity: "1", listPrice, taxRateId: "vat20", accountCode: "200" };
  }
  const index = r.int(0, products.length - 1);
  const product = products[index];
  const line = {
    productId: product.id,
    description: product.description,
    quantity: quantityFor(r, PRODUCT_ROWS[index][6]),
    listPrice: product.unitPrice,
    taxRateId: product.taxRateId,
  };
  const discount = r.weighted([["none", 70], ["percent", 22], ["amount", 8]]);
  if (discount === "percent") {
    line.discount = { percent: r.pick(["5", "10", "12.5", "15", "20"]) };
  } else if (discount === "amount") {
    // Never as much as the line itself: Xero rejects a discount larger than the line.
    const gross = round(mul(line.quantity, line.listPrice), 2);
    const amount = r.pick(["5.00", "10.00", "25.00", "2.50"]);
    if (sub(gross, dec(amount)).units > 0n) line.discount = { amount };
  }
  return line;
}

function partOf(total, r) {
  // A part payment between 10 % and 90 % of the total, to the penny, never 0 and never the whole.
  const cents = dec(total).units;
  const paid = (cents * BigInt(r.int(10, 90))) / 100n;
  return fixed({ units: cents - (paid > 0n ? paid : 1n), scale: 2 });
}

function outstandingFor(status, total, r) {
  if (status === "Paid") return "0.00";
  if (status === "Part Paid") return partOf(total, r);
  return total;
}

function makeRecord(r, { kind, id, number, status, companies, products, taxRates }) {
  const company = r.pick(companies);
  const person = company.people.length > 1 && r.chance(0.25) ? r.pick(company.people.slice(1)) : null;
  const issueDate = addDays(DEMO_TODAY, -r.int(0, 330));
  const lineCount = kind === "creditNote" ? r.int(1, 2) : r.weighted([[1, 30], [2, 25], [3, 20], [4, 12], [5, 8], [6, 5]]);
  const record = {
    id,
    kind,
    number,
    ...(r.chance(0.4) ? { reference: `PO ${r.int(1000, 9999)}` } : {}),
    companyId: company.id,
    ...(person ? { personId: person.id } : {}),
    issueDate,
    dueDate: addDays(issueDate, r.pick([14, 30, 30, 30, 60])),
    currency: "GBP",
    amountsAre: r.weighted([["exclusive", 85], ["inclusive", 10], ["noTax", 5]]),
    status,
    lines: Array.from({ length: lineCount }, () => makeLine(r, products, kind)),
  };
  const totals = crmTotals(record, taxRates);
  record.total = totals.total;
  record.amountOutstanding = outstandingFor(status, totals.total, r);
  record.sentToAccounts = false;
  record.sentToAccountsDate = null;
  record.xeroId = null;
  return record;
}

/**
 * Generates the demo CRM. Options: `seed`, `invoiceCount` (500), `creditNotesPerStatus` (2).
 * Returns { companies, products, taxRates, invoices, settings } (credit notes are in `invoices`, kind "creditNote").
 * The customers abroad and their invoices (M1) come from a PRNG of their own, after everything else, so the UK part
 * is what it always was (the simulator's lived-in seed mirrors its companies).
 */
export function generateDemoData({ seed = DEFAULT_SEED, invoiceCount = 500, creditNotesPerStatus = 2 } = {}) {
  const r = prng(seed);
  const taxRates = DEMO_TAX_RATES.map((rate) => ({ ...rate }));
  const companies = makeCompanies(r);
  const products = makeProducts();
  const common = { companies, products, taxRates };
  const invoices = [];
  const statusWeights = [["Created", 14], ["Pending", 8], ["Live", 38], ["Part Paid", 12], ["Paid", 22], ["Cancelled", 6]];
  for (let i = 0; i < invoiceCount; i++) {
    // The first six cover every status, whatever the seed; the rest follow a realistic mix.
    const status = i < STATUSES.length ? STATUSES[i] : r.weighted(statusWeights);
    const n = 1001 + i;
    invoices.push(makeRecord(r, { ...common, kind: "invoice", id: `inv-${n}`, number: `INV-${n}`, status }));
  }
  let creditNumber = 1;
  for (const status of STATUSES) {
    for (let k = 0; k < creditNotesPerStatus; k++, creditNumber++) {
      const n = String(creditNumber).padStart(4, "0");
      invoices.push(makeRecord(r, { ...common, kind: "creditNote", id: `cn-${n}`, number: `CN-${n}`, status }));
    }
  }
  for (const record of invoices) withTracking(record, companies, products);
  const foreign = makeForeign(prng(seed + 1), { companies, products, taxRates, firstNumber: 1001 + invoiceCount });
  companies.push(...foreign.companies);
  invoices.push(...foreign.invoices);
  // Newest first, as an invoice list shows them.
  invoices.sort((a, b) => b.issueDate.localeCompare(a.issueDate) || b.number.localeCompare(a.number));
  return { companies, products, taxRates, invoices, settings: defaultSettings() };
}

/** The integration starts switched off (rule C2): an admin enables it in Settings. */
export function defaultSettings() {
  return { enabled: false, defaultSalesAccountCode: "200", discountStrategy: "auto", taxStrategy: "xero", autoSend: false };
}

/** The demo's CRM users, one per role (rule C1: only finance and admin see anything Xero). */
export const DEMO_USERS = [
  { id: "u-finance", name: "Fiona Hart", role: "finance" },
  { id: "u-admin", name: "Adam Price", role: "admin" },
  { id: "u-sales", name: "Sam Okoro", role: "sales" },
];
