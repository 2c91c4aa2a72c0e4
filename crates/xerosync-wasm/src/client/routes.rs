//! `XeroClient`'s calls to the proxy's own routes (issue 12: the whole proxy in the package, so a CRM page writes
//! none of it): the connection (rules C3, C6, C7), the shared settings (C2, T1, S6, B2) and the log (L1). The
//! paths, statuses and filters are the core's proxy contract; this only fetches.

use super::js::{error, json_field};
use super::{core, Inner};
use gloo_net::http::Method;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use xerosync_core::proxy_contract::{
    routes, ConnectionState, ConnectionView, Disconnected, LogFilter, LogPage, ProxySettings,
    TenantList,
};

/// The proxy's answer to `route` read as the contract's type (a proxy of another version fails here, by name).
fn read<T: DeserializeOwned>(route: &str, answer: Value) -> Result<T, JsValue> {
    serde_json::from_value(answer).map_err(|e| {
        error(
            crate::error::PROXY_ERROR,
            &format!("the proxy's answer to {route} is not what this package reads: {e}"),
        )
    })
}

/// A contract type as a plain JS value.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| error(crate::error::PROXY_ERROR, &e.to_string()))?;
    js_sys::JSON::parse(&text)
}

/// Rule C6 (and C7): `{ status, enabled, canSync, autoSend, tenantId?, tenantName?, reason?, organisations }`;
/// `organisations` lists what this consent granted when one is to be picked or is connected.
pub async fn connection(inner: Rc<Inner>) -> Result<JsValue, JsValue> {
    to_js(&connection_state(&inner).await?)
}

async fn connection_state(inner: &Inner) -> Result<ConnectionState, JsValue> {
    let proxy = &inner.proxy;
    let view: ConnectionView = read(
        routes::CONNECTION,
        proxy.get_json(routes::CONNECTION, None).await?,
    )?;
    let settings: ProxySettings = read(
        routes::SETTINGS,
        proxy.get_json(routes::SETTINGS, None).await?,
    )?;
    let tenants: Option<TenantList> = if ConnectionState::lists_organisations(view.status) {
        Some(read(
            routes::CONNECTIONS,
            proxy.get_json(routes::CONNECTIONS, None).await?,
        )?)
    } else {
        None
    };
    Ok(ConnectionState::new(view, &settings, tenants))
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
    let answer = inner
        .proxy
        .send_json(Method::POST, routes::DISCONNECT, &json!({}))
        .await?;
    read::<Disconnected>(routes::DISCONNECT, answer)?;
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
    let answer = inner
        .proxy
        .send_json(Method::POST, routes::SELECT, &json!({ "tenantId": tenant }))
        .await?;
    read::<ConnectionView>(routes::SELECT, answer)?;
    connection(inner).await
}

/// The organisation's shared settings as the proxy keeps them.
pub async fn settings(inner: Rc<Inner>) -> Result<JsValue, JsValue> {
    let answer = inner.proxy.get_json(routes::SETTINGS, None).await?;
    to_js(&read::<ProxySettings>(routes::SETTINGS, answer)?)
}

/// Stores the shared settings (`{ enabled, taxMapping, discountStrategy, autoSend, defaultSalesAccountCode? }`);
/// the proxy checks them and names a bad field (so they go as given), and answers them as stored.
pub async fn save_settings(inner: Rc<Inner>, settings: JsValue) -> Result<JsValue, JsValue> {
    let settings = crate::convert::json("settings", settings)?;
    let answer = inner
        .proxy
        .send_json(Method::PUT, routes::SETTINGS, &settings)
        .await?;
    to_js(&read::<ProxySettings>(routes::SETTINGS, answer)?)
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

/// Rule L1: one page of the log, newest first: `{ rows, nextBefore, pageSize }` (`nextBefore` null at the end).
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
    to_js(&read::<LogPage>(routes::LOG, page)?)
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
