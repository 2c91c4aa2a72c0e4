//! Bearer tokens on API calls, and `GET/DELETE /connections`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{first, Connection};
use crate::state::Sim;

/// The verified bearer token of a request.
#[derive(Debug, Clone)]
pub struct Bearer {
    /// The app.
    pub client_id: String,
    /// Its scopes.
    pub scopes: Vec<String>,
}

fn unauthorized(detail: &str) -> Response {
    let body = json!({ "Type": null, "Title": "Unauthorized", "Status": 401, "Detail": detail,
        "Instance": Uuid::new_v4(), "Extensions": {} });
    (
        StatusCode::UNAUTHORIZED,
        [("www-authenticate", "Bearer error=\"invalid_token\"")],
        Json(body),
    )
        .into_response()
}

/// Checks `Authorization: Bearer …`: 401 `TokenExpired` after 30 minutes, 401 `AuthenticationUnsuccessful` when
/// unknown or revoked.
pub fn check_bearer(
    sim: &Sim,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Result<Bearer, Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| unauthorized("AuthenticationUnsuccessful"))?;
    let world = sim.world();
    let access = world
        .identity
        .access
        .get(token)
        .ok_or_else(|| unauthorized("AuthenticationUnsuccessful"))?;
    if now >= access.expires {
        return Err(unauthorized(&format!(
            "TokenExpired: token expired at {}",
            access.expires.format("%m/%d/%Y %H:%M:%S")
        )));
    }
    Ok(Bearer {
        client_id: access.client_id.clone(),
        scopes: access.scopes.clone(),
    })
}

fn connection_json(sim: &Sim, c: &Connection) -> serde_json::Value {
    let world = sim.world();
    let name = world
        .tenant(c.tenant_id)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let fmt = |t: DateTime<Utc>| format!("{}0", t.format("%Y-%m-%dT%H:%M:%S%.6f"));
    json!({ "id": c.id, "authEventId": c.auth_event_id, "tenantId": c.tenant_id, "tenantType": "ORGANISATION",
        "tenantName": name, "createdDateUtc": fmt(c.created), "updatedDateUtc": fmt(c.updated) })
}

/// `GET /connections` (optionally `?authEventId=`).
pub(super) async fn list_connections(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let now = sim.clock.now();
    let bearer = match check_bearer(&sim, &headers, now) {
        Ok(b) => b,
        Err(r) => {
            sim.count("GET /connections", None, 401);
            return r;
        }
    };
    let event = first(&q, "authEventId").and_then(|e| Uuid::parse_str(e).ok());
    let list: Vec<Connection> = sim
        .world()
        .identity
        .connections
        .iter()
        .filter(|c| c.client_id == bearer.client_id && event.is_none_or(|e| e == c.auth_event_id))
        .cloned()
        .collect();
    sim.count("GET /connections", None, 200);
    Json(
        list.iter()
            .map(|c| connection_json(&sim, c))
            .collect::<Vec<_>>(),
    )
    .into_response()
}

/// `DELETE /connections/{id}`: 204, or 404 when the app has no such connection.
pub(super) async fn delete_connection(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let now = sim.clock.now();
    let bearer = match check_bearer(&sim, &headers, now) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut world = sim.world();
    let before = world.identity.connections.len();
    world
        .identity
        .connections
        .retain(|c| !(c.id == id && c.client_id == bearer.client_id));
    let removed = world.identity.connections.len() < before;
    drop(world);
    sim.count(
        "DELETE /connections/{id}",
        None,
        if removed { 204 } else { 404 },
    );
    if removed {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
