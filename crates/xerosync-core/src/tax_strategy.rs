//! Rule S6a: penny-exact totals for CRMs that compute tax on the invoice total.
//!
//! Xero computes tax per line, rounds each line to the cent, and sums; a CRM that taxes the total can differ by a
//! cent or two, and every later update would then stop at U4. Xero accepts an explicit line `TaxAmount` in place of
//! its own figure, so with `taxStrategy: "matchCrm"` each line carries one: Xero's own figure, moved by at most one
//! cent on as few lines as needed so that the sum is the CRM's tax. Only a rounding difference is absorbed that way:
//! when no set of one-cent moves reaches the CRM's tax, nothing is overridden and the difference stays in the
//! preview (a real difference is never hidden).

use crate::decimal::round_dp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// `settings.taxStrategy` (rule S6a).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum TaxStrategy {
    /// Xero computes the tax (the default).
    #[default]
    Xero,
    /// Lines carry explicit `TaxAmount`s so that Xero's tax and total equal the CRM's.
    MatchCrm,
}

/// One exclusive line as Xero will see it: its (2 dp) amount and its tax percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxedLine {
    pub amount: Decimal,
    pub percent: Decimal,
}

impl TaxedLine {
    fn exact_tax(self) -> Decimal {
        self.amount * self.percent / Decimal::ONE_HUNDRED
    }
    /// Xero's own per-line figure.
    pub fn xero_tax(self) -> Decimal {
        round_dp(self.exact_tax(), 2)
    }
}

/// The explicit per-line taxes whose sum is `crm_tax`, each within 0.01 of Xero's own figure for its line, or
/// `None` when that is impossible (a difference larger than rounding, or a CRM tax with more than 2 decimals).
///
/// Lines at 0% never carry tax. The cents go to the lines whose own rounding moved them furthest the other way
/// (the largest remainder method), ties to the earlier line, so the result is deterministic and each override is
/// the one a person would call "rounded the other way".
pub fn match_crm_tax(lines: &[TaxedLine], crm_tax: Decimal) -> Option<Vec<Decimal>> {
    if crm_tax.normalize().scale() > 2 {
        return None;
    }
    let mut taxes: Vec<Decimal> = lines.iter().map(|l| l.xero_tax()).collect();
    let cent = Decimal::new(1, 2);
    let gap = crm_tax - taxes.iter().copied().sum::<Decimal>();
    if gap.is_zero() {
        return Some(taxes);
    }
    // Rounding, and nothing more: tax on the total rounds once per rate, so the CRM's tax is within half a cent per
    // rate of the exact tax. Four lines of exactly 2.00 and a CRM tax of 8.04 are a real difference, not rounding.
    let exact: Decimal = lines.iter().map(|l| l.exact_tax()).sum();
    let mut rates: Vec<Decimal> = lines
        .iter()
        .map(|l| l.percent)
        .filter(|p| !p.is_zero())
        .collect();
    rates.sort();
    rates.dedup();
    let half_cent = Decimal::new(5, 3);
    if (crm_tax - exact).abs() > half_cent * Decimal::from(rates.len()) {
        return None;
    }
    let (step, sign) = if gap > Decimal::ZERO {
        (cent, Decimal::ONE)
    } else {
        (-cent, Decimal::NEGATIVE_ONE)
    };
    let moves = usize::try_from((gap / cent).abs().trunc().mantissa()).ok()?;
    let mut movable: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].percent.is_zero())
        .collect();
    if moves > movable.len() {
        return None;
    }
    // How far each line's rounding went against the direction we need: exact − rounded for an upward gap.
    let residual = |i: usize| (lines[i].exact_tax() - taxes[i]) * sign;
    movable.sort_by(|&a, &b| {
        residual(b)
            .partial_cmp(&residual(a))
            .unwrap_or(Ordering::Equal)
            .then(a.cmp(&b))
    });
    for &i in movable.iter().take(moves) {
        taxes[i] += step;
    }
    Some(taxes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn line(amount: &str, percent: &str) -> TaxedLine {
        TaxedLine {
            amount: d(amount),
            percent: d(percent),
        }
    }

    /// Xero's own example (xero-api-notes): 25.06, 25.61, 25.63 at 15% give 11.44 per line, 11.45 on the total.
    #[test]
    fn xeros_example_reaches_the_total_tax_rule_s6a() {
        let lines = [
            line("25.06", "15"),
            line("25.61", "15"),
            line("25.63", "15"),
        ];
        let xero: Decimal = lines.iter().map(|l| l.xero_tax()).sum();
        assert_eq!(xero, d("11.44"));
        let taxes = match_crm_tax(&lines, d("11.45")).unwrap();
        assert_eq!(taxes.iter().copied().sum::<Decimal>(), d("11.45"));
        // 25.06 × 15% = 3.759 → 3.76 and 25.61 → 3.8415 → 3.84 and 25.63 → 3.8445 → 3.84: the last was rounded
        // down furthest, so it takes the cent.
        assert_eq!(taxes, vec![d("3.76"), d("3.84"), d("3.85")]);
    }

    #[test]
    fn more_than_rounding_is_never_absorbed_rule_s6a() {
        let lines = [line("10.00", "20"), line("10.00", "0")];
        assert_eq!(
            match_crm_tax(&lines, d("2.02")),
            None,
            "two cents, one taxed line"
        );
        assert_eq!(match_crm_tax(&lines, d("2.005")), None, "not a cent amount");
        assert_eq!(
            match_crm_tax(&lines, d("1.99")),
            None,
            "exactly 2.00: a cent less is no rounding"
        );
        let four = [
            line("10.00", "20"),
            line("10.00", "20"),
            line("10.00", "20"),
            line("10.00", "20"),
        ];
        assert_eq!(
            match_crm_tax(&four, d("8.04")),
            None,
            "one cent a line, but no line was rounded"
        );
        assert_eq!(
            match_crm_tax(&lines, d("2.00")),
            Some(vec![d("2.00"), d("0.00")])
        );
    }

    proptest! {
        /// Rule S6a: for any lines, the tax on the total (rounded once) is reached exactly, each line within a cent
        /// of Xero's own figure, 0% lines untouched.
        #[test]
        fn tax_on_the_total_is_always_reached_rule_s6a(
            lines in proptest::collection::vec((0i64..10_000_000, prop_oneof![Just(0i64), Just(50), Just(150), Just(200), Just(175)]), 1..12),
        ) {
            let lines: Vec<TaxedLine> = lines.iter()
                .map(|&(cents, pct)| TaxedLine { amount: Decimal::new(cents, 2), percent: Decimal::new(pct, 1) })
                .collect();
            // A CRM that taxes the total: one rounding per rate.
            let mut crm_tax = Decimal::ZERO;
            for pct in [0i64, 50, 150, 200, 175] {
                let pct = Decimal::new(pct, 1);
                let sum: Decimal = lines.iter().filter(|l| l.percent == pct).map(|l| l.amount).sum();
                crm_tax += round_dp(sum * pct / Decimal::ONE_HUNDRED, 2);
            }
            let taxes = match_crm_tax(&lines, crm_tax).expect("a rounding difference is always reachable");
            prop_assert_eq!(taxes.iter().copied().sum::<Decimal>(), crm_tax);
            for (t, l) in taxes.iter().zip(&lines) {
                prop_assert!((*t - l.xero_tax()).abs() <= Decimal::new(1, 2));
                if l.percent.is_zero() { prop_assert!(t.is_zero()); }
            }
        }
    }
}
