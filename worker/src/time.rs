//! Times as the log and the change feed write them: the core's (`xerosync_core::sync::xero_time`), one date
//! algorithm for the whole product. Pure.

pub use xerosync_core::sync::xero_time::iso;

/// Formats as Xero's `If-Modified-Since` wants it: `YYYY-MM-DDTHH:MM:SS` (UTC).
pub fn xero_since(ms: u64) -> String {
    xerosync_core::sync::xero_time::timestamp(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc() {
        assert_eq!(iso(1_552_327_126_117), "2019-03-11T17:58:46.117Z");
        assert_eq!(xero_since(1_552_327_126_117), "2019-03-11T17:58:46");
    }
}
