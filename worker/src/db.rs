//! D1 access: the `xero_log` (rule L1), settings (C2, T1), the connection index and the change feed (B1).
//! Every statement is bound, never formatted.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Env};

use crate::error::ProxyError;
use crate::settings::Settings;

fn d1(e: worker::Error) -> ProxyError {
    ProxyError::Internal(format!("D1: {e}"))
}

/// Every row of one bound statement, decoded (the `prepare → bind → all → results` chain, written once).
async fn all_rows<T: serde::de::DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[JsValue],
) -> Result<Vec<T>, ProxyError> {
    db.prepare(sql)
        .bind(args)
        .map_err(d1)?
        .all()
        .await
        .map_err(d1)?
        .results()
        .map_err(d1)
}

/// The database binding.
pub fn database(env: &Env) -> Result<D1Database, ProxyError> {
    env.d1("DB").map_err(d1)
}

/// One log row (rule L1): the proxy contract's, as `GET /log` answers it.
pub use xerosync_core::proxy_contract::LogRow;

#[derive(Deserialize)]
struct DbLogRow {
    id: i64,
    at: String,
    user_id: String,
    user_name: String,
    action: String,
    record_kind: String,
    crm_ref: String,
    xero_id: String,
    outcome: String,
    http_status: i64,
    message: String,
}

/// The insert statement of one log row.
pub fn log_insert(
    db: &D1Database,
    org: &str,
    row: &LogRow,
) -> Result<D1PreparedStatement, ProxyError> {
    db.prepare(
        "INSERT INTO xero_log (org, at, user_id, user_name, action, record_kind, crm_ref, xero_id, outcome, http_status, message) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .bind(&[
        org.into(),
        row.at.as_str().into(),
        row.user_id.as_str().into(),
        row.user_name.as_str().into(),
        row.action.as_str().into(),
        row.record_kind.as_str().into(),
        row.crm_ref.as_str().into(),
        row.xero_id.as_str().into(),
        row.outcome.as_str().into(),
        JsValue::from_f64(row.http_status as f64),
        row.message.as_str().into(),
    ])
    .map_err(d1)
}

/// D1 binds at most this many parameters a statement.
const D1_MAX_PARAMS: usize = 100;

/// The `xero_log` columns every insert names, in the order of its tuples.
const LOG_COLUMNS: &str =
    "org, at, user_id, user_name, action, record_kind, crm_ref, xero_id, outcome, http_status, message";

/// Rows one multi-row insert takes: `shared` parameters bound once, `per_row` for each row.
const fn rows_per_insert(shared: usize, per_row: usize) -> usize {
    (D1_MAX_PARAMS - shared) / per_row
}

/// One multi-row insert into `xero_log` (one row: [`log_insert`]): `shared` bound once as `?1…`, then each row's values; `tuple(n)` writes a
/// row's VALUES tuple whose own parameters start at `?n`. Only placeholders are formatted; every value is bound.
fn log_insert_rows(
    db: &D1Database,
    shared: Vec<JsValue>,
    rows: Vec<Vec<JsValue>>,
    tuple: impl Fn(usize) -> String,
) -> Result<D1PreparedStatement, ProxyError> {
    let first = shared.len() + 1;
    let per_row = rows.first().map_or(0, Vec::len);
    let values: Vec<String> = (0..rows.len())
        .map(|i| tuple(first + per_row * i))
        .collect();
    let sql = format!(
        "INSERT INTO xero_log ({LOG_COLUMNS}) VALUES {}",
        values.join(", ")
    );
    let mut args = shared;
    args.extend(rows.into_iter().flatten());
    db.prepare(&sql).bind(&args).map_err(d1)
}

