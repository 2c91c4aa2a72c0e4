//! The control API under `/_sim/` (only with `--control`): reset, seed, the clock, faults, limits, counters, dumps of
//! an organisation's records, webhooks, extra clients and organisations, and a token shortcut for tests.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::accounting::render::{self, Detail};
use crate::config::{ClientApp, Seeds, WebhookSettings, DEMO_CLIENT_ID};
use crate::faults::{FaultSettings, Queued};
use crate::json::parse_timestamp;
use crate::limits::LimitSettings;
use crate::state::Sim;
use crate::store::{Tenant, Tier};
use crate::taxrates::Country;

/// The control routes (mounted under `/_sim`).
pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/reset", post(reset))
        .route("/seed", post(seed))
        .route("/clock", get(clock).post(move_clock))
        .route("/faults", get(faults).post(set_faults).delete(clear_faults))
        .route("/limits", get(limits).post(set_limits))
        .route("/counters", get(counters).delete(clear_counters))
        .route("/tenants", get(tenants).post(add_tenant))
        .route("/tenants/{id}/dump", get(dump))
        .route("/tenants/{id}/tier", post(set_tier))
        .route(
            "/webhooks",
            get(webhooks).post(subscribe).delete(unsubscribe),
        )
        .route("/clients", post(add_client))
        .route("/tokens", post(tokens))
}

