//! The Accounting API under `/api.xro/2.0/`: the guard every call passes (faults, bearer token, tenant header,
//! scopes, rate limits), the write pipeline (strict schema check, idempotency, `summarizeErrors`), and the routes.

pub mod actions;
pub mod contact_query;
pub mod guard;
pub mod pipeline;
pub mod reads;
pub mod render;
pub mod settings;
pub mod writes;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::json::ms_date_time;
use crate::state::Sim;

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

pub(crate) fn params(q: Vec<(String, String)>) -> Params {
    Params(
        q.into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
    )
}

/// The Accounting routes (mounted under `/api.xro/2.0`).
pub fn router(sim: Arc<Sim>) -> Router<Arc<Sim>> {
    let write = || put(pipeline::write).post(pipeline::write);
    Router::new()
        .route("/Invoices", write().get(reads::list_invoices))
        .route(
            "/Invoices/{key}",
            post(pipeline::write).get(reads::get_invoice),
        )
        .route(
            "/Invoices/{key}/OnlineInvoice",
            get(actions::online_invoice),
        )
        .route("/Invoices/{key}/Email", post(actions::email))
        .route("/CreditNotes", write().get(reads::list_credit_notes))
        .route(
            "/CreditNotes/{key}",
            post(pipeline::write).get(reads::get_credit_note),
        )
        .route(
            "/CreditNotes/{key}/Allocations",
            put(pipeline::put_allocations),
        )
        .route("/Contacts", write().get(reads::list_contacts))
        .route(
            "/Contacts/{key}",
            post(pipeline::write).get(reads::get_contact),
        )
        .route("/Items", write().get(reads::list_items))
        .route("/Items/{key}", post(pipeline::write).get(reads::get_item))
        .route("/TaxRates", get(reads::tax_rates))
        .route("/Payments", write().get(reads::list_payments))
        .route("/Payments/{key}", get(reads::get_payment))
        .route("/Organisation", get(reads::organisation))
        .route("/Currencies", get(settings::currencies))
        .route("/TrackingCategories", get(settings::tracking_categories))
        .route("/BrandingThemes", get(settings::branding_themes))
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

pub use pipeline::{post_data_invalid, validation_body};
