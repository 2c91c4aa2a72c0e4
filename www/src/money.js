// Exact decimal arithmetic for the CRM page's own sums and for display. Money in the CRM is a decimal string
// ("97.20"); it is never turned into a JS float. A value here is { units: BigInt, scale: number }, meaning
// units / 10^scale. The Xero-side maths (what Xero will compute) is the xerosync package's job, not this file's.

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses "12.345" (or a JS integer) into an exact decimal. Throws on anything else. */
export function dec(value) {
  if (typeof value === "object" && value !== null && typeof value.units === "bigint") return value;
  // JS numbers are accepted as the contract allows, through their shortest decimal form ("97.2").
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  const match = typeof text === "string" ? DECIMAL.exec(text.trim()) : null;
  if (!match) throw new TypeError(`not a decimal string: ${JSON.stringify(value)}`);
  const [, minus, whole, fraction = ""] = match;
  const units = BigInt(whole + fraction) * (minus ? -1n : 1n);
  return { units, scale: fraction.length };
}

function aligned(a, b) {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

export function add(a, b) {
  const [x, y, scale] = aligned(dec(a), dec(b));
  return { units: x + y, scale };
}

export function sub(a, b) {
  const [x, y, scale] = aligned(dec(a), dec(b));
  return { units: x - y, scale };
}

export function mul(a, b) {
  const x = dec(a);
  const y = dec(b);
  return { units: x.units * y.units, scale: x.scale + y.scale };
}

/** Divides by 100 exactly (for percentages). */
export function percentOf(amount, percent) {
  const product = mul(amount, percent);
  return { units: product.units, scale: product.scale + 2 };
}

/** Rounds to `dp` decimal places, half away from zero (the way invoices are rounded). */
export function round(value, dp = 2) {
  const d = dec(value);
  if (d.scale <= dp) return { units: d.units * 10n ** BigInt(dp - d.scale), scale: dp };
  const divisor = 10n ** BigInt(d.scale - dp);
  const negative = d.units < 0n;
  const magnitude = negative ? -d.units : d.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return { units: negative ? -quotient : quotient, scale: dp };
}

export function compare(a, b) {
  const [x, y] = aligned(dec(a), dec(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(value) {
  return dec(value).units === 0n;
}

/** Formats with exactly `dp` places after rounding: fixed(dec("3.5")) === "3.50". */
export function fixed(value, dp = 2) {
  const { units } = round(value, dp);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(dp + 1, "0");
  const whole = digits.slice(0, digits.length - dp);
  const fraction = dp > 0 ? `.${digits.slice(digits.length - dp)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** The shortest exact string: plain(dec("1.50")) === "1.5", plain(dec("2.00")) === "2". */
export function plain(value) {
  const d = dec(value);
  let { units, scale } = d;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return fixed({ units, scale }, scale);
}

export function sum(values) {
  return values.reduce((total, value) => add(total, value), dec("0"));
}

const FORMATS = new Map();

/** The CRM's locale: the page's language (index.html: en-GB), and en-GB where there is no page (Node). */
export const CRM_LOCALE = globalThis.document?.documentElement?.lang || "en-GB";

/** The CRM locale's Intl.NumberFormat for `currency` (en-GB: "£", "€", "US$"), or null for a code Intl does not know. */
function currencyFormat(currency) {
  if (!FORMATS.has(currency)) {
    let format = null;
    try {
      format = new Intl.NumberFormat(CRM_LOCALE, { style: "currency", currency });
    } catch {
      format = null;
    }
    FORMATS.set(currency, format);
  }
  return FORMATS.get(currency);
}

/**
 * "1234.5", "GBP" → "£1,234.50"; "1234.5", "USD" → "US$1,234.50": Intl.NumberFormat in the amount's own currency
 * (rule M1). The amount goes to Intl as an exact decimal string, never as a float; the minus is a real minus sign.
 */
export function formatMoney(value, currency = "GBP") {
  const text = fixed(value, 2);
  const code = String(currency ?? "").trim().toUpperCase() || "GBP";
  const format = currencyFormat(code);
  if (!format) return `${text.startsWith("-") ? "−" : ""}${code} ${text.replace(/^-/, "")}`;
  return format
    .formatToParts(text)
    .map((part) => (part.type === "minusSign" ? "−" : part.value))
    .join("");
}

/**
 * Sums `amount(record)` per `currency(record)`, never across currencies (rule M1): a Map currency → decimal,
 * in first-seen order.
 */
export function sumByCurrency(records, amount, currency = (record) => record.currency) {
  const totals = new Map();
  for (const record of records) {
    const code = currency(record) || "GBP";
    totals.set(code, add(totals.get(code) ?? dec("0"), amount(record)));
  }
  return totals;
}

/** A per-currency Map of amounts as "£1.00 · €2.00", the base currency (when given) first; "—" when empty. */
export function formatByCurrency(totals, { base = "GBP", empty = "—" } = {}) {
  const codes = [...totals.keys()].sort((a, b) => (a === base ? -1 : b === base ? 1 : a.localeCompare(b)));
  return codes.length ? codes.map((code) => formatMoney(totals.get(code), code)).join(" · ") : empty;
}
