//! Which invoices to send (rules S1, A1) and which to update (U1, A2), each skip with its rule and a reason.

use crate::decimal::{de_decimal, money};
use crate::records::{Invoice, InvoiceStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the selection rules (S1, A1, S10, U1, A2) read of an invoice, and nothing more: `planSend` and `planUpdate`
/// take a list screen's summaries (no lines, no company) as well as whole invoices.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InvoiceSummary {
    pub id: String,
    pub status: InvoiceStatus,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::DecimalInput"))]
    pub total: Decimal,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::DecimalInput"))]
    pub amount_outstanding: Decimal,
    #[serde(default, deserialize_with = "crate::records::de_bool_or_null")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional = nullable))]
    pub sent_to_accounts: bool,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub xero_id: Option<String>,
}

impl From<&Invoice> for InvoiceSummary {
    fn from(invoice: &Invoice) -> Self {
        InvoiceSummary {
            id: invoice.id.clone(),
            status: invoice.status,
            total: invoice.total,
            amount_outstanding: invoice.amount_outstanding,
            sent_to_accounts: invoice.sent_to_accounts,
            xero_id: invoice.xero_id.clone(),
        }
    }
}

/// `planSend`'s mode: the invoices the user selected (S1) or every live invoice (A1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SendMode {
    #[default]
    Selected,
    AllLive,
}

/// `planUpdate`'s mode: the selected invoices (U1) or all of them (A2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum UpdateMode {
    #[default]
    Selected,
    All,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Skipped {
    pub id: String,
    pub rule: String,
    pub reason: String,
    /// `reason` for a finance user (issue 12): no rule code, id or amount (the page shows the amounts beside it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sentence: Option<String>,
}

