//! `GET /settings` and `PUT /settings` (rules C2, T1, S6, B2): one record per CRM organisation, shared by its
//! users. The tax mapping screen reads Xero's rates through `GET /xero/TaxRates`.

use serde_json::json;

use super::{json_body, json_response, Call};
use crate::connection::client;
use crate::db;
use crate::error::ProxyError;

/// Reads the settings.
pub async fn read(call: Call) -> Result<worker::Response, ProxyError> {
    let s = db::settings_read(&db::database(&call.env)?, &call.session.org).await?;
    json_response(200, &s)
}

/// Replaces the settings.
pub async fn write(mut call: Call) -> Result<worker::Response, ProxyError> {
    let s = crate::settings::from_json(json_body(&mut call.req).await?)?;
    // The connection object mirrors `enabled` so the relay needs no D1 read (rule C2).
    let enabled = Some(json!({ "enabled": s.enabled }));
    client::call::<serde_json::Value>(&call.env, &call.session.org, "/enabled", enabled).await?;
    let at = crate::time::iso(worker::Date::now().as_millis());
    db::settings_write(
        &db::database(&call.env)?,
        &call.session.org,
        &s,
        &call.session.sub,
        &at,
    )
    .await?;
    json_response(200, &s)
}
