//! Xero's JSON conventions: money as JSON numbers, `/Date(ms+0000)/` timestamps, lenient reading of request fields.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;

/// Money (or a quantity) as a JSON number. Values are already rounded to at most 4 dp, which an f64 prints back
/// exactly (shortest round-trip form), so no precision is lost on the wire.
pub fn money(value: Decimal) -> Value {
    value
        .to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// A timestamp in Xero's `/Date(1552327126117+0000)/` form.
pub fn ms_date_time(at: DateTime<Utc>) -> String {
    format!("/Date({}+0000)/", at.timestamp_millis())
}

/// A calendar date in Xero's `/Date(…+0000)/` form (midnight UTC).
pub fn ms_date(day: NaiveDate) -> String {
    ms_date_time(Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN)))
}

/// Reads a number (or a numeric string) as an exact decimal. `Err` when present but not a number.
pub fn decimal_field(obj: &Value, key: &str) -> Result<Option<Decimal>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => parse_decimal(&n.to_string())
            .map(Some)
            .ok_or_else(|| format!("{key} must be a number")),
        Some(Value::String(s)) => parse_decimal(s.trim())
            .map(Some)
            .ok_or_else(|| format!("{key} must be a number")),
        Some(_) => Err(format!("{key} must be a number")),
    }
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str(text)
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

/// Reads a string field; `None` when absent or null.
pub fn str_field<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// Reads a boolean field (also `"true"`/`"false"` strings).
pub fn bool_field(obj: &Value, key: &str) -> Option<bool> {
    match obj.get(key) {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

/// Parses a date as Xero accepts it: `2026-11-01`, `2026-11-01T00:00:00`, or `/Date(ms+0000)/`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|t| t.strip_suffix(")/"))
    {
        let digits: String = inner
            .chars()
            .enumerate()
            .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
            .map(|(_, c)| c)
            .collect();
        let ms: i64 = digits.parse().ok()?;
        return DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.date_naive());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|t| t.date())
        })
        .or_else(|| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.date_naive())
        })
}

/// Parses an `If-Modified-Since` value: ISO-8601 (with or without zone; no zone means UTC) or an HTTP date.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]
                .iter()
                .find_map(|f| {
                    NaiveDateTime::parse_from_str(text, f).ok().or_else(|| {
                        NaiveDate::parse_from_str(text, f)
                            .ok()
                            .map(|d| d.and_time(chrono::NaiveTime::MIN))
                    })
                })
                .map(|t| Utc.from_utc_datetime(&t))
        })
        .or_else(|| {
            DateTime::parse_from_rfc2822(text)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_all_three_forms() {
        let want = NaiveDate::from_ymd_opt(2019, 3, 11).unwrap();
        assert_eq!(parse_date("2019-03-11"), Some(want));
        assert_eq!(parse_date("2019-03-11T00:00:00"), Some(want));
        assert_eq!(parse_date("/Date(1552262400000+0000)/"), Some(want));
        assert_eq!(ms_date(want), "/Date(1552262400000+0000)/");
        assert_eq!(parse_date("11/03/2019"), None);
    }

    #[test]
    fn money_keeps_two_places_exactly() {
        let v = money(Decimal::from_str("11.44").unwrap());
        assert_eq!(v.to_string(), "11.44");
        let back = decimal_field(&serde_json::json!({ "A": v }), "A").unwrap();
        assert_eq!(back, Some(Decimal::from_str("11.44").unwrap()));
    }
}
