//! Parsers for Xero's answers: `summarizeErrors=false` element lists, `ValidationException` bodies, 401/403/429
//! bodies (not always JSON), and the invoice / credit-note fields the update rules read.

use crate::date::IsoDate;
use crate::decimal::from_json;
use crate::decode::json_kind;
use crate::error::Error;
use crate::records::{Credit, Payment};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The collections we write and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Collection {
    Items,
    Contacts,
    Invoices,
    CreditNotes,
}

impl Collection {
    /// The JSON key of the array in request and answer bodies, also the path (`/Invoices`).
    pub fn key(self) -> &'static str {
        match self {
            Collection::Items => "Items",
            Collection::Contacts => "Contacts",
            Collection::Invoices => "Invoices",
            Collection::CreditNotes => "CreditNotes",
        }
    }
    /// The id field of one element (`InvoiceID`).
    pub fn id_field(self) -> &'static str {
        match self {
            Collection::Items => "ItemID",
            Collection::Contacts => "ContactID",
            Collection::Invoices => "InvoiceID",
            Collection::CreditNotes => "CreditNoteID",
        }
    }
}

/// `StatusAttributeString` of one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ElementStatus {
    Ok,
    Warning,
    Error,
}

/// One record of a `summarizeErrors=false` answer, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElementResult {
    pub status: ElementStatus,
    /// `ValidationErrors[].Message` (for errors) or `Warnings[].Message` (for warnings).
    pub messages: Vec<String>,
    /// The Xero id of the record, when Xero gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xero_id: Option<String>,
}

fn messages(element: &Value, key: &str) -> Vec<String> {
    element
        .get(key)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| e.get("Message").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn flag(element: &Value, key: &str) -> bool {
    element.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Reads one element. Xero's `HasErrors` is not trusted alone (Contacts call it `HasValidationErrors`):
/// the status string and the arrays decide.
pub fn parse_element(element: &Value, collection: Collection) -> ElementResult {
    let errors = messages(element, "ValidationErrors");
    let warnings = messages(element, "Warnings");
    let status = match element
        .get("StatusAttributeString")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
    {
        Some(s) if s == "ERROR" => ElementStatus::Error,
        Some(s) if s == "WARNING" => ElementStatus::Warning,
        Some(s) if s == "OK" && errors.is_empty() => ElementStatus::Ok,
        _ if !errors.is_empty()
            || flag(element, "HasErrors")
            || flag(element, "HasValidationErrors") =>
        {
            ElementStatus::Error
        }
        _ if !warnings.is_empty() => ElementStatus::Warning,
        _ => ElementStatus::Ok,
    };
    let mut messages = if status == ElementStatus::Error {
        errors
    } else {
        warnings
    };
    if status == ElementStatus::Error && messages.is_empty() {
        messages.push("Xero rejected this record without a message".into());
    }
    let xero_id = element
        .get(collection.id_field())
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && *id != "00000000-0000-0000-0000-000000000000")
        .map(str::to_string);
    ElementResult {
        status,
        messages,
        xero_id,
    }
}

/// Reads a whole answer body (`{"Invoices":[…]}`, or a 400 `ValidationException` with `Elements`): one result per
/// element, in request order.
pub fn parse_elements(body: &Value, collection: Collection) -> Result<Vec<ElementResult>, Error> {
    let list = body
        .get(collection.key())
        .or_else(|| body.get("Elements"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::xero(
                collection.key(),
                format!(
                    "expected an object with a {} array, got {}",
                    collection.key(),
                    json_kind(body)
                ),
            )
        })?;
    Ok(list.iter().map(|e| parse_element(e, collection)).collect())
}

/// What kind of failure an HTTP answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum XeroErrorKind {
    /// 400 `ValidationException`: data errors, per element.
    Validation,
    /// 401: refresh the token once and retry.
    Unauthorized,
    /// 403: wrong or missing tenant, or no scope.
    Forbidden,
    NotFound,
    /// 429: honour `Retry-After`; `problem` says which limit (`minute`, `day`, `appminute`).
    RateLimited,
    /// 500/503: Xero down or the organisation offline.
    Unavailable,
    Other,
}

