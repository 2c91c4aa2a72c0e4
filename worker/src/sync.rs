//! The Cron Trigger (rules C4, B1): keeps every connection alive (a refresh when the last one is older than
//! `KEEPALIVE_AFTER_SECS`), then, for enabled and connected organisations, reads invoices and credit notes
//! changed since its last run minus an overlap window (everything once every `FULL_REREAD_SECS`), feeding the
//! change feed. Xero calls go through the connection object, so limits and refreshes apply as for the page.

use serde_json::{json, Value};

use crate::config::Config;
use crate::connection::client;
use crate::db::{self, LogRow};
use crate::error::ProxyError;
use crate::time;

const PAGE_SIZE: usize = 100;
const MAX_PAGES: u32 = 20;

/// Balance fields copied into the feed (rules U2, U5).
const RECORD_FIELDS: [&str; 13] = [
    "InvoiceID",
    "CreditNoteID",
    "InvoiceNumber",
    "CreditNoteNumber",
    "Type",
    "Status",
    "Total",
    "AmountDue",
    "AmountPaid",
    "AmountCredited",
    "RemainingCredit",
    "FullyPaidOnDate",
    "UpdatedDateUTC",
];

/// One cron run over every organisation; failures of one organisation do not stop the others.
pub async fn run(env: &worker::Env) -> Result<(), ProxyError> {
    let cfg = Config::from_env(env)?;
    let db = db::database(env)?;
    for org in db::connected_orgs(&db).await? {
        if let Err(e) = run_org(env, &cfg, &db, &org).await {
            worker::console_error!("cron: organisation {org}: {}", e.code());
        }
    }
    Ok(())
}

async fn run_org(
    env: &worker::Env,
    cfg: &Config,
    db: &worker::D1Database,
    org: &str,
) -> Result<(), ProxyError> {
    let view: Value = client::call(
        env,
        org,
        "/keepalive",
        Some(json!({ "afterSecs": cfg.keepalive_after_secs })),
    )
    .await?;
    let status = view
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("not_connected")
        .to_owned();
    let now = worker::Date::now().as_millis();
    db::connection_index(
        db,
        org,
        &status,
        view.get("tenantId").and_then(Value::as_str),
        &time::iso(now),
    )
    .await?;
    if status != "connected" || !db::settings_read(db, org).await?.enabled {
        return Ok(());
    }
    let (last_poll, last_full) = db::sync_state(db, org).await?;
    let full = now.saturating_sub(last_full) >= cfg.full_reread_secs * 1000;
    let since = (!full && last_poll > 0)
        .then(|| time::xero_since(last_poll.saturating_sub(cfg.poll_overlap_secs * 1000)));
    let source = if full { "full" } else { "poll" };
    for (resource, kind, id_field) in [
        ("Invoices", "invoice", "InvoiceID"),
        ("CreditNotes", "creditNote", "CreditNoteID"),
    ] {
        for page in 1..=MAX_PAGES {
            let relayed = client::RelayRequest {
                method: "GET".into(),
                path: format!("/{resource}"),
                query: Some(format!("page={page}&pageSize={PAGE_SIZE}")),
                if_modified_since: since.clone(),
                ..client::RelayRequest::default()
            };
            let answer = client::relay(env, org, &relayed).await?;
            let ok = answer.status == 200;
            let records: Vec<Value> = if ok {
                serde_json::from_str::<Value>(&answer.body)
                    .ok()
                    .and_then(|v| v.get(resource).and_then(Value::as_array).cloned())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let at = time::iso(worker::Date::now().as_millis());
            let mut stmts = vec![db::log_insert(
                db,
                org,
                &LogRow {
                    at: at.clone(),
                    user_id: "cron".into(),
                    user_name: "Scheduled sync".into(),
                    action: format!("sync: GET {resource}"),
                    record_kind: kind.into(),
                    outcome: if ok || answer.status == 304 {
                        "ok"
                    } else {
                        "error"
                    }
                    .into(),
                    http_status: i64::from(answer.status),
                    message: if ok {
                        format!("HTTP 200: {} changed ({source})", records.len())
                    } else {
                        format!("HTTP {}", answer.status)
                    },
                    ..LogRow::default()
                },
            )?];
            for r in &records {
                let id = r.get(id_field).and_then(Value::as_str).unwrap_or("");
                if id.is_empty() {
                    continue;
                }
                let version = r
                    .get("UpdatedDateUTC")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let record: serde_json::Map<String, Value> = RECORD_FIELDS
                    .iter()
                    .filter_map(|f| r.get(*f).map(|v| ((*f).to_owned(), v.clone())))
                    .collect();
                // The version is Xero's UpdatedDateUTC alone: re-reads (overlap window, weekly full read) dedupe.
                let record = Value::Object(record);
                let change = db::NewChange {
                    kind,
                    xero_id: id,
                    source,
                    version: &version,
                    at: &at,
                    record: Some(&record),
                };
                stmts.push(db::change_insert(db, org, change)?);
            }
            db::run_batch(db, stmts).await?;
            if !ok {
                return Err(ProxyError::Upstream(format!(
                    "GET {resource} answered {}",
                    answer.status
                )));
            }
            if records.len() < PAGE_SIZE {
                break;
            }
        }
    }
    db::sync_state_write(db, org, now, if full { now } else { last_full }).await
}
