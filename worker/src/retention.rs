//! Retention: `xero_log` (rule L1) keeps `LOG_RETENTION_DAYS` days, the change feed (rule B1) `FEED_RETENTION_DAYS`
//! (see [`crate::config::Retention`]). Run by the scheduled handler; deletes in bounded batches (oldest first, by
//! the `at` indexes of `migrations/0003_log_indexes.sql`) so no run holds a long write or exceeds a Worker's limits:
//! a backlog larger than one run's budget is worked off by the next runs.

use worker::Env;

use crate::config::Retention;
use crate::db::{self, Aged};
use crate::error::ProxyError;
use crate::time;

/// Rows deleted per statement.
pub const BATCH: u32 = 1_000;
/// Statements per table per run (so at most 50,000 rows of each table go per run).
pub const MAX_BATCHES: u32 = 50;

const DAY_MS: u64 = 86_400_000;

/// The ISO time before which rows older than `days` days are deleted, at `now_ms`. Pure.
pub fn cutoff(now_ms: u64, days: u64) -> String {
    time::iso(now_ms.saturating_sub(days.saturating_mul(DAY_MS)))
}

/// Prunes both tables.
pub async fn run(env: &Env) -> Result<(), ProxyError> {
    let keep = Retention::from_env(env);
    let db = db::database(env)?;
    let now = worker::Date::now().as_millis();
    for (table, days) in [(Aged::Log, keep.log_days), (Aged::Changes, keep.feed_days)] {
        let before = cutoff(now, days);
        for _ in 0..MAX_BATCHES {
            if db::delete_older(&db, table, &before, BATCH).await? < u64::from(BATCH) {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_l1_retention_cutoff_is_now_minus_the_days() {
        // 2019-03-11T17:58:46.117Z
        let now = 1_552_327_126_117;
        assert_eq!(cutoff(now, 0), "2019-03-11T17:58:46.117Z");
        assert_eq!(cutoff(now, 1), "2019-03-10T17:58:46.117Z");
        assert_eq!(cutoff(now, 30), "2019-02-09T17:58:46.117Z");
        // The default of the log.
        assert_eq!(cutoff(now, 400), "2018-02-04T17:58:46.117Z");
    }

    #[test]
    fn rule_l1_retention_cutoff_never_underflows() {
        assert_eq!(cutoff(5, 1), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            cutoff(1_552_327_126_117, u64::MAX),
            "1970-01-01T00:00:00.000Z"
        );
    }
}
