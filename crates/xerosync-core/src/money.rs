//! Xero's maths (rules S5, S6, S7): line amounts, per-line tax, and how a CRM line discount is sent so that Xero
//! computes the CRM's line total to the cent.
//!
//! Xero computes `LineAmount = Quantity × UnitAmount × (100 − DiscountRate) / 100` or
//! `Quantity × UnitAmount − DiscountAmount`, rounded to 2 dp (half away from zero); tax per line rounded to 2 dp, then
//! summed. `DiscountRate` is kept at 2 dp, `UnitAmount` at 4 dp with `unitdp=4` (2 dp otherwise).

use crate::decimal::{places, round_dp};
use crate::records::{AmountsAre, Discount, DiscountStrategy};
use rust_decimal::Decimal;

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;
const CENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
const TEN_THOUSANDTH: Decimal = Decimal::from_parts(1, 0, 0, false, 4);

/// The discount as it goes to Xero: never zero, never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XeroDiscount {
    None,
    Rate(Decimal),
    Amount(Decimal),
}

/// Xero's line amount for a quantity, unit amount and discount (2 dp, half away from zero).
pub fn xero_line_amount(
    quantity: Decimal,
    unit_amount: Decimal,
    discount: XeroDiscount,
) -> Decimal {
    let gross = quantity * unit_amount;
    let amount = match discount {
        XeroDiscount::None => gross,
        XeroDiscount::Rate(rate) => gross * (HUNDRED - rate) / HUNDRED,
        XeroDiscount::Amount(amount) => gross - amount,
    };
    round_dp(amount, 2)
}

/// Xero's tax on one line, rounded to 2 dp. Inclusive amounts hold the tax: `amount × rate / (100 + rate)`.
pub fn line_tax(line_amount: Decimal, percent: Decimal, amounts_are: AmountsAre) -> Decimal {
    match amounts_are {
        AmountsAre::Exclusive => round_dp(line_amount * percent / HUNDRED, 2),
        AmountsAre::Inclusive if percent + HUNDRED > Decimal::ZERO => {
            round_dp(line_amount * percent / (HUNDRED + percent), 2)
        }
        AmountsAre::Inclusive | AmountsAre::NoTax => Decimal::ZERO,
    }
}

/// The CRM's own line amount, unrounded: quantity × list price less the discount.
pub fn crm_line_amount(
    quantity: Decimal,
    list_price: Decimal,
    discount: Option<&Discount>,
) -> Decimal {
    let gross = quantity * list_price;
    match discount {
        Some(Discount {
            percent: Some(p), ..
        }) => gross * (HUNDRED - p) / HUNDRED,
        Some(Discount {
            amount: Some(a), ..
        }) => gross - a,
        _ => gross,
    }
}

/// How one CRM line is sent to Xero, and what Xero will make of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePlan {
    /// `UnitAmount` to send: the list price on invoices, the discounted price on credit notes (S7).
    pub unit_amount: Decimal,
    pub discount: XeroDiscount,
    /// What Xero will compute for `LineAmount`.
    pub xero_amount: Decimal,
    /// The CRM's line amount rounded to the cent: what Xero should compute.
    pub crm_amount: Decimal,
    /// False when no representation Xero accepts gives `crm_amount`.
    pub reproduces: bool,
    /// Set with the `hold` strategy when the line would need a `DiscountAmount` (S6).
    pub held: bool,
}

impl LinePlan {
    /// The unit amount needs 4 dp, so the request needs `unitdp=4`.
    pub fn needs_unitdp4(&self) -> bool {
        places(self.unit_amount) > 2
    }
}

fn plan(
    unit_amount: Decimal,
    discount: XeroDiscount,
    quantity: Decimal,
    crm_amount: Decimal,
) -> LinePlan {
    let xero_amount = xero_line_amount(quantity, unit_amount, discount);
    LinePlan {
        unit_amount,
        discount,
        xero_amount,
        crm_amount,
        reproduces: xero_amount == crm_amount,
        held: false,
    }
}

