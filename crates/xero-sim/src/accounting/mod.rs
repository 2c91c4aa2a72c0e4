//! The Accounting API under `/api.xro/2.0/`: the guard every call passes (faults, bearer token, tenant header,
//! scopes, rate limits), the write pipeline (strict schema check, idempotency, `summarizeErrors`), and the routes.

pub mod guard;
pub mod reads;
pub mod render;
pub mod writes;

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Extension, Router};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::idempotency::Stored;
use crate::json::ms_date_time;
use crate::state::Sim;
use crate::store::DocKind;
use guard::Ctx;
use writes::{WriteCtx, WriteMode};

/// Query parameters, keys lower-cased (Xero treats them case-insensitively).
#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The first value of `key` (lower-case).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// `unitdp=4` → 4, else 2.
    pub fn unit_dp(&self) -> u32 {
        if self.get("unitdp") == Some("4") {
            4
        } else {
            2
        }
    }
    /// `summarizeErrors` (default true).
    pub fn summarize(&self) -> bool {
        !self
            .get("summarizeerrors")
            .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    }
}

fn params(q: Vec<(String, String)>) -> Params {
    Params(
        q.into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
    )
}

/// The Accounting routes (mounted under `/api.xro/2.0`).
pub fn router(sim: Arc<Sim>) -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/Invoices",
            get(reads::list_invoices)
                .put(put_invoices)
                .post(post_invoices),
        )
        .route(
            "/Invoices/{key}",
            get(reads::get_invoice).post(post_invoice),
        )
        .route(
            "/CreditNotes",
            get(reads::list_credit_notes)
                .put(put_credit_notes)
                .post(post_credit_notes),
        )
        .route(
            "/CreditNotes/{key}",
            get(reads::get_credit_note).post(post_credit_note),
        )
        .route("/CreditNotes/{key}/Allocations", put(put_allocations))
        .route(
            "/Contacts",
            get(reads::list_contacts)
                .put(put_contacts)
                .post(post_contacts),
        )
        .route(
            "/Contacts/{key}",
            get(reads::get_contact).post(post_contact),
        )
        .route(
            "/Items",
            get(reads::list_items).put(put_items).post(post_items),
        )
        .route("/Items/{key}", get(reads::get_item).post(post_item))
        .route("/TaxRates", get(reads::tax_rates))
        .route(
            "/Payments",
            get(reads::list_payments)
                .put(put_payments)
                .post(put_payments),
        )
        .route("/Payments/{key}", get(reads::get_payment))
        .route("/Organisation", get(reads::organisation))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(sim, guard::guard))
}

async fn not_found() -> Response {
    xero_404()
}

/// Xero's 404 for an unknown resource.
pub fn xero_404() -> Response {
    (
        StatusCode::NOT_FOUND,
        [("content-type", "text/plain; charset=utf-8")],
        "The resource you're looking for cannot be found",
    )
        .into_response()
}

/// A JSON answer with Xero's envelope fields.
pub fn envelope(
    collection: &str,
    records: Vec<Value>,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let mut v = json!({
        "Id": Uuid::new_v4(),
        "Status": "OK",
        "ProviderName": "xerosync (simulated)",
        "DateTimeUTC": ms_date_time(now),
    });
    v[collection] = Value::Array(records);
    v
}

/// What one write operation does to one request element.
type ElementOp = fn(&mut WriteCtx, &Value, WriteMode, Option<&str>) -> Result<Uuid, Vec<String>>;

/// Which resource a write is about: how to apply an element and how to show the result.
#[derive(Clone, Copy)]
struct Resource {
    collection: &'static str,
    schema: &'static str,
    op: ElementOp,
    render: fn(&crate::store::Tenant, Uuid, u32) -> Option<Value>,
    /// `HasErrors` (invoices, credit notes) or `HasValidationErrors` (contacts, payments).
    error_flag: Option<&'static str>,
}

