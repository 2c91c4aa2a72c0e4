//! Rule L1a: the refusals a send run makes before any call for the record (a malformed record, an unmapped tax rate, a
//! product that fails the local checks and the invoices it stopped, an ambiguous contact (S3a), a cancelled invoice
//! left alone (S10), a number Xero already has (S8)) reach the proxy's `xero_log` too, with outcome `refused`.
//!
//! The client takes them from a run's log ([`refusals`]), packs them into report bodies ([`reports`]) and posts them
//! to `POST /log/refusals`; the proxy checks each body with [`validate_report`] and stores one row per entry, with
//! the session's user (never one named in the body). Xero's own refusals stay `error`: the proxy logged those calls.

use super::outcome::LogEntry;
use crate::error::{Error, RecordKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The outcome of a local refusal in the log.
pub const REFUSED: &str = "refused";
/// At most this many entries in one report (each becomes a row; the proxy writes a report in one D1 batch).
pub const MAX_REFUSALS_PER_REPORT: usize = 500;
/// Longest CRM id and message, in characters (longer ones are cut by [`reports`] and refused by the proxy).
pub const MAX_CRM_ID_CHARS: usize = 100;
pub const MAX_MESSAGE_CHARS: usize = 1000;
/// Largest report body in bytes: the proxy's body cap of the route; [`reports`] keeps each body under it.
pub const MAX_REPORT_BYTES: usize = 256 * 1024;
/// The runs that report (the client's `X-Xerosync-Action` labels of a send).
pub const REFUSAL_ACTIONS: [&str; 3] = ["send", "send all live", "auto send"];
/// Rule U6: a person's choice on a discrepancy is reported the same way, as its own action and outcome, so the log
/// says who resolved what (`resolveDiscrepancy`'s `log` line).
pub const RESOLVE_ACTION: &str = "resolve discrepancy";
pub const RESOLVED: &str = "resolved";
/// The record kinds a send refuses (a tax rate's refusal is the invoice's: the invoice is what did not go).
const KINDS: [RecordKind; 4] = [
    RecordKind::Invoice,
    RecordKind::CreditNote,
    RecordKind::Product,
    RecordKind::Company,
];

/// One refused record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub record_kind: RecordKind,
    pub crm_id: String,
    pub message: String,
}

/// The body of `POST /log/refusals`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusalReport {
    pub action: String,
    pub refusals: Vec<Refusal>,
}

impl RefusalReport {
    /// The outcome its rows are stored with: `resolved` for a person's choice (U6), else `refused` (L1a).
    pub fn outcome(&self) -> &'static str {
        if self.action == RESOLVE_ACTION {
            RESOLVED
        } else {
            REFUSED
        }
    }
}

/// Cuts `text` to `max` characters (marking the cut) and turns control characters into spaces, so the client's own
/// report always passes [`validate_report`] (a record's id or a quoted field value may be anything).
fn tidy(text: &str, max: usize) -> String {
    let clean = |c: char| if c.is_control() { ' ' } else { c };
    if text.chars().count() <= max {
        return text.chars().map(clean).collect();
    }
    let mut out: String = text.chars().take(max - 1).map(clean).collect();
    out.push('…');
    out
}

/// The local refusals among a run's log entries, tidied to the report's limits.
pub fn refusals(log: &[LogEntry]) -> Vec<Refusal> {
    log.iter()
        .filter(|e| e.outcome == REFUSED && KINDS.contains(&e.record_kind))
        .map(|e| Refusal {
            record_kind: e.record_kind,
            crm_id: tidy(&e.crm_id, MAX_CRM_ID_CHARS),
            message: tidy(&e.message, MAX_MESSAGE_CHARS),
        })
        .collect()
}

/// The report bodies for `refusals`: usually one; more only past [`MAX_REFUSALS_PER_REPORT`] entries or
/// [`MAX_REPORT_BYTES`]. None when there is nothing to report.
pub fn reports(action: &str, refusals: Vec<Refusal>) -> Vec<RefusalReport> {
    // The envelope `{"action":"…","refusals":[]}` with room to spare.
    let budget = MAX_REPORT_BYTES - 128;
    let mut out: Vec<RefusalReport> = Vec::new();
    let mut size = 0;
    for refusal in refusals {
        let bytes = serde_json::to_string(&refusal).map_or(budget, |s| s.len() + 1);
        let full = out
            .last()
            .is_none_or(|r| r.refusals.len() >= MAX_REFUSALS_PER_REPORT || size + bytes > budget);
        if full {
            out.push(RefusalReport {
                action: action.to_string(),
                refusals: Vec::new(),
            });
            size = 0;
        }
        size += bytes;
        if let Some(report) = out.last_mut() {
            report.refusals.push(refusal);
        }
    }
    out
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
    Error::options(RecordKind::Options, field, message)
}