/// A rule, the developer's reason and the finance user's sentence.
pub type SkipReason = (&'static str, String, String);

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SendSelection {
    pub send: Vec<String>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UpdateSelection {
    pub update: Vec<String>,
    pub skipped: Vec<Skipped>,
}

/// Why an invoice is not sent, if it is not (rules S1 and A1): the rule, the reason and its sentence.
pub fn send_skip_reason(invoice: &InvoiceSummary, mode: SendMode) -> Option<SkipReason> {
    let rule = match mode {
        SendMode::Selected => "S1",
        SendMode::AllLive => "A1",
    };
    if invoice.status == InvoiceStatus::Cancelled {
        // Rule S10: a cancelled invoice is never sent; one that Xero has is cancelled there, when selected (A1
        // leaves cancellations to a person's choice).
        if invoice
            .xero_id
            .as_deref()
            .is_none_or(|id| id.trim().is_empty())
        {
            return Some((
                "S10",
                "cancelled in the CRM and never sent to Xero".into(),
                "Not sent: it was cancelled before it ever went to Xero, so there is nothing to cancel there."
                    .into(),
            ));
        }
        if mode == SendMode::AllLive {
            return Some((
                rule,
                "cancelled: select it and send to cancel it in Xero (rule S10)".into(),
                "Cancelled in the CRM: select it and send it to cancel it in Xero too.".into(),
            ));
        }
        return None;
    }
    if mode == SendMode::AllLive
        && matches!(invoice.status, InvoiceStatus::Paid | InvoiceStatus::Pending)
    {
        return Some((
            rule,
            format!("its status is {}", invoice.status.as_str()),
            format!("Not sent: its status is {}.", invoice.status.as_str()),
        ));
    }
    let (outstanding, total) = (money(invoice.amount_outstanding), money(invoice.total));
    if outstanding < total {
        return Some((
            rule,
            format!("payments were made: {outstanding} outstanding of {total}"),
            "Not sent: payments were made on it in the CRM. Only invoices without payments go to Xero.".into(),
        ));
    }
    if outstanding > total {
        return Some((
            rule,
            format!("the amount outstanding {outstanding} is more than the total {total}"),
            "Not sent: its outstanding amount is more than its total. Correct the invoice in the CRM.".into(),
        ));
    }
    None
}

/// `planSend` (rules S1, A1). Selected: sent when the amount outstanding equals the total, whatever the status, also
/// when sent before. All live: the same, and the status is not `Paid` or `Pending`.
pub fn plan_send(invoices: &[InvoiceSummary], mode: SendMode) -> SendSelection {
    let mut out = SendSelection::default();
    for invoice in invoices {
        match send_skip_reason(invoice, mode) {
            None => out.send.push(invoice.id.clone()),
            Some((rule, reason, sentence)) => out.skipped.push(Skipped {
                id: invoice.id.clone(),
                rule: rule.into(),
                reason,
                sentence: Some(sentence),
            }),
        }
    }
    out
}

/// Why an invoice is not updated from Xero, if it is not (rules U1 and A2): the rule, the reason and its sentence.
pub fn update_skip_reason(invoice: &InvoiceSummary, mode: UpdateMode) -> Option<SkipReason> {
    let rule = match mode {
        UpdateMode::Selected => "U1",
        UpdateMode::All => "A2",
    };
    if matches!(
        invoice.status,
        InvoiceStatus::Paid | InvoiceStatus::Cancelled
    ) {
        return Some((
            rule,
            format!("its status is {}", invoice.status.as_str()),
            format!(
                "Not read from Xero: its status is {}.",
                invoice.status.as_str()
            ),
        ));
    }
    if !invoice.sent_to_accounts {
        return Some((
            rule,
            "it has not been sent to accounts".to_string(),
            "Not read from Xero: it has not been sent to Xero yet.".to_string(),
        ));
    }
    None
}

/// `planUpdate` (rules U1, A2): every invoice not `Paid` or `Cancelled` that is marked *Sent to Accounts*.
pub fn plan_update(invoices: &[InvoiceSummary], mode: UpdateMode) -> UpdateSelection {
    let mut out = UpdateSelection::default();
    for invoice in invoices {
        match update_skip_reason(invoice, mode) {
            None => out.update.push(invoice.id.clone()),
            Some((rule, reason, sentence)) => out.skipped.push(Skipped {
                id: invoice.id.clone(),
                rule: rule.into(),
                reason,
                sentence: Some(sentence),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_invoice;
    use serde_json::json;

    fn invoice(
        id: &str,
        status: &str,
        total: &str,
        outstanding: &str,
        sent: bool,
    ) -> InvoiceSummary {
        let whole = decode_invoice(
            &json!({
                "id": id, "number": id.to_uppercase(), "companyId": "co-1", "issueDate": "2026-11-01",
                "currency": "GBP", "status": status, "total": total, "amountOutstanding": outstanding,
                "sentToAccounts": sent,
                "lines": [{ "description": "x", "quantity": "1", "listPrice": total, "taxRateId": "vat20" }]
            }),
            0,
        )
        .unwrap();
        InvoiceSummary::from(&whole)
    }

    #[test]
    fn selected_sends_whatever_the_status_rule_s1() {
        let list = [
            invoice("a", "Paid", "10", "10", true),
            invoice("b", "Live", "10", "4", false),
        ];
        let plan = plan_send(&list, SendMode::Selected);
        assert_eq!(plan.send, vec!["a"]);
        assert_eq!(plan.skipped[0].rule, "S1");
        assert!(plan.skipped[0].reason.contains("4.00 outstanding of 10.00"));
    }

    #[test]
    fn all_live_skips_paid_and_pending_rule_a1() {
        let list = [
            invoice("a", "Paid", "10", "10", false),
            invoice("b", "Pending", "10", "10", false),
            invoice("c", "Created", "10", "10.00", false),
        ];
        let plan = plan_send(&list, SendMode::AllLive);
        assert_eq!(plan.send, vec!["c"]);
        assert_eq!(
            plan.skipped
                .iter()
                .map(|s| s.rule.as_str())
                .collect::<Vec<_>>(),
            ["A1", "A1"]
        );
    }

    #[test]
    fn cancelled_goes_only_as_a_cancellation_rules_s10_a1() {
        let mut sent = invoice("s", "Cancelled", "10", "10", true);
        sent.xero_id = Some("x-1".into());
        let never = invoice("n", "Cancelled", "10", "10", false);
        let selected = plan_send(&[sent.clone(), never.clone()], SendMode::Selected);
        assert_eq!(selected.send, vec!["s"]);
        assert_eq!(
            (
                selected.skipped[0].id.as_str(),
                selected.skipped[0].rule.as_str()
            ),
            ("n", "S10")
        );
        let live = plan_send(&[sent, never], SendMode::AllLive);
        assert!(live.send.is_empty());
        assert_eq!(
            live.skipped
                .iter()
                .map(|s| s.rule.as_str())
                .collect::<Vec<_>>(),
            ["A1", "S10"]
        );
    }

    #[test]
    fn update_needs_sent_and_open_rules_u1_a2() {
        let list = [
            invoice("a", "Live", "10", "10", true),
            invoice("b", "Cancelled", "10", "10", true),
            invoice("c", "Live", "10", "10", false),
        ];
        let plan = plan_update(&list, UpdateMode::Selected);
        assert_eq!(plan.update, vec!["a"]);
        assert_eq!(plan.skipped.len(), 2);
        assert_eq!(plan_update(&list, UpdateMode::All).skipped[0].rule, "A2");
    }
}
