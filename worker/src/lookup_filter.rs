//! The one free-text filter the relay lets through: `where` on `GET /CreditNotes`, which rule S8's look-up by
//! number needs after a lost answer (the core's `lookup_request` builds it). It is parsed into credit-note numbers
//! with a strict grammar and rebuilt from them, so the caller's text never reaches Xero. Pure.

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

#[cfg(test)]
mod tests {
    use super::*;

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
