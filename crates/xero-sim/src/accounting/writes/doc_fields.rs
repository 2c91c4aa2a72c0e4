//! The fields of an invoice or credit note request element, read and validated one group at a time: the header
//! (type, contact, number, dates, amounts, currency), the status change, the lines and the approval checks. Every
//! reader pushes its messages to `errors` in the order Xero lists them, and nothing here mutates the organisation.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::doc_extras;
use super::lines::{build_line, recompute};
use super::{noun, WriteCtx};
use crate::json::{parse_date, str_field};
use crate::maths::{AmountsAre, LineFigures};
use crate::store::{Doc, DocKind, Line, Status, Tenant};

/// The contact an invoice names: by `ContactID`, `ContactNumber` or `Name` (a new contact when no active one has
/// that name, created only if the invoice is valid).
pub(super) enum ContactRef {
    Existing(Uuid),
    New(String),
}

/// The header of a document as the request (or, where it is silent, the stored document) gives it.
pub(super) struct Header {
    pub doc_type: String,
    pub contact: Option<ContactRef>,
    /// The number asked for, trimmed (`None`: keep the stored one, or number it automatically).
    pub number: Option<String>,
    pub date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub amounts_are: AmountsAre,
    pub currency: String,
    pub currency_rate: Decimal,
    pub branding_theme: Option<Uuid>,
}

fn allowed_types(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Invoice => &["ACCREC", "ACCPAY"],
        DocKind::CreditNote => &["ACCRECCREDIT", "ACCPAYCREDIT"],
    }
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

