//! `reconcile` (rule RC1): the CRM's invoices for a period against Xero's, as a report a finance team can act on.
//!
//! - **only in the CRM**: invoices of the period Xero does not have (never sent, or sent and gone);
//! - **only in Xero**: Xero's sales invoices of the period on the contacts the CRM's companies are linked to, that no
//!   CRM invoice matches (someone typed them into Xero);
//! - **differing**: pairs matched by Xero id (else by number) whose number, contact, total, status or outstanding
//!   amount disagree, each difference named with both values.
//!
//! Deleted and voided Xero documents match a cancelled CRM invoice; a deleted one is never listed as only in Xero.
//! Bills (ACCPAY) are left out: their numbers are the supplier's.
//! Amounts are compared to the cent and never added across currencies.

use crate::csv;
use crate::date::IsoDate;
use crate::decimal::money;
use crate::error::{Error, RecordKind};
use crate::parse::{parse_document, XeroDocumentState};
use crate::records::{Company, Invoice, InvoiceKind, InvoiceStatus};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A CRM invoice Xero does not have.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OnlyInCrm {
    pub id: String,
    pub number: String,
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub total: Decimal,
    pub currency: String,
    /// `never sent` or `sent, but Xero has no such invoice`.
    pub reason: String,
}

/// A Xero invoice on a linked contact that no CRM invoice matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OnlyInXero {
    pub xero_id: String,
    pub number: String,
    pub contact_id: String,
    pub date: Option<IsoDate>,
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub total: Decimal,
    /// Xero's `CurrencyCode`; empty when Xero gave none.
    pub currency: String,
    pub status: String,
}

/// One field on which the two sides disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "ReconciliationDifference")
)]
pub struct Difference {
    /// `number`, `contact`, `currency`, `total`, `amountOutstanding` or `status`.
    #[cfg_attr(
        feature = "ts",
        ts(
            type = "\"number\" | \"contact\" | \"currency\" | \"total\" | \"amountOutstanding\" | \"status\""
        )
    )]
    pub field: &'static str,
    pub crm: String,
    pub xero: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Differing {
    pub id: String,
    pub number: String,
    pub xero_id: String,
    /// The CRM's currency: the amounts of `differences` are in it (and Xero's, when `currency` is among them).
    pub currency: String,
    pub differences: Vec<Difference>,
}

/// `reconcile`'s report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ReconciliationReport"))]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    pub only_in_crm: Vec<OnlyInCrm>,
    pub only_in_xero: Vec<OnlyInXero>,
    pub differing: Vec<Differing>,
    /// Pairs that agree on everything compared.
    pub matched: usize,
}

/// The period, both ends included; `None` is open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub from: Option<IsoDate>,
    pub to: Option<IsoDate>,
}

impl Period {
    pub(crate) fn holds(&self, day: Option<IsoDate>) -> bool {
        match day {
            None => self.from.is_none() && self.to.is_none(),
            Some(d) => self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t),
        }
    }
}

/// Whether Xero's status goes with the CRM's (rule U2 read backwards).
fn status_agrees(crm: InvoiceStatus, xero: &XeroDocumentState) -> bool {
    let paid =
        xero.amount_paid.unwrap_or(Decimal::ZERO) + xero.amount_credited.unwrap_or(Decimal::ZERO);
    match crm {
        InvoiceStatus::Cancelled => matches!(xero.status.as_str(), "VOIDED" | "DELETED"),
        InvoiceStatus::Paid => xero.status == "PAID",
        InvoiceStatus::PartPaid => xero.status == "AUTHORISED" && !paid.is_zero(),
        InvoiceStatus::Created | InvoiceStatus::Pending | InvoiceStatus::Live => {
            matches!(xero.status.as_str(), "DRAFT" | "SUBMITTED" | "AUTHORISED") && paid.is_zero()
        }
    }
}

