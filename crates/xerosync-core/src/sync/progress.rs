//! Progress of a long run (rule A3): records done of the total, calls made, and an ETA from the pace so far.

use serde::{Deserialize, Serialize};

/// What `onProgress` receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncProgress"))]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// What the run is doing: `items`, `contacts`, `documents`, `balances`, `finished`, `stopped`.
    pub stage: String,
    /// Records finished (sent, failed, skipped, updated…).
    pub done: usize,
    /// Records in the run.
    pub total: usize,
    /// Xero calls made so far (every attempt counts).
    pub calls: u64,
    /// Calls in flight now.
    pub in_flight: usize,
    /// Time spent so far, across resumed sessions.
    pub elapsed_ms: u64,
    /// Estimated time left; absent until a call has been answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub eta_ms: Option<u64>,
}

/// The ETA: the remaining calls at the pace of the answered ones (which already reflects up to 5 in flight).
pub fn eta_ms(elapsed_ms: u64, answered: u64, remaining_calls: u64) -> Option<u64> {
    if answered == 0 {
        return None;
    }
    Some(elapsed_ms.saturating_mul(remaining_calls) / answered)
}

/// `ceil(n / size)`: the requests `n` records take.
pub fn batches(n: usize, size: usize) -> u64 {
    n.div_ceil(size.max(1)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_follows_the_pace_rule_a3() {
        assert_eq!(eta_ms(1_000, 0, 10), None);
        assert_eq!(eta_ms(1_000, 5, 10), Some(2_000));
        assert_eq!(eta_ms(1_000, 5, 0), Some(0));
        assert_eq!(batches(1_000, 50), 20);
        assert_eq!(batches(1_001, 50), 21);
        assert_eq!(batches(0, 50), 0);
    }
}