/// Plans an invoice line (rules S5, S6): the full list price and quantity, the discount as a 2-dp percentage where that
/// reproduces the CRM line to the cent; otherwise per `strategy` a `DiscountAmount` (`auto`), the nearest percentage
/// anyway (`rate`), or the line marked held (`hold`).
pub fn plan_invoice_line(
    quantity: Decimal,
    list_price: Decimal,
    discount: Option<&Discount>,
    strategy: DiscountStrategy,
) -> LinePlan {
    let crm_amount = round_dp(crm_line_amount(quantity, list_price, discount), 2);
    let gross = quantity * list_price;
    let undiscounted = plan(list_price, XeroDiscount::None, quantity, crm_amount);
    let has_discount = matches!(discount, Some(d) if d.percent.is_some_and(|p| !p.is_zero()) || d.amount.is_some_and(|a| !a.is_zero()));
    if !has_discount || undiscounted.reproduces {
        return undiscounted;
    }
    // Xero rejects a discount that takes the line to 0.00 (and a 100% one): send it as a free line instead.
    if crm_amount.is_zero() {
        return plan(Decimal::ZERO, XeroDiscount::None, quantity, crm_amount);
    }
    let exact_rate = match discount {
        Some(Discount {
            percent: Some(p), ..
        }) => Some(*p),
        Some(Discount {
            amount: Some(a), ..
        }) if !gross.is_zero() => Some(*a * HUNDRED / gross),
        _ => None,
    };
    let rate_plans: Vec<LinePlan> = exact_rate
        .map(|rate| round_dp(rate, 2))
        .into_iter()
        .flat_map(|r0| [r0, r0 - CENT, r0 + CENT])
        .filter(|r| *r > Decimal::ZERO && *r < HUNDRED)
        .map(|r| plan(list_price, XeroDiscount::Rate(r), quantity, crm_amount))
        .collect();
    if let Some(found) = rate_plans.iter().find(|p| p.reproduces) {
        return found.clone();
    }
    match strategy {
        DiscountStrategy::Rate => rate_plans.into_iter().next().unwrap_or(undiscounted),
        DiscountStrategy::Hold => {
            let mut held = rate_plans.into_iter().next().unwrap_or(undiscounted);
            held.held = true;
            held
        }
        DiscountStrategy::Auto => {
            let base = round_dp(gross, 2) - crm_amount;
            [base, base - CENT, base + CENT]
                .into_iter()
                .filter(|a| *a > Decimal::ZERO)
                .map(|a| plan(list_price, XeroDiscount::Amount(a), quantity, crm_amount))
                .find(|p| p.reproduces)
                .or_else(|| rate_plans.into_iter().next())
                .unwrap_or(undiscounted)
        }
    }
}

