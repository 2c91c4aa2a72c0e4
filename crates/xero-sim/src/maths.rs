//! Xero's line maths, written from `../shared/spec/xero-api-notes.md` ("Money") and nothing else: the simulator must
//! judge the core's predictions independently, so it never calls `xerosync-core`.
//!
//! - `LineAmount = Quantity × UnitAmount × (100 − DiscountRate) / 100`, or `Quantity × UnitAmount − DiscountAmount`,
//!   rounded to 2 dp.
//! - Tax per line, rounded to 2 dp, then summed. `Inclusive` lines carry their tax inside the line amount.
//! - Rounding is half away from zero (what Xero's UI shows for .005 amounts).
//! - A line's `TaxAmount`, when a request sends one, replaces the computed tax (rule S6a relies on it).
//!
//! [`invoice_figures`] applies all of it to an invoice JSON body, for tests outside the simulator.

use rust_decimal::{Decimal, RoundingStrategy};

mod invoice;

pub use invoice::{invoice_figures, InvoiceFigures};

/// How line amounts relate to tax (`LineAmountTypes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountsAre {
    /// Line amounts exclude tax (Xero's default).
    Exclusive,
    /// Line amounts include tax.
    Inclusive,
    /// No tax at all.
    NoTax,
}

impl AmountsAre {
    /// Parses Xero's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Exclusive" => Some(Self::Exclusive),
            "Inclusive" => Some(Self::Inclusive),
            "NoTax" => Some(Self::NoTax),
            _ => None,
        }
    }

    /// Xero's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exclusive => "Exclusive",
            Self::Inclusive => "Inclusive",
            Self::NoTax => "NoTax",
        }
    }
}

/// A line discount as the request gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// No discount.
    None,
    /// `DiscountRate`, a percentage.
    Rate(Decimal),
    /// `DiscountAmount`, off the whole line.
    Amount(Decimal),
}

/// Why a discount is refused (Xero rejects these lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountProblem {
    /// Zero or negative discount.
    NotPositive,
    /// A rate of 100 % or more.
    RateTooHigh,
    /// An amount as large as the line or larger.
    AmountTooHigh,
    /// The discounted line rounds to 0.00.
    RoundsToZero,
}

/// Rounds money to 2 dp, half away from zero.
pub fn round2(value: Decimal) -> Decimal {
    round_to(value, 2)
}

/// Rounds to `dp` places, half away from zero (unit amounts: 2, or 4 with `unitdp=4`).
pub fn round_to(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// The line amount for a quantity and unit amount after the discount, rounded to 2 dp.
pub fn line_amount(
    quantity: Decimal,
    unit_amount: Decimal,
    discount: Discount,
) -> Result<Decimal, DiscountProblem> {
    let gross = quantity * unit_amount;
    let hundred = Decimal::ONE_HUNDRED;
    let amount = match discount {
        Discount::None => return Ok(round2(gross)),
        Discount::Rate(rate) if rate <= Decimal::ZERO => return Err(DiscountProblem::NotPositive),
        Discount::Amount(amount) if amount <= Decimal::ZERO => {
            return Err(DiscountProblem::NotPositive)
        }
        Discount::Rate(rate) if rate >= hundred => return Err(DiscountProblem::RateTooHigh),
        Discount::Amount(amount) if amount >= gross.abs() => {
            return Err(DiscountProblem::AmountTooHigh)
        }
        Discount::Rate(rate) => round2(gross * (hundred - rate) / hundred),
        Discount::Amount(amount) => round2(gross - amount),
    };
    if amount.is_zero() {
        return Err(DiscountProblem::RoundsToZero);
    }
    Ok(amount)
}

/// The tax on one line, rounded to 2 dp. `rate` is a percentage (20 for 20 %).
pub fn line_tax(line_amount: Decimal, rate: Decimal, amounts_are: AmountsAre) -> Decimal {
    match amounts_are {
        AmountsAre::NoTax => Decimal::ZERO,
        AmountsAre::Exclusive => round2(line_amount * rate / Decimal::ONE_HUNDRED),
        AmountsAre::Inclusive => round2(line_amount * rate / (Decimal::ONE_HUNDRED + rate)),
    }
}

/// One computed line, as totals need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineFigures {
    /// The line amount (2 dp; tax-inclusive when the document is `Inclusive`).
    pub line_amount: Decimal,
    /// The line's tax (2 dp).
    pub tax: Decimal,
    /// Quantity × UnitAmount before the discount, unrounded.
    pub gross: Decimal,
}