/// Writes log rows in one batch, in order, as multi-row inserts: rows that share time, user, action and HTTP
/// status (a call's row and its records' rows: 6 parameters bound once, 5 a row) go 18 to a statement, so a
/// 50-invoice write is 3 statements, not 51.
pub async fn log_write(db: &D1Database, org: &str, rows: &[LogRow]) -> Result<(), ProxyError> {
    let shared = |a: &LogRow, b: &LogRow| {
        a.at == b.at
            && a.user_id == b.user_id
            && a.user_name == b.user_name
            && a.action == b.action
            && a.http_status == b.http_status
    };
    let mut stmts = Vec::new();
    let mut rest = rows;
    while let Some(first) = rest.first() {
        let n = rest
            .iter()
            .take(rows_per_insert(6, 5))
            .take_while(|r| shared(first, r))
            .count();
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        let common = vec![
            org.into(),
            first.at.as_str().into(),
            first.user_id.as_str().into(),
            first.user_name.as_str().into(),
            first.action.as_str().into(),
            JsValue::from_f64(first.http_status as f64),
        ];
        let own = chunk
            .iter()
            .map(|r| {
                vec![
                    r.record_kind.as_str().into(),
                    r.crm_ref.as_str().into(),
                    r.xero_id.as_str().into(),
                    r.outcome.as_str().into(),
                    r.message.as_str().into(),
                ]
            })
            .collect();
        stmts.push(log_insert_rows(db, common, own, |n| {
            format!(
                "(?1, ?2, ?3, ?4, ?5, ?{n}, ?{}, ?{}, ?{}, ?6, ?{})",
                n + 1,
                n + 2,
                n + 3,
                n + 4
            )
        })?);
    }
    if !stmts.is_empty() {
        db.batch(stmts).await.map_err(d1)?;
    }
    Ok(())
}

/// Rule L1a: writes a refusal report as `xero_log` rows (outcome `refused`, no Xero id, no HTTP status) in one
/// batch of multi-row inserts (6 parameters bound once, 3 a row: 31 rows a statement), so a 500-entry report is 17
/// statements, not 500 (D1 counts queries per invocation).
pub async fn refusals_write(
    db: &D1Database,
    org: &str,
    base: &LogRow,
    rows: &[(String, String, String)],
) -> Result<(), ProxyError> {
    let mut stmts = Vec::new();
    for chunk in rows.chunks(rows_per_insert(6, 3)) {
        let common = vec![
            org.into(),
            base.at.as_str().into(),
            base.user_id.as_str().into(),
            base.user_name.as_str().into(),
            base.action.as_str().into(),
            base.outcome.as_str().into(),
        ];
        let own = chunk
            .iter()
            .map(|(kind, crm_ref, message)| {
                vec![
                    kind.as_str().into(),
                    crm_ref.as_str().into(),
                    message.as_str().into(),
                ]
            })
            .collect();
        stmts.push(log_insert_rows(db, common, own, |n| {
            format!(
                "(?1, ?2, ?3, ?4, ?5, ?{n}, ?{}, '', ?6, 0, ?{})",
                n + 1,
                n + 2
            )
        })?);
    }
    if !stmts.is_empty() {
        db.batch(stmts).await.map_err(d1)?;
    }
    Ok(())
}

/// Filters of `/log` (the core's proxy contract: the client builds the query the proxy reads). Each one is served by
/// an index of `migrations/0003_log_indexes.sql` (with `org`, ordered by `id`), except `action_contains`, a
/// case-insensitive substring match for the page's "Action contains" box, which filters the rows the `(org, id)`
/// index walks.
pub use xerosync_core::proxy_contract::LogFilter;

/// One page of log rows, newest first: rows with `id < before` (all rows without it), at most `limit`, and the
/// key of the next page (`None` at the end). Paged by key, never by offset: every page costs the same, however
/// deep, and rows written meanwhile neither repeat nor shift a row out of the next page.
pub async fn log_read(
    db: &D1Database,
    org: &str,
    f: &LogFilter,
    before: Option<i64>,
    limit: u32,
) -> Result<(Vec<LogRow>, Option<i64>), ProxyError> {
    let mut clauses = vec!["org = ?1".to_owned()];
    let mut args: Vec<JsValue> = vec![org.into()];
    let mut add = |sql: &str, v: Option<JsValue>| {
        if let Some(v) = v {
            args.push(v);
            clauses.push(format!("{sql} ?{}", args.len()));
        }
    };
    let text = |v: &Option<String>| v.as_deref().map(JsValue::from);
    add("at >=", text(&f.from));
    add("at <", text(&f.to));
    add("user_id =", text(&f.user));
    add("action =", text(&f.action));
    add("outcome =", text(&f.outcome));
    add("record_kind =", text(&f.kind));
    add("crm_ref =", text(&f.crm_ref));
    add("xero_id =", text(&f.xero_id));
    add("id <", before.map(|b| JsValue::from_f64(b as f64)));
    if let Some(part) = &f.action_contains {
        // instr, not LIKE: the caller's `%` and `_` are plain characters, nothing to escape.
        args.push(part.to_lowercase().into());
        clauses.push(format!("instr(lower(action), ?{}) > 0", args.len()));
    }
    // One row more than asked says whether there is a next page, without a COUNT(*) over the log.
    args.push(JsValue::from_f64(f64::from(limit) + 1.0));
    let sql = format!(
        "SELECT * FROM xero_log WHERE {} ORDER BY id DESC LIMIT ?{}",
        clauses.join(" AND "),
        args.len()
    );
    let mut rows: Vec<DbLogRow> = all_rows(db, &sql, &args).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let rows = rows
        .into_iter()
        .map(|r| LogRow {
            id: r.id,
            at: r.at,
            user_id: r.user_id,
            user_name: r.user_name,
            action: r.action,
            record_kind: r.record_kind,
            crm_ref: r.crm_ref,
            xero_id: r.xero_id,
            outcome: r.outcome,
            http_status: r.http_status,
            message: r.message,
        })
        .collect();
    Ok((rows, next))
}

