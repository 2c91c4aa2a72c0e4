//! `POST /log/refusals` (rule L1a): the client's report of what a send refused before any call; also (rule U6) a
//! person's choice on a discrepancy, action `resolve discrepancy`. The body is checked by the core's
//! `validate_report` (the rules live there) and stored as `xero_log` rows with outcome `refused` (or `resolved`),
//! attributed to the session's user: the body names no user, and one that tried would be refused.

use serde_json::json;
use worker::Response;
use xerosync_core::plan::refusals::{validate_report, MAX_REPORT_BYTES};
use xerosync_core::Error as CoreError;

use super::{json_body_capped, json_response, Call};
use crate::db::{self, LogRow};
use crate::error::ProxyError;

/// The core's error as the proxy's `invalid_request`, naming the entry and field (`refusals[3].crmId`).
fn invalid(e: &CoreError) -> ProxyError {
    let message = match e {
        CoreError::InvalidOptions { message, .. } => message.clone(),
        other => other.to_string(),
    };
    ProxyError::invalid(e.field().unwrap_or("body"), message)
}

/// Stores a refusal report: `{ stored: n }`. Nothing is stored unless every entry is valid.
pub async fn store(mut call: Call) -> Result<Response, ProxyError> {
    let body = json_body_capped(&mut call.req, MAX_REPORT_BYTES as u64).await?;
    let report = validate_report(&body).map_err(|e| invalid(&e))?;
    let base = LogRow {
        at: crate::time::iso(worker::Date::now().as_millis()),
        user_id: call.session.sub.clone(),
        user_name: call.session.name.clone(),
        action: report.action.clone(),
        outcome: report.outcome().to_owned(),
        ..LogRow::default()
    };
    let rows: Vec<(String, String, String)> = report
        .refusals
        .iter()
        .map(|r| {
            let kind = serde_json::to_value(r.record_kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            (kind, r.crm_id.clone(), r.message.clone())
        })
        .collect();
    let db = db::database(&call.env)?;
    db::refusals_write(&db, &call.session.org, &base, &rows).await?;
    json_response(200, &json!({ "stored": rows.len() }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_bad_entry_is_invalid_request_naming_entry_and_field_rule_l1a() {
        let body: Value = json!({ "action": "send", "refusals": [
            { "recordKind": "invoice", "crmId": "inv-1", "message": "m" },
            { "recordKind": "invoice", "message": "m" }
        ]});
        let e = invalid(&validate_report(&body).unwrap_err());
        assert_eq!(e.code(), "invalid_request");
        assert_eq!(e.status(), 400);
        assert_eq!(e.to_string(), "invalid request: refusals[1].crmId: missing");
    }
}
