//! The preview (rules S5, S6, S7, T1): what Xero will compute for an invoice, compared with the CRM's totals.
//!
//! [`plan_invoice`] resolves every line once (product, tax rate, discount representation); the preview and the
//! payload builder both read that plan, so what is previewed is what is sent.

use crate::decimal::money;
use crate::decode::Ctx;
use crate::error::Error;
use crate::money::{line_tax, plan_credit_line, plan_invoice_line, LinePlan, XeroDiscount};
use crate::records::{AmountsAre, Invoice, InvoiceKind, Line, Product, TaxRate};
use crate::tax_strategy::{match_crm_tax, TaxStrategy, TaxedLine};
use rust_decimal::Decimal;
use serde::Serialize;

/// One line, resolved against the context.
#[derive(Debug, Clone)]
pub struct PlannedLine<'a> {
    pub line: &'a Line,
    pub product: Option<&'a Product>,
    /// The tax rate in force; `None` only on `noTax` invoices.
    pub tax_rate: Option<&'a TaxRate>,
    pub money: LinePlan,
    pub tax_amount: Decimal,
}

/// A whole invoice, resolved: lines plus Xero's totals and the differences from the CRM.
#[derive(Debug, Clone)]
pub struct InvoicePlan<'a> {
    pub invoice: &'a Invoice,
    pub lines: Vec<PlannedLine<'a>>,
    pub sub_total: Decimal,
    pub total_tax: Decimal,
    pub total: Decimal,
    pub differences: Vec<String>,
    /// Lines that the `hold` strategy holds back (S6), as readable reasons.
    pub held: Vec<String>,
    /// Rule S6a: the lines' `tax_amount`s are explicit overrides, to be sent as `TaxAmount`.
    pub explicit_tax: bool,
}

impl InvoicePlan<'_> {
    /// Some unit amount has 4 dp: the write request needs `unitdp=4`.
    pub fn needs_unitdp4(&self) -> bool {
        self.lines.iter().any(|l| l.money.needs_unitdp4())
    }
}

fn line_label(index: usize, line: &Line) -> String {
    let description = line.description.trim();
    if description.is_empty() {
        format!("line {}", index + 1)
    } else {
        let short: String = description.chars().take(40).collect();
        format!("line {} ({short})", index + 1)
    }
}

fn resolve_tax_rate<'a>(
    invoice: &Invoice,
    index: usize,
    line: &Line,
    product: Option<&'a Product>,
    ctx: &'a Ctx,
) -> Result<Option<&'a TaxRate>, Error> {
    if invoice.amounts_are == AmountsAre::NoTax {
        return Ok(None);
    }
    let id = line
        .tax_rate_id
        .as_deref()
        .or_else(|| product.and_then(|p| p.tax_rate_id.as_deref()));
    // The good case first, without building the record's and field's names (a hot path in batches).
    if let Some(Ok(rate)) = id.and_then(|id| ctx.tax_rate_entry(id)) {
        if rate
            .xero_tax_type
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
        {
            return Ok(Some(rate));
        }
    }
    let record = invoice.record_ref();
    let field = format!("lines[{index}].taxRateId");
    let Some(id) = id else {
        return Err(Error::MissingField { record, field });
    };
    let rate = ctx.tax_rate(id, &record, &field)?;
    // Rule T1: an unmapped tax rate stops the invoice; the error names the rate.
    if rate
        .xero_tax_type
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        return Err(Error::UnmappedTaxRate {
            record,
            field,
            tax_rate: rate.label(),
        });
    }
    Ok(Some(rate))
}