/// A string field of at most `max` characters, not empty, without control characters. Messages never quote what
/// was sent (the proxy answers with them).
fn text(entry: &Map<String, Value>, at: &str, name: &str, max: usize) -> Result<String, Error> {
    let field = format!("{at}.{name}");
    let value = match entry.get(name) {
        None | Some(Value::Null) => return Err(invalid(field, "missing")),
        Some(Value::String(s)) => s,
        Some(_) => return Err(invalid(field, "expected a string")),
    };
    if value.trim().is_empty() {
        return Err(invalid(field, "empty"));
    }
    if value.chars().count() > max {
        return Err(invalid(field, format!("longer than {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(field, "control characters are not allowed"));
    }
    Ok(value.clone())
}

fn entry(index: usize, value: &Value, outcome: &str) -> Result<Refusal, Error> {
    let at = format!("refusals[{index}]");
    let Value::Object(entry) = value else {
        return Err(invalid(at, "expected an object"));
    };
    if let Some(name) = entry
        .keys()
        .find(|k| !["recordKind", "crmId", "message", "outcome"].contains(&k.as_str()))
    {
        let message = if name == "xeroId" {
            "a refusal never reached Xero: no xeroId"
        } else {
            "unexpected field (allowed: recordKind, crmId, message, outcome)"
        };
        // The field's own name is not echoed unless it is one of ours.
        let field = if name == "xeroId" {
            format!("{at}.xeroId")
        } else {
            at
        };
        return Err(invalid(field, message));
    }
    // Rule L1a: whatever the client says, a reported entry is a refusal; any other outcome is a confused client.
    match entry.get("outcome") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == outcome => {}
        Some(_) => {
            return Err(invalid(
                format!("{at}.outcome"),
                format!("must be \"{outcome}\" for this action"),
            ))
        }
    }
    let kind_field = format!("{at}.recordKind");
    let record_kind = match entry.get("recordKind") {
        None | Some(Value::Null) => return Err(invalid(kind_field, "missing")),
        Some(v) => serde_json::from_value::<RecordKind>(v.clone())
            .ok()
            .filter(|k| KINDS.contains(k))
            .ok_or_else(|| {
                invalid(
                    kind_field,
                    "expected invoice, creditNote, product or company",
                )
            })?,
    };
    Ok(Refusal {
        record_kind,
        crm_id: text(entry, &at, "crmId", MAX_CRM_ID_CHARS)?,
        message: text(entry, &at, "message", MAX_MESSAGE_CHARS)?,
    })
}

/// Checks a report body (the proxy's side, rule L1a): `{ action, refusals: [{ recordKind, crmId, message,
/// outcome? }] }` with 1-[`MAX_REFUSALS_PER_REPORT`] entries. The first problem is the error, naming the entry and
/// field (`refusals[3].crmId`).
pub fn validate_report(body: &Value) -> Result<RefusalReport, Error> {
    let Value::Object(report) = body else {
        return Err(invalid("body", "expected an object { action, refusals }"));
    };
    if report.keys().any(|k| k != "action" && k != "refusals") {
        return Err(invalid(
            "body",
            "unexpected field (allowed: action, refusals)",
        ));
    }
    let action = match report.get("action") {
        Some(Value::String(a)) if REFUSAL_ACTIONS.contains(&a.as_str()) || a == RESOLVE_ACTION => {
            a.clone()
        }
        None | Some(Value::Null) => return Err(invalid("action", "missing")),
        Some(_) => {
            return Err(invalid(
                "action",
                "expected \"send\", \"send all live\", \"auto send\" or \"resolve discrepancy\"",
            ))
        }
    };
    let list = match report.get("refusals") {
        Some(Value::Array(list)) => list,
        None | Some(Value::Null) => return Err(invalid("refusals", "missing")),
        Some(_) => return Err(invalid("refusals", "expected an array")),
    };
    if list.is_empty() || list.len() > MAX_REFUSALS_PER_REPORT {
        return Err(invalid(
            "refusals",
            format!("expected 1-{MAX_REFUSALS_PER_REPORT} entries"),
        ));
    }
    let outcome = if action == RESOLVE_ACTION {
        RESOLVED
    } else {
        REFUSED
    };
    let refusals = list
        .iter()
        .enumerate()
        .map(|(i, v)| entry(i, v, outcome))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RefusalReport { action, refusals })
}

#[cfg(test)]
#[path = "refusals_tests.rs"]
mod tests;
