//! `GET /changes?after=<cursor>&limit=` (rule B1): the change feed the page (or the CRM's back end) pulls and
//! applies with the rules of U2-U5. The cursor is the last `seq` seen; `0` starts from the beginning.

use serde_json::json;

use super::{internal, json_response, Call};
use crate::db;
use crate::error::ProxyError;

/// Reads changes after the cursor.
pub async fn read(call: Call) -> Result<worker::Response, ProxyError> {
    let url = call.req.url().map_err(internal)?;
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    let after = match q("after") {
        None => 0,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| ProxyError::invalid("after", "expected a cursor (a number ≥ 0)"))?,
    };
    let limit = match q("limit") {
        None => 100,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ProxyError::invalid("limit", "expected 1-1000"))?,
    };
    let (changes, more) =
        db::changes_after(&db::database(&call.env)?, &call.session.org, after, limit).await?;
    let cursor = changes.last().map_or(after, |c| c.seq);
    json_response(
        200,
        &json!({ "changes": changes, "cursor": cursor, "more": more }),
    )
}
