//! Update from Xero (rules U2, U4, U5): a Xero invoice or credit note → the CRM field changes, or discrepancies for a
//! person to resolve.

use crate::date::IsoDate;
use crate::decimal::money;
use crate::error::Error;
use crate::parse::{parse_document, XeroDocumentState};
use crate::records::{Credit, Invoice, InvoiceKind, InvoiceStatus, Payment};
use rust_decimal::Decimal;
use serde::Serialize;

/// The CRM fields to store; only those that change are present.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InvoiceChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<InvoiceStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::ts::Decimal>", optional))]
    pub amount_outstanding: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sent_to_accounts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sent_to_accounts_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub xero_id: Option<String>,
    /// Rule U7: the payments behind the balance (when Xero sent them and they differ from the CRM's).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub payments: Option<Vec<Payment>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub credits: Option<Vec<Credit>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub fully_paid_on_date: Option<IsoDate>,
}

impl InvoiceChanges {
    pub fn is_empty(&self) -> bool {
        *self == InvoiceChanges::default()
    }

    /// The fields contract.md fixes for `applyXeroInvoice` (U2, U4, U5); rule U7's payments, credits and paid date
    /// reach the CRM through the update run, whose results are the client's to shape.
    pub fn contract_view(&self) -> InvoiceChanges {
        InvoiceChanges {
            payments: None,
            credits: None,
            fully_paid_on_date: None,
            ..self.clone()
        }
    }
}

/// `applyXeroInvoice`'s result.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AppliedXeroInvoice"))]
pub struct Applied {
    pub changes: InvoiceChanges,
    pub discrepancies: Vec<String>,
    /// Each of `discrepancies` for a finance user (issue 12), in the same order; the amounts are left out.
    #[serde(rename = "discrepancySentences", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        feature = "ts",
        ts(rename = "discrepancySentences", as = "Option<_>", optional)
    )]
    pub discrepancy_sentences: Vec<String>,
}

pub(crate) fn discrepancies(crm: &Invoice, xero: &XeroDocumentState) -> Vec<String> {
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
    let mut found = discrepancies(crm, xero);
    // Rule U6: what a person dismissed no longer blocks the update.
    found.retain(|d| !crm.dismissed_discrepancies.contains(d));
    if !found.is_empty() {
        return Ok(Applied {
            changes: InvoiceChanges::default(),
            discrepancy_sentences: found
                .iter()
                .map(|d| crate::sentence::discrepancy_sentence(d))
                .collect(),
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
    // Rule U7: what is behind the balance, stored with it; a list Xero did not send leaves the CRM's as it is.
    let rounded = |p: &Vec<Payment>| {
        p.iter()
            .map(|p| Payment {
                amount: money(p.amount),
                ..p.clone()
            })
            .collect::<Vec<_>>()
    };
    // An empty list equals none: an unpaid invoice never read before has nothing to store.
    if let Some(payments) = xero.payments.as_ref().map(rounded) {
        if crm.payments.as_ref().map(rounded).unwrap_or_default() != payments {
            changes.payments = Some(payments);
        }
    }
    if let Some(credits) = &xero.credits {
        let credits: Vec<Credit> = credits
            .iter()
            .map(|c| Credit {
                amount: money(c.amount),
                ..c.clone()
            })
            .collect();
        if crm.credits.clone().unwrap_or_default() != credits {
            changes.credits = Some(credits);
        }
    }
    if status == InvoiceStatus::Paid
        && xero.fully_paid_on.is_some()
        && crm.fully_paid_on_date != xero.fully_paid_on
    {
        changes.fully_paid_on_date = xero.fully_paid_on;
    }
    Ok(Applied {
        changes,
        discrepancies: Vec::new(),
        discrepancy_sentences: Vec::new(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_invoice;
    use serde_json::json;

    fn crm(extra: serde_json::Value) -> Invoice {
        let mut v = json!({ "id": "inv-1", "number": "INV-1", "companyId": "co-1", "issueDate": "2026-11-01",
            "currency": "GBP", "status": "Live", "total": "120.00", "amountOutstanding": "120.00",
            "sentToAccounts": true, "sentToAccountsDate": "2026-11-02", "xeroId": "a1",
            "lines": [{ "description": "x", "quantity": "1", "listPrice": "100", "taxRateId": "t" }] });
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        decode_invoice(&v, 0).unwrap()
    }

    fn xero() -> serde_json::Value {
        json!({ "InvoiceID": "a1", "InvoiceNumber": "INV-1", "Type": "ACCREC", "Status": "PAID", "Total": 120,
            "AmountDue": 0, "AmountPaid": 100, "AmountCredited": 20, "FullyPaidOnDate": "/Date(1795132800000+0000)/",
            "Payments": [{ "PaymentID": "p1", "Date": "/Date(1794960000000+0000)/", "Amount": 60, "Reference": "BACS 1" },
                         { "PaymentID": "p2", "Date": "2026-11-19T00:00:00", "Amount": 40.5, "Reference": "" }],
            "CreditNotes": [{ "CreditNoteID": "c1", "CreditNoteNumber": "CN-1", "AppliedAmount": 19.5 }] })
    }

    #[test]
    fn payments_and_credits_come_back_with_the_balance_rule_u7() {
        let today = IsoDate::parse("2026-11-20").unwrap();
        let applied = apply_xero_invoice(&crm(json!({})), &xero(), today).unwrap();
        let changes = serde_json::to_value(&applied.changes).unwrap();
        assert_eq!(changes["status"], "Paid");
        assert_eq!(changes["fullyPaidOnDate"], "2026-11-20");
        assert_eq!(
            changes["payments"],
            json!([{ "date": "2026-11-18", "amount": "60.00", "reference": "BACS 1" }, { "date": "2026-11-19", "amount": "40.50" }])
        );
        assert_eq!(
            changes["credits"],
            json!([{ "number": "CN-1", "amount": "19.50" }])
        );
        // Stored once, they are not changes any more; a read without the lists leaves them alone.
        let stored = crm(
            json!({ "status": "Paid", "amountOutstanding": "0.00", "payments": changes["payments"],
            "credits": changes["credits"], "fullyPaidOnDate": "2026-11-20" }),
        );
        assert!(apply_xero_invoice(&stored, &xero(), today)
            .unwrap()
            .changes
            .is_empty());
        let mut bare = xero();
        bare.as_object_mut()
            .unwrap()
            .retain(|k, _| k != "Payments" && k != "CreditNotes");
        assert!(apply_xero_invoice(&stored, &bare, today)
            .unwrap()
            .changes
            .is_empty());
        // contract.md's applyXeroInvoice keeps its five fields.
        let view = serde_json::to_value(applied.changes.contract_view()).unwrap();
        assert_eq!(
            view.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["amountOutstanding", "status"]
        );
    }

    #[test]
    fn a_payment_without_an_amount_is_named_rule_l2() {
        let mut bad = xero();
        bad["Payments"][1]["Amount"] = json!("lots");
        let err = apply_xero_invoice(&crm(json!({})), &bad, IsoDate::parse("2026-11-20").unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("Payments[1].Amount"), "{err}");
    }
}
