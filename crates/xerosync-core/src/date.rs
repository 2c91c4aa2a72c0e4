//! Calendar dates: the CRM's ISO `YYYY-MM-DD` and Xero's `/Date(1552327126117+0000)/`.
//!
//! A tiny type of our own rather than a date crate: the core needs only parsing, printing and the day count from the
//! epoch, and it must stay free of clocks (today is always an argument).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A proleptic Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate {
    year: i32,
    month: u8,
    day: u8,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        _ => 28,
    }
}

impl IsoDate {
    /// A valid date, or `None` (years 1..=9999).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1;
        (valid && day <= days_in_month(year, month)).then_some(IsoDate { year, month, day })
    }

    /// Parses `YYYY-MM-DD`; a time part after `T` (`2026-11-01T00:00:00`, as Xero's `DateString`) is ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let date = match text.split_once('T') {
            Some((date, _time)) => date,
            None => text,
        };
        let bytes = date.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = date.get(range)?;
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = u8::try_from(digits(5..7)?).ok()?;
        let day = u8::try_from(digits(8..10)?).ok()?;
        IsoDate::new(year, month, day)
    }

    /// Parses Xero's `/Date(ms)/` or `/Date(ms+hhmm)/` (the offset only describes the zone; ms is UTC).
    pub fn parse_xero(text: &str) -> Option<Self> {
        let inner = text.trim().strip_prefix("/Date(")?.strip_suffix(")/")?;
        let millis_text = match inner.get(1..).and_then(|rest| rest.find(['+', '-'])) {
            Some(at) => &inner[..at + 1],
            None => inner,
        };
        let millis: i64 = millis_text.parse().ok()?;
        IsoDate::from_days_since_epoch(millis.div_euclid(86_400_000))
    }

    /// Either form: ISO (`2026-11-01`, `2026-11-01T00:00:00`) or Xero's `/Date(…)/`.
    pub fn parse_any(text: &str) -> Option<Self> {
        IsoDate::parse(text).or_else(|| IsoDate::parse_xero(text))
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`IsoDate::days_since_epoch`]; `None` outside years 1..=9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Self> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        IsoDate::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor, not `String::deserialize` then a check: an error raised inside the visitor is placed by
        // serde_json just after the string, which is how the decoder finds the field's path (decode/path.rs).
        struct DateVisitor;
        impl serde::de::Visitor<'_> for DateVisitor {
            type Value = IsoDate;
            // `String`'s words, so a date given as a number reads as it always did.
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<IsoDate, E> {
                IsoDate::parse(text)
                    .ok_or_else(|| E::custom(format!("expected a date YYYY-MM-DD, got {text:?}")))
            }
        }
        deserializer.deserialize_str(DateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_iso_and_rejects_impossible_dates() {
        assert_eq!(
            IsoDate::parse("2026-11-01").map(|d| d.to_string()),
            Some("2026-11-01".into())
        );
        assert_eq!(
            IsoDate::parse("2018-10-20T00:00:00").map(|d| d.to_string()),
            Some("2018-10-20".into())
        );
        assert_eq!(IsoDate::parse("2026-02-29"), None);
        assert!(IsoDate::parse("2024-02-29").is_some());
        assert_eq!(IsoDate::parse("2026-13-01"), None);
        assert_eq!(IsoDate::parse("26-11-01"), None);
        assert_eq!(IsoDate::parse("2026-1-011"), None);
    }

    #[test]
    fn parses_xero_dates() {
        // From xero_accounting.yaml: Date /Date(1539993600000+0000)/ with DateString 2018-10-20T00:00:00.
        assert_eq!(
            IsoDate::parse_xero("/Date(1539993600000+0000)/").map(|d| d.to_string()),
            Some("2018-10-20".into())
        );
        assert_eq!(
            IsoDate::parse_xero("/Date(1552326816230)/").map(|d| d.to_string()),
            Some("2019-03-11".into())
        );
        assert_eq!(
            IsoDate::parse_xero("/Date(-86400000)/").map(|d| d.to_string()),
            Some("1969-12-31".into())
        );
        assert_eq!(IsoDate::parse_xero("/Date(abc)/"), None);
        assert_eq!(IsoDate::parse_xero("2018-10-20"), None);
    }

    proptest! {
        #[test]
        fn day_count_round_trips(days in -719_162i64..2_932_896) {
            let date = IsoDate::from_days_since_epoch(days).unwrap();
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert_eq!(IsoDate::parse(&date.to_string()), Some(date));
        }

        #[test]
        fn parsers_never_panic(text in ".{0,40}") {
            let _ = IsoDate::parse_any(&text);
        }
    }
}
