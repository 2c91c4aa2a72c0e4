//! The GET endpoints: lists with Xero's filters (`IDs`, `InvoiceNumbers`, `ContactIDs`, `Statuses`), paging
//! (`page`, `pageSize` ≤ 1000), `If-Modified-Since` and `unitdp`, and single reads by id (or number / code).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use super::contact_query;
use super::guard::Ctx;
use super::render::{self, Detail};
use super::{envelope, params, xero_404, Params};
use crate::json::parse_timestamp;
use crate::state::Sim;
use crate::store::{Doc, DocKind, Tenant};

type Q = Query<Vec<(String, String)>>;

/// `If-Modified-Since`, when present and readable.
fn modified_since(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    headers
        .get("if-modified-since")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_timestamp)
}

fn list_param(p: &Params, key: &str) -> Option<Vec<String>> {
    p.get(key).map(|v| {
        v.split(',')
            .map(|s| s.trim().trim_matches('"').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// A period in Xero's `where` on documents: `Date >= DateTime(2026, 11, 01) && Date <= DateTime(2026, 11, 30)`
/// (operators `>=`, `>`, `<=`, `<`, `==`; spaces optional), as a reconciliation reads a month (rule RC1).
struct DateRange(Vec<(String, NaiveDate)>);

impl DateRange {
    fn parse(filter: &str) -> Option<DateRange> {
        let terms = filter
            .split("&&")
            .map(|term| {
                let rest = term.trim().strip_prefix("Date")?.trim_start();
                let op = [">=", "<=", "==", ">", "<"]
                    .into_iter()
                    .find(|op| rest.starts_with(op))?;
                let args = rest[op.len()..]
                    .trim()
                    .strip_prefix("DateTime(")?
                    .strip_suffix(')')?;
                let parts: Vec<u32> = args
                    .split(',')
                    .map(|n| n.trim().parse().ok())
                    .collect::<Option<_>>()?;
                let [y, m, d] = parts.as_slice() else {
                    return None;
                };
                let date = NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, *m, *d)?;
                Some((op.to_owned(), date))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(DateRange(terms))
    }

    fn holds(&self, date: NaiveDate) -> bool {
        self.0.iter().all(|(op, d)| match op.as_str() {
            ">=" => date >= *d,
            ">" => date > *d,
            "<=" => date <= *d,
            "<" => date < *d,
            _ => date == *d,
        })
    }
}

/// Xero's `where` filter, modelled only in the shapes xerosync sends: a period (see [`DateRange`]), or
/// `CreditNoteNumber=="CN-1" OR CreditNoteNumber=="CN-2"` (`InvoiceNumber==…` likewise on invoices) (the look-up
/// after a lost answer, rule S8). Any other expression is refused with a 400 rather than ignored, so a client
/// relying on a filter the simulator does not model finds out.
fn where_numbers(p: &Params, field: &str) -> Result<Option<Vec<String>>, Response> {
    let Some(filter) = p.get("where") else {
        return Ok(None);
    };
    if DateRange::parse(filter).is_some() {
        return Ok(None);
    }
    let prefix = format!("{field}==\"");
    filter
        .split(" OR ")
        .map(|term| {
            term.trim()
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix('"'))
                .filter(|n| !n.contains('"'))
                .map(str::to_lowercase)
        })
        .collect::<Option<Vec<_>>>()
        .map(Some)
        .ok_or_else(|| {
            bad_request(&format!(
                "the simulator models `where` only as {field}==\"…\" terms joined by OR, or a period \
                 Date >= DateTime(y, m, d) && Date <= DateTime(y, m, d)"
            ))
        })
}

/// Paging: `page` (1-based) and `pageSize` (default 100, at most 1000).
struct Paging {
    page: usize,
    size: usize,
}

fn paging(p: &Params) -> Result<Option<Paging>, Response> {
    let Some(page) = p.get("page") else {
        return Ok(None);
    };
    let page: usize = page
        .parse()
        .map_err(|_| bad_request("page must be a positive whole number"))?;
    let size: usize = match p.get("pagesize") {
        Some(s) => s
            .parse()
            .map_err(|_| bad_request("pageSize must be a whole number"))?,
        None => 100,
    };
    if size == 0 || size > 1000 {
        return Err(bad_request("pageSize must be between 1 and 1000"));
    }
    Ok(Some(Paging {
        page: page.max(1),
        size,
    }))
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(super::validation_body(message, vec![])),
    )
        .into_response()
}

/// Applies paging; returns the page and the `pagination` object.
fn paginate<T>(items: Vec<T>, paging: &Option<Paging>) -> (Vec<T>, Option<Value>) {
    match paging {
        None => (items, None),
        Some(p) => {
            let count = items.len();
            let page_count = count.div_ceil(p.size);
            let page = items
                .into_iter()
                .skip((p.page - 1) * p.size)
                .take(p.size)
                .collect();
            (
                page,
                Some(
                    json!({ "page": p.page, "pageSize": p.size, "pageCount": page_count, "itemCount": count }),
                ),
            )
        }
    }
}

pub(super) fn answer(
    sim: &Sim,
    collection: &str,
    records: Vec<Value>,
    pagination: Option<Value>,
) -> Response {
    let mut body = envelope(collection, records, sim.clock.now());
    if let Some(p) = pagination {
        body["pagination"] = p;
    }
    Json(body).into_response()
}

pub(super) fn with_tenant<R>(sim: &Sim, ctx: &Ctx, f: impl FnOnce(&Tenant) -> R) -> Option<R> {
    let world = sim.world();
    world.tenant(ctx.tenant_id).map(f)
}

fn list_docs(sim: &Sim, ctx: &Ctx, kind: DocKind, p: Params, headers: &HeaderMap) -> Response {
    let paging = match paging(&p) {
        Ok(pg) => pg,
        Err(r) => return r,
    };
    let ids = list_param(&p, "ids").map(|v| {
        v.iter()
            .filter_map(|s| Uuid::parse_str(s).ok())
            .collect::<Vec<_>>()
    });
    let numbers = list_param(
        &p,
        if kind == DocKind::Invoice {
            "invoicenumbers"
        } else {
            "creditnotenumbers"
        },
    )
    .map(|v| v.iter().map(|s| s.to_lowercase()).collect::<Vec<_>>());
    let number_field = if kind == DocKind::Invoice {
        "InvoiceNumber"
    } else {
        "CreditNoteNumber"
    };
    let numbers = match where_numbers(&p, number_field) {
        Err(refused) => return refused,
        Ok(Some(wanted)) => Some(numbers.into_iter().flatten().chain(wanted).collect()),
        Ok(None) => numbers,
    };
    let contacts = list_param(&p, "contactids").map(|v| {
        v.iter()
            .filter_map(|s| Uuid::parse_str(s).ok())
            .collect::<Vec<_>>()
    });
    let statuses = list_param(&p, "statuses");
    let period = p.get("where").and_then(DateRange::parse);
    let since = modified_since(headers);
    let unit_dp = p.unit_dp();
    // Xero returns line items in lists only when paging (or filtering by IDs).
    let detail = if paging.is_some() || ids.is_some() {
        Detail::Full
    } else {
        Detail::Summary
    };
    let found = with_tenant(sim, ctx, |t| {
        let matching: Vec<&Doc> = t
            .docs
            .iter()
            .filter(|d| d.kind == kind)
            .filter(|d| ids.as_ref().is_none_or(|ids| ids.contains(&d.id)))
            .filter(|d| {
                numbers
                    .as_ref()
                    .is_none_or(|n| n.contains(&d.number.to_lowercase()))
            })
            .filter(|d| contacts.as_ref().is_none_or(|c| c.contains(&d.contact_id)))
            .filter(|d| {
                statuses
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| s == d.status.as_str()))
            })
            .filter(|d| since.is_none_or(|since| d.updated > since))
            .filter(|d| period.as_ref().is_none_or(|p| p.holds(d.date)))
            .collect();
        let (page, pagination) = paginate(matching, &paging);
        (
            page.into_iter()
                .map(|d| render::doc(t, d, unit_dp, detail))
                .collect::<Vec<_>>(),
            pagination,
        )
    });
    match found {
        Some((records, pagination)) => answer(sim, kind.collection(), records, pagination),
        None => super::guard::forbidden(),
    }
}

fn get_doc(sim: &Sim, ctx: &Ctx, kind: DocKind, key: &str, p: Params) -> Response {
    let unit_dp = p.unit_dp();
    let found = with_tenant(sim, ctx, |t| {
        let doc = Uuid::parse_str(key)
            .ok()
            .and_then(|id| t.doc(id))
            .filter(|d| d.kind == kind)
            .or_else(|| t.doc_by_number(kind, key));
        doc.map(|d| render::doc(t, d, unit_dp, Detail::Full))
    })
    .flatten();
    match found {
        Some(v) => answer(sim, kind.collection(), vec![v], None),
        None => xero_404(),
    }
}

/// `GET /Invoices`.
pub async fn list_invoices(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    list_docs(&s, &c, DocKind::Invoice, params(q), &h)
}
/// `GET /Invoices/{id or number}`.
pub async fn get_invoice(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Q,
) -> Response {
    get_doc(&s, &c, DocKind::Invoice, &key, params(q))
}
/// `GET /CreditNotes`.
pub async fn list_credit_notes(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    list_docs(&s, &c, DocKind::CreditNote, params(q), &h)
}
/// `GET /CreditNotes/{id or number}`.
pub async fn get_credit_note(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Q,
) -> Response {
    get_doc(&s, &c, DocKind::CreditNote, &key, params(q))
}

/// `GET /Contacts`: filters `IDs`, `where` (see [`contact_query`]), `searchTerm`, `includeArchived` (ARCHIVED contacts
/// are left out unless it is `true` or `IDs` names them); paging; `If-Modified-Since`.
pub async fn list_contacts(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let p = params(q);
    let paging = match paging(&p) {
        Ok(pg) => pg,
        Err(r) => return r,
    };
    let ids = list_param(&p, "ids").map(|v| {
        v.iter()
            .filter_map(|s| Uuid::parse_str(s).ok())
            .collect::<Vec<_>>()
    });
    let filter = match p.get("where").map(contact_query::parse_where) {
        None => None,
        Some(Ok(w)) => Some(w),
        Some(Err(message)) => return bad_request(&message),
    };
    let search = p
        .get("searchterm")
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    let archived = p
        .get("includearchived")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let since = modified_since(&h);
    let today = s.clock.now().date_naive();
    let found = with_tenant(&s, &c, |t| {
        let matching: Vec<_> = t
            .contacts
            .iter()
            .filter(|x| archived || ids.is_some() || x.status == "ACTIVE")
            .filter(|x| ids.as_ref().is_none_or(|ids| ids.contains(&x.id)))
            .filter(|x| filter.as_ref().is_none_or(|w| w.matches(x)))
            .filter(|x| {
                search
                    .as_deref()
                    .is_none_or(|n| contact_query::search_matches(x, n))
            })
            .filter(|x| since.is_none_or(|since| x.updated > since))
            .collect();
        // Balances only on paged lists and single reads (xero-api-notes: read a single contact to be sure).
        let balances = paging.as_ref().map(|_| today);
        let (page, pagination) = paginate(matching, &paging);
        (
            page.into_iter()
                .map(|x| render::contact(t, x, balances))
                .collect::<Vec<_>>(),
            pagination,
        )
    });
    match found {
        Some((records, pagination)) => answer(&s, "Contacts", records, pagination),
        None => super::guard::forbidden(),
    }
}

/// `GET /Contacts/{id or ContactNumber}`: always with `Balances`.
pub async fn get_contact(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
) -> Response {
    let today = s.clock.now().date_naive();
    let found = with_tenant(&s, &c, |t| {
        Uuid::parse_str(&key)
            .ok()
            .and_then(|id| t.contact(id))
            .or_else(|| {
                t.contacts
                    .iter()
                    .find(|x| x.number.as_deref() == Some(key.as_str()))
            })
            .map(|x| render::contact(t, x, Some(today)))
    })
    .flatten();
    match found {
        Some(v) => answer(&s, "Contacts", vec![v], None),
        None => xero_404(),
    }
}

/// `GET /Items` (`If-Modified-Since`, `unitdp`).
pub async fn list_items(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let p = params(q);
    let since = modified_since(&h);
    let dp = p.unit_dp();
    let found = with_tenant(&s, &c, |t| {
        t.items
            .iter()
            .filter(|i| since.is_none_or(|since| i.updated > since))
            .map(|i| render::item(i, dp))
            .collect::<Vec<_>>()
    });
    match found {
        Some(records) => answer(&s, "Items", records, None),
        None => super::guard::forbidden(),
    }
}

/// `GET /Items/{id or code}`.
pub async fn get_item(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
    Query(q): Q,
) -> Response {
    let dp = params(q).unit_dp();
    let found = with_tenant(&s, &c, |t| {
        Uuid::parse_str(&key)
            .ok()
            .and_then(|id| t.items.iter().find(|i| i.id == id))
            .or_else(|| t.item_by_code(&key))
            .map(|i| render::item(i, dp))
    })
    .flatten();
    match found {
        Some(v) => answer(&s, "Items", vec![v], None),
        None => xero_404(),
    }
}

/// `GET /TaxRates` (optionally `TaxType=`).
pub async fn tax_rates(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
) -> Response {
    let p = params(q);
    let only = p.get("taxtype").map(str::to_owned);
    let found = with_tenant(&s, &c, |t| {
        t.tax_rates
            .iter()
            .filter(|r| only.as_deref().is_none_or(|o| o == r.tax_type))
            .map(|r| r.to_json())
            .collect::<Vec<_>>()
    });
    match found {
        Some(records) => answer(&s, "TaxRates", records, None),
        None => super::guard::forbidden(),
    }
}

/// `GET /Payments` (paging, `If-Modified-Since`).
pub async fn list_payments(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let p = params(q);
    let paging = match paging(&p) {
        Ok(pg) => pg,
        Err(r) => return r,
    };
    let since = modified_since(&h);
    let found = with_tenant(&s, &c, |t| {
        let matching: Vec<_> = t
            .payments
            .iter()
            .filter(|x| since.is_none_or(|since| x.updated > since))
            .collect();
        let (page, pagination) = paginate(matching, &paging);
        (
            page.into_iter()
                .map(|x| render::payment(t, x))
                .collect::<Vec<_>>(),
            pagination,
        )
    });
    match found {
        Some((records, pagination)) => answer(&s, "Payments", records, pagination),
        None => super::guard::forbidden(),
    }
}

/// `GET /Payments/{id}`.
pub async fn get_payment(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Path(key): Path<String>,
) -> Response {
    let found = with_tenant(&s, &c, |t| {
        Uuid::parse_str(&key)
            .ok()
            .and_then(|id| t.payments.iter().find(|p| p.id == id))
            .map(|x| render::payment(t, x))
    })
    .flatten();
    match found {
        Some(v) => answer(&s, "Payments", vec![v], None),
        None => xero_404(),
    }
}

/// `GET /Organisation`.
pub async fn organisation(State(s): State<Arc<Sim>>, Extension(c): Extension<Ctx>) -> Response {
    match with_tenant(&s, &c, render::organisation) {
        Some(v) => answer(&s, "Organisations", vec![v], None),
        None => super::guard::forbidden(),
    }
}
