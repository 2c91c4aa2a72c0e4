//! Invoices and credit notes: locate the stored document (id, number), check it may still be edited, read and
//! validate the request (`doc_fields`), then store the result with Xero's totals.

use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::doc_fields::{self, ContactRef, Header};
use super::{new_contact, noun, Outcome, WriteCtx, WriteMode, NOT_FOUND};
use crate::json::str_field;
use crate::maths::{self, Totals};
use crate::store::{Doc, DocKind, Line, Status};

/// Xero's refusal to touch a document that money has already reached (payments or allocated credit).
pub const HAS_PAYMENT: &str =
    "This document cannot be edited as it has a payment or credit note allocated to it.";

/// Finds the document a request element refers to (path segment, id field, or — for POST — its number).
fn locate_doc(
    ctx: &WriteCtx,
    kind: DocKind,
    body: &Value,
    mode: WriteMode,
    path_key: Option<&str>,
) -> Result<Option<Doc>, Vec<String>> {
    let key = path_key.or_else(|| str_field(body, kind.id_field()));
    if let Some(key) = key {
        let found = match Uuid::parse_str(key) {
            Ok(id) => ctx.tenant.doc(id).filter(|d| d.kind == kind),
            Err(_) => ctx.tenant.doc_by_number(kind, key),
        };
        return found
            .cloned()
            .map(Some)
            .ok_or_else(|| vec![NOT_FOUND.to_owned()]);
    }
    if mode == WriteMode::CreateOrUpdate {
        if let Some(number) = str_field(body, kind.number_field()).filter(|n| !n.trim().is_empty())
        {
            return Ok(ctx.tenant.doc_by_number(kind, number.trim()).cloned());
        }
    }
    Ok(None)
}

/// Whether a stored document may be changed at all: not once voided or deleted, and not once a payment or credit
/// has reached it (that covers voiding it too: Xero says to remove the payments first, or to credit it).
fn check_editable(kind: DocKind, old: &Doc) -> Result<(), Vec<String>> {
    match old.status {
        Status::Voided | Status::Deleted => Err(vec![format!(
            "{} not of valid status for modification",
            noun(kind)
        )]),
        Status::Paid => Err(vec![HAS_PAYMENT.to_owned()]),
        _ if old.amount_paid > Decimal::ZERO || old.amount_credited > Decimal::ZERO => {
            Err(vec![HAS_PAYMENT.to_owned()])
        }
        _ => Ok(()),
    }
}

/// Creates or updates one invoice or credit note.
pub fn doc(
    ctx: &mut WriteCtx,
    kind: DocKind,
    body: &Value,
    mode: WriteMode,
    path_key: Option<&str>,
) -> Outcome {
    if !body.is_object() {
        return Err(vec![format!("{} must be a JSON object.", noun(kind))]);
    }
    let existing = locate_doc(ctx, kind, body, mode, path_key)?;
    if let Some(old) = &existing {
        check_editable(kind, old)?;
    }
    let mut errors = Vec::new();
    let header = doc_fields::read_header(ctx, kind, body, existing.as_ref(), &mut errors);
    let status = doc_fields::read_status(kind, body, existing.as_ref(), &mut errors);
    let (lines, figures) =
        doc_fields::read_lines(ctx, kind, body, &header, existing.as_ref(), &mut errors);
    let totals = maths::totals(&figures, header.amounts_are);
    doc_fields::check_approvable(kind, status, &lines, totals.total, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let valid = Valid {
        header,
        status,
        lines,
        totals,
    };
    store(ctx, kind, body, existing, valid)
}

/// A request element that passed every check.
struct Valid {
    header: Header,
    status: Status,
    lines: Vec<Line>,
    totals: Totals,
}

/// Stores the document (and the new contact it names, if any) and records the webhook event.
fn store(
    ctx: &mut WriteCtx,
    kind: DocKind,
    body: &Value,
    existing: Option<Doc>,
    valid: Valid,
) -> Outcome {
    let Valid {
        header,
        status,
        lines,
        totals,
    } = valid;
    let contact_id = match header.contact {
        Some(ContactRef::Existing(id)) => id,
        // Made only now, once the document is known to be valid, so a refused invoice leaves no contact behind.
        Some(ContactRef::New(name)) => {
            let id = Uuid::new_v4();
            ctx.tenant.put_contact(new_contact(id, name, ctx.now));
            ctx.event("CONTACT", true, id);
            id
        }
        // Unreachable: a missing contact is a validation error, so such an element never gets here.
        None => {
            return Err(vec![
                "A Contact must be specified for this type of transaction".to_owned(),
            ])
        }
    };
    let number = match (header.number, &existing) {
        (Some(n), _) => n,
        (None, Some(old)) => old.number.clone(),
        (None, None) => ctx.tenant.next_number(kind),
    };
    let created = existing.is_none();
    let old = existing.unwrap_or_else(|| Doc {
        kind,
        id: Uuid::new_v4(),
        doc_type: header.doc_type.clone(),
        number: String::new(),
        reference: None,
        contact_id,
        date: header.date,
        due_date: None,
        status,
        amounts_are: header.amounts_are,
        lines: Vec::new(),
        currency: String::new(),
        currency_rate: Decimal::ONE,
        branding_theme: None,
        sub_total: Decimal::ZERO,
        total_tax: Decimal::ZERO,
        total: Decimal::ZERO,
        total_discount: Decimal::ZERO,
        amount_paid: Decimal::ZERO,
        amount_credited: Decimal::ZERO,
        fully_paid_on: None,
        url: None,
        sent_to_contact: false,
        updated: ctx.now,
        payments: Vec::new(),
        allocations: Vec::new(),
    });
    let doc = Doc {
        doc_type: header.doc_type,
        number,
        reference: str_field(body, "Reference")
            .map(str::to_owned)
            .or(old.reference.clone()),
        url: str_field(body, "Url")
            .map(str::to_owned)
            .or(old.url.clone()),
        contact_id,
        date: header.date,
        due_date: header.due_date,
        status,
        amounts_are: header.amounts_are,
        currency: header.currency,
        currency_rate: header.currency_rate,
        branding_theme: header.branding_theme,
        lines,
        sub_total: totals.sub_total,
        total_tax: totals.total_tax,
        total: totals.total,
        total_discount: totals.total_discount,
        updated: ctx.now,
        ..old
    };
    let id = doc.id;
    ctx.tenant.put_doc(doc);
    ctx.event(kind.event_category(), created, id);
    Ok(id)
}
