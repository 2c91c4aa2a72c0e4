//! The `where` filters xerosync sends, defined once: the send plan builds them ([`credit_note_numbers`],
//! [`contact_search`]) and the proxy's relay parses them with the same grammar and rebuilds them from their parts, so
//! a caller's text never reaches Xero as it came. Pure.
//! - `where` on `GET /CreditNotes`: rule S8's look-up by number after a lost answer (the core's `lookup_request`).
//! - `where` on `GET /Contacts`: rule S3a's search for the customers Xero already has (the core's send plan).
//! - `where` on `GET /Invoices` and `GET /CreditNotes`: rule RC1's period, `Date >= DateTime(2026, 11, 01) && Date
//!   <= DateTime(2026, 11, 30)` (the reconciliation run).

use crate::date::IsoDate;

/// Most credit notes one look-up may name.
pub const MAX_LOOKUP_NUMBERS: usize = 50;

/// Parses a `where` filter of the one shape xerosync sends: `CreditNoteNumber=="<number>"` terms joined by ` OR `,
/// each number 1-50 characters of `[A-Za-z0-9 _./-]` (no quotes, no backslashes), at most
/// [`MAX_LOOKUP_NUMBERS`] terms. `None` for anything else.
pub fn parse_credit_note_numbers(v: &str) -> Option<Vec<&str>> {
    const TERM: &str = "CreditNoteNumber==\"";
    let mut numbers = Vec::new();
    let mut rest = v;
    loop {
        rest = rest.strip_prefix(TERM)?;
        let end = rest.find('"')?;
        let number = &rest[..end];
        let valid = (1..=50).contains(&number.len())
            && number
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" _./-".contains(&b));
        if !valid || numbers.len() == MAX_LOOKUP_NUMBERS {
            return None;
        }
        numbers.push(number);
        rest = &rest[end + 1..];
        if rest.is_empty() {
            return Some(numbers);
        }
        rest = rest.strip_prefix(" OR ")?;
    }
}