/// Plans a credit-note line (rule S7): Xero takes no discount on credit notes, so the unit amount is the discounted
/// unit price: 2 dp where that reproduces the CRM line, else 4 dp (the request then needs `unitdp=4`).
pub fn plan_credit_line(
    quantity: Decimal,
    list_price: Decimal,
    discount: Option<&Discount>,
    strategy: DiscountStrategy,
) -> LinePlan {
    let crm_exact = crm_line_amount(quantity, list_price, discount);
    let crm_amount = round_dp(crm_exact, 2);
    let undiscounted = plan(list_price, XeroDiscount::None, quantity, crm_amount);
    if discount.is_none() || undiscounted.reproduces {
        return undiscounted;
    }
    if quantity.is_zero() || crm_amount.is_zero() {
        return plan(Decimal::ZERO, XeroDiscount::None, quantity, crm_amount);
    }
    let unit = crm_exact / quantity;
    let two = round_dp(unit, 2);
    let four = round_dp(unit, 4);
    let candidates = [two, four, four - TEN_THOUSANDTH, four + TEN_THOUSANDTH];
    let plans: Vec<LinePlan> = candidates
        .iter()
        .map(|u| plan(*u, XeroDiscount::None, quantity, crm_amount))
        .collect();
    match plans.iter().find(|p| p.reproduces) {
        Some(found) => found.clone(),
        None => {
            let mut nearest = plan(four, XeroDiscount::None, quantity, crm_amount);
            nearest.held = strategy == DiscountStrategy::Hold;
            nearest
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn pct(p: &str) -> Discount {
        Discount {
            percent: Some(d(p)),
            amount: None,
        }
    }
    fn amt(a: &str) -> Discount {
        Discount {
            percent: None,
            amount: Some(d(a)),
        }
    }

    /// One table for Xero's arithmetic (rules S5, S6): (quantity, unit, discount, expected LineAmount).
    #[test]
    fn xero_line_amounts_table_rule_s6() {
        let cases = [
            ("3", "30.00", XeroDiscount::Rate(d("10")), "81.00"),
            ("1", "10.005", XeroDiscount::None, "10.01"),
            ("1", "-10.005", XeroDiscount::None, "-10.01"),
            ("3", "33.3333", XeroDiscount::None, "100.00"),
            ("7", "1.99", XeroDiscount::Rate(d("12.5")), "12.19"),
            ("2", "50", XeroDiscount::Amount(d("0.01")), "99.99"),
            ("0.5", "0.01", XeroDiscount::None, "0.01"),
        ];
        for (q, u, disc, want) in cases {
            assert_eq!(
                xero_line_amount(d(q), d(u), disc),
                d(want),
                "{q} × {u} {disc:?}"
            );
        }
    }

    /// Tax per line, rounded (Xero's own example: 25.06, 25.61, 25.63 at 15% → 11.44, not 11.45).
    #[test]
    fn tax_is_rounded_per_line_then_summed_rule_s6() {
        let tax: Decimal = ["25.06", "25.61", "25.63"]
            .iter()
            .map(|a| line_tax(d(a), d("15"), AmountsAre::Exclusive))
            .sum();
        assert_eq!(tax, d("11.44"));
        assert_eq!(
            line_tax(d("120.00"), d("20"), AmountsAre::Inclusive),
            d("20.00")
        );
        assert_eq!(
            line_tax(d("10.00"), d("15"), AmountsAre::Inclusive),
            d("1.30")
        );
        assert_eq!(line_tax(d("10.00"), d("20"), AmountsAre::NoTax), d("0"));
    }

    #[test]
    fn percentage_that_reproduces_the_line_is_kept_rule_s5() {
        let line = plan_invoice_line(d("3"), d("30.00"), Some(&pct("10")), DiscountStrategy::Auto);
        assert_eq!(line.discount, XeroDiscount::Rate(d("10")));
        assert_eq!(line.xero_amount, d("81.00"));
        assert!(line.reproduces);
    }

    #[test]
    fn amount_discount_becomes_a_rate_when_exact_rule_s5() {
        let line = plan_invoice_line(
            d("2"),
            d("50.00"),
            Some(&amt("10.00")),
            DiscountStrategy::Auto,
        );
        assert_eq!(line.discount, XeroDiscount::Rate(d("10.00")));
        assert_eq!(line.xero_amount, d("90.00"));
    }

    #[test]
    fn auto_falls_back_to_discount_amount_rule_s6() {
        // 3 × 33.33 less 12.345% = 87.6466…: the CRM says 87.65; 12.35% gives 87.64, 12.34% 87.65? check both ways.
        let line = plan_invoice_line(
            d("1"),
            d("1000.00"),
            Some(&pct("12.345")),
            DiscountStrategy::Auto,
        );
        assert_eq!(line.crm_amount, d("876.55"));
        assert_eq!(line.discount, XeroDiscount::Amount(d("123.45")));
        assert!(line.reproduces);
    }

    #[test]
    fn rate_strategy_keeps_the_percentage_and_reports_rule_s6() {
        let line = plan_invoice_line(
            d("1"),
            d("1000.00"),
            Some(&pct("12.345")),
            DiscountStrategy::Rate,
        );
        assert_eq!(line.discount, XeroDiscount::Rate(d("12.35")));
        assert_eq!(line.xero_amount, d("876.50"));
        assert!(!line.reproduces);
    }

    #[test]
    fn hold_strategy_marks_the_line_rule_s6() {
        let line = plan_invoice_line(
            d("1"),
            d("1000.00"),
            Some(&pct("12.345")),
            DiscountStrategy::Hold,
        );
        assert!(line.held);
        let fine = plan_invoice_line(d("3"), d("30.00"), Some(&pct("10")), DiscountStrategy::Hold);
        assert!(!fine.held);
    }

    #[test]
    fn full_discount_becomes_a_free_line_rule_s6() {
        let line = plan_invoice_line(
            d("2"),
            d("15.00"),
            Some(&pct("100")),
            DiscountStrategy::Auto,
        );
        assert_eq!(
            (line.unit_amount, line.discount, line.xero_amount),
            (d("0"), XeroDiscount::None, d("0"))
        );
        assert!(line.reproduces);
    }

    #[test]
    fn credit_note_lines_carry_the_discounted_price_rule_s7() {
        let line = plan_credit_line(d("3"), d("30.00"), Some(&pct("10")), DiscountStrategy::Auto);
        assert_eq!(
            (line.unit_amount, line.discount),
            (d("27.00"), XeroDiscount::None)
        );
        let four = plan_credit_line(
            d("3"),
            d("10.00"),
            Some(&amt("1.00")),
            DiscountStrategy::Auto,
        );
        assert_eq!(four.unit_amount, d("9.6667"));
        assert!(four.needs_unitdp4());
        assert_eq!(four.xero_amount, d("29.00"));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// A non-negative decimal with up to `dp` places, below `max`.
        fn dec(max: i64, dp: u32) -> impl Strategy<Value = Decimal> {
            (0..max * 10i64.pow(dp)).prop_map(move |n| Decimal::new(n, dp))
        }

        fn discount() -> impl Strategy<Value = Option<Discount>> {
            prop_oneof![
                Just(None),
                (0u32..=4)
                    .prop_flat_map(|dp| dec(100, dp))
                    .prop_map(|p| Some(Discount {
                        percent: Some(p),
                        amount: None
                    })),
                dec(500, 2).prop_map(|a| Some(Discount {
                    percent: None,
                    amount: Some(a)
                })),
            ]
        }

        proptest! {
            // Most random lines are not 2-dp amounts; the property is about those that are.
            #![proptest_config(ProptestConfig { max_global_rejects: 50_000, ..ProptestConfig::default() })]

            /// Rule S6: with `auto`, Xero computes the CRM's line to the cent whenever that line is a 2-dp amount.
            #[test]
            fn auto_reproduces_two_dp_crm_lines_rule_s6(q in (0u32..=4).prop_flat_map(|dp| dec(100, dp)),
                                                        u in (0u32..=4).prop_flat_map(|dp| dec(10_000, dp)),
                                                        discount in discount()) {
                let exact = crm_line_amount(q, u, discount.as_ref());
                prop_assume!(exact >= Decimal::ZERO && places(exact) <= 2);
                let line = plan_invoice_line(q, u, discount.as_ref(), DiscountStrategy::Auto);
                prop_assert!(line.reproduces, "{q} x {u} {discount:?}: {line:?}");
                prop_assert_eq!(line.xero_amount, exact);
                prop_assert_eq!(xero_line_amount(q, line.unit_amount, line.discount), exact);
                // Xero's constraints: never a zero discount, a rate below 100 with 2 dp, a positive amount.
                match line.discount {
                    XeroDiscount::Rate(r) => prop_assert!(r > Decimal::ZERO && r < HUNDRED && places(r) <= 2),
                    XeroDiscount::Amount(a) => prop_assert!(a > Decimal::ZERO && places(a) <= 2),
                    XeroDiscount::None => {}
                }
            }

            /// Rule S7: credit-note lines carry no discount and at most 4 dp, and reproduce 2-dp CRM lines too.
            #[test]
            fn credit_lines_have_no_discount_rule_s7(q in (0u32..=2).prop_flat_map(|dp| dec(100, dp)),
                                                     u in dec(10_000, 2), discount in discount()) {
                let line = plan_credit_line(q, u, discount.as_ref(), DiscountStrategy::Auto);
                prop_assert_eq!(line.discount, XeroDiscount::None);
                prop_assert!(places(line.unit_amount) <= 4);
                prop_assert_eq!(line.xero_amount, xero_line_amount(q, line.unit_amount, XeroDiscount::None));
            }

            /// Every strategy on any bounded input: no panic, and Xero's amount is what its formula gives.
            #[test]
            fn no_input_panics(q in -1_000_000i64..1_000_000, qdp in 0u32..=4, u in -100_000_000i64..100_000_000, udp in 0u32..=4,
                               discount in discount(), rate in dec(1000, 3)) {
                let (q, u) = (Decimal::new(q, qdp), Decimal::new(u, udp));
                for strategy in [DiscountStrategy::Auto, DiscountStrategy::Rate, DiscountStrategy::Hold] {
                    let line = plan_invoice_line(q, u, discount.as_ref(), strategy);
                    prop_assert_eq!(line.xero_amount, xero_line_amount(q, line.unit_amount, line.discount));
                    let credit = plan_credit_line(q, u, discount.as_ref(), strategy);
                    prop_assert_eq!(credit.xero_amount, xero_line_amount(q, credit.unit_amount, credit.discount));
                }
                for amounts in [AmountsAre::Exclusive, AmountsAre::Inclusive, AmountsAre::NoTax] {
                    let tax = line_tax(q * u, rate, amounts);
                    prop_assert!(places(tax) <= 2);
                }
            }
        }
    }
}
