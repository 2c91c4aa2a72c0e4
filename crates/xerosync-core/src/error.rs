//! The one error type of the core, with stable string codes (rule L2).
//!
//! Misuse and malformed input are errors; expected outcomes (a skipped invoice, a Xero validation error on one
//! record) are data in results. Every message names the record (kind + CRM id) and, where there is one, the field path:
//! `invoice inv-1001: lines[2].quantity: expected a decimal, got "abc"`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of CRM record (or argument) an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    Invoice,
    CreditNote,
    Company,
    Product,
    TaxRate,
    Settings,
    Options,
    /// A record as Xero returned it.
    XeroRecord,
}

impl RecordKind {
    /// The human name used in messages ("credit note").
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Invoice => "invoice",
            RecordKind::CreditNote => "credit note",
            RecordKind::Company => "company",
            RecordKind::Product => "product",
            RecordKind::TaxRate => "tax rate",
            RecordKind::Settings => "settings",
            RecordKind::Options => "options",
            RecordKind::XeroRecord => "Xero record",
        }
    }
}

/// Which record an error is about: its kind and CRM id (absent when the record has no readable id).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordRef {
    pub kind: RecordKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl RecordRef {
    pub fn new(kind: RecordKind, id: impl Into<String>) -> Self {
        RecordRef {
            kind,
            id: Some(id.into()),
        }
    }
    /// A record without a readable id, named by its position in the input.
    pub fn at_index(kind: RecordKind, index: usize) -> Self {
        RecordRef {
            kind,
            id: Some(format!("#{index}")),
        }
    }
    pub fn anonymous(kind: RecordKind) -> Self {
        RecordRef { kind, id: None }
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{} {}", self.kind.label(), id),
            None => f.write_str(self.kind.label()),
        }
    }
}

/// Every error the core returns. Codes (see [`Error::code`]) are stable and never renamed.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "code")]
pub enum Error {
    /// A field is present but its value is wrong (type, format, range).
    #[error("{record}: {field}: {message}")]
    InvalidField {
        record: RecordRef,
        field: String,
        message: String,
    },
    /// A required field is absent.
    #[error("{record}: {field}: missing")]
    MissingField { record: RecordRef, field: String },
    /// A field points at a record that is not in the context (e.g. `companyId` of an unknown company).
    #[error("{record}: {field}: no {target} with id {target_id:?}")]
    UnknownReference {
        record: RecordRef,
        field: String,
        target: String,
        target_id: String,
    },
    /// Rule T1: the tax rate has no Xero `TaxType` mapping.
    #[error("{record}: {field}: tax rate {tax_rate} is not mapped to a Xero tax type (rule T1)")]
    UnmappedTaxRate {
        record: RecordRef,
        field: String,
        tax_rate: String,
    },
    /// Rule S6 with the `hold` discount strategy: Xero cannot reproduce the CRM's amounts.
    #[error("{record}: held back (rule S6): {reason}")]
    InvoiceHeld { record: RecordRef, reason: String },
    /// The options argument (or settings) is malformed.
    #[error("{record}: {field}: {message}")]
    InvalidOptions {
        record: RecordRef,
        field: String,
        message: String,
    },
    /// An answer from Xero that cannot be read.
    #[error("Xero answer: {context}: {message}")]
    InvalidXeroResponse { context: String, message: String },
    /// Rule M1: the document's currency is not enabled in the Xero organisation.
    #[error("{record}: {field}: {currency} is not a currency this Xero organisation has enabled (rule M1)")]
    UnknownCurrency {
        record: RecordRef,
        field: String,
        currency: String,
    },
    /// Rules O1, O2: Xero refused an action on one invoice, for a reason a person can act on.
    #[error("{record}: {message}")]
    ActionRefused {
        record: RecordRef,
        reason: ActionRefusal,
        message: String,
    },
}

/// Why Xero refused an action on an invoice (rules O1, O2); each is its own error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionRefusal {
    /// Still a draft in Xero (or voided): no online invoice, no email.
    NotApproved,
    /// The contact has no email address to send to.
    NoContactEmail,
    /// The organisation's daily email limit is reached.
    EmailLimit,
}

impl ActionRefusal {
    pub fn code(self) -> &'static str {
        match self {
            ActionRefusal::NotApproved => "not_approved",
            ActionRefusal::NoContactEmail => "no_contact_email",
            ActionRefusal::EmailLimit => "email_limit",
        }
    }
}

/// Every code [`Error::code`] gives (the package's `errorCodes()` lists them with the proxy's and its own).
pub const CODES: [&str; 11] = [
    "invalid_field",
    "missing_field",
    "unknown_reference",
    "unmapped_tax_rate",
    "invoice_held",
    "invalid_options",
    "invalid_xero_response",
    "unknown_currency",
    "not_approved",
    "no_contact_email",
    "email_limit",
];

/// The npm package's own codes (crates/xerosync-wasm): its bindings' (`invalid_argument`: a JS argument that is not
/// JSON data; `internal`) and `XeroClient`'s (`proxy_unreachable`, `proxy_error`, `unsupported_runtime`). Listed here
/// so that [`all_codes`], the package's `errorCodes()` and its TypeScript `ErrorCode`, is one list.
pub const PACKAGE_CODES: [&str; 5] = [
    "invalid_argument",
    "internal",
    "proxy_unreachable",
    "proxy_error",
    "unsupported_runtime",
];

