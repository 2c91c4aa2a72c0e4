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

const SYMBOLS = { GBP: "£", EUR: "€", USD: "$", AUD: "A$", NZD: "NZ$" };

/** "1234.5", "GBP" → "£1,234.50" (grouping by string, so no float ever touches the amount). */
export function formatMoney(value, currency = "GBP") {
  const text = fixed(value, 2);
  const negative = text.startsWith("-");
  const [whole, fraction] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  return `${negative ? "−" : ""}${symbol}${grouped}.${fraction}`;
}