/// The `where` value to send upstream, rebuilt from the parsed numbers; `None` when `v` is not of the one shape.
pub fn rebuild(v: &str) -> Option<String> {
    let numbers = parse_credit_note_numbers(v)?;
    Some(
        numbers
            .iter()
            .map(|n| format!("CreditNoteNumber==\"{n}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

/// The contact fields rule S3a searches by, in its order of evidence.
pub const CONTACT_SEARCH_FIELDS: [&str; 4] =
    ["ContactNumber", "AccountNumber", "Name", "EmailAddress"];

/// A `Field=="value"` term; `None` for a value the grammar cannot carry (a quote, a backslash, a control character,
/// empty or over 255 characters). Spaces are collapsed, as Xero compares names.
pub fn term(field: &str, value: &str) -> Option<String> {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let plain = !value.is_empty()
        && value.chars().count() <= 255
        && !value
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control());
    plain.then(|| format!("{field}==\"{value}\""))
}

/// The `where` filter of a look-up by credit-note numbers (rule S8).
pub fn credit_note_numbers(numbers: &[String]) -> String {
    numbers
        .iter()
        .map(|n| format!("CreditNoteNumber==\"{}\"", n.replace('"', "\\\"")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Most terms one contact search may hold (the core sends about 1,500 characters of them).
pub const MAX_CONTACT_TERMS: usize = 200;

/// Parses the contact search of rule S3a: `Field=="value"` terms joined by ` OR `, `Field` one of `ContactNumber`,
/// `AccountNumber`, `Name`, `EmailAddress`, each value 1-255 characters without `"`, `\` or control characters, at
/// most [`MAX_CONTACT_TERMS`] terms and 4,000 characters. `None` for anything else.
pub fn parse_contact_search(v: &str) -> Option<Vec<(&'static str, &str)>> {
    if v.len() > 4_000 {
        return None;
    }
    let mut terms = Vec::new();
    let mut rest = v;
    loop {
        let field = CONTACT_SEARCH_FIELDS
            .iter()
            .copied()
            .find(|f| rest.starts_with(f) && rest[f.len()..].starts_with("==\""))?;
        rest = &rest[field.len() + 3..];
        let end = rest.find('"')?;
        let value = &rest[..end];
        let valid = (1..=255).contains(&value.chars().count())
            && !value.chars().any(|c| c == '\\' || c.is_control());
        if !valid || terms.len() == MAX_CONTACT_TERMS {
            return None;
        }
        terms.push((field, value));
        rest = &rest[end + 1..];
        if rest.is_empty() {
            return Some(terms);
        }
        rest = rest.strip_prefix(" OR ")?;
    }
}

/// The contact search to send upstream, rebuilt from its parsed terms.
pub fn rebuild_contact_search(v: &str) -> Option<String> {
    let terms = parse_contact_search(v)?;
    Some(
        terms
            .iter()
            .map(|(field, value)| format!("{field}==\"{value}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

fn date_time(date: IsoDate) -> String {
    let text = date.to_string(); // YYYY-MM-DD
    format!("DateTime({}, {}, {})", &text[..4], &text[5..7], &text[8..])
}

/// Rule RC1's period as Xero's `where` on documents: `Date >= DateTime(y, m, d)`, `Date <= DateTime(y, m, d)`, or
/// both joined by ` && `; `None` for an open period (no filter).
pub fn date_range(from: Option<IsoDate>, to: Option<IsoDate>) -> Option<String> {
    let terms: Vec<String> = [(">=", from), ("<=", to)]
        .into_iter()
        .filter_map(|(op, date)| date.map(|d| format!("Date {op} {}", date_time(d))))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" && "))
}

/// Parses what [`date_range`] builds (exactly that shape, valid dates, `from` not after `to`); `None` otherwise.
pub fn parse_date_range(v: &str) -> Option<(Option<IsoDate>, Option<IsoDate>)> {
    let term = |t: &str, op: &str| -> Option<IsoDate> {
        let inner = t
            .strip_prefix("Date ")?
            .strip_prefix(op)?
            .strip_prefix(" DateTime(")?
            .strip_suffix(')')?;
        let parts: Vec<&str> = inner.split(", ").collect();
        let [y, m, d] = parts.as_slice() else {
            return None;
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return None;
        }
        IsoDate::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    };
    let (from, to) = match v.split_once(" && ") {
        Some((a, b)) => (Some(term(a, ">=")?), Some(term(b, "<=")?)),
        None => match term(v, ">=") {
            Some(from) => (Some(from), None),
            None => (None, Some(term(v, "<=")?)),
        },
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return None;
        }
    }
    Some((from, to))
}

/// The period filter to send upstream, rebuilt from its parsed dates; `None` when `v` is not of that shape.
pub fn rebuild_date_range(v: &str) -> Option<String> {
    let (from, to) = parse_date_range(v)?;
    date_range(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rule RC1: the period's filter parses back to the same dates, and nothing else of its look passes.
    #[test]
    fn date_range_round_trips_and_other_shapes_are_refused_rule_rc1() {
        let (a, b) = (IsoDate::parse("2026-11-01"), IsoDate::parse("2026-11-30"));
        let both = date_range(a, b).unwrap();
        assert_eq!(
            both,
            "Date >= DateTime(2026, 11, 01) && Date <= DateTime(2026, 11, 30)"
        );
        assert_eq!(parse_date_range(&both), Some((a, b)));
        for (from, to) in [(a, None), (None, b)] {
            let one = date_range(from, to).unwrap();
            assert_eq!(parse_date_range(&one), Some((from, to)), "{one}");
        }
        assert_eq!(date_range(None, None), None);
        assert_eq!(rebuild_date_range(&both).as_deref(), Some(both.as_str()));
        for bad in [
            "Date >= DateTime(2026, 11, 30) && Date <= DateTime(2026, 11, 01)",
            "Date >= DateTime(2026, 02, 30)",
            "Date > DateTime(2026, 11, 01)",
            "Date >= DateTime(2026, 11, 01) || Total > 0",
            "Date >= DateTime(2026, 11, 01) && Date <= DateTime(2026, 11, 30) && Total > 0",
            "Date >= DateTime(2026,11,01)",
            "Status == \"PAID\"",
        ] {
            assert_eq!(parse_date_range(bad), None, "{bad}");
        }
    }

    /// Rules S3a, S8: what the send plan builds, the relay's parser takes back unchanged (one grammar).
    #[test]
    fn what_is_built_parses_back_rules_s3a_s8() {
        let terms: Vec<String> = [
            ("ContactNumber", "co-1"),
            ("Name", "  Redfern &  Hale "),
            ("EmailAddress", "a@b.test"),
        ]
        .iter()
        .filter_map(|(f, v)| term(f, v))
        .collect();
        let search = terms.join(" OR ");
        assert_eq!(
            rebuild_contact_search(&search).as_deref(),
            Some(search.as_str())
        );
        assert_eq!(
            parse_contact_search(&search).unwrap()[1],
            ("Name", "Redfern & Hale")
        );
        assert_eq!(term("Name", "say \"hi\""), None, "no quotes in the grammar");
        let numbers = credit_note_numbers(&["CN-1".into(), "CN 2".into()]);
        assert_eq!(rebuild(&numbers).as_deref(), Some(numbers.as_str()));
    }

    #[test]
    fn rule_s3a_contact_search_accepts_the_cores_shape_only() {
        let search = r#"ContactNumber=="co-1" OR AccountNumber=="ACME01" OR Name=="Redfern & Hale Solicitors" OR EmailAddress=="ann@acme.test""#;
        assert_eq!(rebuild_contact_search(search).as_deref(), Some(search));
        assert_eq!(
            parse_contact_search(search).unwrap()[2],
            ("Name", "Redfern & Hale Solicitors")
        );
        for bad in [
            r#"Name=="a" OR Name.Contains("b")"#,
            r#"Name=="a" AND Name=="b""#,
            r#"Phone=="1""#,
            r#"Name=="""#,
            r#"Name=="a\" OR Name==\"b""#,
            r#"Name=="a" OR "#,
            "",
        ] {
            assert_eq!(parse_contact_search(bad), None, "{bad}");
        }
        let too_many = vec![r#"Name=="x""#; MAX_CONTACT_TERMS + 1].join(" OR ");
        assert_eq!(parse_contact_search(&too_many), None);
    }

    #[test]
    fn rule_s8_lookup_filter_accepts_the_cores_shape() {
        let two = r#"CreditNoteNumber=="CN-1" OR CreditNoteNumber=="CN 2/a.b_c""#;
        assert_eq!(
            parse_credit_note_numbers(two),
            Some(vec!["CN-1", "CN 2/a.b_c"])
        );
        assert_eq!(rebuild(two).as_deref(), Some(two));
        let long = "N".repeat(50);
        let fifty = vec![format!(r#"CreditNoteNumber=="{long}""#); 50].join(" OR ");
        assert_eq!(parse_credit_note_numbers(&fifty).map(|n| n.len()), Some(50));
        let fifty_one = vec![r#"CreditNoteNumber=="CN-1""#; 51].join(" OR ");
        assert!(parse_credit_note_numbers(&fifty_one).is_none());
        assert!(parse_credit_note_numbers(&format!(r#"CreditNoteNumber=="{long}X""#)).is_none());
    }

    #[test]
    fn rule_x2_lookup_filter_refuses_every_other_shape() {
        for filter in [
            "",
            r#"CreditNoteNumber=="""#,
            r#"CreditNoteNumber=="CN-1" OR "#,
            r#"CreditNoteNumber=="CN-1" or CreditNoteNumber=="CN-2""#,
            r#"CreditNoteNumber=="CN-1"  OR CreditNoteNumber=="CN-2""#,
            r#"CreditNoteNumber=="CN-1" AND CreditNoteNumber=="CN-2""#,
            r#"CreditNoteNumber=="CN-1" || CreditNoteNumber=="CN-2""#,
            r#"CreditNoteNumber=="CN-1" OR Total>0"#,
            r#"CreditNoteNumber=="CN-1" OR Contact.Name=="x""#,
            r#"Status=="PAID""#,
            r#"creditnotenumber=="CN-1""#,
            r#"CreditNoteNumber="CN-1""#,
            r#"CreditNoteNumber!="CN-1""#,
            r#"CreditNoteNumber == "CN-1""#,
            r#"(CreditNoteNumber=="CN-1")"#,
            r#"CreditNoteNumber=="CN-1" OR (Total>0)"#,
            r#"CreditNoteNumber=="CN-1") OR (Total>0"#,
            r#"CreditNoteNumber=="CN-1" OR Total>0 OR CreditNoteNumber=="CN-2""#,
            r#"CreditNoteNumber=="CN"1""#,
            r#"CreditNoteNumber=="CN\"1""#,
            r#"CreditNoteNumber=="CN\""#,
            r#"CreditNoteNumber=="CN'1""#,
            r#"CreditNoteNumber==CN-1"#,
            r#"CreditNoteNumber=="CN-1"#,
            r#"CreditNoteNumber.Contains("CN")"#,
            r#"CreditNoteNumber.StartsWith("CN")"#,
            r#"CreditNoteNumber=="CN-1" OR CreditNoteNumber.Contains("1")"#,
            r#"CreditNoteNumber=="CN%221""#,
            r#"CreditNoteNumber=="CN&x=1""#,
            r#"CreditNoteNumber=="CN-1";Total>0"#,
            "CreditNoteNumber==\"CN-1\"\nOR CreditNoteNumber==\"CN-2\"",
            "CreditNoteNumber==\"CN\u{ff02}1\"",
            "CreditNoteNumber==\"CN\u{201c}1\"",
        ] {
            assert!(parse_credit_note_numbers(filter).is_none(), "{filter}");
            assert!(rebuild(filter).is_none(), "{filter}");
        }
    }
}