/// Tables retention prunes by age (their `at` column, ISO, indexed by `migrations/0003_log_indexes.sql`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aged {
    /// `xero_log` (rule L1).
    Log,
    /// The change feed (rule B1).
    Changes,
}

/// Deletes up to `limit` rows written before `cutoff` (ISO), oldest first; answers how many went. One bounded
/// statement, so a long backlog is worked off over several calls without one huge transaction.
pub async fn delete_older(
    db: &D1Database,
    table: Aged,
    cutoff: &str,
    limit: u32,
) -> Result<u64, ProxyError> {
    // Fixed statements per table (table names cannot be bound); the values are bound.
    let sql = match table {
        Aged::Log => {
            "DELETE FROM xero_log WHERE id IN (SELECT id FROM xero_log WHERE at < ?1 ORDER BY at LIMIT ?2)"
        }
        Aged::Changes => {
            "DELETE FROM changes WHERE seq IN (SELECT seq FROM changes WHERE at < ?1 ORDER BY at LIMIT ?2)"
        }
    };
    let result = db
        .prepare(sql)
        .bind(&[cutoff.into(), JsValue::from_f64(f64::from(limit))])
        .map_err(d1)?
        .run()
        .await
        .map_err(d1)?;
    let changed = result.meta().map_err(d1)?.and_then(|m| m.changes);
    Ok(changed.unwrap_or(0) as u64)
}

/// An organisation's settings (defaults when none were saved).
pub async fn settings_read(db: &D1Database, org: &str) -> Result<Settings, ProxyError> {
    let body: Option<String> = db
        .prepare("SELECT body FROM settings WHERE org = ?1")
        .bind(&[org.into()])
        .map_err(d1)?
        .first(Some("body"))
        .await
        .map_err(d1)?;
    match body {
        Some(b) => crate::settings::from_stored(&b),
        None => Ok(Settings::default()),
    }
}

