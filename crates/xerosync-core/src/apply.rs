//! Update from Xero (rules U2, U4, U5): a Xero invoice or credit note → the CRM field changes, or discrepancies for a
//! person to resolve.

use crate::date::IsoDate;
use crate::decimal::money;
use crate::error::Error;
use crate::parse::{parse_document, XeroDocumentState};
use crate::records::{Invoice, InvoiceKind, InvoiceStatus};
use rust_decimal::Decimal;
use serde::Serialize;

/// The CRM fields to store; only those that change are present.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<InvoiceStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_outstanding: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_to_accounts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_to_accounts_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xero_id: Option<String>,
}

impl InvoiceChanges {
    pub fn is_empty(&self) -> bool {
        *self == InvoiceChanges::default()
    }
}

/// `applyXeroInvoice`'s result.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Applied {
    pub changes: InvoiceChanges,
    pub discrepancies: Vec<String>,
}

fn discrepancies(crm: &Invoice, xero: &XeroDocumentState) -> Vec<String> {
    let mut out = Vec::new();
    let what = if xero.is_credit_note {
        "credit note"
    } else {
        "invoice"
    };
    let crm_is_credit = crm.kind == InvoiceKind::CreditNote;
    if crm_is_credit != xero.is_credit_note {
        out.push(format!(
            "kind: Xero has an {what} where the CRM has {}",
            crm.kind.record_kind().label()
        ));
    }
    if let (Some(crm_id), Some(xero_id)) = (
        crm.xero_id.as_deref().filter(|s| !s.is_empty()),
        &xero.xero_id,
    ) {
        if !crm_id.eq_ignore_ascii_case(xero_id) {
            out.push(format!(
                "xeroId: Xero's {what} is {xero_id}, the CRM has {crm_id}"
            ));
        }
    }
    if let Some(number) = &xero.number {
        if number.trim() != crm.number.trim() {
            out.push(format!(
                "number: Xero has {number}, the CRM has {}",
                crm.number
            ));
        }
    }
    // Rule U4: voided or deleted in Xero is never applied silently.
    if matches!(xero.status.as_str(), "VOIDED" | "DELETED") {
        out.push(format!("status: the {what} is {} in Xero", xero.status));
    }
    if let Some(total) = xero.total {
        if total != crm.total {
            out.push(format!(
                "total: Xero has {}, the CRM has {}",
                money(total),
                money(crm.total)
            ));
        }
    }
    out
}

/// Applies a parsed Xero document to a CRM invoice (rules U2, U4, U5).
///
/// Amount outstanding = `AmountDue` (invoices) or `RemainingCredit` (credit notes). Fully paid → `Paid`; partly paid
/// or credited → `Part Paid`; otherwise a `Created` (or formerly part-paid) invoice becomes `Live`. The invoice is
/// marked *Sent to Accounts* with `today` unless it already carries a date. A discrepancy (U4) changes nothing.
pub fn apply_document(
    crm: &Invoice,
    xero: &XeroDocumentState,
    today: IsoDate,
) -> Result<Applied, Error> {
    let found = discrepancies(crm, xero);
    if !found.is_empty() {
        return Ok(Applied {
            changes: InvoiceChanges::default(),
            discrepancies: found,
        });
    }
    let (key, outstanding) = if xero.is_credit_note {
        ("RemainingCredit", xero.remaining_credit.or(xero.amount_due))
    } else {
        ("AmountDue", xero.amount_due)
    };
    let outstanding =
        outstanding.ok_or_else(|| Error::xero("invoice", format!("{key}: missing")))?;
    let total = xero.total.unwrap_or(crm.total);
    let status = if xero.status == "PAID" || (outstanding.is_zero() && !total.is_zero()) {
        InvoiceStatus::Paid
    } else if outstanding < total {
        InvoiceStatus::PartPaid
    } else if matches!(crm.status, InvoiceStatus::Created | InvoiceStatus::PartPaid) {
        InvoiceStatus::Live
    } else {
        crm.status
    };
    let mut changes = InvoiceChanges::default();
    if status != crm.status {
        changes.status = Some(status);
    }
    if outstanding != crm.amount_outstanding {
        changes.amount_outstanding = Some(money(outstanding));
    }
    if !crm.sent_to_accounts {
        changes.sent_to_accounts = Some(true);
    }
    if !crm.sent_to_accounts
        || crm
            .sent_to_accounts_date
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
    {
        changes.sent_to_accounts_date = Some(today.to_string());
    }
    if let Some(id) = &xero.xero_id {
        if crm.xero_id.as_deref() != Some(id.as_str()) {
            changes.xero_id = Some(id.clone());
        }
    }
    Ok(Applied {
        changes,
        discrepancies: Vec::new(),
    })
}

/// `applyXeroInvoice` over a raw Xero object.
pub fn apply_xero_invoice(
    crm: &Invoice,
    xero: &serde_json::Value,
    today: IsoDate,
) -> Result<Applied, Error> {
    apply_document(crm, &parse_document(xero)?, today)
}
