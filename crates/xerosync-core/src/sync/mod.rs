//! The sync client's orchestration, sans-IO (quinn-proto style): *Send to Xero* ([`SendRun`], rules S1-S9, A1),
//! *Update from Xero* ([`UpdateRun`], U1-U5, A2) and the change feed ([`apply_change_feed`], B1), each a state
//! machine that takes `now` (ms since the epoch), hands out request descriptions, consumes answers, reports
//! progress (A3) and serialises to a resumable checkpoint. The browser client (crates/xerosync-wasm/src/client)
//! performs the requests through the proxy.

mod auto_send;
mod changes;
mod feed;
mod preview;
mod progress;
pub mod pump;
mod reconcile_run;
mod send;
mod tax_rates;
mod update;
pub mod xero_time;

pub use auto_send::{auto_send_selection, record_refusals, refusal_key, Refusals};
pub use changes::{apply_change_feed, ChangeFeedResult};
pub use feed::{FeedOptions, FeedRun};
pub use preview::{preview_send, SendPreview, SendPreviewEntry};
pub use progress::Progress;
pub use pump::Verdict;
pub use reconcile_run::{ReconcileResult, ReconcileRun};
pub use send::{RunStop, SendResult, SendRun};
pub use tax_rates::{parse_tax_rates, XeroTaxRate};
pub use update::{
    CompanyChanges, UpdateEntry, UpdateOptions, UpdateOutcome, UpdateResult, UpdateRun,
};

use crate::plan::{XeroAnswer, XeroRequest};

/// What a driver needs of a run (quinn's `Connection` to its endpoint driver): requests to make now, answers fed
/// back, when to wake, and progress. Implemented by every run of the core; the package's driver and tests use it.
pub trait Run {
    fn poll(&mut self, now: u64) -> Vec<XeroRequest>;
    fn handle_answer(&mut self, answer: &XeroAnswer, now: u64) -> Verdict;
    fn handle_lost(&mut self, request_id: &str, reason: &str, now: u64) -> Verdict;
    fn next_wake(&self) -> Option<u64>;
    fn is_finished(&self) -> bool;
    fn progress(&self, now: u64) -> Progress;
}

/// The runs whose own methods already have the trait's shape.
macro_rules! run_impl {
    ($($t:ty),*) => {$(
        impl Run for $t {
            fn poll(&mut self, now: u64) -> Vec<XeroRequest> {
                <$t>::poll(self, now)
            }
            fn handle_answer(&mut self, answer: &XeroAnswer, now: u64) -> Verdict {
                <$t>::handle_answer(self, answer, now)
            }
            fn handle_lost(&mut self, request_id: &str, reason: &str, now: u64) -> Verdict {
                <$t>::handle_lost(self, request_id, reason, now)
            }
            fn next_wake(&self) -> Option<u64> {
                <$t>::next_wake(self)
            }
            fn is_finished(&self) -> bool {
                <$t>::is_finished(self)
            }
            fn progress(&self, now: u64) -> Progress {
                <$t>::progress(self, now)
            }
        }
    )*};
}
run_impl!(SendRun, UpdateRun, ReconcileRun);

#[cfg(test)]
mod tests;