/// Type, contact, number (unique among receivables), dates, `LineAmountTypes` and currency.
pub(super) fn read_header(
    ctx: &WriteCtx,
    kind: DocKind,
    body: &Value,
    existing: Option<&Doc>,
    errors: &mut Vec<String>,
) -> Header {
    let doc_type = match (str_field(body, "Type"), existing) {
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
    let contact = match (body.get("Contact"), existing) {
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
    let number = read_number(ctx, kind, body, &doc_type, existing, errors);
    let mut date_field = |key: &str, old: Option<NaiveDate>| -> Option<NaiveDate> {
        match str_field(body, key) {
            Some(text) => parse_date(text).or_else(|| {
                errors.push(format!("{key} '{text}' is not a valid date."));
                old
            }),
            None => old,
        }
    };
    let date = date_field("Date", existing.map(|d| d.date)).unwrap_or(ctx.now.date_naive());
    let due_date = date_field("DueDate", existing.and_then(|d| d.due_date));
    let amounts_are = match str_field(body, "LineAmountTypes") {
        Some(t) => AmountsAre::parse(t).unwrap_or_else(|| {
            errors.push(format!(
                "LineAmountTypes '{t}' is not valid (Exclusive, Inclusive, NoTax)."
            ));
            AmountsAre::Exclusive
        }),
        None => existing.map_or(AmountsAre::Exclusive, |d| d.amounts_are),
    };
    let (currency, currency_rate) =
        doc_extras::read_currency(ctx.tenant, body, existing, date, errors);
    let branding_theme = doc_extras::read_branding(ctx.tenant, body, existing, errors);
    Header {
        doc_type,
        contact,
        number,
        date,
        due_date,
        amounts_are,
        currency,
        currency_rate,
        branding_theme,
    }
}

/// `InvoiceNumber` / `CreditNoteNumber`: ≤ 255 characters, unique (case-insensitively) among receivables.
fn read_number(
    ctx: &WriteCtx,
    kind: DocKind,
    body: &Value,
    doc_type: &str,
    existing: Option<&Doc>,
    errors: &mut Vec<String>,
) -> Option<String> {
    let number = str_field(body, kind.number_field())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())?;
    if number.chars().count() > 255 {
        errors.push(format!(
            "{} must be no more than 255 characters long.",
            kind.number_field()
        ));
    }
    let receivable = matches!(doc_type, "ACCREC" | "ACCRECCREDIT");
    let clash = ctx
        .tenant
        .doc_by_number(kind, &number)
        .filter(|d| Some(d.id) != existing.map(|e| e.id));
    if receivable && clash.is_some() {
        errors.push(match kind {
            DocKind::Invoice => "Invoice # must be unique.".to_owned(),
            DocKind::CreditNote => "Credit Note # must be unique.".to_owned(),
        });
    }
    Some(number)
}

/// Xero's status changes: new documents start as DRAFT, SUBMITTED or AUTHORISED; DRAFT/SUBMITTED may be approved or
/// DELETED; AUTHORISED may only be VOIDED (or stay, for an edit in place); PAID, VOIDED and DELETED are final.
fn status_change_ok(from: Option<Status>, to: Status) -> bool {
    use Status::*;
    match from {
        None => matches!(to, Draft | Submitted | Authorised),
        Some(Draft | Submitted) => matches!(to, Draft | Submitted | Authorised | Deleted),
        Some(Authorised) => matches!(to, Authorised | Voided),
        Some(Paid | Voided | Deleted) => false,
    }
}

/// The status asked for (or kept), with Xero's refusal of a change it does not allow.
pub(super) fn read_status(
    kind: DocKind,
    body: &Value,
    existing: Option<&Doc>,
    errors: &mut Vec<String>,
) -> Status {
    let status = match str_field(body, "Status") {
        Some(s) => Status::parse(s).unwrap_or_else(|| {
            errors.push(format!("Status '{s}' is not valid."));
            Status::Draft
        }),
        None => existing.map_or(Status::Draft, |d| d.status),
    };
    if !status_change_ok(existing.map(|d| d.status), status) {
        errors.push(match existing {
            None => format!(
                "{} cannot be created with status {}.",
                noun(kind),
                status.as_str()
            ),
            // Xero's own wording for any change between two statuses a document cannot move between (its SDK
            // maintainers quote it for VOIDED on a draft and DELETED on an authorised invoice alike).
            Some(_) => format!("{} not of valid status for modification", noun(kind)),
        });
    }
    status
}

/// The lines: built from the request when it has `LineItems`, else the stored ones (their tax recomputed only when
/// `LineAmountTypes` changes).
pub(super) fn read_lines(
    ctx: &WriteCtx,
    kind: DocKind,
    body: &Value,
    header: &Header,
    existing: Option<&Doc>,
    errors: &mut Vec<String>,
) -> (Vec<Line>, Vec<LineFigures>) {
    let old_lines = existing.map(|d| d.lines.as_slice()).unwrap_or_default();
    match body.get("LineItems") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| {
                build_line(
                    ctx,
                    kind,
                    &header.doc_type,
                    header.amounts_are,
                    item,
                    old_lines,
                    errors,
                )
            })
            .unzip(),
        Some(_) => {
            errors.push("LineItems must be an array.".to_owned());
            (Vec::new(), Vec::new())
        }
        None => match existing {
            // Lines untouched: they keep their tax, a `TaxAmount` override included (Xero keeps the figure it
            // stored; recomputing it here would undo rule S6a's penny adjustment on a mere approval).
            Some(old) if old.amounts_are == header.amounts_are => {
                let figures = old
                    .lines
                    .iter()
                    .map(|l| LineFigures {
                        line_amount: l.line_amount,
                        tax: l.tax_amount,
                        gross: l.quantity * l.unit_amount,
                    })
                    .collect();
                (old.lines.clone(), figures)
            }
            Some(old) => {
                let mut probe = old.clone();
                probe.amounts_are = header.amounts_are;
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
    }
}

/// A SUBMITTED or AUTHORISED document needs lines, each with an account; no document may total below zero.
pub(super) fn check_approvable(
    kind: DocKind,
    status: Status,
    lines: &[Line],
    total: Decimal,
    errors: &mut Vec<String>,
) {
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
    if total < Decimal::ZERO {
        errors.push(format!("{} total cannot be negative.", noun(kind)));
    }
}
