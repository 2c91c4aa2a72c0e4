//! `resolveDiscrepancy` (rule U6): a person settles a discrepancy of rule U4 with one of three choices.
//!
//! - `acceptXero`: the CRM invoice takes Xero's figures (total, amount outstanding, status; voided or deleted →
//!   `Cancelled`);
//! - `sendCrm`: the CRM's figures go to Xero again (rule S8), only where Xero can still edit the invoice (not paid,
//!   voided or deleted, no payment or credit on it): the caller sends it;
//! - `dismiss`: the current discrepancies are recorded as dismissed, and exactly those stop blocking U2.
//!
//! Each result carries the log line (rule L1) the caller records with the person's name: the client posts it to the
//! proxy's `POST /log/refusals` as action `resolve discrepancy`, stored with outcome `resolved` and the session's user.

use crate::apply::discrepancies;
use crate::date::IsoDate;
use crate::decimal::money;
use crate::error::{Error, RecordKind};
use crate::parse::parse_document;
use crate::records::{Invoice, InvoiceStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The person's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DiscrepancyChoice"))]
#[serde(rename_all = "camelCase")]
pub enum Choice {
    AcceptXero,
    SendCrm,
    Dismiss,
}

/// `resolveDiscrepancy`'s result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// CRM fields to store (camelCase, as the record's).
    #[cfg_attr(
        feature = "ts",
        ts(
            type = "Partial<Pick<Invoice, \"total\" | \"amountOutstanding\" | \"status\" | \"sentToAccounts\" | \"sentToAccountsDate\" | \"xeroId\">> & { dismissedDiscrepancies?: Array<string> }"
        )
    )]
    pub changes: Value,
    /// Send the invoice again now (rule S8).
    pub send: bool,
    /// The log line to record (rule L1), the caller adds who and when.
    pub log: ResolutionLog,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ResolutionLog {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub action: &'static str,
    pub record_kind: RecordKind,
    pub crm_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub xero_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub outcome: &'static str,
    pub message: String,
}

