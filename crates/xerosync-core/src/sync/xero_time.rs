//! Milliseconds since the epoch → the dates and UTC timestamps the runs need (the core has no clock: `now` is
//! always an argument).

use crate::date::IsoDate;

const DAY_MS: u64 = 86_400_000;

/// The UTC date of `now` (`None` past the year 9999).
pub fn date_of(now: u64) -> Option<IsoDate> {
    IsoDate::from_days_since_epoch(i64::try_from(now / DAY_MS).ok()?)
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC), as `If-Modified-Since` takes it.
pub fn timestamp(now: u64) -> String {
    let seconds = (now % DAY_MS) / 1000;
    let date = date_of(now).map_or_else(|| "9999-12-31".to_string(), |d| d.to_string());
    format!(
        "{date}T{:02}:{:02}:{:02}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60
    )
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, milliseconds), as the proxy's log and change feed write times.
pub fn iso(now: u64) -> String {
    format!("{}.{:03}Z", timestamp(now), now % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00");
        // 2026-11-26T02:10:21Z
        assert_eq!(timestamp(1_795_659_021_000), "2026-11-26T02:10:21");
        assert_eq!(
            date_of(1_795_659_021_000).map(|d| d.to_string()).as_deref(),
            Some("2026-11-26")
        );
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_552_327_126_117), "2019-03-11T17:58:46.117Z");
        assert_eq!(iso(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