fn invoice_op(
    ctx: &mut WriteCtx,
    v: &Value,
    m: WriteMode,
    k: Option<&str>,
) -> Result<Uuid, Vec<String>> {
    writes::doc(ctx, DocKind::Invoice, v, m, k)
}
fn credit_note_op(
    ctx: &mut WriteCtx,
    v: &Value,
    m: WriteMode,
    k: Option<&str>,
) -> Result<Uuid, Vec<String>> {
    writes::doc(ctx, DocKind::CreditNote, v, m, k)
}
fn payment_op(
    ctx: &mut WriteCtx,
    v: &Value,
    _: WriteMode,
    _: Option<&str>,
) -> Result<Uuid, Vec<String>> {
    writes::payment(ctx, v)
}
fn render_doc(t: &crate::store::Tenant, id: Uuid, dp: u32) -> Option<Value> {
    t.doc(id)
        .map(|d| render::doc(t, d, dp, render::Detail::Full))
}
fn render_contact(t: &crate::store::Tenant, id: Uuid, _: u32) -> Option<Value> {
    t.contact(id).map(|c| render::contact(t, c, None))
}
fn render_item(t: &crate::store::Tenant, id: Uuid, dp: u32) -> Option<Value> {
    t.items
        .iter()
        .find(|i| i.id == id)
        .map(|i| render::item(i, dp))
}
fn render_payment(t: &crate::store::Tenant, id: Uuid, _: u32) -> Option<Value> {
    t.payments
        .iter()
        .find(|p| p.id == id)
        .map(|p| render::payment(t, p))
}

const INVOICES: Resource = Resource {
    collection: "Invoices",
    schema: "Invoices",
    op: invoice_op,
    render: render_doc,
    error_flag: Some("HasErrors"),
};
const CREDIT_NOTES: Resource = Resource {
    collection: "CreditNotes",
    schema: "CreditNotes",
    op: credit_note_op,
    render: render_doc,
    error_flag: Some("HasErrors"),
};
const CONTACTS: Resource = Resource {
    collection: "Contacts",
    schema: "Contacts",
    op: writes::contact,
    render: render_contact,
    error_flag: Some("HasValidationErrors"),
};
const ITEMS: Resource = Resource {
    collection: "Items",
    schema: "Items",
    op: writes::item,
    render: render_item,
    error_flag: None,
};
const PAYMENTS: Resource = Resource {
    collection: "Payments",
    schema: "Payments",
    op: payment_op,
    render: render_payment,
    error_flag: Some("HasValidationErrors"),
};

type Q = Query<Vec<(String, String)>>;

async fn put_invoices(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::PUT,
        INVOICES,
        params(q),
        WriteMode::Create,
        None,
        &body,
    )
}
async fn post_invoices(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::POST,
        INVOICES,
        params(q),
        WriteMode::CreateOrUpdate,
        None,
        &body,
    )
}
async fn post_invoice(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::POST,
        INVOICES,
        params(q),
        WriteMode::CreateOrUpdate,
        Some(&key),
        &body,
    )
}
async fn put_credit_notes(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::PUT,
        CREDIT_NOTES,
        params(q),
        WriteMode::Create,
        None,
        &body,
    )
}
async fn post_credit_notes(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::POST,
        CREDIT_NOTES,
        params(q),
        WriteMode::CreateOrUpdate,
        None,
        &body,
    )
}
async fn post_credit_note(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::POST,
        CREDIT_NOTES,
        params(q),
        WriteMode::CreateOrUpdate,
        Some(&key),
        &body,
    )
}
async fn put_contacts(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::PUT,
        CONTACTS,
        params(q),
        WriteMode::Create,
        None,
        &body,
    )
}
async fn post_contacts(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::POST,
        CONTACTS,
        params(q),
        WriteMode::CreateOrUpdate,
        None,
        &body,
    )
}
async fn post_contact(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::POST,
        CONTACTS,
        params(q),
        WriteMode::CreateOrUpdate,
        Some(&key),
        &body,
    )
}
async fn put_items(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::PUT,
        ITEMS,
        params(q),
        WriteMode::Create,
        None,
        &body,
    )
}
async fn post_items(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::POST,
        ITEMS,
        params(q),
        WriteMode::CreateOrUpdate,
        None,
        &body,
    )
}
async fn post_item(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::POST,
        ITEMS,
        params(q),
        WriteMode::CreateOrUpdate,
        Some(&key),
        &body,
    )
}
async fn put_payments(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    write(
        &s,
        &c,
        &h,
        Method::PUT,
        PAYMENTS,
        params(q),
        WriteMode::Create,
        None,
        &body,
    )
}

