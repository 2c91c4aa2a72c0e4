//! Currencies (rule M1): the ones the simulator knows, their names, and the simulator's own daily rates, used when a
//! foreign-currency document arrives without a `CurrencyRate`. Xero takes its daily rate from a market feed; the
//! simulator's is a fixed table wobbling by a few tenths of a percent with the document's date, so the same document
//! always gets the same rate.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// (code, `Description`, units per 1 GBP).
const KNOWN: &[(&str, &str, (i64, u32))] = &[
    ("GBP", "British Pound", (1, 0)),
    ("EUR", "Euro", (117, 2)),
    ("USD", "United States Dollar", (127, 2)),
    ("NZD", "New Zealand Dollar", (210, 2)),
    ("AUD", "Australian Dollar", (193, 2)),
    ("CAD", "Canadian Dollar", (173, 2)),
];

/// Xero's `Description` of a currency (`None` when the simulator does not know it).
pub fn description(code: &str) -> Option<&'static str> {
    KNOWN.iter().find(|k| k.0 == code).map(|k| k.1)
}

fn per_gbp(code: &str) -> Option<Decimal> {
    KNOWN
        .iter()
        .find(|k| k.0 == code)
        .map(|k| Decimal::new(k.2 .0, k.2 .1))
}

/// `CurrencyRate` (units of `code` per 1 unit of `base`, 6 dp) on `date`: 1 for the base currency.
pub fn daily_rate(base: &str, code: &str, date: NaiveDate) -> Decimal {
    if base == code {
        return Decimal::ONE;
    }
    let (Some(b), Some(c)) = (per_gbp(base), per_gbp(code)) else {
        return Decimal::ONE;
    };
    // −5‰ … +5‰ by the day: deterministic, but not the same every day.
    let day = i64::from(date.num_days_from_ce());
    let wobble = Decimal::ONE + Decimal::new(day.rem_euclid(11) - 5, 3);
    (c / b * wobble).round_dp(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_fixed_per_day_and_one_for_the_base() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
        assert_eq!(daily_rate("GBP", "GBP", d), Decimal::ONE);
        let r = daily_rate("GBP", "USD", d);
        assert_eq!(r, daily_rate("GBP", "USD", d));
        assert!(r > Decimal::new(126, 2) && r < Decimal::new(128, 2), "{r}");
    }
}
