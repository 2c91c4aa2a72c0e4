//! What an approved invoice can do besides being read: `GET /Invoices/{id}/OnlineInvoice` (rule O1) and
//! `POST /Invoices/{id}/Email` (rule O2), plus the online invoice's page itself (`GET /online/{token}`, outside the
//! API, no token: the customer's link).
//!
//! Xero states which invoices qualify (ACCREC; SUBMITTED, AUTHORISED or PAID to be emailed, approved ones for an
//! online invoice) but not its refusals' wording: the messages here are ours, written to name the reason.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use uuid::Uuid;

use super::guard::Ctx;
use super::reads::answer;
use super::{validation_body, xero_404};
use crate::state::Sim;
use crate::store::{Doc, DocKind, SentEmail, Status, Tenant};

fn refuse(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(validation_body(message, vec![])),
    )
        .into_response()
}

fn find<'t>(t: &'t Tenant, key: &str) -> Option<&'t Doc> {
    Uuid::parse_str(key)
        .ok()
        .and_then(|id| t.doc(id))
        .filter(|d| d.kind == DocKind::Invoice)
        .or_else(|| t.doc_by_number(DocKind::Invoice, key))
}

/// The online invoice's token: the invoice id without dashes (opaque enough for a simulator).
fn token(d: &Doc) -> String {
    d.id.simple().to_string()
}

/// `GET /Invoices/{id}/OnlineInvoice`: `{"OnlineInvoices":[{"OnlineInvoiceUrl"}]}` for an AUTHORISED or PAID sales
/// invoice; any other status is a 400.
pub async fn online_invoice(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
) -> Response {
    let found = {
        let world = s.world();
        world
            .tenant(c.tenant_id)
            .and_then(|t| find(t, &key))
            .map(|d| (d.doc_type.clone(), d.status, token(d)))
    };
    let Some((doc_type, status, token)) = found else {
        return xero_404();
    };
    if doc_type != "ACCREC" {
        return refuse("Online invoices are only available for sales invoices (ACCREC).");
    }
    if !matches!(status, Status::Authorised | Status::Paid) {
        return refuse(&format!(
            "An online invoice is only available for an approved invoice (AUTHORISED or PAID); this one is {}.",
            status.as_str()
        ));
    }
    let url = format!("{}/online/{token}", s.base_url);
    answer(
        &s,
        "OnlineInvoices",
        vec![json!({ "OnlineInvoiceUrl": url })],
        None,
    )
}

/// `POST /Invoices/{id}/Email` (empty body): 204 once the invoice is recorded as sent to its contact's address;
/// 400 for a purchase invoice, a DRAFT (or voided, deleted) one, a contact without an email address, or once the
/// organisation reached its daily email limit (`emailsPerDay` in the control API's limits).
pub async fn email(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
) -> Response {
    let limit = s.limiter().settings.emails_per_day;
    let now = s.clock.now();
    let mut world = s.world();
    let Some(t) = world.tenant_mut(c.tenant_id) else {
        return super::guard::forbidden();
    };
    let Some(d) = find(t, &key) else {
        return xero_404();
    };
    let (id, number, status) = (d.id, d.number.clone(), d.status);
    if d.doc_type != "ACCREC" {
        return refuse("Only sales invoices (ACCREC) can be emailed.");
    }
    if !matches!(
        status,
        Status::Submitted | Status::Authorised | Status::Paid
    ) {
        return refuse(&format!(
            "Invoice {number} cannot be emailed: its status is {} (it must be SUBMITTED, AUTHORISED or PAID).",
            status.as_str()
        ));
    }
    let Some(contact) = t.contact(d.contact_id) else {
        return refuse("The invoice's contact could not be found.");
    };
    let to = contact
        .email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            contact
                .persons
                .iter()
                .filter(|p| p.include_in_emails)
                .find_map(|p| p.email.clone().filter(|e| !e.trim().is_empty()))
        });
    let Some(to) = to else {
        return refuse(&format!(
            "The contact {} has no email address to send invoice {number} to.",
            contact.name
        ));
    };
    let today = now.date_naive();
    let sent_today = t
        .emails
        .iter()
        .filter(|e| e.at.date_naive() == today)
        .count();
    if sent_today >= limit {
        return refuse(&format!(
            "The daily limit of {limit} emails for this organisation has been reached."
        ));
    }
    t.emails.push(SentEmail {
        invoice_id: id,
        to,
        at: now,
    });
    if let Some(d) = t.doc_mut(id) {
        d.sent_to_contact = true;
    }
    let tenant = t.id;
    drop(world);
    s.count_email(tenant);
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /online/{token}`: the customer's page for an approved invoice (404 for anything else).
pub async fn online_page(State(s): State<Arc<Sim>>, Path(tok): Path<String>) -> Response {
    let world = s.world();
    let page = world.tenants.iter().find_map(|t| {
        t.docs
            .iter()
            .find(|d| d.kind == DocKind::Invoice && token(d) == tok)
            .filter(|d| matches!(d.status, Status::Authorised | Status::Paid))
            .map(|d| page(t, d))
    });
    match page {
        Some(html) => Html(html).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(t: &Tenant, d: &Doc) -> String {
    let contact = t
        .contact(d.contact_id)
        .map(|c| c.name.as_str())
        .unwrap_or("");
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Invoice {n}</title></head><body>\
         <h1>{org}</h1><p>Invoice <b>{n}</b> to {contact}</p><p>Total {cur} {total}</p>\
         <p>Amount due {cur} {due}</p><p>Status {status}</p></body></html>",
        n = escape(&d.number),
        org = escape(&t.name),
        contact = escape(contact),
        cur = escape(&d.currency),
        total = d.total,
        due = d.amount_due(),
        status = d.status.as_str(),
    )
}
