//! Background sync (rules C4, B1). Each organisation keeps itself alive and polls from its own Connection
//! object's alarm (`connection::alarm`, decided by [`crate::schedule`]); this module holds what those polls write
//! (a page of records → change-feed rows and a log row) and the Cron Trigger's *safety net*: it re-arms the
//! alarms that are overdue (lost, or never set because the connection predates alarms), a bounded number per run.

use serde_json::{json, Value};
use worker::{D1Database, D1PreparedStatement};

use crate::connection::client;
use crate::db::{self, LogRow};
use crate::error::ProxyError;
use crate::schedule::{Cursor, Resource};

/// Objects re-armed per Cron run at most: one Durable Object call each, plus the one D1 query, stays under the
/// strictest subrequest limit per invocation (Workers Free: 50). At one run every 15 minutes that is 3,840 a day,
/// so 10,000 connections that predate alarms are all armed within three days (well inside Xero's 60 idle days).
pub const SAFETY_NET_PER_RUN: u32 = 40;

const _: () = assert!(SAFETY_NET_PER_RUN < crate::schedule::SUBREQUEST_LIMIT);

/// An alarm this late (its mirrored time in `sync_state`) is taken as lost.
pub const OVERDUE_GRACE_MS: u64 = 3_600_000;

/// The Cron Trigger: re-arms overdue alarms. Failures of one organisation do not stop the others.
pub async fn run(env: &worker::Env) -> Result<(), ProxyError> {
    let db = db::database(env)?;
    let now = worker::Date::now().as_millis();
    let overdue = db::orgs_with_overdue_alarm(
        &db,
        now.saturating_sub(OVERDUE_GRACE_MS),
        SAFETY_NET_PER_RUN,
    )
    .await?;
    for org in overdue {
        if let Err(e) = client::call::<Value>(env, &org, "/ensure-alarm", Some(json!({}))).await {
            worker::console_error!("safety net: organisation {org}: {}", e.code());
        }
    }
    Ok(())
}

/// The records of one answered page (an empty list for `304 Not Modified` or a body without the array).
pub fn records_of(resource: Resource, status: u16, body: &str) -> Vec<Value> {
    if status != 200 {
        return Vec::new();
    }
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get(resource.field()).and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

/// What one page read wrote: its log row (rule L1) and one change per record (rule B1); re-reads of the same
/// version (overlap window, full re-read) are ignored by the feed's unique key.
pub fn page_statements(
    db: &D1Database,
    org: &str,
    cursor: &Cursor,
    status: u16,
    records: &[Value],
    at: &str,
) -> Result<Vec<D1PreparedStatement>, ProxyError> {
    let resource = cursor.resource;
    let ok = status == 200 || status == 304;
    let mut stmts = vec![db::log_insert(
        db,
        org,
        &LogRow {
            at: at.to_owned(),
            // A stable id the page filters by (`/log?user=cron`), kept from when a Cron Trigger did this.
            user_id: "cron".into(),
            user_name: "Scheduled sync".into(),
            action: format!("sync: GET {}", resource.field()),
            record_kind: resource.kind().into(),
            outcome: if ok { "ok" } else { "error" }.into(),
            http_status: i64::from(status),
            message: if ok {
                format!(
                    "HTTP {status}: {} changed ({}, page {})",
                    records.len(),
                    cursor.source(),
                    cursor.page
                )
            } else if status == 0 {
                format!("not read (page {}; retried later)", cursor.page)
            } else {
                format!("HTTP {status} (page {}; retried later)", cursor.page)
            },
            ..LogRow::default()
        },
    )?];
    for r in records {
        let id = r
            .get(resource.id_field())
            .and_then(Value::as_str)
            .unwrap_or("");
        if id.is_empty() {
            continue;
        }
        let version = r
            .get("UpdatedDateUTC")
            .and_then(Value::as_str)
            .unwrap_or("");
        // The fields the update rules read (the core's), not the whole document.
        let record = xerosync_core::parse::slim_document(r);
        stmts.push(db::change_insert(
            db,
            org,
            db::NewChange {
                kind: resource.kind(),
                xero_id: id,
                source: cursor.source(),
                version,
                at,
                record: Some(&record),
            },
        )?);
    }
    Ok(stmts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_b1_records_of_an_answer() {
        let body = r#"{"Invoices":[{"InvoiceID":"a"},{"InvoiceID":"b"}]}"#;
        assert_eq!(records_of(Resource::Invoices, 200, body).len(), 2);
        assert!(records_of(Resource::CreditNotes, 200, body).is_empty());
        assert!(records_of(Resource::Invoices, 304, "").is_empty());
        assert!(records_of(Resource::Invoices, 500, body).is_empty());
    }
}
