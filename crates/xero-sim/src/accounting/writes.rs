//! Creating and updating records, one request element at a time, with Xero's validation messages. Each function
//! validates everything first and mutates only when the element is valid, so a failed element leaves no trace
//! (and the good elements of the same request are still created, as Xero does).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use crate::json::{bool_field, decimal_field, parse_date, str_field};
use crate::maths::{self, AmountsAre, Discount, DiscountProblem, LineFigures};
use crate::store::{
    Allocation, Contact, Doc, DocKind, Item, Line, Payment, Person, Status, Tenant,
};
use crate::webhooks::Event;

/// `PUT` creates; `POST` creates or updates (matching by id, or by number / code / contact number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// `PUT`.
    Create,
    /// `POST`.
    CreateOrUpdate,
}

/// What a write needs: the organisation, the time, the unit precision and where to put webhook events.
pub struct WriteCtx<'a> {
    /// The organisation written to.
    pub tenant: &'a mut Tenant,
    /// The simulated now.
    pub now: DateTime<Utc>,
    /// 2, or 4 with `unitdp=4`.
    pub unit_dp: u32,
    /// Webhook events produced.
    pub events: &'a mut Vec<Event>,
}

impl WriteCtx<'_> {
    fn event(&mut self, category: &'static str, created: bool, resource_id: Uuid) {
        self.events.push(Event {
            tenant_id: self.tenant.id,
            category,
            event_type: if created { "CREATE" } else { "UPDATE" },
            resource_id,
            at: self.now,
        });
    }
}

type Outcome = Result<Uuid, Vec<String>>;

/// The message Xero gives for an id that matches nothing.
pub const NOT_FOUND: &str = "The document with the supplied id was not found for this endpoint.";

fn noun(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Invoice => "Invoice",
        DocKind::CreditNote => "Credit Note",
    }
}

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

fn discount_message(problem: DiscountProblem, discount: Discount) -> String {
    match (problem, discount) {
        (DiscountProblem::NotPositive, Discount::Amount(_)) => {
            "DiscountAmount must be greater than zero.".to_owned()
        }
        (DiscountProblem::NotPositive, _) => "DiscountRate must be greater than zero.".to_owned(),
        (DiscountProblem::RateTooHigh, _) => "DiscountRate must be less than 100%.".to_owned(),
        (DiscountProblem::AmountTooHigh, _) => {
            "The DiscountAmount cannot be equal to or greater than the line amount.".to_owned()
        }
        (DiscountProblem::RoundsToZero, _) => {
            "The line amount after discount cannot be zero.".to_owned()
        }
    }
}