/// Rule U6: see the module docs. Errors: the Xero document cannot be read, or `sendCrm` where Xero can no longer
/// edit it (the message says which choices remain).
pub fn resolve_discrepancy(
    crm: &Invoice,
    xero: &Value,
    choice: Choice,
    today: IsoDate,
) -> Result<Resolution, Error> {
    let state = parse_document(xero)?;
    let found = discrepancies(crm, &state);
    let kind = crm.kind.record_kind();
    let log = |message: String| ResolutionLog {
        action: crate::plan::refusals::RESOLVE_ACTION,
        record_kind: kind,
        crm_id: crm.id.clone(),
        xero_id: state.xero_id.clone(),
        outcome: crate::plan::refusals::RESOLVED,
        message,
    };
    let listed = if found.is_empty() {
        "no discrepancy left".to_string()
    } else {
        found.join("; ")
    };
    match choice {
        Choice::AcceptXero => {
            let total = state.total.unwrap_or(crm.total);
            let outstanding = if state.is_credit_note {
                state.remaining_credit.or(state.amount_due)
            } else {
                state.amount_due
            }
            .unwrap_or(total);
            let status = match state.status.as_str() {
                "VOIDED" | "DELETED" => InvoiceStatus::Cancelled,
                "PAID" => InvoiceStatus::Paid,
                _ if outstanding.is_zero() && !total.is_zero() => InvoiceStatus::Paid,
                _ if outstanding < total => InvoiceStatus::PartPaid,
                _ => InvoiceStatus::Live,
            };
            let mut changes = json!({
                "total": money(total).to_string(),
                "amountOutstanding": money(outstanding).to_string(),
                "status": status.as_str(),
                "dismissedDiscrepancies": [],
            });
            if !crm.sent_to_accounts {
                changes["sentToAccounts"] = json!(true);
                changes["sentToAccountsDate"] = json!(today.to_string());
            }
            if let Some(id) = &state.xero_id {
                changes["xeroId"] = json!(id);
            }
            Ok(Resolution {
                changes,
                send: false,
                log: log(format!(
                    "accepted Xero's figures (rule U6): total {}, status {} ({listed})",
                    money(total),
                    status.as_str()
                )),
            })
        }
        Choice::SendCrm => {
            let zero = Decimal::ZERO;
            let touched = state.amount_paid.unwrap_or(zero) + state.amount_credited.unwrap_or(zero);
            if matches!(state.status.as_str(), "PAID" | "VOIDED" | "DELETED") || !touched.is_zero()
            {
                return Err(Error::options(
                    RecordKind::Options,
                    "choice",
                    format!(
                        "{}: Xero can no longer edit it ({}, {} paid or credited): accept Xero's figures or dismiss",
                        crm.record_ref(),
                        state.status,
                        money(touched)
                    ),
                ));
            }
            Ok(Resolution {
                changes: json!({ "dismissedDiscrepancies": [] }),
                send: true,
                log: log(format!("sent the CRM's figures again (rule U6): {listed}")),
            })
        }
        Choice::Dismiss => {
            let mut dismissed = crm.dismissed_discrepancies.clone();
            for d in &found {
                if !dismissed.contains(d) {
                    dismissed.push(d.clone());
                }
            }
            Ok(Resolution {
                changes: json!({ "dismissedDiscrepancies": dismissed }),
                send: false,
                log: log(format!("dismissed (rule U6): {listed}")),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::apply_xero_invoice;
    use crate::decode::decode_invoice;

    fn crm() -> Invoice {
        decode_invoice(
            &json!({ "id": "inv-1", "number": "INV-1", "companyId": "co-1", "issueDate": "2026-11-01", "currency": "GBP",
                "status": "Live", "total": "120.00", "amountOutstanding": "120.00", "sentToAccounts": true, "xeroId": "a1",
                "lines": [{ "description": "x", "quantity": "1", "listPrice": "100", "taxRateId": "t" }] }),
            0,
        )
        .unwrap()
    }

    fn xero(status: &str, total: f64, due: f64, paid: f64) -> Value {
        json!({ "InvoiceID": "a1", "InvoiceNumber": "INV-1", "Type": "ACCREC", "Status": status, "Total": total,
                "AmountDue": due, "AmountPaid": paid, "AmountCredited": 0 })
    }

    fn today() -> IsoDate {
        IsoDate::parse("2026-11-20").unwrap()
    }

    #[test]
    fn accept_xeros_figures_rule_u6() {
        let r = resolve_discrepancy(
            &crm(),
            &xero("AUTHORISED", 130.0, 30.0, 100.0),
            Choice::AcceptXero,
            today(),
        )
        .unwrap();
        assert_eq!(
            r.changes,
            json!({ "total": "130.00", "amountOutstanding": "30.00", "status": "Part Paid", "dismissedDiscrepancies": [], "xeroId": "a1" })
        );
        assert!(!r.send);
        assert!(
            r.log
                .message
                .contains("total: Xero has 130.00, the CRM has 120.00"),
            "{}",
            r.log.message
        );
        let voided = resolve_discrepancy(
            &crm(),
            &xero("VOIDED", 120.0, 0.0, 0.0),
            Choice::AcceptXero,
            today(),
        )
        .unwrap();
        assert_eq!(voided.changes["status"], "Cancelled");
    }

    #[test]
    fn send_again_only_where_xero_can_edit_rule_u6() {
        let r = resolve_discrepancy(
            &crm(),
            &xero("AUTHORISED", 130.0, 130.0, 0.0),
            Choice::SendCrm,
            today(),
        )
        .unwrap();
        assert!(r.send);
        let err = resolve_discrepancy(
            &crm(),
            &xero("AUTHORISED", 130.0, 30.0, 100.0),
            Choice::SendCrm,
            today(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_options");
        assert!(
            err.to_string().contains("invoice inv-1") && err.to_string().contains("100.00 paid"),
            "{err}"
        );
    }

    #[test]
    fn a_dismissed_discrepancy_no_longer_blocks_u2_but_a_new_one_does_rule_u6() {
        let differs = xero("AUTHORISED", 130.0, 130.0, 0.0);
        let r = resolve_discrepancy(&crm(), &differs, Choice::Dismiss, today()).unwrap();
        let mut stored = serde_json::to_value(crm()).unwrap();
        stored["dismissedDiscrepancies"] = r.changes["dismissedDiscrepancies"].clone();
        let stored = decode_invoice(&stored, 0).unwrap();
        let applied = apply_xero_invoice(&stored, &differs, today()).unwrap();
        assert!(applied.discrepancies.is_empty());
        assert_eq!(
            applied.changes.amount_outstanding,
            Some(Decimal::new(13000, 2))
        );
        let again =
            apply_xero_invoice(&stored, &xero("AUTHORISED", 140.0, 140.0, 0.0), today()).unwrap();
        assert_eq!(
            again.discrepancies,
            ["total: Xero has 140.00, the CRM has 120.00"]
        );
    }
}