/// A failed answer, read whatever its body (JSON or not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroErrorAnswer"))]
#[serde(rename_all = "camelCase")]
pub struct XeroError {
    pub kind: XeroErrorKind,
    pub status: u16,
    /// A readable message: Xero's own where it gave one.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub retry_after_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub problem: Option<String>,
    /// For a `ValidationException`: each element's messages, in request order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub elements: Vec<Vec<String>>,
}

/// Reads an error answer. `retry_after` and `rate_limit_problem` are the `Retry-After` and `X-Rate-Limit-Problem`
/// headers, if any.
pub fn parse_xero_error(
    status: u16,
    body: &str,
    retry_after: Option<&str>,
    rate_limit_problem: Option<&str>,
) -> XeroError {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let text = |key: &str| {
        json.as_ref()
            .and_then(|j| j.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let kind = match status {
        400 => XeroErrorKind::Validation,
        401 => XeroErrorKind::Unauthorized,
        403 => XeroErrorKind::Forbidden,
        404 => XeroErrorKind::NotFound,
        429 => XeroErrorKind::RateLimited,
        500..=599 => XeroErrorKind::Unavailable,
        _ => XeroErrorKind::Other,
    };
    let elements: Vec<Vec<String>> = json
        .as_ref()
        .and_then(|j| j.get("Elements"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| messages(e, "ValidationErrors"))
                .collect()
        })
        .unwrap_or_default();
    let detail = text("Detail")
        .or_else(|| text("Message"))
        .or_else(|| text("error_description"))
        .or_else(|| text("error"));
    let title = text("Title").or_else(|| text("Type"));
    let plain = body.trim();
    let message = match (title, detail) {
        (Some(t), Some(d)) if t != d => format!("{t}: {d}"),
        (_, Some(d)) => d,
        (Some(t), None) => t,
        // Not JSON (an HTML error page, `oauth_problem=…`, or nothing): keep a short piece of it.
        (None, None) if !plain.is_empty() && json.is_none() => plain.chars().take(200).collect(),
        (None, None) => format!("HTTP {status}"),
    };
    XeroError {
        kind,
        status,
        message,
        retry_after_seconds: retry_after.and_then(|r| r.trim().parse().ok()),
        problem: rate_limit_problem
            .map(|p| p.trim().to_ascii_lowercase())
            .filter(|p| !p.is_empty()),
        elements,
    }
}

/// The keys of a Xero invoice or credit note that [`parse_document`] reads (with `Contact.ContactID`): what the
/// update rules and the reconciliation compare. The proxy's change feed and the reconciliation run keep only these.
pub const DOCUMENT_STATE_FIELDS: [&str; 17] = [
    "InvoiceID",
    "CreditNoteID",
    "InvoiceNumber",
    "CreditNoteNumber",
    "Type",
    "Status",
    "CurrencyCode",
    "Total",
    "AmountDue",
    "AmountPaid",
    "AmountCredited",
    "RemainingCredit",
    "FullyPaidOnDate",
    "UpdatedDateUTC",
    "DateString",
    "Date",
    "Reference",
];

/// A document reduced to [`DOCUMENT_STATE_FIELDS`] and its contact's id.
pub fn slim_document(document: &Value) -> Value {
    let mut kept: serde_json::Map<String, Value> = DOCUMENT_STATE_FIELDS
        .iter()
        .filter_map(|k| document.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect();
    if let Some(id) = document.get("Contact").and_then(|c| c.get("ContactID")) {
        kept.insert("Contact".into(), serde_json::json!({ "ContactID": id }));
    }
    Value::Object(kept)
}

/// The fields of a Xero invoice or credit note that the update rules read (U2, U4, U5).
#[derive(Debug, Clone, PartialEq)]
pub struct XeroDocumentState {
    pub is_credit_note: bool,
    pub xero_id: Option<String>,
    pub number: Option<String>,
    pub status: String,
    pub total: Option<Decimal>,
    pub amount_due: Option<Decimal>,
    pub amount_paid: Option<Decimal>,
    pub amount_credited: Option<Decimal>,
    pub remaining_credit: Option<Decimal>,
    pub contact_id: Option<String>,
    /// `CurrencyCode` (rule M1), upper case.
    pub currency: Option<String>,
    /// `Date` (or `DateString`): the document's date, for rule RC1's period.
    pub date: Option<IsoDate>,
    pub fully_paid_on: Option<IsoDate>,
    /// `Payments`, when Xero sent them (rule U7); `None` when the answer has no such list.
    pub payments: Option<Vec<Payment>>,
    /// `CreditNotes` allocated (invoices) with their `AppliedAmount` (rule U7).
    pub credits: Option<Vec<Credit>>,
}

/// Reads `Payments` / `CreditNotes` of an invoice answer (rule U7); an element without a readable amount is an error.
/// `Payments` and allocated `CreditNotes` of an invoice answer, each `None` when absent.
type Allocations = (Option<Vec<Payment>>, Option<Vec<Credit>>);

fn allocations(value: &Value) -> Result<Allocations, Error> {
    let list = |key: &str| value.get(key).and_then(Value::as_array);
    let amount = |item: &Value, key: &str, at: String| {
        item.get(key)
            .and_then(from_json)
            .ok_or_else(|| Error::xero("invoice", format!("{at}.{key}: expected a number")))
    };
    let date = |item: &Value| {
        item.get("Date")
            .and_then(Value::as_str)
            .and_then(IsoDate::parse_any)
    };
    let payments = list("Payments")
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    Ok(Payment {
                        date: date(p).ok_or_else(|| {
                            Error::xero("invoice", format!("Payments[{i}].Date: expected a date"))
                        })?,
                        amount: amount(p, "Amount", format!("Payments[{i}]"))?,
                        reference: p
                            .get("Reference")
                            .and_then(Value::as_str)
                            .filter(|r| !r.trim().is_empty())
                            .map(str::to_owned),
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .transpose()?;
    let credits = list("CreditNotes")
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    Ok(Credit {
                        number: c
                            .get("CreditNoteNumber")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        date: date(c),
                        amount: amount(c, "AppliedAmount", format!("CreditNotes[{i}]"))?,
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .transpose()?;
    Ok((payments, credits))
}

/// Reads a Xero `Invoice` or `CreditNote` object (numbers or strings; `/Date(…)/` or ISO dates).
pub fn parse_document(value: &Value) -> Result<XeroDocumentState, Error> {
    let context = "invoice";
    if !value.is_object() {
        return Err(Error::xero(
            context,
            format!("expected an object, got {}", json_kind(value)),
        ));
    }
    let string = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    };
    let money = |key: &str| -> Result<Option<Decimal>, Error> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => from_json(v).map(Some).ok_or_else(|| {
                Error::xero(
                    context,
                    format!("{key}: expected a number, got {}", json_kind(v)),
                )
            }),
        }
    };
    let (payments, credits) = allocations(value)?;
    let kind = string("Type").unwrap_or_default();
    let is_credit_note = kind.ends_with("CREDIT") || value.get("CreditNoteID").is_some();
    let (id_key, number_key) = if is_credit_note {
        ("CreditNoteID", "CreditNoteNumber")
    } else {
        ("InvoiceID", "InvoiceNumber")
    };
    let status = string("Status")
        .ok_or_else(|| Error::xero(context, "Status: missing"))?
        .to_ascii_uppercase();
    Ok(XeroDocumentState {
        is_credit_note,
        xero_id: string(id_key),
        number: string(number_key),
        status,
        total: money("Total")?,
        amount_due: money("AmountDue")?,
        amount_paid: money("AmountPaid")?,
        amount_credited: money("AmountCredited")?,
        remaining_credit: money("RemainingCredit")?,
        contact_id: value
            .get("Contact")
            .and_then(|c| c.get("ContactID"))
            .and_then(Value::as_str)
            .map(str::to_string),
        currency: string("CurrencyCode").map(|c| c.trim().to_ascii_uppercase()),
        date: string("DateString")
            .or_else(|| string("Date"))
            .and_then(|d| IsoDate::parse_any(&d)),
        fully_paid_on: string("FullyPaidOnDate").and_then(|d| IsoDate::parse_any(&d)),
        payments,
        credits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elements_report_each_record_rule_s9() {
        let body = json!({"Invoices": [
            {"InvoiceID": "a1", "StatusAttributeString": "OK"},
            {"InvoiceID": "00000000-0000-0000-0000-000000000000", "StatusAttributeString": "ERROR", "HasErrors": true,
             "ValidationErrors": [{"Message": "Invoice # must be unique."}]},
            {"InvoiceID": "a3", "StatusAttributeString": "WARNING", "Warnings": [{"Message": "Rounded"}]}
        ]});
        let out = parse_elements(&body, Collection::Invoices).unwrap();
        assert_eq!(
            out[0],
            ElementResult {
                status: ElementStatus::Ok,
                messages: vec![],
                xero_id: Some("a1".into())
            }
        );
        assert_eq!(out[1].status, ElementStatus::Error);
        assert_eq!(out[1].messages, ["Invoice # must be unique."]);
        assert_eq!(out[1].xero_id, None);
        assert_eq!(out[2].status, ElementStatus::Warning);
    }

    #[test]
    fn contacts_use_has_validation_errors() {
        let body = json!({"Contacts": [{"ContactID": "c1", "HasValidationErrors": true}]});
        let out = parse_elements(&body, Collection::Contacts).unwrap();
        assert_eq!(out[0].status, ElementStatus::Error);
        assert!(!out[0].messages.is_empty());
        assert!(parse_elements(&json!("nope"), Collection::Contacts).is_err());
    }

    #[test]
    fn error_bodies_json_or_not() {
        let e = parse_xero_error(
            401,
            r#"{"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: token expired at 01/01/2026"}"#,
            None,
            None,
        );
        assert_eq!(e.kind, XeroErrorKind::Unauthorized);
        assert_eq!(
            e.message,
            "Unauthorized: TokenExpired: token expired at 01/01/2026"
        );
        let e = parse_xero_error(429, "", Some("37"), Some("Minute"));
        assert_eq!(
            (e.kind, e.retry_after_seconds, e.problem.as_deref()),
            (XeroErrorKind::RateLimited, Some(37), Some("minute"))
        );
        let e = parse_xero_error(403, "<html>AuthenticationUnsuccessful</html>", None, None);
        assert_eq!(e.message, "<html>AuthenticationUnsuccessful</html>");
        let e = parse_xero_error(
            400,
            r#"{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"Email address must be valid."}]}]}"#,
            None,
            None,
        );
        assert_eq!(e.kind, XeroErrorKind::Validation);
        assert_eq!(
            e.elements,
            vec![vec!["Email address must be valid.".to_string()]]
        );
        assert!(e.message.contains("A validation exception occurred"));
    }

    #[test]
    fn documents_read_numbers_and_dates() {
        let doc = parse_document(
            &json!({"Type": "ACCRECCREDIT", "CreditNoteID": "x", "Status": "PAID", "Total": 10.5,
            "RemainingCredit": "0.00", "FullyPaidOnDate": "/Date(1539993600000+0000)/"}),
        )
        .unwrap();
        assert!(doc.is_credit_note);
        assert_eq!(doc.remaining_credit, Some(Decimal::ZERO));
        assert_eq!(
            doc.fully_paid_on.map(|d| d.to_string()),
            Some("2018-10-20".into())
        );
        assert!(parse_document(&json!({"Total": true, "Status": "PAID"})).is_err());
    }
}