/// Resolves an invoice against the context. Errors: unknown product or tax rate, unmapped tax rate (T1).
pub fn plan_invoice<'a>(invoice: &'a Invoice, ctx: &'a Ctx) -> Result<InvoicePlan<'a>, Error> {
    let record = invoice.record_ref();
    let strategy = ctx.settings.discount_strategy;
    let mut lines = Vec::with_capacity(invoice.lines.len());
    let mut differences = Vec::new();
    let mut held = Vec::new();
    for (index, line) in invoice.lines.iter().enumerate() {
        let product = match &line.product_id {
            None => None,
            Some(id) => match ctx.product_entry(id) {
                Some(Ok(product)) => Some(product),
                _ => Some(ctx.product(id, &record, &format!("lines[{index}].productId"))?),
            },
        };
        let tax_rate = resolve_tax_rate(invoice, index, line, product, ctx)?;
        let discount = line.discount.as_ref();
        let money = match invoice.kind {
            InvoiceKind::Invoice => {
                plan_invoice_line(line.quantity, line.list_price, discount, strategy)
            }
            InvoiceKind::CreditNote => {
                plan_credit_line(line.quantity, line.list_price, discount, strategy)
            }
        };
        let percent = tax_rate.map_or(Decimal::ZERO, |t| t.percent);
        let tax_amount = line_tax(money.xero_amount, percent, invoice.amounts_are);
        if !money.reproduces {
            let label = line_label(index, line);
            let text = format!(
                "{label}: Xero will compute {}, the CRM has {}",
                money.xero_amount, money.crm_amount
            );
            if money.held {
                let representation = match invoice.kind {
                    InvoiceKind::Invoice => "no 2-dp discount rate",
                    InvoiceKind::CreditNote => "no unit price of at most 4 decimals",
                };
                held.push(format!(
                    "{label}: {representation} gives the CRM's {}",
                    money.crm_amount
                ));
            }
            differences.push(text);
        }
        lines.push(PlannedLine {
            line,
            product,
            tax_rate,
            money,
            tax_amount,
        });
    }
    let line_sum: Decimal = lines.iter().map(|l| l.money.xero_amount).sum();
    let explicit_tax = ctx.settings.tax_strategy == TaxStrategy::MatchCrm
        && differences.is_empty()
        && match_crm_tax_on(invoice, &mut lines, line_sum);
    let total_tax: Decimal = lines.iter().map(|l| l.tax_amount).sum();
    let (sub_total, total) = match invoice.amounts_are {
        AmountsAre::Inclusive => (line_sum - total_tax, line_sum),
        AmountsAre::Exclusive | AmountsAre::NoTax => (line_sum, line_sum + total_tax),
    };
    if total != invoice.total {
        differences.push(format!(
            "total: Xero will compute {}, the CRM has {}",
            money(total),
            invoice.total
        ));
    }
    Ok(InvoicePlan {
        invoice,
        lines,
        sub_total,
        total_tax,
        total,
        differences,
        held,
        explicit_tax,
    })
}

/// Rule S6a: when the CRM's tax (its total less Xero's line sum) is within rounding of Xero's, the lines take
/// explicit taxes that reach it. Only exclusive amounts: on inclusive ones Xero's total is the line sum whatever the
/// tax, and `noTax` has none. Only when every line already reproduces the CRM's (checked by the caller), so that a
/// line difference is never folded into tax.
fn match_crm_tax_on(invoice: &Invoice, lines: &mut [PlannedLine<'_>], line_sum: Decimal) -> bool {
    if invoice.amounts_are != AmountsAre::Exclusive {
        return false;
    }
    let taxed: Vec<TaxedLine> = lines
        .iter()
        .map(|l| TaxedLine {
            amount: l.money.xero_amount,
            percent: l.tax_rate.map_or(Decimal::ZERO, |t| t.percent),
        })
        .collect();
    match match_crm_tax(&taxed, invoice.total - line_sum) {
        Some(taxes) => {
            for (line, tax) in lines.iter_mut().zip(taxes) {
                line.tax_amount = tax;
            }
            true
        }
        None => false,
    }
}

/// One line of the preview (contract.md): amounts as Xero will compute them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PreviewLine {
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub line_amount: Decimal,
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub tax_amount: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::ts::Decimal>", optional))]
    pub discount_rate: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::ts::Decimal>", optional))]
    pub discount_amount: Option<Decimal>,
}

/// `previewInvoice`'s result (contract.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub lines: Vec<PreviewLine>,
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub sub_total: Decimal,
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub total_tax: Decimal,
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub total: Decimal,
    pub matches_crm: bool,
    pub differences: Vec<String>,
}

