//! One line item: defaults from the item and account, discount checks, Xero's line maths.

use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::WriteCtx;
use crate::json::{decimal_field, str_field};
use crate::maths::{self, AmountsAre, Discount, DiscountProblem, LineFigures};
use crate::store::{Doc, DocKind, Line};

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
pub(super) fn build_line(
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
    let tracking = super::doc_extras::read_tracking(tenant, line, old_lines, errors);
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
            tracking,
        },
        LineFigures {
            line_amount,
            tax,
            gross: quantity * unit_amount,
        },
    ))
}

pub(super) fn recompute(ctx: &WriteCtx, doc: &Doc) -> Vec<LineFigures> {
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
