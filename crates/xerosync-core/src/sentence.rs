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

/// Rule K1: a line's tracking value (`lines[0].tracking.Region`) that settings do not map to a Xero option, named
/// with its value and where to fix it.
fn tracking_sentence(field: &str, message: &str) -> Option<String> {
    let line = line_of(field)?;
    let (_, name) = field.split_once("].tracking.")?;
    if message.contains("mapped from two fields") {
        return Some(format!(
            "Line {line}'s {name} goes to a Xero tracking category that another field goes to too. Change the \
             tracking mapping in Xero settings"
        ));
    }
    let value = message
        .split_once(" for \"")
        .and_then(|(_, rest)| rest.split_once("\" in settings"))
        .map(|(value, _)| value.replace("\\\"", "\""));
    Some(match value {
        Some(value) => format!(
            "Line {line}'s {name} {value} has no Xero tracking option. Choose one in Xero settings"
        ),
        None => {
            format!("Line {line}'s {name} has no Xero tracking option. Choose one in Xero settings")
        }
    })
}

/// One sentence for a finance user, ending with a full stop.
pub fn sentence(error: &Error) -> String {
    let text = match error {
        // The decoder's own words (types, paths, the settings' names) are for developers: `message` keeps them.
        Error::InvalidField { field, message, .. } => match tracking_sentence(field, message) {
            Some(text) => text,
            None => format!("{} is not valid", subject(field)),
        },
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

/// Xero's own words (a validation message, written for people) as a sentence: without GUIDs or the package's
/// prefixes; `None` when nothing readable is left. Amounts stay out of sentences (the page shows them beside, in the
/// CRM's locale), but Xero's words are quoted as Xero wrote them.
pub fn xero_words(text: &str) -> Option<String> {
    let mut out = text.trim();
    out = out.strip_prefix("Xero: ").unwrap_or(out);
    let cleaned: Vec<&str> = out
        .split(' ')
        .filter(|word| {
            !crate::xero::is_guid(
                word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-'),
            )
        })
        .collect();
    let cleaned = cleaned.join(" ");
    let cleaned = cleaned.trim().trim_end_matches(';').trim();
    if cleaned.is_empty() {
        return None;
    }
    Some(full_stop(&capitalised(cleaned)))
}

fn full_stop(text: &str) -> String {
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// What Xero said about a record it did not take, as a finance user reads it: a passing failure (Xero busy, no
/// answer) says to try again; a refusal quotes Xero's validation message.
pub fn xero_refusal(what: &str, text: &str) -> String {
    let text = text.trim();
    let text = text.strip_prefix("Xero: ").unwrap_or(text);
    if text.starts_with("Xero answered ") || text.starts_with("HTTP ") {
        return format!("Xero could not take {what} just now. Try again in a few minutes; the Xero log shows its answer.");
    }
    if text.starts_with("Xero returned no") {
        return format!(
            "Xero did not say whether it took {what}. Send again: nothing is written twice."
        );
    }
    match xero_words(text) {
        // Xero's words as Xero wrote them (its capitals name its own things: "Price List Item").
        Some(words) => format!("Xero refused {what}: {words}"),
        None => format!("Xero refused {what}. The Xero log shows its answer."),
    }
}

/// A discrepancy found by Update (rule U4; `field: detail`, as [`crate::apply`] writes it) for a finance user. The
/// amounts stay out (the page shows them in the CRM's currency); numbers, which people know, stay in.
pub fn discrepancy_sentence(text: &str) -> String {
    let (field, detail) = text.split_once(": ").unwrap_or(("", text));
    let kind = if detail.contains("credit note") && !detail.contains("CRM has credit note") {
        "credit note"
    } else {
        "invoice"
    };
    match field {
        "kind" => full_stop(&capitalised(detail)),
        "xeroId" => format!(
            "Xero's {kind} is not the one the CRM links to. Check which is right before updating."
        ),
        "number" => full_stop(&format!("The number differs: {detail}")),
        "status" if detail.contains("VOIDED") => format!("The {kind} was voided in Xero."),
        "status" if detail.contains("DELETED") => format!("The {kind} was deleted in Xero."),
        "total" => "Xero's total differs from the CRM's.".to_owned(),
        _ => "Xero's copy differs from the CRM's.".to_owned(),
    }
}

/// A run that stopped before the end (`RunStop.code`), for a finance user.
pub fn stop_sentence(code: &str) -> String {
    match code {
        "not_connected" | "xero_unavailable" => "The CRM is not connected to Xero right now. Connect it in Xero settings.",
        "tenant_not_chosen" | "unknown_tenant" => {
            "Xero is connected, but the organisation this CRM sends to has not been chosen yet. Choose it in Xero settings."
        }
        "reconnect_required" | "xero_unauthorized" => {
            "Xero ended the connection: it has to be connected again in Xero settings."
        }
        "integration_disabled" => "The Xero integration is switched off in Xero settings.",
        "day_limit" => {
            "This Xero organisation has made as many calls as Xero allows in a day. Try again tomorrow; what was done is kept."
        }
        "rate_limited" => "Xero is busy just now. Try again in a minute; what was done is kept.",
        "session_refused" | "missing_session" | "invalid_session" | "expired_session" => {
            "Your CRM session has ended. Reload the page, then carry on; what was done is kept."
        }
        "forbidden_role" => "Your CRM role does not allow Xero actions.",
        "xero_read_failed" => "Xero's records could not be read. Try again in a few minutes.",
        "upstream_timeout" | "upstream_unavailable" => "Xero is not available just now. Try again in a moment.",
        _ => "Xero could not be reached as expected. Try again in a few minutes; what was done is kept.",
    }
    .to_owned()
}

/// Why `text` is not fit for a finance user (issue 12): a rule code (`S10`, `U6`, `S3a`), a CRM record id (`inv-12`,
/// `co-3`, `pr-7`), a Xero GUID or a field path; `None` when it is fit. The tests of every kind of result use it.
#[doc(hidden)]
pub fn unfit_for_people(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("empty".into());
    }
    let words = text.split(|c: char| !c.is_ascii_alphanumeric());
    for word in words {
        let letters = word.chars().take_while(char::is_ascii_uppercase).count();
        let rest = &word[letters..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let tail = &rest[digits..];
        if (1..=2).contains(&letters)
            && (1..=2).contains(&digits)
            && (tail.is_empty()
                || (tail.len() == 1 && tail.chars().all(|c| c.is_ascii_lowercase())))
        {
            return Some(format!("rule code {word:?}"));
        }
    }
    // The CRM's ids are lower case; an invoice's number (`INV-1001`) is for people.
    for id in ["inv-", "co-", "pr-", "cn-"] {
        if let Some(at) = text.find(id) {
            let before = text[..at].chars().last();
            let after = text[at + id.len()..].chars().next();
            if !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && after.is_some_and(|c| c.is_ascii_digit())
            {
                return Some(format!("record id at {at}"));
            }
        }
    }
    if text
        .split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .any(crate::xero::is_guid)
    {
        return Some("a GUID".into());
    }
    for path in ["lines[", "_", "(rule", "rule "] {
        if text.contains(path) {
            return Some(format!("{path:?}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{RecordKind, RecordRef};

    fn assert_for_people(text: &str) {
        assert!(text.ends_with('.'), "{text:?} has no full stop");
        if let Some(why) = unfit_for_people(text) {
            panic!("{text:?} is not for people: {why}");
        }
    }

    #[test]
    fn the_checker_catches_codes_ids_and_guids() {
        for bad in [
            "Skipped by S10.",
            "See rule U6.",
            "Matched by S3a.",
            "Invoice inv-12 failed.",
            "Company co-3 failed.",
            "Xero's a1000000-0000-0000-0000-000000000001.",
            "Line lines[0].quantity.",
        ] {
            assert!(unfit_for_people(bad).is_some(), "{bad}");
        }
        assert_eq!(
            unfit_for_people("Line 2 uses VAT 20%. Invoice INV-1001 is fine."),
            None
        );
    }

    /// Issue 12: every skip, stop, refusal and discrepancy has a sentence without codes, ids or GUIDs.
    #[test]
    fn every_kind_of_sentence_is_for_people() {
        use crate::records::InvoiceStatus;
        use crate::rules::{plan_send, plan_update, InvoiceSummary, SendMode, UpdateMode};
        let summary =
            |id: &str, status, total: i64, outstanding: i64, sent, xero_id: Option<&str>| {
                InvoiceSummary {
                    id: id.into(),
                    status,
                    total: total.into(),
                    amount_outstanding: outstanding.into(),
                    sent_to_accounts: sent,
                    xero_id: xero_id.map(str::to_owned),
                }
            };
        let guid = "a1000000-0000-0000-0000-000000000001";
        let list = [
            summary("inv-1", InvoiceStatus::Cancelled, 10, 10, false, None),
            summary("inv-2", InvoiceStatus::Cancelled, 10, 10, true, Some(guid)),
            summary("inv-3", InvoiceStatus::Paid, 10, 10, true, Some(guid)),
            summary("inv-4", InvoiceStatus::Live, 20, 10, true, Some(guid)),
            summary("inv-5", InvoiceStatus::Live, 10, 20, false, None),
        ];
        let mut texts = Vec::new();
        let mut skips = 0;
        for mode in [SendMode::Selected, SendMode::AllLive] {
            for skipped in plan_send(&list, mode).skipped {
                skips += 1;
                texts.push(skipped.sentence.expect("a skip has a sentence"));
            }
        }
        for mode in [UpdateMode::Selected, UpdateMode::All] {
            for skipped in plan_update(&list, mode).skipped {
                skips += 1;
                texts.push(skipped.sentence.expect("a skip has a sentence"));
            }
        }
        assert!(skips >= 10, "{skips}");
        for code in [
            "not_connected",
            "tenant_not_chosen",
            "reconnect_required",
            "xero_unauthorized",
            "integration_disabled",
            "day_limit",
            "session_refused",
            "xero_read_failed",
            "a_code_of_a_newer_proxy",
        ] {
            texts.push(stop_sentence(code));
        }
        for discrepancy in [
            "kind: Xero has an credit note where the CRM has invoice",
            &format!("xeroId: Xero's invoice is {guid}, the CRM has b2000000-0000-0000-0000-000000000002"),
            "number: Xero has INV-1002, the CRM has INV-1001",
            "status: the invoice is VOIDED in Xero",
            "total: Xero has 12.00, the CRM has 10.00",
        ] {
            let text = discrepancy_sentence(discrepancy);
            assert!(!text.contains("12.00"), "no amounts: {text}");
            texts.push(text);
        }
        for answer in [
            "Email address must be valid.",
            &format!("Invoice {guid} could not be found"),
            "Xero answered 503: busy",
            "Xero returned no result for this record",
            "",
        ] {
            texts.push(xero_refusal("it", answer));
        }
        for text in &texts {
            assert_for_people(text);
        }
        assert_eq!(
            xero_refusal("it", "Xero: Email address must be valid."),
            "Xero refused it: Email address must be valid."
        );
    }

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

    /// Rule K1: the value and where to fix it, not "…tracking region is not valid".
    #[test]
    fn an_unmapped_tracking_value_in_words() {
        let error = Error::InvalidField {
            record: invoice(),
            field: "lines[0].tracking.Region".into(),
            message: "no Xero option of tracking category \"Area\" for \"North\" in settings.trackingMapping".into(),
        };
        assert_eq!(
            sentence(&error),
            "Line 1's Region North has no Xero tracking option. Choose one in Xero settings."
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
