//! What a send plan reports: per-record outcomes, the CRM changes to store and the `xero_log` entries (S9, L1).

use crate::contacts::MatchedBy;
use crate::error::{Error, RecordKind};
use crate::records::Amendment;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SendStage"))]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// Reads before any write: existing contacts (S3a) and the Xero state of cancelled invoices (S10).
    Reads,
    Items,
    Contacts,
    Documents,
    Finished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Pending,
    Sent,
    Failed,
    Skipped,
}

/// The CRM fields to store for a sent invoice (rule S9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SendChanges {
    pub sent_to_accounts: bool,
    pub sent_to_accounts_date: String,
    pub xero_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SendInvoiceResult"))]
#[serde(rename_all = "camelCase")]
pub struct InvoiceResult {
    pub id: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub message: Option<String>,
    /// The message for a finance user (issue 12): what happened and where to fix it, without rule codes, ids or
    /// Xero's GUIDs. `message` stays the developer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sentence: Option<String>,
    /// For a local failure: `{ code, message, record, field? }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    #[cfg_attr(feature = "ts", ts(optional, type = "ErrorData"))]
    pub error: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub changes: Option<SendChanges>,
    /// Rule S11: the document that amended it in Xero; append it to the CRM invoice's `amendments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub amendment: Option<Amendment>,
    /// Failed for a passing reason (Xero unavailable, a limit, no answer), not refused: worth trying again as it is
    /// (rule B2 does not hold it back).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub retryable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SendCompanyResult"))]
#[serde(rename_all = "camelCase")]
pub struct CompanyResult {
    pub id: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub xero_contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub message: Option<String>,
    /// The message for a finance user (issue 12): what happened and where to fix it, without rule codes, ids or
    /// Xero's GUIDs. `message` stays the developer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sentence: Option<String>,
    /// Rule S3a: how the company was matched to an existing Xero contact, with the candidates a person must choose
    /// between when nothing could be linked safely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub contact_match: Option<ContactMatchReport>,
}

impl InvoiceResult {
    /// Sets what happened: the rule, the developer's message and the finance user's sentence.
    pub(crate) fn set(
        &mut self,
        outcome: Outcome,
        rule: Option<&str>,
        message: String,
        sentence: String,
    ) {
        self.outcome = outcome;
        self.rule = rule.map(str::to_owned);
        self.message = Some(message);
        self.sentence = Some(sentence);
    }

    /// Checked locally, waiting for Xero.
    pub fn pending(id: String) -> Self {
        InvoiceResult {
            id,
            outcome: Outcome::Pending,
            rule: None,
            message: None,
            sentence: None,
            error: None,
            changes: None,
            amendment: None,
            retryable: false,
        }
    }

    /// Not sent, by a rule (S1, A1, S10), with its reason and its sentence.
    pub fn skipped(id: String, rule: &str, reason: String, sentence: String) -> Self {
        InvoiceResult {
            outcome: Outcome::Skipped,
            rule: Some(rule.into()),
            message: Some(reason),
            sentence: Some(sentence),
            ..InvoiceResult::pending(id)
        }
    }

    /// Refused locally (rule L2, T1 or S6): the error as data too.
    pub fn failed(id: String, error: &Error) -> Self {
        InvoiceResult {
            outcome: Outcome::Failed,
            rule: Some(rule_for(error).into()),
            message: Some(error.to_string()),
            sentence: Some(error.sentence()),
            error: Some(error.to_json()),
            ..InvoiceResult::pending(id)
        }
    }
}

/// Rule S3a, for a person: the evidence, and each candidate as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ContactMatchReport {
    pub by: MatchedBy,
    pub candidates: Vec<ContactCandidate>,
}

/// One Xero contact a company may be (rule S3a).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ContactCandidate {
    pub contact_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub contact_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub email: Option<String>,
    /// Accounts receivable outstanding, when Xero sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub balance: Option<String>,
    pub archived: bool,
}

/// A product that failed, locally or at Xero (rule S2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProductFailure {
    pub id: String,
    pub reason: String,
    /// `reason` for a finance user (issue 12), without ids or codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sentence: Option<String>,
}

/// One `xero_log` entry (rule L1) without the time and user, which the caller adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SendLogEntry"))]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub action: String,
    pub record_kind: RecordKind,
    pub crm_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub xero_id: Option<String>,
    /// `ok`, `warning`, `error` (Xero's answer), `skipped`, or `refused`: a record the run stopped before any call
    /// was made for it (rule L1a; reported to the proxy's log with [`super::refusals`]).
    pub outcome: String,
    pub message: String,
}

fn rule_for(error: &Error) -> &'static str {
    match error {
        Error::UnmappedTaxRate { .. } => "T1",
        Error::InvoiceHeld { .. } => "S6",
        _ => "L2",
    }
}

pub(super) fn log(
    kind: RecordKind,
    crm_id: &str,
    xero_id: Option<String>,
    outcome: &str,
    message: String,
) -> LogEntry {
    LogEntry {
        action: "send".into(),
        record_kind: kind,
        crm_id: crm_id.into(),
        xero_id,
        outcome: outcome.into(),
        message,
    }
}
