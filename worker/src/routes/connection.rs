//! `GET /connection` (status and reconnect reason), `GET /connections` (the organisations the consent granted),
//! `POST /connections/select` (rule C7: the admin picks, never a default), `POST /connection/disconnect` (revokes).

use serde_json::{json, Value};
use xerosync_core::proxy_contract::ConnectionStatus;

use super::{json_body, json_response, Call};
use crate::connection::client;
use crate::db;
use crate::error::ProxyError;

async fn index(call: &Call, view: &Value) -> Result<(), ProxyError> {
    let status = view
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or(ConnectionStatus::NotConnected.as_str());
    let tenant = view.get("tenantId").and_then(Value::as_str);
    let at = crate::time::iso(worker::Date::now().as_millis());
    db::connection_index(
        &db::database(&call.env)?,
        &call.session.org,
        status,
        tenant,
        &at,
    )
    .await
}

/// The connection's status (no token material).
pub async fn status(call: Call) -> Result<worker::Response, ProxyError> {
    let view: Value = client::call(&call.env, &call.session.org, "/status", None).await?;
    json_response(200, &view)
}

/// The organisations to pick from.
pub async fn tenants(call: Call) -> Result<worker::Response, ProxyError> {
    let v: Value = client::call(&call.env, &call.session.org, "/tenants", None).await?;
    json_response(200, &v)
}

/// Picks the organisation: `{tenantId}`.
pub async fn select(mut call: Call) -> Result<worker::Response, ProxyError> {
    let body = json_body(&mut call.req).await?;
    let tenant = body
        .get("tenantId")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty());
    let tenant = tenant.ok_or_else(|| ProxyError::invalid("body.tenantId", "required string"))?;
    let view: Value = client::call(
        &call.env,
        &call.session.org,
        "/select",
        Some(json!({ "tenantId": tenant })),
    )
    .await?;
    index(&call, &view).await?;
    json_response(200, &view)
}

/// Disconnects: revokes the refresh token at Xero and forgets the connection.
pub async fn disconnect(call: Call) -> Result<worker::Response, ProxyError> {
    let v: Value =
        client::call(&call.env, &call.session.org, "/disconnect", Some(json!({}))).await?;
    index(&call, &v).await?;
    json_response(200, &v)
}
