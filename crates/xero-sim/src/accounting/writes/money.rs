//! Money moving in: payments and credit-note allocations, and the status they settle.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::{noun, Outcome, WriteCtx, NOT_FOUND};
use crate::json::{decimal_field, parse_date, str_field};
use crate::maths;
use crate::store::{Allocation, Doc, DocKind, Payment, Status, Tenant};

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
        // Rule M1: amounts in two currencies are never added up (message ours).
        if inv.currency != credit_note.currency {
            errors.push(format!(
                "The credit note ({}) and the invoice ({}) must be in the same currency.",
                credit_note.currency, inv.currency
            ));
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
