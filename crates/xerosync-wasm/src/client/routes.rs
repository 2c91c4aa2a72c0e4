//! `XeroClient`'s calls to the proxy's own routes (issue 12: the whole proxy in the package, so a CRM page writes
//! none of it): the connection (rules C3, C6, C7), the shared settings (C2, T1, S6, B2) and the log (L1). The
//! paths, statuses and filters are the core's proxy contract; this only fetches.

use super::js::{error, json_field, to_js};
use super::{core, Inner};
use gloo_net::http::Method;
use serde_json::{json, Value};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use xerosync_core::proxy_contract::{can_sync, routes, ConnectionStatus, LogFilter};

/// Rule C6 (and C7): `{ status, enabled, canSync, autoSend, tenantId?, tenantName?, reason?, organisations }`;
/// `organisations` lists what this consent granted when one is to be picked or is connected.
pub async fn connection(inner: Rc<Inner>) -> Result<JsValue, JsValue> {
    to_js(&connection_view(&inner).await?)
}

async fn connection_view(inner: &Inner) -> Result<Value, JsValue> {
    let proxy = &inner.proxy;
    let mut out = proxy.get_json(routes::CONNECTION, None).await?;
    let settings = proxy.get_json(routes::SETTINGS, None).await?;
    let enabled = settings
        .get("enabled")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let status = out
        .get("status")
        .and_then(Value::as_str)
        .and_then(ConnectionStatus::parse);
    let organisations = match status {
        Some(ConnectionStatus::PickRequired | ConnectionStatus::Connected) => {
            let listed = proxy.get_json(routes::CONNECTIONS, None).await?;
            listed
                .get("tenants")
                .and_then(Value::as_array)
                .map(|tenants| {
                    tenants
                        .iter()
                        .map(|t| json!({ "tenantId": t["tenantId"], "name": t.get("tenantName").filter(|n| n.is_string()).unwrap_or(&t["tenantId"]) }))
                        .collect()
                })
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    out["enabled"] = Value::Bool(enabled);
    out["canSync"] = Value::Bool(can_sync(enabled, status));
    out["autoSend"] = settings
        .get("autoSend")
        .cloned()
        .unwrap_or(Value::Bool(false));
    out["organisations"] = Value::Array(organisations);
    Ok(out)
}

/// Rule C3: a one-use ticket URL that starts the OAuth flow (the session never goes in a URL); the page
/// navigates to it. `{ returnTo? }`: where Xero's consent comes back to.
pub async fn connect_url(inner: Rc<Inner>, options: JsValue) -> Result<JsValue, JsValue> {
    let body = match json_field(&options, "returnTo")? {
        Value::String(back) => json!({ "return": back }),
        _ => json!({}),
    };
    let answer = inner
        .proxy
        .send_json(Method::POST, routes::TICKET, &body)
        .await?;
    let url = answer
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| error(crate::error::PROXY_ERROR, "the proxy's ticket has no url"))?;
    Ok(JsValue::from_str(url))
}

/// Rule C3: disconnects (the proxy revokes Xero's tokens); the connection as it is then.
pub async fn disconnect(inner: Rc<Inner>) -> Result<JsValue, JsValue> {
    inner
        .proxy
        .send_json(Method::POST, routes::DISCONNECT, &json!({}))
        .await?;
    connection(inner).await
}

/// Rule C7: picks the organisation every call goes to; the connection as it is then.
pub async fn select_organisation(inner: Rc<Inner>, tenant: JsValue) -> Result<JsValue, JsValue> {
    let tenant = tenant
        .as_string()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            error(
                "invalid_options",
                "tenantId: expected the organisation's id",
            )
        })?;
    inner
        .proxy
        .send_json(Method::POST, routes::SELECT, &json!({ "tenantId": tenant }))
        .await?;
    connection(inner).await
}

/// The organisation's shared settings as the proxy keeps them.
pub async fn settings(inner: Rc<Inner>) -> Result<JsValue, JsValue> {
    to_js(&inner.proxy.get_json(routes::SETTINGS, None).await?)
}

/// Stores the shared settings (`{ enabled, taxMapping, discountStrategy, autoSend, defaultSalesAccountCode? }`);
/// the proxy checks them and names a bad field.
pub async fn save_settings(inner: Rc<Inner>, settings: JsValue) -> Result<JsValue, JsValue> {
    let settings = crate::convert::json("settings", settings)?;
    to_js(
        &inner
            .proxy
            .send_json(Method::PUT, routes::SETTINGS, &settings)
            .await?,
    )
}

fn log_filter(filters: &JsValue) -> Result<LogFilter, JsValue> {
    let value = crate::convert::json("filters", filters.clone())?;
    if value.is_null() {
        return Ok(LogFilter::default());
    }
    serde_json::from_value(value).map_err(|e| {
        core(xerosync_core::Error::InvalidOptions {
            record: xerosync_core::RecordRef::anonymous(xerosync_core::RecordKind::Options),
            field: "filters".into(),
            message: e.to_string(),
        })
    })
}

/// Rule L1: one page of the log, newest first: `{ rows, nextBefore }` (`nextBefore` null at the end).
pub async fn log(inner: Rc<Inner>, filters: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let filter = log_filter(&filters)?;
    let before = json_field(&options, "before")?.as_u64();
    let page_size = json_field(&options, "pageSize")?
        .as_u64()
        .map(|n| n.clamp(1, 500) as u32);
    let query = filter.query(before, page_size, false);
    let page = inner
        .proxy
        .get_json(&format!("{}?{query}", routes::LOG), None)
        .await?;
    to_js(
        &json!({ "rows": page["rows"], "nextBefore": page.get("nextBefore").cloned().unwrap_or(Value::Null) }),
    )
}

/// Rule L1: every matching row as the proxy's CSV (formula-guarded, with a byte order mark): `{ csv, filename }`.
pub async fn log_csv(inner: Rc<Inner>, filters: JsValue) -> Result<JsValue, JsValue> {
    let query = log_filter(&filters)?.query(None, None, true);
    let (csv, filename) = inner
        .proxy
        .get_text(&format!("{}?{query}", routes::LOG))
        .await?;
    to_js(&json!({ "csv": csv, "filename": filename.unwrap_or_else(|| "xero-log.csv".into()) }))
}
