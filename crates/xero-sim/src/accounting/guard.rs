//! What every Accounting call passes before its handler: injected faults and latency, the bearer token (401), the
//! `xero-tenant-id` header (403), the token's scopes, and the rate limits (429). It also counts the call, adds the
//! `X-*-Remaining` headers, and carries out "commit, then drop the connection".

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use crate::faults::Fault;
use crate::identity;
use crate::limits::Verdict;
use crate::server::ConnKill;
use crate::state::Sim;

/// Who is calling, for which organisation (inserted for the handlers).
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The organisation (`xero-tenant-id`).
    pub tenant_id: Uuid,
    /// The app (OAuth client) the token belongs to.
    pub client_id: String,
}

/// Xero's 403 for a missing, malformed or unconnected tenant.
pub fn forbidden() -> Response {
    let body = json!({ "Type": null, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful",
        "Instance": Uuid::new_v4(), "Extensions": {} });
    (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
}

fn insufficient_scope() -> Response {
    let body = json!({ "Type": null, "Title": "Unauthorized", "Status": 401, "Detail": "AuthorizationUnsuccessful",
        "Instance": Uuid::new_v4(), "Extensions": {} });
    (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
}

/// `METHOD /path` with ids replaced by `{id}`, for the counters.
pub fn endpoint_label(method: &str, path: &str) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(|s| {
            if Uuid::parse_str(s).is_ok() {
                "{id}".to_owned()
            } else {
                s.to_owned()
            }
        })
        .collect();
    format!("{method} {}", segments.join("/"))
}

/// The scopes that allow a call: any one of them.
fn scopes_for(path: &str, write: bool) -> &'static [&'static str] {
    let resource = path
        .trim_start_matches("/api.xro/2.0/")
        .split('/')
        .next()
        .unwrap_or("");
    match (resource.to_ascii_lowercase().as_str(), write) {
        ("invoices" | "creditnotes", false) => &[
            "accounting.transactions",
            "accounting.transactions.read",
            "accounting.invoices",
            "accounting.invoices.read",
        ],
        ("invoices" | "creditnotes", true) => &["accounting.transactions", "accounting.invoices"],
        ("payments", false) => &[
            "accounting.transactions",
            "accounting.transactions.read",
            "accounting.payments",
            "accounting.payments.read",
        ],
        ("payments", true) => &["accounting.transactions", "accounting.payments"],
        ("contacts", false) => &["accounting.contacts", "accounting.contacts.read"],
        ("contacts", true) => &["accounting.contacts"],
        (_, false) => &["accounting.settings", "accounting.settings.read"],
        (_, true) => &["accounting.settings"],
    }
}

/// The middleware.
pub async fn guard(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    // The full path (the router is nested under /api.xro/2.0, which strips the prefix from `uri()`).
    let path = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| req.uri().path().to_owned(), |u| u.path().to_owned());
    let label = endpoint_label(method.as_str(), &path);
    let tenant_header = req
        .headers()
        .get("xero-tenant-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok());
    let kill = req.extensions().get::<ConnKill>().cloned();
    let (fault, latency) = sim.fault_injector().pick(&path);
    let early = match fault {
        Some(Fault::Error500) => Some(crate::faults::error_500()),
        Some(Fault::Error503) => Some(crate::faults::error_503()),
        Some(Fault::Extra429) => Some(crate::faults::extra_429()),
        _ => None,
    };
    if let Some(resp) = early {
        sleep_ms(latency).await;
        sim.count(&label, tenant_header, resp.status().as_u16());
        return resp;
    }
    let now = sim.clock.now();
    let token = match identity::check_bearer(&sim, req.headers(), now) {
        Ok(t) => t,
        Err(resp) => {
            sim.count(&label, tenant_header, resp.status().as_u16());
            return resp;
        }
    };
    let connected =
        tenant_header.filter(|t| sim.world().identity.is_connected(&token.client_id, *t));
    let Some(tenant_id) = connected else {
        let resp = forbidden();
        sim.count(&label, tenant_header, 403);
        return resp;
    };
    let write = method != axum::http::Method::GET;
    if !scopes_for(&path, write)
        .iter()
        .any(|s| token.scopes.iter().any(|t| t == s))
    {
        let resp = insufficient_scope();
        sim.count(&label, Some(tenant_id), 401);
        return resp;
    }
    let tier = sim.world().tenant(tenant_id).map(|t| t.tier);
    let verdict = sim
        .limiter()
        .acquire(&token.client_id, tenant_id, tier, now);
    let remaining = match verdict {
        Verdict::Allowed(r) => r,
        Verdict::Refused(refusal) => {
            let resp = refusal.response();
            sim.count(&label, Some(tenant_id), 429);
            return resp;
        }
    };
    let permit = InFlight {
        sim: sim.clone(),
        client_id: token.client_id.clone(),
        tenant_id,
    };
    req.extensions_mut().insert(Ctx {
        tenant_id,
        client_id: token.client_id.clone(),
    });
    // Latency is spent while holding the in-flight slot, like Xero's own processing time.
    sleep_ms(latency).await;
    let mut resp = next.run(req).await;
    drop(permit);
    remaining.apply(resp.headers_mut());
    resp.headers_mut().insert(
        "xero-correlation-id",
        HeaderValue::from_str(&Uuid::new_v4().to_string()).unwrap_or(HeaderValue::from_static("0")),
    );
    sim.count(&label, Some(tenant_id), resp.status().as_u16());
    if fault == Some(Fault::DropAfterCommit) {
        if let Some(kill) = kill {
            // The write above is committed; the client never hears about it.
            kill.0.notify_one();
            std::future::pending::<()>().await;
        }
    }
    resp
}

/// One call in flight; released when dropped, also when the client goes away mid-call and the future is dropped.
struct InFlight {
    sim: Arc<Sim>,
    client_id: String,
    tenant_id: Uuid,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.sim.limiter().release(&self.client_id, self.tenant_id);
    }
}

async fn sleep_ms(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}
