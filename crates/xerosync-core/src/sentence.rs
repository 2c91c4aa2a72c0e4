//! Errors as a finance user reads them (issue 12, "messages for people"): one sentence that says what is wrong and
//! where to fix it, without codes, rule numbers, record ids or field paths. Programs keep `code`, `record` and
//! `field` (and the developer's `message`); a page shows [`sentence`] next to the record it is about, which is why
//! the sentence does not name the record itself.

use crate::error::{ActionRefusal, Error};

/// A field path (`lines[1].quantity`, `address.postalCode`) in words: "line 2's quantity", "postal code".
pub fn field_in_words(path: &str) -> String {
    let mut parts = Vec::new();
    for segment in path.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let words = camel_to_words(name);
        parts.push(match index {
            // `lines[1]` is the second line: people count from one.
            Some(i) => format!("{} {}", words.trim_end_matches('s'), i + 1),
            None => words,
        });
    }
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [owner @ .., last] => format!("{}'s {last}", owner.join(" ")),
    }
}

fn camel_to_words(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    // Abbreviations people read as such.
    out.replace("xero id", "Xero id").replace("crm", "CRM")
}

/// A field as the subject of a sentence: "Line 2's quantity", "The postal code".
fn subject(path: &str) -> String {
    let words = field_in_words(path);
    if words.starts_with("line ") {
        capitalised(&words)
    } else {
        format!("The {words}")
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A tax rate's name from its label (`vat5 (VAT 5%)` → `VAT 5%`): the id stays with programs.
fn tax_rate_name(label: &str) -> &str {
    label
        .split_once(" (")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(label)
}

/// The line a field path is on, counted from one (`lines[1].taxRateId` → 2).
fn line_of(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("lines[")?;
    rest.split(']').next()?.parse::<usize>().ok().map(|i| i + 1)
}

/// One sentence for a finance user, ending with a full stop.
pub fn sentence(error: &Error) -> String {
    let text = match error {
        // The decoder's own words (types, paths, the settings' names) are for developers: `message` keeps them.
        Error::InvalidField { field, .. } => format!("{} is not valid", subject(field)),
        Error::MissingField { field, .. } => {
            format!("{} is missing", subject(field))
        }
        Error::UnknownReference { target, .. } => {
            format!("The {target} it refers to is not in the CRM")
        }
        Error::UnmappedTaxRate {
            field, tax_rate, ..
        } => {
            let on = line_of(field).map_or_else(|| "It".to_owned(), |n| format!("Line {n}"));
            format!(
                "{on} uses the tax rate {}, which is not mapped to a Xero tax type. Map it in Xero settings",
                tax_rate_name(tax_rate)
            )
        }
        Error::InvoiceHeld { reason, .. } => format!(
            "It is held back because Xero cannot reproduce the CRM's amounts ({reason}). Change the discount \
             strategy in Xero settings, or the invoice"
        ),
        Error::InvalidOptions { .. } => {
            "The page asked xerosync for something it cannot do; reload the page, and tell your CRM's support if \
             it happens again"
                .to_owned()
        }
        Error::InvalidXeroResponse { .. } => {
            "Xero's answer could not be read; try again in a few minutes".to_owned()
        }
        Error::UnknownCurrency { currency, .. } => format!(
            "It is in {currency}, which your Xero organisation has not enabled. Enable {currency} in Xero, or \
             change the invoice's currency"
        ),
        Error::ActionRefused {
            reason, message, ..
        } => match reason {
            ActionRefusal::NotApproved => {
                "Xero can do this only once the invoice is approved there".to_owned()
            }
            ActionRefusal::NoContactEmail | ActionRefusal::EmailLimit => capitalised(message),
        },
    };
    if text.ends_with('.') {
        text
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{RecordKind, RecordRef};

    fn invoice() -> RecordRef {
        RecordRef::new(RecordKind::Invoice, "inv-1173")
    }

    /// The issue's own example: no id, no rule code, no field path; where to fix it.
    #[test]
    fn an_unmapped_tax_rate_in_words() {
        let error = Error::UnmappedTaxRate {
            record: invoice(),
            field: "lines[1].taxRateId".into(),
            tax_rate: "zero (Zero rated)".into(),
        };
        assert_eq!(
            sentence(&error),
            "Line 2 uses the tax rate Zero rated, which is not mapped to a Xero tax type. Map it in Xero settings."
        );
    }

    #[test]
    fn fields_in_words() {
        assert_eq!(subject("lines[1].quantity"), "Line 2's quantity");
        assert_eq!(subject("issueDate"), "The issue date");
        assert_eq!(field_in_words("lines[0].quantity"), "line 1's quantity");
        assert_eq!(
            field_in_words("address.postalCode"),
            "address's postal code"
        );
        assert_eq!(field_in_words("currencyRate"), "currency rate");
        assert_eq!(field_in_words("xeroId"), "Xero id");
    }

    /// No sentence carries a record id, a rule code or a field path; each ends with a full stop.
    #[test]
    fn sentences_carry_no_ids_codes_or_paths() {
        let r = invoice;
        let all = [
            Error::InvalidField {
                record: r(),
                field: "lines[0].quantity".into(),
                message: "expected a decimal".into(),
            },
            Error::MissingField {
                record: r(),
                field: "companyId".into(),
            },
            Error::UnknownReference {
                record: r(),
                field: "companyId".into(),
                target: "company".into(),
                target_id: "co-77".into(),
            },
            Error::InvoiceHeld {
                record: r(),
                reason: "a 12.5% discount on 3 units".into(),
            },
            Error::UnknownCurrency {
                record: r(),
                field: "currency".into(),
                currency: "JPY".into(),
            },
            Error::ActionRefused {
                record: r(),
                reason: ActionRefusal::NotApproved,
                message: "status DRAFT".into(),
            },
        ];
        for error in &all {
            let text = sentence(error);
            assert!(text.ends_with('.'), "{text}");
            for bad in [
                "inv-1173",
                "co-77",
                "rule ",
                "(rule",
                "lines[",
                "companyId",
                "_",
            ] {
                assert!(!text.contains(bad), "{text:?} contains {bad:?}");
            }
        }
    }
}
