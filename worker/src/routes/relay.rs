//! `/xero/{Resource}[/{id}]`: the relay (rules X1, X2, C2, L1). Checks the call against the relay rules, hands
//! it to the organisation's connection object (limits, token, tenant), passes Xero's answer through, and logs
//! one row for the call plus one per record of a write's answer.

use serde::de::IgnoredAny;
use serde_json::Value;
use worker::Response;

use super::{internal, Call};
use crate::connection::client;
use crate::db::{self, LogRow};
use crate::error::ProxyError;
use crate::outcomes;
use crate::relay_rules::{self, MAX_BODY_BYTES};
use crate::xero::{Body, XeroAnswer};

/// Relays one call.
pub async fn relay(call: Call, path: String) -> Result<Response, ProxyError> {
    let method = call.req.method().to_string().to_ascii_uppercase();
    let url = call.req.url().map_err(internal)?;
    let query = url.query().map(str::to_owned);
    let header = |name: &str| call.req.headers().get(name).ok().flatten();
    let (idem, since, action_label) = (
        header("idempotency-key"),
        header("if-modified-since"),
        header("x-xerosync-action"),
    );
    let checked = relay_rules::check(
        &method,
        &path,
        query.as_deref(),
        idem.as_deref(),
        since.as_deref(),
    )?;
    let org = call.session.org.clone();
    // Rule C2 (enabled) is checked by the connection object, which mirrors the setting.
    let body = if checked.method == "GET" {
        None
    } else {
        let ct = header("content-type").unwrap_or_default();
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            return Err(ProxyError::invalid(
                "content-type",
                "writes must be application/json",
            ));
        }
        // Refused before reading: a body over Xero's own 3.5 MB never enters memory.
        super::body_cap(&call.req, MAX_BODY_BYTES as u64)?;
        // Read once, inside the runtime; that buffer is what goes on to the connection object and Xero. Rust gets
        // one copy, checked here for JSON without building it; it is parsed for the log after the answer.
        let body = Body::of_request(&call.req).await.map_err(internal)?;
        if body.len() > MAX_BODY_BYTES {
            return Err(ProxyError::PayloadTooLarge {
                limit: MAX_BODY_BYTES as u64,
            });
        }
        let bytes = body.bytes();
        // JSON text must not start with a byte order mark (RFC 8259 §8.1), and the body goes to Xero as it came:
        // refused rather than passed on for Xero to choke on.
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            return Err(ProxyError::invalid(
                "body",
                "starts with a byte order mark, which JSON must not",
            ));
        }
        serde_json::from_slice::<IgnoredAny>(&bytes)
            .map_err(|_| ProxyError::invalid("body", "not JSON"))?;
        Some((body, bytes))
    };
    let (body, request_bytes) = body.map_or((Body::none(), None), |(b, v)| (b, Some(v)));
    let relayed = client::RelayRequest {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        idempotency_key: idem.clone(),
        if_modified_since: since.clone(),
        body,
    };
    let action = action_label
        .filter(|a| {
            !a.is_empty()
                && a.len() <= 40
                && a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b" _-".contains(&b))
        })
        .map_or_else(
            || checked.action(),
            |a| format!("{a}: {}", checked.action()),
        );
    let result = client::relay(&call.env, &org, &relayed).await;
    let response = match &result {
        Ok(answer) => client::answer_response(answer).map_err(internal),
        Err(e) => Err(e.clone()),
    };
    // The row's time is the call's; everything else (parsing Xero's answer into per-record rows, binding and
    // writing them) happens after the answer has gone out, so the caller does not wait for the log. Every call
    // still gets its row: the work is registered with `wait_until` before the handler returns.
    let base = LogRow {
        at: crate::time::iso(worker::Date::now().as_millis()),
        user_id: call.session.sub.clone(),
        user_name: call.session.name.clone(),
        action,
        record_kind: outcomes::kind_of(checked.resource).to_owned(),
        xero_id: checked.id.clone().unwrap_or_default(),
        ..LogRow::default()
    };
    let env = call.env.clone();
    call.ctx.wait_until(async move {
        // Yield to the event loop first, so the answer goes out before the log rows are built and written.
        worker::Delay::from(std::time::Duration::from_millis(0)).await;
        let request_json = request_bytes.and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        let rows = log_rows(base, checked.resource, request_json.as_ref(), &result);
        if let Ok(db) = db::database(&env) {
            if let Err(e) = db::log_write(&db, &org, &rows).await {
                worker::console_error!("xero_log write failed: {e}");
            }
        }
    });
    response
}

/// The call's row (`base` carries time, user, action, kind and id) and, for a write's answer, one row per record.
fn log_rows(
    base: LogRow,
    resource: &str,
    request_json: Option<&Value>,
    result: &Result<XeroAnswer, ProxyError>,
) -> Vec<LogRow> {
    let mut rows = Vec::new();
    match result {
        Err(e) => rows.push(LogRow {
            outcome: "error".into(),
            message: format!("{}: {e}", e.code()),
            http_status: i64::from(e.status()),
            ..base
        }),
        Ok(answer) => {
            let text = answer.body.text();
            let parsed: Option<Value> = serde_json::from_str(&text).ok();
            let records = match (request_json, &parsed) {
                (Some(req), Some(ans)) => outcomes::of_write(resource, req, ans),
                _ => Vec::new(),
            };
            let ok = (200..300).contains(&answer.status);
            let failed = records.iter().filter(|r| r.outcome == "error").count();
            let message = if !ok {
                outcomes::error_message(answer.status, &text)
            } else if records.is_empty() {
                format!("HTTP {}", answer.status)
            } else {
                format!(
                    "HTTP {}: {} records, {} failed",
                    answer.status,
                    records.len(),
                    failed
                )
            };
            let outcome = if !ok {
                "error"
            } else if failed > 0 {
                "warning"
            } else {
                "ok"
            };
            rows.push(LogRow {
                outcome: outcome.into(),
                message,
                http_status: i64::from(answer.status),
                ..base.clone()
            });
            rows.extend(records.into_iter().map(|r| LogRow {
                record_kind: r.kind.to_owned(),
                crm_ref: r.crm_ref,
                xero_id: r.xero_id,
                outcome: r.outcome.to_owned(),
                message: r.message,
                http_status: i64::from(answer.status),
                ..base.clone()
            }));
        }
    }
    rows
}