impl From<&InvoicePlan<'_>> for Preview {
    fn from(plan: &InvoicePlan<'_>) -> Self {
        let lines = plan
            .lines
            .iter()
            .map(|l| PreviewLine {
                line_amount: money(l.money.xero_amount),
                tax_amount: money(l.tax_amount),
                discount_rate: match l.money.discount {
                    XeroDiscount::Rate(r) => Some(money(r)),
                    _ => None,
                },
                discount_amount: match l.money.discount {
                    XeroDiscount::Amount(a) => Some(money(a)),
                    _ => None,
                },
            })
            .collect();
        Preview {
            lines,
            sub_total: money(plan.sub_total),
            total_tax: money(plan.total_tax),
            total: money(plan.total),
            matches_crm: plan.differences.is_empty(),
            differences: plan.differences.clone(),
        }
    }
}

/// `previewInvoice` (rules S5, S6, S7): what Xero will compute, and every difference from the CRM's totals.
pub fn preview_invoice(invoice: &Invoice, ctx: &Ctx) -> Result<Preview, Error> {
    plan_invoice(invoice, ctx).map(|plan| Preview::from(&plan))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_invoice;
    use crate::money::xero_line_amount;
    use proptest::prelude::*;
    use serde_json::json;

    fn ctx() -> Ctx {
        Ctx::from_json(&json!({
            "taxRates": [{ "id": "t", "name": "T", "percent": "17.5", "xeroTaxType": "OUTPUT" }],
            "settings": { "discountStrategy": "auto" }
        }))
        .unwrap()
    }

    prop_compose! {
        fn line()(q in 0i64..100_000, qdp in 0u32..=2, p in 0i64..10_000_000, pdp in 0u32..=4, pct in proptest::option::of(0i64..10_000)) -> serde_json::Value {
            let mut l = json!({ "description": "x", "quantity": Decimal::new(q, qdp).to_string(),
                                "listPrice": Decimal::new(p, pdp).to_string(), "taxRateId": "t" });
            if let Some(pct) = pct { l["discount"] = json!({ "percent": Decimal::new(pct, 2).to_string() }); }
            l
        }
    }

    proptest! {
        /// Rule S6: totals are the sums of Xero-rounded lines and per-line rounded tax.
        #[test]
        fn totals_are_sums_of_rounded_lines_rule_s6(lines in proptest::collection::vec(line(), 1..8),
                                                    amounts in prop_oneof![Just("exclusive"), Just("inclusive"), Just("noTax")]) {
            let invoice = decode_invoice(&json!({ "id": "i", "number": "I", "companyId": "c", "issueDate": "2026-01-01",
                "currency": "GBP", "status": "Live", "total": "0", "amountOutstanding": "0", "amountsAre": amounts, "lines": lines }), 0).unwrap();
            let ctx = ctx();
            let plan = plan_invoice(&invoice, &ctx).unwrap();
            let preview = Preview::from(&plan);
            let line_sum: Decimal = preview.lines.iter().map(|l| l.line_amount).sum();
            let tax_sum: Decimal = preview.lines.iter().map(|l| l.tax_amount).sum();
            prop_assert_eq!(preview.total_tax, tax_sum);
            for (l, planned) in preview.lines.iter().zip(&plan.lines) {
                prop_assert_eq!(l.line_amount, xero_line_amount(planned.line.quantity, planned.money.unit_amount, planned.money.discount));
                prop_assert_eq!(l.tax_amount, line_tax(l.line_amount, Decimal::new(175, 1), invoice.amounts_are));
                prop_assert_eq!(l.line_amount.scale(), 2);
            }
            match invoice.amounts_are {
                AmountsAre::Inclusive => {
                    prop_assert_eq!(preview.total, line_sum);
                    prop_assert_eq!(preview.sub_total, line_sum - tax_sum);
                }
                _ => {
                    prop_assert_eq!(preview.sub_total, line_sum);
                    prop_assert_eq!(preview.total, line_sum + tax_sum);
                }
            }
            prop_assert_eq!(preview.matches_crm, preview.total == Decimal::ZERO);
        }
    }
}
