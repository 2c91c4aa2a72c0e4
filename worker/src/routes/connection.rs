//! `GET /connection` (status and reconnect reason), `GET /connections` (the organisations the consent granted),
//! `POST /connections/select` (rule C7: the admin picks, never a default), `POST /connection/disconnect` (revokes).

use serde_json::json;
use xerosync_core::proxy_contract::{ConnectionStatus, ConnectionView, Disconnected, TenantList};

use super::{json_body, json_response, Call};
use crate::connection::client;
use crate::db;
use crate::error::ProxyError;

async fn index(
    call: &Call,
    status: ConnectionStatus,
    tenant: Option<&str>,
) -> Result<(), ProxyError> {
    let at = crate::time::iso(worker::Date::now().as_millis());
    db::connection_index(
        &db::database(&call.env)?,
        &call.session.org,
        status.as_str(),
        tenant,
        &at,
    )
    .await
}

/// The connection's status (no token material).
pub async fn status(call: Call) -> Result<worker::Response, ProxyError> {
    let view: ConnectionView = client::call(&call.env, &call.session.org, "/status", None).await?;
    json_response(200, &view)
}

/// The organisations to pick from.
pub async fn tenants(call: Call) -> Result<worker::Response, ProxyError> {
    let list: TenantList = client::call(&call.env, &call.session.org, "/tenants", None).await?;
    json_response(200, &list)
}

/// Picks the organisation: `{tenantId}`.
pub async fn select(mut call: Call) -> Result<worker::Response, ProxyError> {
    let body = json_body(&mut call.req).await?;
    let tenant = body
        .get("tenantId")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty());
    let tenant = tenant.ok_or_else(|| ProxyError::invalid("body.tenantId", "required string"))?;
    let view: ConnectionView = client::call(
        &call.env,
        &call.session.org,
        "/select",
        Some(json!({ "tenantId": tenant })),
    )
    .await?;
    index(&call, view.status, view.tenant_id.as_deref()).await?;
    json_response(200, &view)
}

/// Disconnects: revokes the refresh token at Xero and forgets the connection.
pub async fn disconnect(call: Call) -> Result<worker::Response, ProxyError> {
    let answer: Disconnected =
        client::call(&call.env, &call.session.org, "/disconnect", Some(json!({}))).await?;
    index(&call, answer.status, None).await?;
    json_response(200, &answer)
}
