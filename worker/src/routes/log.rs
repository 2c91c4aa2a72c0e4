//! `GET /log` (rule L1): the organisation's `xero_log`, newest first, with filters (`from`, `to`, `user`,
//! `action`, `actionContains`, `outcome`, `kind`, `ref`, `xeroId`), paged by key, and `format=csv`.
//!
//! Paging: `?before=<id>&pageSize=<1-500>` answers `{ rows, nextBefore }`; `nextBefore` is the `before` of the next
//! (older) page, `null` at the end. No total: a `COUNT(*)` over a year of log is a scan the page never needed.
//!
//! CSV: every matching row (from `before`, when given), read in key-ordered pages of [`CSV_PAGE`] and streamed,
//! up to [`CSV_MAX_ROWS`]; a longer export ends with a line that says it was cut and where to go on from.

use futures_util::{stream, StreamExt};
use worker::{D1Database, Response};

use super::{internal, json_response, Call};
use crate::db::{self, LogFilter, LogRow};
use crate::error::ProxyError;
use xerosync_core::csv;
use xerosync_core::proxy_contract::LogPage;

/// Rows read per statement of a CSV export.
pub const CSV_PAGE: u32 = 1_000;
/// The most rows one CSV export carries (about 20-30 MB): beyond it, narrow the filters or go on with `before`.
pub const CSV_MAX_ROWS: u32 = 100_000;

const CSV_HEADER: [&str; 10] = [
    "Time",
    "User id",
    "User name",
    "Action",
    "Record kind",
    "CRM reference",
    "Xero id",
    "Outcome",
    "HTTP status",
    "Message",
];

/// Reads the log.
pub async fn read(call: Call) -> Result<Response, ProxyError> {
    let url = call.req.url().map_err(internal)?;
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    };
    if q("page").is_some() {
        return Err(ProxyError::invalid(
            "page",
            "the log is paged by key: use before=<nextBefore of the previous page>",
        ));
    }
    let before =
        match q("before") {
            None => None,
            Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ProxyError::invalid("before", "expected a row id (a number ≥ 1)")
            })?),
        };
    let page_size = match q("pageSize") {
        None => 50,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| ProxyError::invalid("pageSize", "expected 1-500"))?,
    };
    let filter = LogFilter::from_query(q);
    let db = db::database(&call.env)?;
    if q("format").as_deref() == Some("csv") {
        return export(db, call.session.org, filter, before).await;
    }
    let (rows, next_before) =
        db::log_read(&db, &call.session.org, &filter, before, page_size).await?;
    json_response(
        200,
        &LogPage {
            rows,
            next_before,
            page_size,
        },
    )
}

/// Where a CSV export stands between two pages.
struct Export {
    db: D1Database,
    org: String,
    filter: LogFilter,
    /// The next page's key; `None` once the last page was written.
    next: Option<i64>,
    /// Rows written so far.
    written: u32,
}

/// The CSV answer. The first page is read before answering, so a failing database is a JSON error, not a cut file;
/// the rest is streamed a page at a time, so memory stays at one page whatever the size of the export.
async fn export(
    db: D1Database,
    org: String,
    filter: LogFilter,
    before: Option<i64>,
) -> Result<Response, ProxyError> {
    let (rows, next) = db::log_read(&db, &org, &filter, before, CSV_PAGE).await?;
    let mut head = csv::start(&CSV_HEADER);
    write_rows(&mut head, &rows);
    let state = Export {
        db,
        org,
        filter,
        next,
        written: rows.len() as u32,
    };
    let rest = stream::unfold(Some(state), |state| async move {
        let mut s = state?;
        let before = s.next?;
        if s.written >= CSV_MAX_ROWS {
            let note = format!(
                "Export cut at {CSV_MAX_ROWS} rows; older rows follow with before={before} (or narrower filters)"
            );
            let mut cells = vec![note];
            cells.resize(CSV_HEADER.len(), String::new());
            return Some((Ok(csv::line(&cells).into_bytes()), None));
        }
        let want = CSV_PAGE.min(CSV_MAX_ROWS - s.written);
        match db::log_read(&s.db, &s.org, &s.filter, Some(before), want).await {
            Ok((rows, next)) => {
                let mut chunk = String::new();
                write_rows(&mut chunk, &rows);
                s.written += rows.len() as u32;
                s.next = next;
                Some((Ok(chunk.into_bytes()), Some(s)))
            }
            // Headers are gone: the download ends short, and the error is in the Worker's log (no token in it).
            Err(e) => {
                worker::console_error!("log export failed: {e}");
                Some((Err(worker::Error::RustError(e.code().into())), None))
            }
        }
    });
    let body = stream::iter([Ok::<_, worker::Error>(head.into_bytes())]).chain(rest);
    let mut resp = Response::from_stream(body).map_err(internal)?;
    let day = &crate::time::iso(worker::Date::now().as_millis())[..10];
    let headers = resp.headers_mut();
    headers
        .set("content-type", "text/csv; charset=utf-8")
        .map_err(internal)?;
    headers
        .set(
            "content-disposition",
            &format!("attachment; filename=\"xero-log-{day}.csv\""),
        )
        .map_err(internal)?;
    Ok(resp)
}

fn write_rows(out: &mut String, rows: &[LogRow]) {
    for r in rows {
        out.push_str(&csv::line(&[
            r.at.as_str(),
            &r.user_id,
            &r.user_name,
            &r.action,
            &r.record_kind,
            &r.crm_ref,
            &r.xero_id,
            &r.outcome,
            &r.http_status.to_string(),
            &r.message,
        ]));
    }
}
