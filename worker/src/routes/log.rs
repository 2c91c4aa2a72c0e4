//! `GET /log` (rule L1): the organisation's `xero_log`, newest first, with filters (`from`, `to`, `user`,
//! `action`, `outcome`, `kind`, `ref`, `xeroId`), paging (`page`, `pageSize` ≤ 500) and `format=csv`.

use serde_json::json;
use worker::Response;

use super::{internal, json_response, Call};
use crate::csv;
use crate::db::{self, LogFilter};
use crate::error::ProxyError;

const CSV_MAX_ROWS: u32 = 10_000;

/// Reads the log.
pub async fn read(call: Call) -> Result<Response, ProxyError> {
    let url = call.req.url().map_err(internal)?;
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    };
    let number = |k: &str, default: u32, max: u32| -> Result<u32, ProxyError> {
        match q(k) {
            None => Ok(default),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| ProxyError::invalid(k, format!("expected 1-{max}"))),
        }
    };
    let filter = LogFilter {
        from: q("from"),
        to: q("to"),
        user: q("user"),
        action: q("action"),
        outcome: q("outcome"),
        kind: q("kind"),
        crm_ref: q("ref"),
        xero_id: q("xeroId"),
    };
    let db = db::database(&call.env)?;
    if q("format").as_deref() == Some("csv") {
        let (rows, _) = db::log_read(&db, &call.session.org, &filter, CSV_MAX_ROWS, 0).await?;
        let mut out = csv::line(&[
            "time",
            "user",
            "user name",
            "action",
            "record kind",
            "CRM reference",
            "Xero id",
            "outcome",
            "HTTP status",
            "message",
        ]);
        for r in rows {
            out.push_str(&csv::line(&[
                r.at,
                r.user_id,
                r.user_name,
                r.action,
                r.record_kind,
                r.crm_ref,
                r.xero_id,
                r.outcome,
                r.http_status.to_string(),
                r.message,
            ]));
        }
        let mut resp = Response::ok(out).map_err(internal)?;
        resp.headers_mut()
            .set("content-type", "text/csv; charset=utf-8")
            .map_err(internal)?;
        resp.headers_mut()
            .set(
                "content-disposition",
                "attachment; filename=\"xero_log.csv\"",
            )
            .map_err(internal)?;
        return Ok(resp);
    }
    let page = number("page", 1, 1_000_000)?;
    let page_size = number("pageSize", 50, 500)?;
    let (rows, total) = db::log_read(
        &db,
        &call.session.org,
        &filter,
        page_size,
        (page - 1) * page_size,
    )
    .await?;
    json_response(
        200,
        &json!({ "rows": rows, "page": page, "pageSize": page_size, "total": total }),
    )
}