/// Every `code` an error of the npm package may carry (or a run may stop with), without duplicates: the core's
/// ([`CODES`]), the proxy's (passed through by the client), the runs' stops, then the package's own.
pub fn all_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = CODES.to_vec();
    codes.extend(
        crate::proxy_contract::ProxyErrorCode::ALL
            .iter()
            .map(|c| c.as_str()),
    );
    codes.extend(crate::sync::pump::STOP_CODES);
    codes.extend(PACKAGE_CODES);
    let mut seen = std::collections::BTreeSet::new();
    codes.retain(|c| seen.insert(*c));
    codes
}

impl Error {
    /// The stable code, also used by the JS package (`err.code`) and the Worker's error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidField { .. } => "invalid_field",
            Error::MissingField { .. } => "missing_field",
            Error::UnknownReference { .. } => "unknown_reference",
            Error::UnmappedTaxRate { .. } => "unmapped_tax_rate",
            Error::InvoiceHeld { .. } => "invoice_held",
            Error::InvalidOptions { .. } => "invalid_options",
            Error::InvalidXeroResponse { .. } => "invalid_xero_response",
            Error::UnknownCurrency { .. } => "unknown_currency",
            Error::ActionRefused { reason, .. } => reason.code(),
        }
    }

    /// The record the error is about, if any.
    pub fn record(&self) -> Option<&RecordRef> {
        match self {
            Error::InvalidField { record, .. }
            | Error::MissingField { record, .. }
            | Error::UnknownReference { record, .. }
            | Error::UnmappedTaxRate { record, .. }
            | Error::InvoiceHeld { record, .. }
            | Error::InvalidOptions { record, .. }
            | Error::UnknownCurrency { record, .. }
            | Error::ActionRefused { record, .. } => Some(record),
            Error::InvalidXeroResponse { .. } => None,
        }
    }

    /// The field path inside the record (`lines[2].quantity`), if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidField { field, .. }
            | Error::MissingField { field, .. }
            | Error::UnknownReference { field, .. }
            | Error::UnmappedTaxRate { field, .. }
            | Error::InvalidOptions { field, .. }
            | Error::UnknownCurrency { field, .. } => Some(field),
            Error::InvoiceHeld { .. }
            | Error::InvalidXeroResponse { .. }
            | Error::ActionRefused { .. } => None,
        }
    }

    /// The error in one sentence for a finance user: no codes, ids or field paths (see [`crate::sentence`]).
    pub fn sentence(&self) -> String {
        crate::sentence::sentence(self)
    }

    /// `{ code, message, sentence, record?, field? }`: the JSON shape of an error at the JS boundary and in plan
    /// results (`message` for developers and logs, `sentence` for people).
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        out.insert("code".into(), self.code().into());
        out.insert("message".into(), self.to_string().into());
        out.insert("sentence".into(), self.sentence().into());
        if let Some(record) = self.record() {
            out.insert("record".into(), record.to_string().into());
        }
        if let Some(field) = self.field() {
            out.insert("field".into(), field.into());
        }
        serde_json::Value::Object(out)
    }

    pub(crate) fn invalid(
        record: &RecordRef,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidField {
            record: record.clone(),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn options(
        kind: RecordKind,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidOptions {
            record: RecordRef::anonymous(kind),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn xero(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidXeroResponse {
            context: context.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_record_and_field_rule_l2() {
        let err = Error::invalid(
            &RecordRef::new(RecordKind::Invoice, "inv-1001"),
            "lines[2].quantity",
            "expected a decimal, got \"abc\"",
        );
        assert_eq!(
            err.to_string(),
            "invoice inv-1001: lines[2].quantity: expected a decimal, got \"abc\""
        );
        assert_eq!(err.code(), "invalid_field");
        assert_eq!(err.field(), Some("lines[2].quantity"));
        assert_eq!(err.to_json()["record"], "invoice inv-1001");
    }

    #[test]
    fn unmapped_tax_rate_names_the_rate_rule_t1() {
        let err = Error::UnmappedTaxRate {
            record: RecordRef::new(RecordKind::Invoice, "inv-1"),
            field: "lines[0].taxRateId".into(),
            tax_rate: "vat5 (VAT 5%)".into(),
        };
        assert_eq!(err.code(), "unmapped_tax_rate");
        assert!(err.to_string().contains("vat5 (VAT 5%)"));
    }

    /// `CODES` is exactly the codes the variants give (the package's `errorCodes()` is built from it).
    #[test]
    fn codes_lists_every_variant() {
        let r = || RecordRef::new(RecordKind::Invoice, "inv-1");
        let f = || "f".to_string();
        let refused = |reason| Error::ActionRefused {
            record: r(),
            reason,
            message: f(),
        };
        let all = [
            Error::InvalidField {
                record: r(),
                field: f(),
                message: f(),
            },
            Error::MissingField {
                record: r(),
                field: f(),
            },
            Error::UnknownReference {
                record: r(),
                field: f(),
                target: f(),
                target_id: f(),
            },
            Error::UnmappedTaxRate {
                record: r(),
                field: f(),
                tax_rate: f(),
            },
            Error::InvoiceHeld {
                record: r(),
                reason: f(),
            },
            Error::InvalidOptions {
                record: r(),
                field: f(),
                message: f(),
            },
            Error::InvalidXeroResponse {
                context: f(),
                message: f(),
            },
            Error::UnknownCurrency {
                record: r(),
                field: f(),
                currency: f(),
            },
            refused(ActionRefusal::NotApproved),
            refused(ActionRefusal::NoContactEmail),
            refused(ActionRefusal::EmailLimit),
        ];
        let codes: Vec<&str> = all.iter().map(Error::code).collect();
        assert_eq!(codes, CODES);
    }
}