/// Saves an organisation's settings.
pub async fn settings_write(
    db: &D1Database,
    org: &str,
    s: &Settings,
    by: &str,
    at: &str,
) -> Result<(), ProxyError> {
    let body = serde_json::to_string(s).map_err(|e| ProxyError::Internal(e.to_string()))?;
    db.prepare(
        "INSERT INTO settings (org, body, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (org) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(&[org.into(), body.into(), at.into(), by.into()])
    .map_err(d1)?
    .run()
    .await
    .map_err(d1)?;
    Ok(())
}

/// Records where an organisation's connection stands (for the safety net and webhooks).
pub async fn connection_index(
    db: &D1Database,
    org: &str,
    status: &str,
    tenant_id: Option<&str>,
    at: &str,
) -> Result<(), ProxyError> {
    connection_index_upsert(db, org, status, tenant_id, at)?
        .run()
        .await
        .map_err(d1)?;
    Ok(())
}

/// The statement of [`connection_index`], for a batch.
pub fn connection_index_upsert(
    db: &D1Database,
    org: &str,
    status: &str,
    tenant_id: Option<&str>,
    at: &str,
) -> Result<D1PreparedStatement, ProxyError> {
    let tenant: JsValue = tenant_id.map_or(JsValue::NULL, JsValue::from);
    db.prepare(
        "INSERT INTO connections (org, tenant_id, status, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (org) DO UPDATE SET tenant_id = excluded.tenant_id, status = excluded.status, updated_at = excluded.updated_at",
    )
    .bind(&[org.into(), tenant, status.into(), at.into()])
    .map_err(d1)
}

#[derive(Deserialize)]
struct OrgRow {
    org: String,
}

/// Organisations the index says hold tokens (connected or picking) whose alarm is overdue: its mirrored next
/// alarm is before `before_ms`, or was never recorded. Oldest first, at most `limit`.
pub async fn orgs_with_overdue_alarm(
    db: &D1Database,
    before_ms: u64,
    limit: u32,
) -> Result<Vec<String>, ProxyError> {
    let rows: Vec<OrgRow> = all_rows(db, "SELECT c.org AS org FROM connections c LEFT JOIN sync_state s ON s.org = c.org \
             WHERE c.status IN ('connected', 'pick_required') AND COALESCE(s.next_alarm_ms, 0) < ?1 \
             ORDER BY COALESCE(s.next_alarm_ms, 0), c.org LIMIT ?2", &[
            JsValue::from_f64(before_ms as f64),
            JsValue::from_f64(f64::from(limit)),
        ]).await?;
    Ok(rows.into_iter().map(|r| r.org).collect())
}

/// Binds `tenant_id` to `org` unless another CRM organisation holds it (rule C7): the first claim wins, atomically
/// (`tenant_id` is the primary key). Answers the holder after the claim: `org` itself when the claim stands.
pub async fn binding_claim(
    db: &D1Database,
    tenant_id: &str,
    org: &str,
    at: &str,
) -> Result<String, ProxyError> {
    let claim = db
        .prepare(
            "INSERT INTO tenant_bindings (tenant_id, org, bound_at) VALUES (?1, ?2, ?3) ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(&[tenant_id.into(), org.into(), at.into()])
        .map_err(d1)?;
    let holder = db
        .prepare("SELECT org FROM tenant_bindings WHERE tenant_id = ?1")
        .bind(&[tenant_id.into()])
        .map_err(d1)?;
    let results = db.batch(vec![claim, holder]).await.map_err(d1)?;
    let rows: Vec<OrgRow> = results
        .get(1)
        .ok_or_else(|| ProxyError::Internal("D1: batch answered short".into()))?
        .results()
        .map_err(d1)?;
    rows.into_iter()
        .next()
        .map(|r| r.org)
        .ok_or_else(|| ProxyError::Internal("D1: binding vanished".into()))
}

/// Releases `org`'s bindings, all of them or all but `keep`.
pub async fn binding_release(
    db: &D1Database,
    org: &str,
    keep: Option<&str>,
) -> Result<(), ProxyError> {
    let stmt = match keep {
        Some(t) => db
            .prepare("DELETE FROM tenant_bindings WHERE org = ?1 AND tenant_id != ?2")
            .bind(&[org.into(), t.into()]),
        None => db
            .prepare("DELETE FROM tenant_bindings WHERE org = ?1")
            .bind(&[org.into()]),
    };
    stmt.map_err(d1)?.run().await.map_err(d1)?;
    Ok(())
}

/// The bindings of some tenants, as `(tenant_id, org)`.
pub async fn bindings_of(
    db: &D1Database,
    tenant_ids: &[&str],
) -> Result<Vec<(String, String)>, ProxyError> {
    #[derive(Deserialize)]
    struct Row {
        tenant_id: String,
        org: String,
    }
    if tenant_ids.is_empty() {
        return Ok(Vec::new());
    }
    // One statement per 90 tenants (D1 binds at most 100 parameters); a delivery or a consent names a handful.
    let mut found = Vec::new();
    for chunk in tenant_ids.chunks(90) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
        let args: Vec<JsValue> = chunk.iter().map(|t| JsValue::from(*t)).collect();
        let rows: Vec<Row> = all_rows(
            db,
            &format!(
                "SELECT tenant_id, org FROM tenant_bindings WHERE tenant_id IN ({})",
                marks.join(", ")
            ),
            &args,
        )
        .await?;
        found.extend(rows);
    }
    let rows = found;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.org)).collect())
}