fn bad(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

fn body_or_empty(body: &str) -> Result<Value, Response> {
    if body.trim().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_str(body).map_err(|e| bad(&format!("body is not JSON: {e}")))
}

/// `{"seed": "demo" | "lived-in" | "demo,lived-in" | "none"}` (default: what the simulator was started with).
async fn reset(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let seeds = match b.get("seed").and_then(Value::as_str).map(Seeds::parse) {
        None => sim.config.seeds(),
        Some(Ok(s)) => s,
        Some(Err(e)) => return bad(&e),
    };
    sim.reset(seeds);
    Json(json!({ "reset": true, "seeded": seeds.demo, "seededLivedIn": seeds.lived_in }))
        .into_response()
}

/// Adds data: `{"seed": "demo" | "lived-in" | "demo,lived-in"}` (default demo).
async fn seed(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let list = b
        .get("seed")
        .and_then(Value::as_str)
        .unwrap_or("demo")
        .to_owned();
    let seeds = match Seeds::parse(&list) {
        Ok(s) => s,
        Err(e) => return bad(&e),
    };
    let now = sim.clock.now();
    let mut world = sim.world();
    crate::seed::apply(&mut world, seeds, now);
    Json(json!({ "seeded": list })).into_response()
}

fn clock_json(sim: &Sim) -> Value {
    json!({ "now": sim.clock.now().to_rfc3339(), "offsetMs": sim.clock.offset_ms() })
}

async fn clock(State(sim): State<Arc<Sim>>) -> Response {
    Json(clock_json(&sim)).into_response()
}

/// `{"advanceSeconds": n}`, `{"advanceMinutes": n}`, `{"advanceDays": n}` or `{"set": "2026-12-01T00:00:00Z"}`.
async fn move_clock(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let num = |k: &str| b.get(k).and_then(Value::as_i64);
    if let Some(set) = b.get("set").and_then(Value::as_str) {
        match parse_timestamp(set) {
            Some(at) => sim.clock.set(at),
            None => return bad("set: not an ISO-8601 timestamp"),
        }
    } else if let Some(s) = num("advanceSeconds") {
        sim.clock.advance(Duration::seconds(s));
    } else if let Some(m) = num("advanceMinutes") {
        sim.clock.advance(Duration::minutes(m));
    } else if let Some(d) = num("advanceDays") {
        sim.clock.advance(Duration::days(d));
    } else {
        return bad("expected advanceSeconds, advanceMinutes, advanceDays or set");
    }
    Json(clock_json(&sim)).into_response()
}

fn faults_json(sim: &Sim) -> Value {
    let f = sim.fault_injector();
    json!({ "settings": f.settings, "queue": f.queue })
}

async fn faults(State(sim): State<Arc<Sim>>) -> Response {
    Json(faults_json(&sim)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultsBody {
    #[serde(flatten)]
    settings: Option<FaultSettings>,
    #[serde(default)]
    queue: Vec<Queued>,
}

/// Rates (`rate500`, `rate503`, `rate429`, `drop`), `latencyMs`, `seed`, and `queue: [{fault, path?}]` of exact
/// faults for the next calls (`error500`, `error503`, `extra429`, `dropAfterCommit`).
async fn set_faults(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let parsed: FaultsBody =
        match serde_json::from_str(if body.trim().is_empty() { "{}" } else { &body }) {
            Ok(p) => p,
            Err(e) => return bad(&format!("faults: {e}")),
        };
    {
        let mut f = sim.fault_injector();
        if let Some(s) = parsed.settings {
            f.set(s);
        }
        f.queue.extend(parsed.queue);
    }
    Json(faults_json(&sim)).into_response()
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> Response {
    {
        let mut f = sim.fault_injector();
        f.set(FaultSettings::default());
        f.queue.clear();
    }
    Json(faults_json(&sim)).into_response()
}

async fn limits(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!(sim.limiter().settings)).into_response()
}

/// Any of `enabled`, `concurrent`, `perMinute`, `perDay`, `starterPerDay`, `appPerMinute`, `emailsPerDay`; `clear: true` empties the
/// windows.
async fn set_limits(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut l = sim.limiter();
    let mut merged = serde_json::to_value(&l.settings).unwrap_or_default();
    if let (Some(m), Some(patch)) = (merged.as_object_mut(), b.as_object()) {
        for (k, v) in patch {
            if k != "clear" {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    match serde_json::from_value::<LimitSettings>(merged) {
        Ok(s) => l.settings = s,
        Err(e) => return bad(&format!("limits: {e}")),
    }
    if b.get("clear").and_then(Value::as_bool) == Some(true) {
        l.clear();
    }
    Json(json!(l.settings)).into_response()
}

async fn counters(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!(*sim.counter())).into_response()
}

async fn clear_counters(State(sim): State<Arc<Sim>>) -> Response {
    *sim.counter() = crate::state::Counters::default();
    StatusCode::NO_CONTENT.into_response()
}

fn tenant_summary(t: &Tenant) -> Value {
    json!({ "tenantId": t.id, "name": t.name, "country": t.country.version(),
        "tier": if t.tier == Tier::Starter { "starter" } else { "standard" },
        "invoices": t.docs.iter().filter(|d| d.kind == crate::store::DocKind::Invoice).count(),
        "contacts": t.contacts.len(), "items": t.items.len() })
}

async fn tenants(State(sim): State<Arc<Sim>>) -> Response {
    let world = sim.world();
    Json(world.tenants.iter().map(tenant_summary).collect::<Vec<_>>()).into_response()
}

/// `{"name": "...", "country": "UK"|"NZ", "tier": "standard"|"starter"}`.
async fn add_tenant(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(name) = b.get("name").and_then(Value::as_str) else {
        return bad("name is required");
    };
    let country = match Country::parse(b.get("country").and_then(Value::as_str).unwrap_or("UK")) {
        Some(c) => c,
        None => return bad("country: UK or NZ"),
    };
    let tier = if b.get("tier").and_then(Value::as_str) == Some("starter") {
        Tier::Starter
    } else {
        Tier::Standard
    };
    let tenant = Tenant::new(Uuid::new_v4(), name, country, tier, sim.clock.now());
    let summary = tenant_summary(&tenant);
    sim.world().tenants.push(tenant);
    (StatusCode::CREATED, Json(summary)).into_response()
}

async fn set_tier(State(sim): State<Arc<Sim>>, Path(id): Path<Uuid>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let tier = match b.get("tier").and_then(Value::as_str) {
        Some("starter") => Tier::Starter,
        Some("standard") => Tier::Standard,
        _ => return bad("tier: standard or starter"),
    };
    let mut world = sim.world();
    match world.tenant_mut(id) {
        Some(t) => {
            t.tier = tier;
            Json(tenant_summary(t)).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Every record of an organisation, in full (invoices and credit notes with lines, contacts with balances).
async fn dump(State(sim): State<Arc<Sim>>, Path(id): Path<Uuid>) -> Response {
    let today = sim.clock.now().date_naive();
    let world = sim.world();
    let Some(t) = world.tenant(id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let docs = |kind| -> Vec<Value> {
        t.docs
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| render::doc(t, d, 4, Detail::Full))
            .collect()
    };
    Json(json!({
        "Organisation": render::organisation(t),
        "Invoices": docs(crate::store::DocKind::Invoice),
        "CreditNotes": docs(crate::store::DocKind::CreditNote),
        "Contacts": t.contacts.iter().map(|c| render::contact(t, c, Some(today))).collect::<Vec<_>>(),
        "Items": t.items.iter().map(|i| render::item(i, 4)).collect::<Vec<_>>(),
        "Payments": t.payments.iter().map(|p| render::payment(t, p)).collect::<Vec<_>>(),
        "Allocations": t.allocations.iter().map(|a| render::allocation(t, a)).collect::<Vec<_>>(),
        "Emails": t.emails.iter().map(|e| json!({ "InvoiceID": e.invoice_id, "To": e.to,
            "At": e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) })).collect::<Vec<_>>(),
    }))
    .into_response()
}

async fn webhooks(State(sim): State<Arc<Sim>>) -> Response {
    Json(sim.webhooks.status()).into_response()
}

/// `{"url": "...", "key": "..."}`: runs the intent-to-receive check, then subscribes (`"skipIntent": true` skips it).
async fn subscribe(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (Some(url), Some(key)) = (
        b.get("url").and_then(Value::as_str),
        b.get("key").and_then(Value::as_str),
    ) else {
        return bad("url and key are required");
    };
    let settings = WebhookSettings {
        url: url.to_owned(),
        key: key.to_owned(),
    };
    if b.get("skipIntent").and_then(Value::as_bool) != Some(true) {
        if let Err(reason) = crate::webhooks::intent_to_receive(&settings).await {
            return (
                StatusCode::CONFLICT,
                Json(json!({ "status": "intent_to_receive_failed", "reason": reason })),
            )
                .into_response();
        }
    }
    sim.webhooks.subscribe(Some(settings));
    Json(json!({ "status": "OK", "webhook": sim.webhooks.status() })).into_response()
}

async fn unsubscribe(State(sim): State<Arc<Sim>>) -> Response {
    sim.webhooks.subscribe(None);
    StatusCode::NO_CONTENT.into_response()
}

/// `{"clientId": "...", "clientSecret": "..."}`.
async fn add_client(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (Some(id), Some(secret)) = (
        b.get("clientId").and_then(Value::as_str),
        b.get("clientSecret").and_then(Value::as_str),
    ) else {
        return bad("clientId and clientSecret are required");
    };
    let mut world = sim.world();
    world.identity.clients.retain(|c| c.id != id);
    world.identity.clients.push(ClientApp {
        id: id.to_owned(),
        secret: secret.to_owned(),
    });
    (StatusCode::CREATED, Json(json!({ "clientId": id }))).into_response()
}

/// A token pair without the consent page: `{"clientId"?, "scopes"?: "...", "tenants"?: [id…]}` (defaults: the demo
/// client, all accounting scopes with offline_access, every organisation).
async fn tokens(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let b = match body_or_empty(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let client = b
        .get("clientId")
        .and_then(Value::as_str)
        .unwrap_or(DEMO_CLIENT_ID)
        .to_owned();
    let scopes: Vec<String> = b
        .get("scopes")
        .and_then(Value::as_str)
        .unwrap_or("openid profile email offline_access accounting.invoices accounting.payments accounting.contacts accounting.settings")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let now = sim.clock.now();
    let mut world = sim.world();
    if !world.identity.clients.iter().any(|c| c.id == client) {
        return bad("unknown clientId");
    }
    let tenants: Vec<Uuid> = match b.get("tenants").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|s| Uuid::parse_str(s).ok())
            .collect(),
        None => world.tenants.iter().map(|t| t.id).collect(),
    };
    let body = world.identity.issue_direct(&client, scopes, &tenants, now);
    Json(body).into_response()
}
