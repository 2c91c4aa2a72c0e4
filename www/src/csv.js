// CSV export (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled, lines end in CRLF.
// A field starting with = + - @ gets a leading apostrophe so a spreadsheet does not run it as a formula.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value) {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (FORMULA_START.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** rows: objects; columns: [{ key, label }]. Returns the CSV text with a header line. */
export function toCsv(rows, columns) {
  const lines = [columns.map((column) => csvField(column.label)).join(",")];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column.key])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
