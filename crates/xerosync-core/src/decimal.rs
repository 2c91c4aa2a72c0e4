//! Decimals at the edges: read from strings or JS numbers, written as strings (to JS) or exact numbers (to Xero).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::str::FromStr;

/// Parses a decimal from text: plain (`"12.50"`, `"-3"`) or scientific (`"1e-7"`), surrounding spaces ignored.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    let plain = text.strip_prefix('+').unwrap_or(text);
    Decimal::from_str(plain).ok().or_else(|| {
        if plain.contains(['e', 'E']) {
            Decimal::from_scientific(plain).ok()
        } else {
            None
        }
    })
}

/// Rounds to `dp` places the way Xero does: half away from zero.
pub fn round_dp(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds to cents (half away from zero) and always carries exactly two places (`97.2` → `97.20`).
pub fn money(value: Decimal) -> Decimal {
    let mut rounded = round_dp(value, 2);
    rounded.rescale(2);
    rounded
}

/// The number of decimal places actually used (`30.10` → 1, `30.00` → 0).
pub fn places(value: Decimal) -> u32 {
    value.normalize().scale()
}

/// The double nearest to `value` without formatting it (issue 13: the text round trip was most of writing a
/// number). When the mantissa and the power of ten are both exact doubles (|m| < 2^53, scale ≤ 22), IEEE division
/// rounds their quotient correctly, so this is the double `value.to_string().parse()` gives; otherwise `None`.
pub(crate) fn exact_f64(value: &Decimal) -> Option<f64> {
    const EXACT_POWERS: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let mantissa = value.mantissa();
    let power = *EXACT_POWERS.get(value.scale() as usize)?;
    (mantissa.unsigned_abs() < 1 << 53).then(|| mantissa as f64 / power)
}

/// A decimal as a JSON number with exactly the decimal's digits (Xero's JSON wants numbers).
///
/// Goes through the shortest float representation, which round-trips every decimal of up to 15 significant digits;
/// money, quantities and rates in this crate stay far below that.
pub fn json_number(value: Decimal) -> serde_json::Value {
    let normalized = value.normalize();
    if normalized.scale() == 0 {
        if let Some(i) = normalized.to_i64() {
            return serde_json::Value::from(i);
        }
    }
    exact_f64(&normalized)
        .or_else(|| normalized.to_string().parse::<f64>().ok())
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Reads a decimal from a JSON value (string or number); `None` when it is neither.
pub fn from_json(value: &serde_json::Value) -> Option<Decimal> {
    match value {
        serde_json::Value::String(s) => parse_decimal(s),
        serde_json::Value::Number(n) => parse_decimal(&n.to_string()),
        _ => None,
    }
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal (string or number)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).ok_or_else(|| E::custom(format!("expected a decimal, got {v:?}")))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // A JS number: its shortest text form is what the user typed (0.1 stays 0.1).
        if !v.is_finite() {
            return Err(E::custom(format!("expected a decimal, got {v}")));
        }
        let text = serde_json::Number::from_f64(v)
            .map(|n| n.to_string())
            .unwrap_or_default();
        parse_decimal(&text)
            .ok_or_else(|| E::custom(format!("expected a decimal, got {v} (out of range)")))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Decimal, E> {
        Err(E::custom(format!("expected a decimal, got {v}")))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Decimal, E> {
        Err(E::custom("expected a decimal, got null"))
    }
    /// serde's own refusal, after reading the array through: serde_json then places the error after its `]`, in
    /// the field (not in its first element), which is how the decoder finds the field's path (decode/path.rs).
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Decimal, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Err(de::Error::invalid_type(de::Unexpected::Seq, &self))
    }
}

/// `deserialize_with` for a required decimal given as a string or a number.
pub fn de_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(DecimalVisitor)
}

/// `deserialize_with` for an optional decimal (`null` or absent → `None`).
pub fn de_opt_decimal<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Decimal>, D::Error> {
    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal (string or number) or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            de_decimal(d).map(Some)
        }
    }
    deserializer.deserialize_option(OptVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero_like_xero() {
        assert_eq!(round_dp(d("2.345"), 2), d("2.35"));
        assert_eq!(round_dp(d("-2.345"), 2), d("-2.35"));
        assert_eq!(money(d("97.2")).to_string(), "97.20");
    }

    #[test]
    fn reads_strings_numbers_and_scientific() {
        assert_eq!(from_json(&json!("12.50")), Some(d("12.50")));
        assert_eq!(from_json(&json!(0.1)), Some(d("0.1")));
        assert_eq!(from_json(&json!(3)), Some(d("3")));
        assert_eq!(parse_decimal("1e-2"), Some(d("0.01")));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal(""), None);
        assert_eq!(from_json(&json!(true)), None);
    }

    #[test]
    fn json_numbers_keep_the_digits() {
        assert_eq!(json_number(d("30.00")), json!(30));
        assert_eq!(json_number(d("30.10")).to_string(), "30.1");
        assert_eq!(json_number(d("0.1234")).to_string(), "0.1234");
        assert_eq!(json_number(d("-5.5")).to_string(), "-5.5");
    }

    proptest::proptest! {
        /// The fast path of writing a money figure gives the very double the text round trip gives (so the JSON
        /// carries exactly the decimal's digits, as before).
        #[test]
        fn exact_f64_is_the_parsed_text(mantissa in -(1i64 << 53) + 1..(1i64 << 53), scale in 0u32..=22) {
            let value = Decimal::new(mantissa, scale);
            let parsed: f64 = value.to_string().parse().unwrap();
            proptest::prop_assert_eq!(exact_f64(&value), Some(parsed));
        }
    }

    #[test]
    fn beyond_exact_doubles_there_is_no_fast_path() {
        assert_eq!(exact_f64(&Decimal::new(1 << 53, 2)), None);
        assert_eq!(exact_f64(&Decimal::from_i128_with_scale(1, 23)), None);
        assert_eq!(exact_f64(&Decimal::new(-12345, 2)), Some(-123.45));
    }
}