/// A document's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Total excluding tax.
    pub sub_total: Decimal,
    /// Sum of the per-line taxes.
    pub total_tax: Decimal,
    /// `sub_total + total_tax`.
    pub total: Decimal,
    /// Sum of the discounts given, 2 dp.
    pub total_discount: Decimal,
}

/// Sums lines the way Xero does: per-line rounded tax, summed; the subtotal excludes tax.
pub fn totals(lines: &[LineFigures], amounts_are: AmountsAre) -> Totals {
    let mut t = Totals::default();
    for line in lines {
        let net = match amounts_are {
            AmountsAre::Inclusive => line.line_amount - line.tax,
            AmountsAre::Exclusive | AmountsAre::NoTax => line.line_amount,
        };
        t.sub_total += net;
        t.total_tax += line.tax;
        t.total_discount += round2(line.gross) - line.line_amount;
    }
    t.total = t.sub_total + t.total_tax;
    if t.total_discount < Decimal::ZERO {
        t.total_discount = Decimal::ZERO;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn tax_is_rounded_per_line_then_summed() {
        // Xero's own example: 25.06, 25.61, 25.63 at 15 % give 11.44, not the 11.45 of the subtotal.
        let lines: Vec<LineFigures> = ["25.06", "25.61", "25.63"]
            .iter()
            .map(|a| LineFigures {
                line_amount: d(a),
                tax: line_tax(d(a), d("15"), AmountsAre::Exclusive),
                gross: d(a),
            })
            .collect();
        let t = totals(&lines, AmountsAre::Exclusive);
        assert_eq!(t.total_tax, d("11.44"));
        assert_eq!(t.sub_total, d("76.30"));
        assert_eq!(t.total, d("87.74"));
        assert_eq!(round2(t.sub_total * d("0.15")), d("11.45"));
    }

    #[test]
    fn discount_rate_and_amount() {
        let table = [
            ("3", "30.00", Discount::Rate(d("10")), "81.00"),
            ("1", "9.99", Discount::Rate(d("12.5")), "8.74"),
            ("3", "30.00", Discount::Amount(d("5")), "85.00"),
            ("2", "0.005", Discount::None, "0.01"),
            ("1", "10.005", Discount::None, "10.01"),
        ];
        for (q, u, disc, want) in table {
            assert_eq!(
                line_amount(d(q), d(u), disc),
                Ok(d(want)),
                "{q} x {u} {disc:?}"
            );
        }
    }

    #[test]
    fn bad_discounts_are_refused() {
        let q = d("1");
        let u = d("10");
        assert_eq!(
            line_amount(q, u, Discount::Rate(d("0"))),
            Err(DiscountProblem::NotPositive)
        );
        assert_eq!(
            line_amount(q, u, Discount::Rate(d("100"))),
            Err(DiscountProblem::RateTooHigh)
        );
        assert_eq!(
            line_amount(q, u, Discount::Amount(d("10"))),
            Err(DiscountProblem::AmountTooHigh)
        );
        assert_eq!(
            line_amount(d("1"), d("0.01"), Discount::Rate(d("60"))),
            Err(DiscountProblem::RoundsToZero)
        );
    }

    #[test]
    fn inclusive_tax_is_inside_the_line() {
        let tax = line_tax(d("120.00"), d("20"), AmountsAre::Inclusive);
        assert_eq!(tax, d("20.00"));
        let t = totals(
            &[LineFigures {
                line_amount: d("120.00"),
                tax,
                gross: d("120.00"),
            }],
            AmountsAre::Inclusive,
        );
        assert_eq!((t.sub_total, t.total), (d("100.00"), d("120.00")));
    }
}
