//! The write pipeline shared by every `PUT`/`POST`: idempotency replay, body parsing and the strict schema check,
//! each element applied in request order, and the answer in `summarizeErrors` true or false form.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};
use uuid::Uuid;

use super::guard::{self, Ctx};
use super::writes::{self, WriteCtx, WriteMode};
use super::{envelope, params, render, xero_404, Params};
use crate::idempotency::Stored;
use crate::state::Sim;
use crate::store::{DocKind, Tenant};

/// Shows a stored record (with the request's unit precision).
type RenderRecord = fn(&Tenant, Uuid, u32) -> Option<Value>;

/// What one write operation does to one request element.
type ElementOp = fn(&mut WriteCtx, &Value, WriteMode, Option<&str>) -> Result<Uuid, Vec<String>>;

/// What the pipeline needs to know about a resource: its JSON key, its schema, and its error flag.
#[derive(Clone, Copy)]
struct Shape {
    collection: &'static str,
    schema: &'static str,
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
fn render_doc(t: &Tenant, id: Uuid, dp: u32) -> Option<Value> {
    t.doc(id)
        .map(|d| render::doc(t, d, dp, render::Detail::Full))
}
fn render_contact(t: &Tenant, id: Uuid, _: u32) -> Option<Value> {
    t.contact(id).map(|c| render::contact(t, c, None))
}
fn render_item(t: &Tenant, id: Uuid, dp: u32) -> Option<Value> {
    t.items
        .iter()
        .find(|i| i.id == id)
        .map(|i| render::item(i, dp))
}
fn render_payment(t: &Tenant, id: Uuid, _: u32) -> Option<Value> {
    t.payments
        .iter()
        .find(|p| p.id == id)
        .map(|p| render::payment(t, p))
}

/// The resource a collection name stands for: its shape, how to apply an element, how to show the result.
fn resource(collection: &str) -> Option<(Shape, ElementOp, RenderRecord)> {
    let shape = |collection, error_flag| Shape {
        collection,
        schema: collection,
        error_flag,
    };
    Some(match collection {
        "Invoices" => (shape("Invoices", Some("HasErrors")), invoice_op, render_doc),
        "CreditNotes" => (
            shape("CreditNotes", Some("HasErrors")),
            credit_note_op,
            render_doc,
        ),
        "Contacts" => (
            shape("Contacts", Some("HasValidationErrors")),
            writes::contact,
            render_contact,
        ),
        "Items" => (shape("Items", None), writes::item, render_item),
        "Payments" => (
            shape("Payments", Some("HasValidationErrors")),
            payment_op,
            render_payment,
        ),
        _ => return None,
    })
}

/// `PUT /{Collection}`, `POST /{Collection}` and `POST /{Collection}/{id or number}`: the collection and the key come
/// from the path (the router only sends the write routes here), `PUT` creates and `POST` creates or updates.
pub async fn write(
    State(sim): State<Arc<Sim>>,
    Extension(ctx): Extension<Ctx>,
    method: Method,
    uri: Uri,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut segments = uri.path().trim_start_matches('/').split('/');
    let Some((shape, op, render)) = segments.next().and_then(resource) else {
        return xero_404();
    };
    let key = segments.next().filter(|k| !k.is_empty());
    let mode = if method == Method::PUT {
        WriteMode::Create
    } else {
        WriteMode::CreateOrUpdate
    };
    let request = WriteRequest {
        ctx: &ctx,
        headers: &headers,
        method,
        params: params(q),
        body: &body,
    };
    write_with(
        &sim,
        request,
        shape,
        &|w, element| op(w, element, mode, key),
        &render,
    )
}

/// `PUT /CreditNotes/{id or number}/Allocations`.
pub async fn put_allocations(
    State(sim): State<Arc<Sim>>,
    Extension(ctx): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let shape = Shape {
        collection: "Allocations",
        schema: "Allocations",
        error_flag: None,
    };
    let request = WriteRequest {
        ctx: &ctx,
        headers: &headers,
        method: Method::PUT,
        params: params(q),
        body: &body,
    };
    write_with(
        &sim,
        request,
        shape,
        &|w, element| writes::allocation(w, &key, element),
        &|t, id, _| {
            t.allocations
                .iter()
                .find(|a| a.id == id)
                .map(|a| render::allocation(t, a))
        },
    )
}

/// One write request, as the pipeline needs it.
struct WriteRequest<'a> {
    ctx: &'a Ctx,
    headers: &'a HeaderMap,
    method: Method,
    params: Params,
    body: &'a str,
}

/// Xero's 400 for a body that is not JSON or not the right shape.
pub fn post_data_invalid(detail: &str) -> Response {
    let body = json!({ "ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": format!("JSON for post data was invalid, {detail}") });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

type ApplyFn<'a> = &'a dyn Fn(&mut WriteCtx, &Value) -> Result<Uuid, Vec<String>>;
type RenderFn<'a> = &'a dyn Fn(&Tenant, Uuid, u32) -> Option<Value>;

/// The write pipeline: idempotency replay, body parsing and strict checking, each element applied in order,
/// then the answer in `summarizeErrors` true or false form. Runs under the world lock, so a replayed key can never
/// race its first request.
fn write_with(
    sim: &Sim,
    request: WriteRequest,
    resource: Shape,
    apply: ApplyFn,
    render: RenderFn,
) -> Response {
    let WriteRequest {
        ctx,
        headers,
        method,
        params,
        body,
    } = request;
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
    // Found a moment ago under the same lock, so it is still there.
    let Some(tenant) = world.tenant(ctx.tenant_id) else {
        return guard::forbidden();
    };
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
