//! Xero's figures for a whole invoice body, as a client would send it: for tests outside the simulator (the core's,
//! say) that want to know what Xero will answer without starting a server. The simulator's own write path uses the
//! same primitives ([`line_amount`], [`line_tax`], [`totals`]), so the two cannot drift apart.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

use super::{
    line_amount, line_tax, round2, round_to, totals, AmountsAre, Discount, LineFigures, Totals,
};
use crate::taxrates::{self, Country};

/// Xero's figures for an invoice: each line's amount and tax, and the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFigures {
    /// Per line, in request order.
    pub lines: Vec<LineFigures>,
    /// `SubTotal`, `TotalTax`, `Total`, `TotalDiscount`.
    pub totals: Totals,
}

fn number(line: &Value, key: &str) -> Result<Option<Decimal>, String> {
    match line.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Decimal::from_str(&n.to_string())
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .map(Some)
            .map_err(|_| format!("{key} is not a number")),
        Some(Value::String(s)) => Decimal::from_str(s.trim())
            .map(Some)
            .map_err(|_| format!("{key} is not a number")),
        Some(_) => Err(format!("{key} is not a number")),
    }
}

/// What Xero computes for `invoice` (an `Invoice` or `CreditNote` JSON body) in an organisation of `country`.
///
/// Each line needs `UnitAmount` (an `ItemCode` is not looked up here); `Quantity` defaults to 1, `TaxType` to
/// `OUTPUT2` (`NONE` when `LineAmountTypes` is `NoTax`); `DiscountRate` / `DiscountAmount` and a `TaxAmount` override
/// are honoured as Xero honours them. `unit_dp` is 2, or 4 for a request with `unitdp=4`. `Err` names the first line
/// Xero would refuse (a bad number, an unknown tax type, a refused discount).
pub fn invoice_figures(
    invoice: &Value,
    country: Country,
    unit_dp: u32,
) -> Result<InvoiceFigures, String> {
    let amounts_are = match invoice.get("LineAmountTypes").and_then(Value::as_str) {
        None => AmountsAre::Exclusive,
        Some(t) => {
            AmountsAre::parse(t).ok_or_else(|| format!("LineAmountTypes '{t}' is not valid"))?
        }
    };
    let rates = taxrates::for_country(country);
    let empty = Vec::new();
    let lines = invoice
        .get("LineItems")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let mut figures = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let at = |e: String| format!("line {}: {e}", i + 1);
        let quantity = round_to(
            number(line, "Quantity")
                .map_err(at)?
                .unwrap_or(Decimal::ONE),
            4,
        );
        let unit = number(line, "UnitAmount")
            .map_err(at)?
            .ok_or_else(|| at("UnitAmount is missing".into()))?;
        let unit = round_to(unit, unit_dp);
        let discount = match (
            number(line, "DiscountRate").map_err(at)?,
            number(line, "DiscountAmount").map_err(at)?,
        ) {
            (Some(_), Some(_)) => return Err(at("both DiscountRate and DiscountAmount".into())),
            (Some(r), None) => Discount::Rate(round2(r)),
            (None, Some(a)) => Discount::Amount(round2(a)),
            (None, None) => Discount::None,
        };
        let amount = line_amount(quantity, unit, discount)
            .map_err(|p| at(format!("discount refused: {p:?}")))?;
        let default_tax = if amounts_are == AmountsAre::NoTax {
            "NONE"
        } else {
            "OUTPUT2"
        };
        let tax_type = line
            .get("TaxType")
            .and_then(Value::as_str)
            .unwrap_or(default_tax);
        let rate = rates
            .iter()
            .find(|r| r.tax_type == tax_type)
            .map(|r| r.rate)
            .ok_or_else(|| {
                at(format!(
                    "TaxType '{tax_type}' is not one of the organisation's"
                ))
            })?;
        let tax = match number(line, "TaxAmount").map_err(at)? {
            Some(t) => round2(t),
            None => line_tax(amount, rate, amounts_are),
        };
        figures.push(LineFigures {
            line_amount: amount,
            tax,
            gross: quantity * unit,
        });
    }
    let totals = totals(&figures, amounts_are);
    Ok(InvoiceFigures {
        lines: figures,
        totals,
    })
}