/// Rule RC1: see the module docs. `xero` is Xero's `Invoices` list (credit notes too, if the caller read them).
pub fn reconcile(
    crm: &[Invoice],
    xero: &[Value],
    companies: &[Company],
    period: Period,
) -> Result<Reconciliation, Error> {
    let contact_of: BTreeMap<&str, &str> = companies
        .iter()
        .filter_map(|c| c.xero_contact_id.as_deref().map(|id| (c.id.as_str(), id)))
        .collect();
    let linked: BTreeSet<String> = contact_of
        .values()
        .map(|id| id.to_ascii_lowercase())
        .collect();
    // Every sales document takes part in matching, whatever its date or status: a pair split by the period's edge
    // is still a pair, and a draft deleted by rule S10 is its cancelled CRM invoice's partner. Bills (ACCPAY) are
    // someone else's numbers and are left out.
    let mut documents = Vec::new();
    for (index, value) in xero.iter().enumerate() {
        let state = parse_document(value)
            .map_err(|e| Error::xero(format!("Invoices[{index}]"), e.to_string()))?;
        let sales = value
            .get("Type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "ACCREC" || t == "ACCRECCREDIT");
        if sales {
            documents.push(state);
        }
    }
    let mut used = vec![false; documents.len()];
    let mut report = Reconciliation {
        only_in_crm: Vec::new(),
        only_in_xero: Vec::new(),
        differing: Vec::new(),
        matched: 0,
    };
    for invoice in crm.iter().filter(|i| period.holds(Some(i.issue_date))) {
        let credit = invoice.kind == InvoiceKind::CreditNote;
        let by_id = invoice.xero_id.as_deref().and_then(|id| {
            documents.iter().position(|d| {
                d.is_credit_note == credit
                    && d.xero_id
                        .as_deref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(id.trim()))
            })
        });
        let found = by_id.or_else(|| {
            documents.iter().position(|d| {
                d.is_credit_note == credit
                    && d.number.as_deref().map(str::trim) == Some(invoice.number.trim())
            })
        });
        let Some(at) = found.filter(|at| !used[*at]) else {
            if invoice.status == InvoiceStatus::Cancelled && invoice.xero_id.is_none() {
                continue; // cancelled before it was ever sent: nothing to reconcile
            }
            let reason = if invoice.xero_id.is_some() || invoice.sent_to_accounts {
                "sent, but Xero has no such invoice"
            } else {
                "never sent"
            };
            report.only_in_crm.push(OnlyInCrm {
                id: invoice.id.clone(),
                number: invoice.number.clone(),
                total: money(invoice.total),
                currency: invoice.currency.clone(),
                reason: reason.into(),
            });
            continue;
        };
        used[at] = true;
        let state = &documents[at];
        let mut differences = Vec::new();
        let mut differ = |field: &'static str, crm: String, xero: String| {
            if crm != xero {
                differences.push(Difference { field, crm, xero });
            }
        };
        differ(
            "number",
            invoice.number.trim().into(),
            state.number.clone().unwrap_or_default(),
        );
        if let Some(ours) = contact_of.get(invoice.company_id.as_str()) {
            differ(
                "contact",
                ours.to_ascii_lowercase(),
                state
                    .contact_id
                    .clone()
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
            );
        }
        // Rule M1: the same amount in another currency is a different amount; a missing CurrencyCode is not a
        // difference (Xero always sends one; a caller's trimmed list may not).
        if let Some(theirs) = &state.currency {
            differ(
                "currency",
                invoice.currency.trim().to_ascii_uppercase(),
                theirs.clone(),
            );
        }
        let text = |d: Option<Decimal>| d.map(|d| money(d).to_string()).unwrap_or_default();
        differ("total", money(invoice.total).to_string(), text(state.total));
        let outstanding = if state.is_credit_note {
            state.remaining_credit
        } else {
            state.amount_due
        };
        differ(
            "amountOutstanding",
            money(invoice.amount_outstanding).to_string(),
            text(outstanding),
        );
        if !status_agrees(invoice.status, state) {
            differences.push(Difference {
                field: "status",
                crm: invoice.status.as_str().into(),
                xero: state.status.clone(),
            });
        }
        if differences.is_empty() {
            report.matched += 1;
        } else {
            report.differing.push(Differing {
                id: invoice.id.clone(),
                number: invoice.number.clone(),
                xero_id: state.xero_id.clone().unwrap_or_default(),
                currency: invoice.currency.clone(),
                differences,
            });
        }
    }
    for (at, state) in documents.iter().enumerate() {
        let contact = state.contact_id.clone().unwrap_or_default();
        let listed = !used[at]
            && state.status != "DELETED"
            && period.holds(state.date)
            && linked.contains(&contact.to_ascii_lowercase());
        if !listed {
            continue;
        }
        report.only_in_xero.push(OnlyInXero {
            xero_id: state.xero_id.clone().unwrap_or_default(),
            number: state.number.clone().unwrap_or_default(),
            contact_id: contact,
            date: state.date,
            total: money(state.total.unwrap_or_default()),
            currency: state.currency.clone().unwrap_or_default(),
            status: state.status.clone(),
        });
    }
    Ok(report)
}

/// The report as CSV (rule RC1: exportable): one line per finding,
/// `Finding,CRM id,Number,Xero id,Currency,Field,CRM,Xero`; amounts are in the line's currency (rule M1).
pub fn reconciliation_csv(report: &Reconciliation) -> String {
    // No byte order mark: this is a string in a JSON answer; whoever writes the file puts `csv::BOM` first.
    // The header is fixed text (nothing to quote or defuse); every finding goes through the shared guard.
    let mut out = String::from("Finding,CRM id,Number,Xero id,Currency,Field,CRM,Xero\r\n");
    for o in &report.only_in_crm {
        let total = o.total.to_string();
        out.push_str(&csv::line(&[
            "only in the CRM",
            &o.id,
            &o.number,
            "",
            &o.currency,
            &o.reason,
            &total,
            "",
        ]));
    }
    for o in &report.only_in_xero {
        let total = o.total.to_string();
        out.push_str(&csv::line(&[
            "only in Xero",
            "",
            &o.number,
            &o.xero_id,
            &o.currency,
            "total",
            "",
            &total,
        ]));
    }
    for d in &report.differing {
        for diff in &d.differences {
            out.push_str(&csv::line(&[
                "differs",
                &d.id,
                &d.number,
                &d.xero_id,
                &d.currency,
                diff.field,
                &diff.crm,
                &diff.xero,
            ]));
        }
    }
    out
}

