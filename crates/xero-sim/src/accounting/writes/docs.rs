//! Invoices and credit notes: locate (id, number), editability, fields, status transitions, lines, totals.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::lines::{build_line, recompute};
use super::{new_contact, noun, Outcome, WriteCtx, WriteMode, NOT_FOUND};
use crate::json::{parse_date, str_field};
use crate::maths::{self, AmountsAre};
use crate::store::{Doc, DocKind, Line, Status, Tenant};

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

fn allowed_types(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Invoice => &["ACCREC", "ACCPAY"],
        DocKind::CreditNote => &["ACCRECCREDIT", "ACCPAYCREDIT"],
    }
}

fn status_change_ok(from: Option<Status>, to: Status) -> bool {
    use Status::*;
    match from {
        None => matches!(to, Draft | Submitted | Authorised),
        Some(Draft | Submitted) => matches!(to, Draft | Submitted | Authorised | Deleted),
        Some(Authorised) => matches!(to, Authorised | Voided),
        Some(Paid | Voided | Deleted) => false,
    }
}

/// The contact an invoice names: by `ContactID`, `ContactNumber` or `Name` (a new contact when no active one has
/// that name, created only if the invoice is valid).
enum ContactRef {
    Existing(Uuid),
    New(String),
}

fn resolve_contact(tenant: &Tenant, contact: &Value) -> Result<ContactRef, String> {
    if let Some(id) = str_field(contact, "ContactID") {
        return Uuid::parse_str(id)
            .ok()
            .and_then(|id| tenant.contact(id))
            .map(|c| ContactRef::Existing(c.id))
            .ok_or_else(|| format!("The contact with ContactID {id} could not be found."));
    }
    if let Some(number) = str_field(contact, "ContactNumber") {
        if let Some(c) = tenant
            .contacts
            .iter()
            .find(|c| c.number.as_deref() == Some(number))
        {
            return Ok(ContactRef::Existing(c.id));
        }
    }
    match str_field(contact, "Name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(name) => Ok(match tenant.active_contact_named(name) {
            Some(c) => ContactRef::Existing(c.id),
            None => ContactRef::New(name.to_owned()),
        }),
        None => Err("A Contact must be specified for this type of transaction".to_owned()),
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
    let mut errors = Vec::new();
    if let Some(old) = &existing {
        match old.status {
            Status::Voided | Status::Deleted => {
                return Err(vec![format!("{} not of valid status for modification", noun(kind))])
            }
            Status::Paid => {
                return Err(vec![
                    "This document cannot be edited as it has a payment or credit note allocated to it.".to_owned(),
                ])
            }
            _ if old.amount_paid > Decimal::ZERO || old.amount_credited > Decimal::ZERO => {
                return Err(vec![
                    "This document cannot be edited as it has a payment or credit note allocated to it.".to_owned(),
                ])
            }
            _ => {}
        }
    }
    let today = ctx.now.date_naive();
    let doc_type = match (str_field(body, "Type"), &existing) {
        (Some(t), _) if allowed_types(kind).contains(&t) => t.to_owned(),
        (Some(t), _) => {
            errors.push(format!(
                "{} Type '{t}' is not valid for this endpoint.",
                noun(kind)
            ));
            String::new()
        }
        (None, Some(old)) => old.doc_type.clone(),
        (None, None) => {
            errors.push(format!("{} Type must be specified.", noun(kind)));
            String::new()
        }
    };
    let contact = match (body.get("Contact"), &existing) {
        (Some(c), _) => match resolve_contact(ctx.tenant, c) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        (None, Some(old)) => Some(ContactRef::Existing(old.contact_id)),
        (None, None) => {
            errors.push("A Contact must be specified for this type of transaction".to_owned());
            None
        }
    };
    let number = str_field(body, kind.number_field())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if let Some(n) = &number {
        if n.chars().count() > 255 {
            errors.push(format!(
                "{} must be no more than 255 characters long.",
                kind.number_field()
            ));
        }
        let receivable = matches!(doc_type.as_str(), "ACCREC" | "ACCRECCREDIT");
        let clash = ctx
            .tenant
            .doc_by_number(kind, n)
            .filter(|d| Some(d.id) != existing.as_ref().map(|e| e.id));
        if receivable && clash.is_some() {
            errors.push(match kind {
                DocKind::Invoice => "Invoice # must be unique.".to_owned(),
                DocKind::CreditNote => "Credit Note # must be unique.".to_owned(),
            });
        }
    }
    let mut date_field = |key: &str, old: Option<NaiveDate>| -> Option<NaiveDate> {
        match str_field(body, key) {
            Some(text) => parse_date(text).or_else(|| {
                errors.push(format!("{key} '{text}' is not a valid date."));
                old
            }),
            None => old,
        }
    };
    let date = date_field("Date", existing.as_ref().map(|d| d.date)).unwrap_or(today);
    let due_date = date_field("DueDate", existing.as_ref().and_then(|d| d.due_date));
    let amounts_are = match str_field(body, "LineAmountTypes") {
        Some(t) => AmountsAre::parse(t).unwrap_or_else(|| {
            errors.push(format!(
                "LineAmountTypes '{t}' is not valid (Exclusive, Inclusive, NoTax)."
            ));
            AmountsAre::Exclusive
        }),
        None => existing
            .as_ref()
            .map_or(AmountsAre::Exclusive, |d| d.amounts_are),
    };
    let currency = ctx.tenant.currency();
    if let Some(code) = str_field(body, "CurrencyCode") {
        if code != currency {
            errors.push(format!("Organisation is not subscribed to currency {code}"));
        }
    }
    let status = match str_field(body, "Status") {
        Some(s) => Status::parse(s).unwrap_or_else(|| {
            errors.push(format!("Status '{s}' is not valid."));
            Status::Draft
        }),
        None => existing.as_ref().map_or(Status::Draft, |d| d.status),
    };
    if !status_change_ok(existing.as_ref().map(|d| d.status), status) {
        errors.push(match &existing {
            None => format!(
                "{} cannot be created with status {}.",
                noun(kind),
                status.as_str()
            ),
            Some(_) => format!("{} not of valid status for modification", noun(kind)),
        });
    }
    let old_lines = existing
        .as_ref()
        .map(|d| d.lines.clone())
        .unwrap_or_default();
    let (lines, figures) = match body.get("LineItems") {
        Some(Value::Array(items)) => {
            let mut lines = Vec::new();
            let mut figures = Vec::new();
            for item in items {
                if let Some((l, f)) = build_line(
                    ctx,
                    kind,
                    &doc_type,
                    amounts_are,
                    item,
                    &old_lines,
                    &mut errors,
                ) {
                    lines.push(l);
                    figures.push(f);
                }
            }
            (lines, figures)
        }
        Some(_) => {
            errors.push("LineItems must be an array.".to_owned());
            (Vec::new(), Vec::new())
        }
        None => match &existing {
            Some(old) => {
                let mut probe = old.clone();
                probe.amounts_are = amounts_are;
                let figures = recompute(ctx, &probe);
                let lines = old
                    .lines
                    .iter()
                    .zip(&figures)
                    .map(|(l, f)| Line {
                        tax_amount: f.tax,
                        ..l.clone()
                    })
                    .collect();
                (lines, figures)
            }
            None => (Vec::new(), Vec::new()),
        },
    };
    if matches!(status, Status::Submitted | Status::Authorised) {
        if lines.is_empty() && errors.is_empty() {
            errors.push(format!(
                "{} must have at least one line item to be approved.",
                noun(kind)
            ));
        }
        if lines.iter().any(|l| l.account_code.is_none()) {
            errors.push(
                "AccountCode must be specified on every line of an approved document.".to_owned(),
            );
        }
    }
    let totals = maths::totals(&figures, amounts_are);
    if totals.total < Decimal::ZERO {
        errors.push(format!("{} total cannot be negative.", noun(kind)));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let contact_id = match contact {
        Some(ContactRef::Existing(id)) => id,
        Some(ContactRef::New(name)) => {
            let id = Uuid::new_v4();
            ctx.tenant.put_contact(new_contact(id, name, ctx.now));
            ctx.event("CONTACT", true, id);
            id
        }
        None => {
            return Err(vec![
                "A Contact must be specified for this type of transaction".to_owned(),
            ])
        }
    };
    let number = match (number, &existing) {
        (Some(n), _) => n,
        (None, Some(old)) => old.number.clone(),
        (None, None) => ctx.tenant.next_number(kind),
    };
    let created = existing.is_none();
    let old = existing.unwrap_or_else(|| Doc {
        kind,
        id: Uuid::new_v4(),
        doc_type: doc_type.clone(),
        number: String::new(),
        reference: None,
        contact_id,
        date,
        due_date: None,
        status,
        amounts_are,
        lines: Vec::new(),
        currency: currency.to_owned(),
        sub_total: Decimal::ZERO,
        total_tax: Decimal::ZERO,
        total: Decimal::ZERO,
        total_discount: Decimal::ZERO,
        amount_paid: Decimal::ZERO,
        amount_credited: Decimal::ZERO,
        fully_paid_on: None,
        url: None,
        updated: ctx.now,
        payments: Vec::new(),
        allocations: Vec::new(),
    });
    let doc = Doc {
        doc_type,
        number,
        reference: str_field(body, "Reference")
            .map(str::to_owned)
            .or(old.reference.clone()),
        url: str_field(body, "Url")
            .map(str::to_owned)
            .or(old.url.clone()),
        contact_id,
        date,
        due_date,
        status,
        amounts_are,
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
