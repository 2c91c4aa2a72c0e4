//! Rule S11: an invoice Xero already has, re-sent after the CRM amended it. Unpaid, it is edited in place (Xero
//! allows editing an approved, unpaid invoice); with payments, the CRM's change goes as a draft credit note
//! (decrease) or further invoice (increase) for the difference, referring to it, kept as a chain on the CRM invoice.

use super::outcome::{log, Outcome};
use super::send::SendPlan;
use crate::decimal::money;
use crate::error::Error;
use crate::parse::parse_document;
use crate::records::{Amendment, Invoice, InvoiceKind};
use crate::sentence::xero_refusal;
use serde_json::{json, Value};

impl SendPlan {
    /// Rule S11: an invoice Xero has with payments or credits cannot be edited; the CRM's change goes as a credit
    /// note (decrease) or a further invoice (increase) for the difference, drafted and linked by its reference.
    /// Without payments it is updated in place (Xero allows editing an approved, unpaid invoice).
    pub(super) fn resolve_amendments(&mut self, decoded: &[Result<Invoice, Error>]) {
        for (index, invoice) in self.pending_writes(decoded) {
            if invoice.kind != InvoiceKind::Invoice {
                continue;
            }
            let Some(state) = self
                .found_document(invoice, false)
                .and_then(|d| parse_document(&d).ok())
            else {
                continue; // not read (a new invoice) or not in Xero: the write says so
            };
            let zero = rust_decimal::Decimal::ZERO;
            let touched = state.amount_paid.unwrap_or(zero) + state.amount_credited.unwrap_or(zero);
            match state.status.as_str() {
                "VOIDED" | "DELETED" => {
                    let message = format!(
                        "Xero's {} is {}: not written again (resolve it in Xero, or cancel it in the CRM) (rule S11)",
                        invoice.number, state.status
                    );
                    let sentence = format!(
                        "Xero's copy is {}, so the CRM's change was not written to it. Resolve it in Xero, or cancel \
                         the invoice in the CRM.",
                        state.status.to_ascii_lowercase()
                    );
                    self.fail_invoice(index, "S11", &message, &sentence);
                    continue;
                }
                "PAID" => {}
                _ if touched.is_zero() => continue,
                _ => {}
            }
            let Some(total) = state.total else {
                self.fail_invoice(
                    index,
                    "S11",
                    "Xero's answer has no Total for it: not amended",
                    "Xero's copy could not be read, so the CRM's change was not carried to it. Try again in a few minutes.",
                );
                continue;
            };
            let in_xero = total + invoice.amended_by();
            let difference = money(invoice.total) - money(in_xero);
            if difference.is_zero() {
                if let Some(result) = self.invoices.get_mut(index) {
                    result.set(
                        Outcome::Skipped,
                        Some("S11"),
                        format!(
                            "Xero's {} has payments and its total is the CRM's: nothing to amend (rule S11)",
                            invoice.number
                        ),
                        "Xero's copy has payments and already has the CRM's total: nothing to amend.".into(),
                    );
                }
                continue;
            }
            self.found.amendments.insert(index, difference);
        }
    }

    /// Records the answer for an amending document (rule S11).
    pub(super) fn record_amendment(
        &mut self,
        index: usize,
        element: crate::parse::ElementResult,
        decoded: &[Result<Invoice, Error>],
    ) {
        let (Some(Ok(invoice)), Some(difference)) = (
            decoded.get(index),
            self.found.amendments.get(&index).copied(),
        ) else {
            return;
        };
        let kind = amendment_kind(difference);
        let number = amendment_number(invoice);
        let text = element.messages.join("; ");
        let ok = element.status != crate::parse::ElementStatus::Error;
        let Some(result) = self.invoices.get_mut(index) else {
            return;
        };
        match (ok, element.xero_id) {
            (true, Some(xero_id)) => {
                let what = match kind {
                    InvoiceKind::CreditNote => "credit note",
                    InvoiceKind::Invoice => "invoice",
                };
                let message = format!(
                    "Xero's {} has payments: the change of {} went as {what} {number}, a draft referring to it (rule S11)",
                    invoice.number,
                    money(difference)
                );
                result.set(
                    Outcome::Sent,
                    Some("S11"),
                    message.clone(),
                    format!(
                        "Xero's copy has payments, so the CRM's change went to Xero as a draft {what} referring to it."
                    ),
                );
                result.amendment = Some(Amendment {
                    kind,
                    number,
                    xero_id: Some(xero_id.clone()),
                    amount: money(difference.abs()),
                });
                let entry = log(
                    invoice.kind.record_kind(),
                    &invoice.id,
                    Some(xero_id),
                    "ok",
                    message,
                );
                self.log.push(entry);
            }
            _ => {
                let text = if text.is_empty() {
                    "Xero returned no id".to_string()
                } else {
                    text
                };
                let sentence = xero_refusal("the draft that carries the CRM's change", &text);
                result.set(
                    Outcome::Failed,
                    Some("S11"),
                    format!("Xero: {text}"),
                    sentence,
                );
                let entry = log(invoice.kind.record_kind(), &invoice.id, None, "error", text);
                self.log.push(entry);
            }
        }
    }
}

fn amendment_kind(difference: rust_decimal::Decimal) -> InvoiceKind {
    if difference < rust_decimal::Decimal::ZERO {
        InvoiceKind::CreditNote
    } else {
        InvoiceKind::Invoice
    }
}

/// `INV-1-A1`, `INV-1-A2`…: the next in the invoice's chain (deterministic, so a retried write is the same document).
fn amendment_number(invoice: &Invoice) -> String {
    format!(
        "{}-A{}",
        invoice.number.trim(),
        invoice.amendments.len() + 1
    )
}

/// Rule S11: the draft that amends a paid invoice by `difference` (tax included): a credit note for a decrease, a
/// further invoice for an increase, on the same contact, currency, account and tax type as the invoice's first line,
/// its reference naming the invoice it amends.
pub(super) fn amendment_document(
    invoice: &Invoice,
    base: &crate::xero::Document,
    difference: rust_decimal::Decimal,
    today: &str,
) -> Result<Value, Error> {
    let base = serde_json::to_value(base).map_err(|e| Error::xero("Invoices", e.to_string()))?;
    let first = base.pointer("/LineItems/0").cloned().unwrap_or(json!({}));
    let amounts = if base["LineAmountTypes"] == "NoTax" {
        "NoTax"
    } else {
        "Inclusive"
    };
    let mut line = json!({
        "Description": format!("Amendment of {}: total changed by {} (rule S11)", invoice.number.trim(), money(difference)),
        "Quantity": 1,
        "UnitAmount": crate::decimal::json_number(money(difference.abs())),
    });
    for key in ["AccountCode", "TaxType"] {
        if let Some(v) = first.get(key) {
            line[key] = v.clone();
        }
    }
    let number = amendment_number(invoice);
    let mut doc = json!({
        "Reference": format!("Amends {}", invoice.number.trim()),
        "Contact": base["Contact"],
        "Date": today,
        "CurrencyCode": base["CurrencyCode"],
        "LineAmountTypes": amounts,
        "Status": "DRAFT",
        "LineItems": [line],
    });
    match amendment_kind(difference) {
        InvoiceKind::CreditNote => {
            doc["Type"] = json!("ACCRECCREDIT");
            doc["CreditNoteNumber"] = json!(number);
        }
        InvoiceKind::Invoice => {
            doc["Type"] = json!("ACCREC");
            doc["InvoiceNumber"] = json!(number);
            doc["DueDate"] = base.get("DueDate").cloned().unwrap_or(json!(today));
        }
    }
    Ok(doc)
}