/// Reads `{ companies?, from?, to? }`.
pub fn options(value: &Value) -> Result<(Vec<Company>, Period), Error> {
    let bad = |field: &str, message: String| Error::options(RecordKind::Options, field, message);
    let date = |key: &str| -> Result<Option<IsoDate>, Error> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_str()
                .and_then(IsoDate::parse)
                .map(Some)
                .ok_or_else(|| bad(key, format!("expected a date YYYY-MM-DD, got {v}"))),
        }
    };
    let companies = match value.get("companies") {
        None | Some(Value::Null) => Vec::new(),
        Some(list) => list
            .as_array()
            .ok_or_else(|| bad("companies", "expected an array".into()))?
            .iter()
            .enumerate()
            .map(|(i, c)| crate::decode::decode_record(c, RecordKind::Company, i))
            .collect::<Result<Vec<Company>, Error>>()?,
    };
    let period = Period {
        from: date("from")?,
        to: date("to")?,
    };
    if let (Some(from), Some(to)) = (period.from, period.to) {
        if from > to {
            return Err(bad(
                "to",
                format!("the period ends ({to}) before it starts ({from})"),
            ));
        }
    }
    Ok((companies, period))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_invoice;
    use serde_json::json;

    fn crm(number: &str, status: &str, xero_id: &str) -> Invoice {
        decode_invoice(
            &json!({ "id": "inv-1", "number": number, "companyId": "co-1", "issueDate": "2026-11-05", "currency": "GBP",
                "status": status, "total": "12.00", "amountOutstanding": "0.00", "sentToAccounts": true, "xeroId": xero_id,
                "lines": [{ "description": "x", "quantity": "1", "listPrice": "10", "taxRateId": "t" }] }),
            0,
        )
        .unwrap()
    }

    fn xero_doc(id: &str, number: &str, status: &str) -> Value {
        json!({ "InvoiceID": id, "InvoiceNumber": number, "Type": "ACCREC", "Status": status, "Total": 12,
            "AmountDue": 12, "DateString": "2026-11-05T00:00:00" })
    }

    #[test]
    fn a_cancelled_invoice_matches_a_voided_one_and_the_csv_defuses_formulas_rule_rc1() {
        let id = "a1000000-0000-4000-8000-000000000001";
        let xero = json!({ "InvoiceID": id, "InvoiceNumber": "=1+1", "Type": "ACCREC", "Status": "VOIDED", "Total": 12,
            "AmountDue": 0, "DateString": "2026-11-05T00:00:00" });
        let report = reconcile(
            &[crm("=1+1", "Cancelled", id)],
            std::slice::from_ref(&xero),
            &[],
            Period::default(),
        )
        .unwrap();
        assert_eq!((report.matched, report.differing.len()), (1, 0));
        // A paid CRM invoice against Xero's voided one: the status differs, named with both values.
        let report =
            reconcile(&[crm("=1+1", "Paid", id)], &[xero], &[], Period::default()).unwrap();
        assert_eq!(
            report.differing[0].differences,
            [Difference {
                field: "status",
                crm: "Paid".into(),
                xero: "VOIDED".into()
            }]
        );
        // A pair split by the period's edge is still a pair; a deleted draft matches its cancelled invoice; a bill
        // with our number is not our invoice.
        let november = Period {
            from: IsoDate::parse("2026-11-01"),
            to: IsoDate::parse("2026-11-30"),
        };
        let mut late = xero_doc(id, "INV-9", "AUTHORISED");
        late["DateString"] = json!("2026-12-01T00:00:00");
        let mut bill = xero_doc(
            "a1000000-0000-4000-8000-000000000002",
            "INV-9",
            "AUTHORISED",
        );
        bill["Type"] = json!("ACCPAY");
        let split = reconcile(&[crm("INV-9", "Live", id)], &[bill, late], &[], november).unwrap();
        let paired = |r: &Reconciliation| r.matched + r.differing.len();
        assert_eq!(
            (
                paired(&split),
                split.only_in_crm.len(),
                split.only_in_xero.len()
            ),
            (1, 0, 0)
        );
        assert_eq!(
            split.differing[0].xero_id, id,
            "paired with the sales invoice, not the bill"
        );
        let deleted = reconcile(
            &[crm("INV-9", "Cancelled", id)],
            &[xero_doc(id, "INV-9", "DELETED")],
            &[],
            november,
        )
        .unwrap();
        assert_eq!((paired(&deleted), deleted.only_in_crm.len()), (1, 0));
        assert!(deleted
            .differing
            .iter()
            .all(|d| d.differences.iter().all(|x| x.field != "status")));
        let csv = reconciliation_csv(&report);
        assert!(csv.contains(r#""'=1+1""#), "{csv}");
        assert!(!csv.contains(r#","=1+1""#), "{csv}");
    }
}