/// The statement mirroring an organisation's poll progress and next alarm (ms; 0 = none) into `sync_state`.
pub fn sync_state_upsert(
    db: &D1Database,
    org: &str,
    poll_ms: u64,
    full_ms: u64,
    next_alarm_ms: u64,
) -> Result<D1PreparedStatement, ProxyError> {
    db.prepare(
        "INSERT INTO sync_state (org, last_poll_ms, last_full_ms, next_alarm_ms) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (org) DO UPDATE SET last_poll_ms = excluded.last_poll_ms, last_full_ms = excluded.last_full_ms, \
         next_alarm_ms = excluded.next_alarm_ms",
    )
    .bind(&[
        org.into(),
        JsValue::from_f64(poll_ms as f64),
        JsValue::from_f64(full_ms as f64),
        JsValue::from_f64(next_alarm_ms as f64),
    ])
    .map_err(d1)
}

/// One entry of the change feed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Cursor position.
    pub seq: i64,
    /// `invoice`, `creditNote` or `contact`.
    pub kind: String,
    /// Xero id.
    pub xero_id: String,
    /// `webhook`, `poll` or `full`.
    pub source: String,
    /// When it was recorded.
    pub at: String,
    /// The balance fields read from Xero (absent for webhook entries: read the record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<Value>,
}

/// A change to record.
#[derive(Debug, Clone, Copy)]
pub struct NewChange<'a> {
    /// `invoice`, `creditNote` or `contact`.
    pub kind: &'a str,
    /// Xero id.
    pub xero_id: &'a str,
    /// `webhook`, `poll` or `full`.
    pub source: &'a str,
    /// What makes this change distinct (re-reads of the same version are ignored).
    pub version: &'a str,
    /// When it was recorded (ISO).
    pub at: &'a str,
    /// Balance fields, when read.
    pub record: Option<&'a Value>,
}

/// The insert of one change (ignored when this version is already in the feed).
pub fn change_insert(
    db: &D1Database,
    org: &str,
    c: NewChange<'_>,
) -> Result<D1PreparedStatement, ProxyError> {
    let rec: JsValue = c
        .record
        .map_or(JsValue::NULL, |r| JsValue::from(r.to_string()));
    db.prepare("INSERT OR IGNORE INTO changes (org, kind, xero_id, source, version, at, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(&[org.into(), c.kind.into(), c.xero_id.into(), c.source.into(), c.version.into(), c.at.into(), rec])
        .map_err(d1)
}

/// Runs statements in batches.
pub async fn run_batch(db: &D1Database, stmts: Vec<D1PreparedStatement>) -> Result<(), ProxyError> {
    let mut stmts = stmts;
    while !stmts.is_empty() {
        let rest = stmts.split_off(stmts.len().min(50));
        db.batch(stmts).await.map_err(d1)?;
        stmts = rest;
    }
    Ok(())
}

/// Changes after a cursor (a key: `seq`, never an offset), oldest first, at most `limit`, and whether more
/// follow (one row more is read to know, so `more` is never a false promise of an empty page).
pub async fn changes_after(
    db: &D1Database,
    org: &str,
    after: i64,
    limit: u32,
) -> Result<(Vec<Change>, bool), ProxyError> {
    #[derive(Deserialize)]
    struct Row {
        seq: i64,
        kind: String,
        xero_id: String,
        source: String,
        at: String,
        record: Option<String>,
    }
    let mut rows: Vec<Row> = all_rows(db, "SELECT seq, kind, xero_id, source, at, record FROM changes WHERE org = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3", &[org.into(), JsValue::from_f64(after as f64), JsValue::from_f64(f64::from(limit) + 1.0)]).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let changes = rows
        .into_iter()
        .map(|r| Change {
            seq: r.seq,
            kind: r.kind,
            xero_id: r.xero_id,
            source: r.source,
            at: r.at,
            record: r.record.and_then(|t| serde_json::from_str(&t).ok()),
        })
        .collect();
    Ok((changes, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// D1's 100 bound parameters: a call's log rows go 18 to an insert, a refusal report's 31.
    #[test]
    fn rows_per_insert_stay_within_d1s_parameters() {
        assert_eq!(rows_per_insert(6, 5), 18);
        assert_eq!(rows_per_insert(6, 3), 31);
        for (shared, per_row) in [(6, 5), (6, 3)] {
            let rows = rows_per_insert(shared, per_row);
            assert!(shared + rows * per_row <= D1_MAX_PARAMS);
            assert!(shared + (rows + 1) * per_row > D1_MAX_PARAMS);
        }
    }
}
