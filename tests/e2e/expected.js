// What the tests expect, computed from the same seeded demo data the page uses, independently of the page and of
// the package: Xero's totals by the rule in shared/spec/xero-api-notes.md ("Money": each line rounded, tax per line
// rounded to 2 dp, then summed), so a preview shown by the page can be checked against a separate computation.

import { add, compare, dec, fixed, mul, percentOf, round, sub, sum } from "../../www/src/money.js";
import { generateDemoData } from "../../www/src/demo-data.js";

export const demo = generateDemoData();

export function xeroTotals(invoice, taxRates = demo.taxRates) {
  if (invoice.amountsAre !== "exclusive") throw new Error("the tests only predict tax-exclusive invoices");
  const percent = new Map(taxRates.map((rate) => [rate.id, rate.percent]));
  const lines = invoice.lines.map((line) => {
    const gross = mul(line.quantity, line.listPrice);
    let amount;
    if (line.discount?.percent !== undefined) amount = round(percentOf(gross, sub("100", line.discount.percent)), 2);
    else if (line.discount?.amount !== undefined) amount = round(sub(gross, line.discount.amount), 2);
    else amount = round(gross, 2);
    return { amount, tax: round(percentOf(amount, percent.get(line.taxRateId) ?? "0"), 2) };
  });
  const subTotal = sum(lines.map((l) => l.amount));
  const totalTax = sum(lines.map((l) => l.tax));
  return { subTotal: fixed(subTotal), totalTax: fixed(totalTax), total: fixed(add(subTotal, totalTax)) };
}

const simpleVat20 = (invoice) =>
  invoice.kind === "invoice" &&
  invoice.amountsAre === "exclusive" &&
  invoice.lines.every((line) => !line.discount && line.taxRateId === "vat20");

/** A tax-exclusive 20 % invoice (no half-penny ties possible) whose Xero total differs from the CRM's (rule S6). */
export const differing = demo.invoices.find(
  (invoice) => simpleVat20(invoice) && invoice.lines.length >= 2 && xeroTotals(invoice).total !== invoice.total,
);
/** One whose totals match. */
export const matching = demo.invoices.find(
  (invoice) => simpleVat20(invoice) && invoice.lines.length >= 2 && xeroTotals(invoice).total === invoice.total,
);

/** "1234.5" → "£1,234.50", as the page shows money. */
export function pounds(value) {
  const [whole, fraction] = fixed(dec(value)).split(".");
  return `£${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction}`;
}

/**
 * A tax-exclusive invoice with a line whose amount discount no 2-dp percentage reproduces to the penny (rule S6's
 * case for DiscountAmount): { invoice, index } of the first such line.
 */
export const amountDiscounted = (() => {
  for (const invoice of demo.invoices) {
    if (invoice.kind !== "invoice" || invoice.amountsAre !== "exclusive") continue;
    const index = invoice.lines.findIndex((line) => {
      if (line.discount?.amount === undefined) return false;
      const gross = round(mul(line.quantity, line.listPrice), 2);
      const net = sub(gross, line.discount.amount);
      // No percentage p with 2 dp gives round(gross × (100 − p) / 100) = net: try them all.
      for (let hundredths = 0n; hundredths <= 10000n; hundredths++) {
        if (compare(round(percentOf(gross, { units: 10000n - hundredths, scale: 2 }), 2), net) === 0) return false;
      }
      return true;
    });
    if (index >= 0) return { invoice, index };
  }
  return null;
})();
