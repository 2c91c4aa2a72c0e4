//! CSV for finance staff: the proxy's log export (rule L1) and the reconciliation report (RC1). Pure.
//!
//! Finance staff open these files in Excel, so the format is chosen for Excel as much as for RFC 4180:
//! - every cell is quoted (RFC 4180 allows it): a cell is then one cell whatever separator the reader's locale
//!   splits on (`,` or `;`), and embedded quotes, separators and line breaks stay inside it;
//! - formula injection is defused with a leading `'` on any cell a spreadsheet would run as a formula (starting with
//!   `=`, `+`, `-`, `@`, tab or CR), and also before a formula character that follows a separator *inside* a cell
//!   (`;`, `,`, tab, line break, optionally after spaces): an importer that ignores the quotes and splits `a;=1` on
//!   `;` would otherwise see a cell `=1`;
//! - the file starts with a UTF-8 byte order mark ([`BOM`]) once, or Excel reads UTF-8 as the ANSI code page.

/// The UTF-8 byte order mark, written once at the start of a file.
pub const BOM: &str = "\u{feff}";

/// Characters that make a spreadsheet treat the rest of a cell as a formula (OWASP's list).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Separators a reader may split a cell on (the locale's list separator, tab) and line breaks.
const SEPARATORS: [char; 5] = [';', ',', '\t', '\n', '\r'];

/// One CSV line (ending in CRLF) from cells, every cell quoted and guarded.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&guard(cell.as_ref()).replace('"', "\"\""));
        out.push('"');
    }
    out.push_str("\r\n");
    out
}

/// The start of a file: the BOM, then the header line.
pub fn start<S: AsRef<str>>(header: &[S]) -> String {
    format!("{BOM}{}", line(header))
}

/// The cell's text with a `'` before every character that could start a formula: at the start, or after a
/// separator (and any spaces after it).
fn guard(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 1);
    // True at the start of the cell and after a separator, until the first character that is not a space.
    let mut at_start = true;
    for c in raw.chars() {
        if at_start && FORMULA_START.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        at_start = SEPARATORS.contains(&c) || (at_start && c == ' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_l1_every_cell_is_quoted_quotes_doubled() {
        assert_eq!(
            line(&["a", "b,c", "say \"hi\"", "", "two\nlines"]),
            "\"a\",\"b,c\",\"say \"\"hi\"\"\",\"\",\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn rule_l1_formula_at_the_start_is_defused() {
        assert_eq!(line(&["=1+1"]), "\"'=1+1\"\r\n");
        assert_eq!(line(&["-5"]), "\"'-5\"\r\n");
        assert_eq!(line(&["+44 20"]), "\"'+44 20\"\r\n");
        assert_eq!(line(&["@SUM(A1)"]), "\"'@SUM(A1)\"\r\n");
        assert_eq!(
            line(&["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        // Not a formula: left alone.
        assert_eq!(
            line(&["INV-1", "a=b", "5-3"]),
            "\"INV-1\",\"a=b\",\"5-3\"\r\n"
        );
    }

    #[test]
    fn rule_l1_formula_after_a_separator_inside_a_cell_is_defused() {
        assert_eq!(line(&["a;=1"]), "\"a;'=1\"\r\n");
        assert_eq!(line(&["a,+1"]), "\"a,'+1\"\r\n");
        assert_eq!(line(&["a; =1"]), "\"a; '=1\"\r\n");
        assert_eq!(line(&["a\n@x"]), "\"a\n'@x\"\r\n");
        // Separators that are not followed by a formula character change nothing.
        assert_eq!(line(&["a; b, c"]), "\"a; b, c\"\r\n");
    }

    #[test]
    fn rule_l1_cells_with_a_tab() {
        // A tab is a separator for some readers, and a formula start for Excel: both guarded.
        assert_eq!(line(&["\tlead"]), "\"'\tlead\"\r\n");
        assert_eq!(line(&["x\t=2"]), "\"x\t'=2\"\r\n");
        assert_eq!(line(&["x\ty"]), "\"x\ty\"\r\n");
        // Two separators in a row: a tab after `;` is itself a formula start there.
        assert_eq!(line(&["a;\t=1"]), "\"a;'\t'=1\"\r\n");
    }

    #[test]
    fn rule_l1_the_bom_comes_once_at_the_start() {
        let file = format!("{}{}", start(&["Time", "Message"]), line(&["t", "m"]));
        assert!(file.starts_with('\u{feff}'));
        assert_eq!(file.matches('\u{feff}').count(), 1);
        assert_eq!(
            file.as_bytes()[..3],
            [0xEF, 0xBB, 0xBF],
            "UTF-8 encoded BOM"
        );
        assert_eq!(file, "\u{feff}\"Time\",\"Message\"\r\n\"t\",\"m\"\r\n");
    }
}