fn allocation_op(
    _: &mut WriteCtx,
    _: &Value,
    _: WriteMode,
    _: Option<&str>,
) -> Result<Uuid, Vec<String>> {
    Err(vec!["unreachable".to_owned()])
}

async fn put_allocations(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Q,
    h: HeaderMap,
    body: String,
) -> Response {
    let resource = Resource {
        collection: "Allocations",
        schema: "Allocations",
        op: allocation_op,
        render: |_, _, _| None,
        error_flag: None,
    };
    write_with(
        &s,
        &c,
        &h,
        Method::PUT,
        resource,
        params(q),
        &body,
        &|ctx, element| writes::allocation(ctx, &key, element),
        &|t, id, _| {
            t.allocations
                .iter()
                .find(|a| a.id == id)
                .map(|a| render::allocation(t, a))
        },
    )
}

/// Xero's 400 for a body that is not JSON or not the right shape.
pub fn post_data_invalid(detail: &str) -> Response {
    let body = json!({ "ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": format!("JSON for post data was invalid, {detail}") });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

#[allow(clippy::too_many_arguments)]
fn write(
    sim: &Sim,
    ctx: &Ctx,
    headers: &HeaderMap,
    method: Method,
    resource: Resource,
    params: Params,
    mode: WriteMode,
    key: Option<&str>,
    body: &str,
) -> Response {
    let op = resource.op;
    let render = resource.render;
    write_with(
        sim,
        ctx,
        headers,
        method,
        resource,
        params,
        body,
        &|wctx, element| op(wctx, element, mode, key),
        &|t, id, dp| render(t, id, dp),
    )
}

type ApplyFn<'a> = &'a dyn Fn(&mut WriteCtx, &Value) -> Result<Uuid, Vec<String>>;
type RenderFn<'a> = &'a dyn Fn(&crate::store::Tenant, Uuid, u32) -> Option<Value>;

/// The write pipeline: idempotency replay, body parsing and strict checking, each element applied in order,
/// then the answer in `summarizeErrors` true or false form. Runs under the world lock, so a replayed key can never
/// race its first request.
#[allow(clippy::too_many_arguments)]
fn write_with(
    sim: &Sim,
    ctx: &Ctx,
    headers: &HeaderMap,
    method: Method,
    resource: Resource,
    params: Params,
    body: &str,
    apply: ApplyFn,
    render: RenderFn,
) -> Response {
    let now = sim.clock.now();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(k) = &key {
        if k.len() > 128 || k.is_empty() {
            return validation_400(
                "The Idempotency-Key header must be between 1 and 128 characters.",
                vec![],
            );
        }
    }
    let fingerprint = format!("{method} {}", resource.collection);
    let mut guard = sim.world();
    if let Some(k) = &key {
        if let Some(stored) = guard
            .idempotency
            .replay(&ctx.client_id, ctx.tenant_id, k, now)
        {
            if stored.fingerprint != fingerprint {
                return validation_400(
                    "This Idempotency-Key was already used for a different request.",
                    vec![],
                );
            }
            return stored.to_response(true);
        }
    }
    let parsed: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return post_data_invalid(&e.to_string()),
    };
    let wrapped = match parsed.get(resource.collection) {
        Some(_) => parsed.clone(),
        None if parsed.is_object() => json!({ resource.collection: [parsed.clone()] }),
        None => {
            return post_data_invalid(&format!(
                "expected an object with `{}`",
                resource.collection
            ))
        }
    };
    if let Some(schemas) = sim.schemas {
        if let Err(violations) = schemas.validate_request(resource.schema, &wrapped) {
            let detail = xero_schema::format_violations(&violations);
            return post_data_invalid(&format!(
                "it does not match the `{}` schema: {detail}",
                resource.schema
            ));
        }
    }
    let Some(elements) = wrapped.get(resource.collection).and_then(Value::as_array) else {
        return post_data_invalid(&format!("`{}` must be an array", resource.collection));
    };
    let unit_dp = params.unit_dp();
    let summarize = params.summarize();
    let world = &mut *guard;
    let Some(tenant) = world.tenant_mut(ctx.tenant_id) else {
        return guard::forbidden();
    };
    let mut events = Vec::new();
    let mut results = Vec::with_capacity(elements.len());
    {
        let mut wctx = WriteCtx {
            tenant,
            now,
            unit_dp,
            events: &mut events,
        };
        for element in elements {
            results.push(apply(&mut wctx, element));
        }
    }
    let tenant = world
        .tenant(ctx.tenant_id)
        .unwrap_or_else(|| unreachable_tenant());
    let any_error = results.iter().any(Result::is_err);
    let mut shown = Vec::with_capacity(results.len());
    for (element, result) in elements.iter().zip(&results) {
        match result {
            Ok(id) => {
                let mut v = render(tenant, *id, unit_dp).unwrap_or_else(|| json!({}));
                if !summarize {
                    v["StatusAttributeString"] = json!("OK");
                }
                shown.push((v, false));
            }
            Err(messages) => {
                let mut v = element.clone();
                if let Some(flag) = resource.error_flag {
                    v[flag] = json!(true);
                }
                v["StatusAttributeString"] = json!("ERROR");
                v["ValidationErrors"] =
                    Value::Array(messages.iter().map(|m| json!({ "Message": m })).collect());
                shown.push((v, true));
            }
        }
    }
    let (status, body) = if summarize && any_error {
        // The trap: a 400 that lists only the failed elements, while the good ones above were created anyway.
        let failed = shown
            .into_iter()
            .filter(|(_, bad)| *bad)
            .map(|(v, _)| v)
            .collect();
        (
            StatusCode::BAD_REQUEST,
            validation_body("A validation exception occurred", failed),
        )
    } else {
        (
            StatusCode::OK,
            envelope(
                resource.collection,
                shown.into_iter().map(|(v, _)| v).collect(),
                now,
            ),
        )
    };
    let stored = Stored {
        fingerprint,
        status: status.as_u16(),
        body: body.to_string(),
    };
    if let Some(k) = key {
        world
            .idempotency
            .remember(&ctx.client_id, ctx.tenant_id, k, stored.clone(), now);
    }
    world.events.extend(events);
    let drained: Vec<_> = world.events.drain(..).collect();
    drop(guard);
    sim.webhooks.enqueue(drained);
    stored.to_response(false)
}

fn unreachable_tenant() -> &'static crate::store::Tenant {
    // The tenant was found a moment ago under the same lock; it cannot have gone.
    static EMPTY: std::sync::OnceLock<crate::store::Tenant> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| {
        crate::store::Tenant::new(
            Uuid::nil(),
            "",
            crate::taxrates::Country::Uk,
            crate::store::Tier::Standard,
            chrono::Utc::now(),
        )
    })
}

/// Xero's `ValidationException` body.
pub fn validation_body(message: &str, elements: Vec<Value>) -> Value {
    json!({ "ErrorNumber": 10, "Type": "ValidationException", "Message": message, "Elements": elements })
}

fn validation_400(message: &str, elements: Vec<Value>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(validation_body(message, elements)),
    )
        .into_response()
}
