//! `POST /webhooks/xero` (rule B1): verifies `x-xero-signature` over the raw body in constant time (401 with an
//! empty body when wrong, empty 200 when right) and records the changed records in the change feed of the CRM
//! organisation each tenant is bound to (one D1 look-up per delivery).

use worker::{Env, Request, Response};

use super::internal;
use crate::config::Config;
use crate::db;
use crate::error::ProxyError;
use crate::webhook;

/// Receives one delivery.
pub async fn receive(mut req: Request, env: &Env) -> Result<Response, ProxyError> {
    let key = Config::webhook_key(env)?;
    super::body_cap(&req, super::WEBHOOK_BODY_CAP)?;
    let body = req.bytes().await.map_err(internal)?;
    let sig = req.headers().get("x-xero-signature").ok().flatten();
    if webhook::verify(&key, &body, sig.as_deref()).is_err() {
        return Ok(Response::empty().map_err(internal)?.with_status(401));
    }
    let records = webhook::changed_records(&body).unwrap_or_default();
    let db = db::database(env)?;
    let at = crate::time::iso(worker::Date::now().as_millis());
    // One look-up for the whole delivery: the CRM organisation bound to each tenant (rule C7: at most one).
    let mut tenants: Vec<&str> = records.iter().map(|r| r.tenant_id.as_str()).collect();
    tenants.sort_unstable();
    tenants.dedup();
    let bindings = db::bindings_of(&db, &tenants).await?;
    let mut stmts = Vec::new();
    for r in &records {
        let Some((_, org)) = bindings.iter().find(|(t, _)| *t == r.tenant_id) else {
            continue;
        };
        let version = format!("webhook:{}:{}", r.event, r.at);
        let change = db::NewChange {
            kind: r.kind,
            xero_id: &r.xero_id,
            source: "webhook",
            version: &version,
            at: &at,
            record: None,
        };
        stmts.push(db::change_insert(&db, org, change)?);
    }
    db::run_batch(&db, stmts).await?;
    Response::empty()
        .map_err(internal)
        .map(|r| r.with_status(200))
}
