// How this CRM computes an invoice's own totals (the `total` the contract calls "the CRM's own totals").
// Like many CRMs it rounds each line, then works out the tax once per tax rate on that rate's subtotal. Xero instead
// rounds the tax of every line and adds those up, so the two can differ by a penny or two: that is exactly what the
// xerosync preview (rule S6) exists to show. The Xero side is never computed here; it comes from the package.

import { add, dec, fixed, mul, percentOf, round, sub, sum } from "./money.js";

/** The CRM's net amount of one line: list price × quantity, less its discount, rounded to the penny. */
export function crmLineAmount(line) {
  const gross = round(mul(line.quantity, line.listPrice), 2);
  const discount = line.discount;
  if (!discount) return gross;
  if (discount.percent !== undefined) return sub(gross, round(percentOf(gross, discount.percent), 2));
  if (discount.amount !== undefined) return sub(gross, round(dec(discount.amount), 2));
  return gross;
}

/**
 * The CRM's totals of an invoice or credit note: { lines: ["27.00", …], subTotal, totalTax, total } as strings.
 * `taxRates` is the CRM's list of tax rates ({ id, percent }).
 */
export function crmTotals(invoice, taxRates) {
  const percentById = new Map(taxRates.map((rate) => [rate.id, rate.percent]));
  const lines = invoice.lines.map(crmLineAmount);
  const byRate = new Map();
  invoice.lines.forEach((line, index) => {
    const key = line.taxRateId ?? "";
    byRate.set(key, add(byRate.get(key) ?? dec("0"), lines[index]));
  });
  const lineSum = sum(lines);
  let totalTax = dec("0");
  if (invoice.amountsAre !== "noTax") {
    for (const [rateId, amount] of byRate) {
      const percent = percentById.get(rateId) ?? "0";
      const tax =
        invoice.amountsAre === "inclusive" ? inclusiveTax(amount, percent) : round(percentOf(amount, percent), 2);
      totalTax = add(totalTax, tax);
    }
  }
  const subTotal = invoice.amountsAre === "inclusive" ? sub(lineSum, totalTax) : lineSum;
  const total = invoice.amountsAre === "inclusive" ? lineSum : add(lineSum, totalTax);
  return {
    lines: lines.map((amount) => fixed(amount)),
    subTotal: fixed(subTotal),
    totalTax: fixed(totalTax),
    total: fixed(total),
  };
}

/** Tax contained in a tax-inclusive amount: amount × p / (100 + p), rounded half away from zero to the penny. */
function inclusiveTax(amount, percent) {
  const a = dec(amount);
  const p = dec(percent);
  // In pennies: a.units × p.units × 100 / (10^a.scale × (100 × 10^p.scale + p.units)), as one exact fraction.
  const numerator = a.units * p.units * 100n;
  const denominator = 10n ** BigInt(a.scale) * (100n * 10n ** BigInt(p.scale) + p.units);
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const pennies = (2n * n + d) / (2n * d);
  return { units: negative ? -pennies : pennies, scale: 2 };
}