/// Parses and computes one line; errors are pushed to `errors`.
fn build_line(
    ctx: &WriteCtx,
    kind: DocKind,
    doc_type: &str,
    amounts_are: AmountsAre,
    line: &Value,
    old_lines: &[Line],
    errors: &mut Vec<String>,
) -> Option<(Line, LineFigures)> {
    let tenant = &*ctx.tenant;
    let before = errors.len();
    let mut num = |key: &str| match decimal_field(line, key) {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let quantity = num("Quantity");
    let unit_amount = num("UnitAmount");
    let given_line_amount = num("LineAmount");
    let rate = num("DiscountRate");
    let amount = num("DiscountAmount");
    let tax_override = num("TaxAmount");
    let item_code = str_field(line, "ItemCode")
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let item = match item_code {
        Some(code) => match tenant.item_by_code(code) {
            Some(item) => Some(item),
            None => {
                errors.push(format!("Item code '{code}' is not valid."));
                None
            }
        },
        None => None,
    };
    let description = str_field(line, "Description")
        .map(str::to_owned)
        .or_else(|| item.and_then(|i| i.description.clone().or_else(|| Some(i.name.clone()))))
        .unwrap_or_default();
    if description.trim().is_empty() {
        errors.push("Description needs to be at least 1 char long.".to_owned());
    } else if description.chars().count() > 4000 {
        errors.push("Description must be no more than 4000 characters long.".to_owned());
    }
    let discount = match (rate, amount) {
        (Some(_), Some(_)) => {
            errors.push(
                "A line item can have a DiscountRate or a DiscountAmount, not both.".to_owned(),
            );
            Discount::None
        }
        (Some(r), None) => Discount::Rate(maths::round2(r)),
        (None, Some(a)) => Discount::Amount(maths::round2(a)),
        (None, None) => Discount::None,
    };
    if discount != Discount::None {
        if kind == DocKind::CreditNote {
            errors.push("Discounts are not supported on credit notes.".to_owned());
        } else if doc_type != "ACCREC" {
            errors.push("Discounts are only supported on sales invoices (ACCREC).".to_owned());
        }
    }
    let account_code = str_field(line, "AccountCode")
        .map(str::to_owned)
        .or_else(|| item.and_then(|i| i.sales_account.clone()));
    if let Some(code) = &account_code {
        if tenant.account(code).is_none() {
            errors.push(format!(
                "Account code '{code}' is not a valid code for this document."
            ));
        }
    }
    let sales = matches!(doc_type, "ACCREC" | "ACCRECCREDIT");
    let tax_type = str_field(line, "TaxType")
        .map(str::to_owned)
        .or_else(|| item.and_then(|i| i.sales_tax_type.clone()))
        .or_else(|| {
            account_code
                .as_deref()
                .and_then(|c| tenant.account(c))
                .map(|a| a.default_tax.to_owned())
        })
        .unwrap_or_else(|| {
            if amounts_are == AmountsAre::NoTax {
                "NONE".to_owned()
            } else if sales {
                "OUTPUT2".to_owned()
            } else {
                "INPUT2".to_owned()
            }
        });
    let tax_rate = match tenant.tax_rate(&tax_type) {
        Some(r) if r.status == "ACTIVE" && (if sales { r.revenue } else { r.expenses }) => r.rate,
        _ => {
            errors.push(format!(
                "The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction."
            ));
            Decimal::ZERO
        }
    };
    let (quantity, unit_amount) = match (quantity, unit_amount, given_line_amount) {
        (None, None, Some(line_amount)) => (Decimal::ONE, line_amount),
        (q, u, _) => (
            q.unwrap_or(Decimal::ONE),
            u.or_else(|| item.and_then(|i| i.sales_price))
                .unwrap_or_default(),
        ),
    };
    let quantity = maths::round_to(quantity, 4);
    let unit_amount = maths::round_to(unit_amount, ctx.unit_dp);
    let line_amount = match maths::line_amount(quantity, unit_amount, discount) {
        Ok(a) => a,
        Err(problem) => {
            errors.push(discount_message(problem, discount));
            Decimal::ZERO
        }
    };
    if let Some(given) = given_line_amount {
        if maths::round2(given) != line_amount && errors.len() == before {
            errors.push(format!(
                "The LineAmount {given} does not equal Quantity x UnitAmount less discount ({line_amount})."
            ));
        }
    }
    if errors.len() > before {
        return None;
    }
    let tax = match tax_override {
        Some(t) => maths::round2(t),
        None => maths::line_tax(line_amount, tax_rate, amounts_are),
    };
    let id = str_field(line, "LineItemID")
        .and_then(|s| Uuid::parse_str(s).ok())
        .filter(|id| old_lines.iter().any(|l| l.id == *id))
        .unwrap_or_else(Uuid::new_v4);
    Some((
        Line {
            id,
            description,
            quantity,
            unit_amount,
            item_code: item.map(|i| i.code.clone()),
            account_code,
            tax_type,
            tax_amount: tax,
            line_amount,
            discount,
        },
        LineFigures {
            line_amount,
            tax,
            gross: quantity * unit_amount,
        },
    ))
}

fn recompute(ctx: &WriteCtx, doc: &Doc) -> Vec<LineFigures> {
    doc.lines
        .iter()
        .map(|l| {
            let rate = ctx
                .tenant
                .tax_rate(&l.tax_type)
                .map(|r| r.rate)
                .unwrap_or_default();
            LineFigures {
                line_amount: l.line_amount,
                tax: maths::line_tax(l.line_amount, rate, doc.amounts_are),
                gross: l.quantity * l.unit_amount,
            }
        })
        .collect()
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

fn new_contact(id: Uuid, name: String, now: DateTime<Utc>) -> Contact {
    Contact {
        id,
        name,
        number: None,
        account_number: None,
        status: "ACTIVE".to_owned(),
        first_name: None,
        last_name: None,
        email: None,
        persons: Vec::new(),
        updated: now,
    }
}

fn check_len(errors: &mut Vec<String>, body: &Value, key: &str, max: usize) -> Option<String> {
    let value = str_field(body, key)?;
    if value.chars().count() > max {
        errors.push(format!("{key} must be no more than {max} characters long."));
    }
    Some(value.to_owned())
}

/// Creates or updates one contact.
pub fn contact(
    ctx: &mut WriteCtx,
    body: &Value,
    mode: WriteMode,
    path_key: Option<&str>,
) -> Outcome {
    if !body.is_object() {
        return Err(vec!["Contact must be a JSON object.".to_owned()]);
    }
    let tenant = &*ctx.tenant;
    let existing = match path_key.or_else(|| str_field(body, "ContactID")) {
        Some(key) => Some(
            Uuid::parse_str(key)
                .ok()
                .and_then(|id| tenant.contact(id))
                .or_else(|| {
                    tenant
                        .contacts
                        .iter()
                        .find(|c| c.number.as_deref() == Some(key))
                })
                .cloned()
                .ok_or_else(|| vec![NOT_FOUND.to_owned()])?,
        ),
        None if mode == WriteMode::CreateOrUpdate => str_field(body, "ContactNumber")
            .and_then(|n| {
                tenant
                    .contacts
                    .iter()
                    .find(|c| c.number.as_deref() == Some(n))
            })
            .cloned(),
        None => None,
    };
    let mut errors = Vec::new();
    let name = check_len(&mut errors, body, "Name", 255).map(|n| n.trim().to_owned());
    let name = match (name, &existing) {
        (Some(n), _) if !n.is_empty() => n,
        (None, Some(old)) => old.name.clone(),
        _ => {
            errors.push("The contact name must be specified.".to_owned());
            String::new()
        }
    };
    let status = str_field(body, "ContactStatus")
        .map(str::to_owned)
        .or_else(|| existing.as_ref().map(|c| c.status.clone()))
        .unwrap_or_else(|| "ACTIVE".to_owned());
    if !matches!(status.as_str(), "ACTIVE" | "ARCHIVED") {
        errors.push(format!("ContactStatus '{status}' is not valid."));
    }
    if status == "ACTIVE" && !name.is_empty() {
        if let Some(other) = tenant.active_contact_named(&name) {
            if Some(other.id) != existing.as_ref().map(|c| c.id) {
                errors.push(format!(
                    "The contact name {name} is already assigned to another contact. The contact name must be unique across all active contacts."
                ));
            }
        }
    }
    let number = check_len(&mut errors, body, "ContactNumber", 50);
    let account_number = check_len(&mut errors, body, "AccountNumber", 50);
    let first_name = check_len(&mut errors, body, "FirstName", 255);
    let last_name = check_len(&mut errors, body, "LastName", 255);
    let email = check_len(&mut errors, body, "EmailAddress", 255);
    if let Some(e) = email.as_deref().filter(|e| !e.is_empty()) {
        if !e.contains('@') || e.contains(' ') {
            errors.push("Email address must be valid.".to_owned());
        }
    }
    let persons = match body.get("ContactPersons") {
        Some(Value::Array(list)) => {
            if list.len() > 5 {
                errors.push("A contact can have no more than 5 contact persons.".to_owned());
            }
            Some(
                list.iter()
                    .map(|p| Person {
                        first_name: str_field(p, "FirstName").map(str::to_owned),
                        last_name: str_field(p, "LastName").map(str::to_owned),
                        email: str_field(p, "EmailAddress").map(str::to_owned),
                        include_in_emails: bool_field(p, "IncludeInEmails").unwrap_or(false),
                    })
                    .collect(),
            )
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let created = existing.is_none();
    let old = existing.unwrap_or_else(|| new_contact(Uuid::new_v4(), name.clone(), ctx.now));
    let contact = Contact {
        name,
        status,
        number: number.or(old.number.clone()),
        account_number: account_number.or(old.account_number.clone()),
        first_name: first_name.or(old.first_name.clone()),
        last_name: last_name.or(old.last_name.clone()),
        email: email.or(old.email.clone()),
        persons: persons.unwrap_or(old.persons.clone()),
        updated: ctx.now,
        ..old
    };
    let id = contact.id;
    ctx.tenant.put_contact(contact);
    ctx.event("CONTACT", created, id);
    Ok(id)
}

/// Creates or updates one item.
pub fn item(ctx: &mut WriteCtx, body: &Value, mode: WriteMode, path_key: Option<&str>) -> Outcome {
    if !body.is_object() {
        return Err(vec!["Item must be a JSON object.".to_owned()]);
    }
    let tenant = &*ctx.tenant;
    let code = str_field(body, "Code").map(|c| c.trim().to_owned());
    let existing = match path_key.or_else(|| str_field(body, "ItemID")) {
        Some(key) => Some(
            Uuid::parse_str(key)
                .ok()
                .and_then(|id| tenant.items.iter().find(|i| i.id == id))
                .or_else(|| tenant.item_by_code(key))
                .cloned()
                .ok_or_else(|| vec![NOT_FOUND.to_owned()])?,
        ),
        None if mode == WriteMode::CreateOrUpdate => code
            .as_deref()
            .and_then(|c| tenant.item_by_code(c))
            .cloned(),
        None => None,
    };
    let mut errors = Vec::new();
    let code = match (code, &existing) {
        (Some(c), _) if !c.is_empty() => c,
        (None, Some(old)) => old.code.clone(),
        _ => {
            errors.push("Item Code must be specified.".to_owned());
            String::new()
        }
    };
    if code.chars().count() > 30 {
        errors.push("The Item Code must be no more than 30 characters long.".to_owned());
    }
    if let Some(other) = tenant.item_by_code(&code) {
        if Some(other.id) != existing.as_ref().map(|i| i.id) {
            errors.push(format!("Item code '{code}' already exists."));
        }
    }
    let name = check_len(&mut errors, body, "Name", 50);
    let description = check_len(&mut errors, body, "Description", 4000);
    let sales = body.get("SalesDetails");
    let mut price = None;
    let mut account = None;
    let mut tax = None;
    if let Some(s) = sales {
        price = match decimal_field(s, "UnitPrice") {
            Ok(p) => p.map(|p| maths::round_to(p, ctx.unit_dp)),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        account = str_field(s, "AccountCode").map(str::to_owned);
        if let Some(a) = &account {
            if tenant.account(a).is_none() {
                errors.push(format!("Account code '{a}' is not a valid code."));
            }
        }
        tax = str_field(s, "TaxType").map(str::to_owned);
        if let Some(t) = &tax {
            if !tenant
                .tax_rate(t)
                .is_some_and(|r| r.status == "ACTIVE" && r.revenue)
            {
                errors.push(format!(
                    "The TaxType code '{t}' does not exist or cannot be used for this type of transaction."
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let old = existing.unwrap_or_else(|| Item {
        id: Uuid::new_v4(),
        code: code.clone(),
        name: code.clone(),
        description: None,
        sales_price: None,
        sales_account: None,
        sales_tax_type: None,
        is_sold: true,
        is_purchased: false,
        updated: ctx.now,
    });
    let item = Item {
        code,
        name: name.unwrap_or(old.name.clone()),
        description: description.or(old.description.clone()),
        sales_price: price.or(old.sales_price),
        sales_account: account.or(old.sales_account.clone()),
        sales_tax_type: tax.or(old.sales_tax_type.clone()),
        is_sold: bool_field(body, "IsSold").unwrap_or(old.is_sold),
        is_purchased: bool_field(body, "IsPurchased").unwrap_or(old.is_purchased),
        updated: ctx.now,
        ..old
    };
    let id = item.id;
    match ctx.tenant.items.iter_mut().find(|i| i.id == id) {
        Some(slot) => *slot = item,
        None => ctx.tenant.items.push(item),
    }
    Ok(id)
}

fn find_doc_ref(tenant: &Tenant, obj: &Value, kind: DocKind) -> Option<Result<Uuid, String>> {
    let key = str_field(obj, kind.id_field()).or_else(|| str_field(obj, kind.number_field()))?;
    let found = Uuid::parse_str(key)
        .ok()
        .and_then(|id| tenant.doc(id))
        .filter(|d| d.kind == kind)
        .or_else(|| tenant.doc_by_number(kind, key));
    Some(
        found
            .map(|d| d.id)
            .ok_or_else(|| format!("{} {key} could not be found.", noun(kind))),
    )
}

fn positive_amount(body: &Value, errors: &mut Vec<String>) -> Decimal {
    match decimal_field(body, "Amount") {
        Ok(Some(a)) if a > Decimal::ZERO => maths::round2(a),
        Ok(_) => {
            errors.push("Amount must be greater than zero.".to_owned());
            Decimal::ZERO
        }
        Err(e) => {
            errors.push(e);
            Decimal::ZERO
        }
    }
}

fn settle(doc: &mut Doc, on: NaiveDate, now: DateTime<Utc>) {
    if doc.amount_due() <= Decimal::ZERO {
        doc.status = Status::Paid;
        doc.fully_paid_on = Some(on);
    }
    doc.updated = now;
}

/// Creates one payment (against an invoice, or a refund against a credit note).
pub fn payment(ctx: &mut WriteCtx, body: &Value) -> Outcome {
    if !body.is_object() {
        return Err(vec!["Payment must be a JSON object.".to_owned()]);
    }
    let tenant = &*ctx.tenant;
    let mut errors = Vec::new();
    let target = body
        .get("Invoice")
        .and_then(|i| find_doc_ref(tenant, i, DocKind::Invoice))
        .or_else(|| {
            body.get("CreditNote")
                .and_then(|c| find_doc_ref(tenant, c, DocKind::CreditNote))
        })
        .or_else(|| find_doc_ref(tenant, body, DocKind::Invoice));
    let doc_id = match target {
        Some(Ok(id)) => Some(id),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => {
            errors.push("An Invoice or CreditNote must be specified for a payment.".to_owned());
            None
        }
    };
    let account = body.get("Account");
    let account_code = account
        .and_then(|a| str_field(a, "Code"))
        .or_else(|| str_field(body, "Code"))
        .map(str::to_owned);
    match account_code.as_deref().map(|c| tenant.account(c)) {
        Some(Some(a)) if a.kind == "BANK" => {}
        Some(Some(a)) => errors.push(format!(
            "Account {} is not a bank account; payments must be made to a bank account.",
            a.code
        )),
        Some(None) => errors.push("The Account could not be found.".to_owned()),
        None => errors.push("An Account must be specified for a payment.".to_owned()),
    }
    let date = match str_field(body, "Date") {
        Some(t) => parse_date(t).unwrap_or_else(|| {
            errors.push(format!("Date '{t}' is not a valid date."));
            ctx.now.date_naive()
        }),
        None => ctx.now.date_naive(),
    };
    let amount = positive_amount(body, &mut errors);
    if let Some(doc) = doc_id.and_then(|id| tenant.doc(id)) {
        if doc.status != Status::Authorised {
            errors.push(format!(
                "{} not of valid status for payment",
                noun(doc.kind)
            ));
        } else if amount > doc.amount_due() {
            errors.push(format!(
                "Payment amount ({amount}) exceeds the amount outstanding on this document ({}).",
                doc.amount_due()
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(doc_id), Some(account_code)) = (doc_id, account_code) else {
        return Err(vec![
            "An Invoice and an Account must be specified for a payment.".to_owned(),
        ]);
    };
    let id = Uuid::new_v4();
    let now = ctx.now;
    let kind = match ctx.tenant.doc_mut(doc_id) {
        Some(doc) => {
            doc.amount_paid += amount;
            doc.payments.push(id);
            settle(doc, date, now);
            doc.kind
        }
        None => return Err(vec![NOT_FOUND.to_owned()]),
    };
    ctx.tenant.payments.push(Payment {
        id,
        doc_id,
        doc_kind: kind,
        account_code,
        date,
        amount,
        reference: str_field(body, "Reference").map(str::to_owned),
        updated: now,
    });
    ctx.event(kind.event_category(), false, doc_id);
    Ok(id)
}

/// Allocates part of an authorised credit note to an authorised invoice of the same contact.
pub fn allocation(ctx: &mut WriteCtx, credit_note_key: &str, body: &Value) -> Outcome {
    let tenant = &*ctx.tenant;
    let credit_note = Uuid::parse_str(credit_note_key)
        .ok()
        .and_then(|id| tenant.doc(id))
        .filter(|d| d.kind == DocKind::CreditNote)
        .or_else(|| tenant.doc_by_number(DocKind::CreditNote, credit_note_key))
        .ok_or_else(|| vec![NOT_FOUND.to_owned()])?;
    let mut errors = Vec::new();
    let invoice = match body
        .get("Invoice")
        .and_then(|i| find_doc_ref(tenant, i, DocKind::Invoice))
    {
        Some(Ok(id)) => tenant.doc(id),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => {
            errors.push("An Invoice must be specified for an allocation.".to_owned());
            None
        }
    };
    let amount = positive_amount(body, &mut errors);
    let date = str_field(body, "Date")
        .and_then(parse_date)
        .unwrap_or(ctx.now.date_naive());
    if credit_note.status != Status::Authorised {
        errors.push("Credit Note not of valid status for allocation".to_owned());
    } else if amount > credit_note.amount_due() {
        errors.push(format!(
            "Amount ({amount}) exceeds the remaining credit on the credit note ({}).",
            credit_note.amount_due()
        ));
    }
    if let Some(inv) = invoice {
        if inv.status != Status::Authorised {
            errors.push("Invoice not of valid status for allocation".to_owned());
        } else if amount > inv.amount_due() {
            errors.push(format!(
                "Amount ({amount}) exceeds the amount due on the invoice ({}).",
                inv.amount_due()
            ));
        }
        if inv.contact_id != credit_note.contact_id {
            errors.push(
                "The credit note and the invoice must belong to the same contact.".to_owned(),
            );
        }
        let pair_ok = matches!(
            (credit_note.doc_type.as_str(), inv.doc_type.as_str()),
            ("ACCRECCREDIT", "ACCREC") | ("ACCPAYCREDIT", "ACCPAY")
        );
        if !pair_ok {
            errors.push("A sales credit note can only be allocated to a sales invoice (and purchases to bills).".to_owned());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (cn_id, Some(inv_id)) = (credit_note.id, invoice.map(|i| i.id)) else {
        return Err(vec![NOT_FOUND.to_owned()]);
    };
    let id = Uuid::new_v4();
    let now = ctx.now;
    for doc_id in [inv_id, cn_id] {
        if let Some(doc) = ctx.tenant.doc_mut(doc_id) {
            doc.amount_credited += amount;
            doc.allocations.push(id);
            settle(doc, date, now);
        }
    }
    ctx.tenant.allocations.push(Allocation {
        id,
        credit_note_id: cn_id,
        invoice_id: inv_id,
        amount,
        date,
    });
    ctx.event("INVOICE", false, inv_id);
    ctx.event("CREDITNOTE", false, cn_id);
    Ok(id)
}
