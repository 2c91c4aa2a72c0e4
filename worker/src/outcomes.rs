//! Per-record outcomes of a relayed write, for the log (rule L1): one entry per element of Xero's answer, in
//! request order (`summarizeErrors=false`), read with xerosync-core's answer parser, with the CRM reference taken
//! from the answer's element or else the request's. Pure.

use serde_json::Value;
use xerosync_core::parse::{parse_elements, Collection, ElementStatus};

/// One record's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOutcome {
    /// `invoice`, `creditNote`, `contact`, `item`, …
    pub kind: &'static str,
    /// The CRM's reference: invoice/credit-note number, contact number or item code.
    pub crm_ref: String,
    /// Xero's id, when it has one.
    pub xero_id: String,
    /// `ok`, `warning` or `error`.
    pub outcome: &'static str,
    /// Xero's messages, joined.
    pub message: String,
}

/// What the log calls a record of this resource.
pub fn kind_of(resource: &str) -> &'static str {
    match resource {
        "Invoices" => "invoice",
        "CreditNotes" => "creditNote",
        "Contacts" => "contact",
        "Items" => "item",
        "TaxRates" => "taxRate",
        "Payments" => "payment",
        _ => "organisation",
    }
}

fn collection(resource: &str) -> Option<(Collection, &'static str)> {
    Some(match resource {
        "Invoices" => (Collection::Invoices, "InvoiceNumber"),
        "CreditNotes" => (Collection::CreditNotes, "CreditNoteNumber"),
        "Contacts" => (Collection::Contacts, "ContactNumber"),
        "Items" => (Collection::Items, "Code"),
        _ => return None,
    })
}

fn str_field<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// The records of a write answer (200 with elements, or a 400 `ValidationException` with `Elements`); none when
/// the answer has no element list.
pub fn of_write(resource: &str, request: &Value, answer: &Value) -> Vec<RecordOutcome> {
    let Some((coll, ref_field)) = collection(resource) else {
        return Vec::new();
    };
    let Ok(results) = parse_elements(answer, coll) else {
        return Vec::new();
    };
    let sent = request.get(resource).and_then(Value::as_array);
    let got = answer
        .get(resource)
        .or_else(|| answer.get("Elements"))
        .and_then(Value::as_array);
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut crm_ref = got
                .and_then(|g| g.get(i))
                .map(|e| str_field(e, ref_field))
                .unwrap_or("")
                .to_owned();
            if crm_ref.is_empty() {
                crm_ref = sent
                    .and_then(|s| s.get(i))
                    .map(|e| str_field(e, ref_field))
                    .unwrap_or("")
                    .to_owned();
            }
            let outcome = match r.status {
                ElementStatus::Ok => "ok",
                ElementStatus::Warning => "warning",
                ElementStatus::Error => "error",
            };
            RecordOutcome {
                kind: kind_of(resource),
                crm_ref,
                xero_id: r.xero_id.unwrap_or_default(),
                outcome,
                message: r.messages.join("; "),
            }
        })
        .collect()
}

/// A one-line summary of an error answer (Xero's bodies are not always JSON).
pub fn error_message(status: u16, body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let text = parsed
        .as_ref()
        .and_then(|v| {
            ["Message", "Detail", "Title", "error"]
                .iter()
                .find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_owned))
        })
        .unwrap_or_else(|| body.chars().take(200).collect());
    format!("HTTP {status}: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rule_l1_one_outcome_per_record_in_request_order() {
        let req = json!({"Invoices": [{"InvoiceNumber": "INV-1"}, {"InvoiceNumber": "INV-2"}]});
        let ans = json!({"Invoices": [
            {"InvoiceID": "id-1", "InvoiceNumber": "INV-1", "StatusAttributeString": "OK"},
            {"InvoiceID": "00000000-0000-0000-0000-000000000000", "StatusAttributeString": "ERROR",
             "ValidationErrors": [{"Message": "Invoice # must be unique."}]}]});
        let out = of_write("Invoices", &req, &ans);
        assert_eq!(out.len(), 2);
        assert_eq!(
            (
                out[0].crm_ref.as_str(),
                out[0].outcome,
                out[0].xero_id.as_str()
            ),
            ("INV-1", "ok", "id-1")
        );
        assert_eq!(
            (out[1].crm_ref.as_str(), out[1].outcome),
            ("INV-2", "error")
        );
        assert_eq!(out[1].message, "Invoice # must be unique.");
        assert!(of_write("TaxRates", &req, &ans).is_empty());
    }

    #[test]
    fn error_messages_from_json_or_text() {
        assert_eq!(
            error_message(401, r#"{"Title":"Unauthorized","Detail":"TokenExpired"}"#),
            "HTTP 401: TokenExpired"
        );
        assert_eq!(error_message(503, "down"), "HTTP 503: down");
    }
}
