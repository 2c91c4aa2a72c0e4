//! The sync client's orchestration, sans-IO (quinn-proto style): *Send to Xero* ([`SendRun`], rules S1-S9, A1),
//! *Update from Xero* ([`UpdateRun`], U1-U5, A2) and the change feed ([`apply_change_feed`], B1), each a state
//! machine that takes `now` (ms since the epoch), hands out request descriptions, consumes answers, reports
//! progress (A3) and serialises to a resumable checkpoint. The browser client (crates/xerosync-wasm/src/client)
//! performs the requests through the proxy.

mod auto_send;
mod changes;
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
pub use preview::preview_send;
pub use progress::Progress;
pub use pump::Verdict;
pub use reconcile_run::{ReconcileResult, ReconcileRun};
pub use send::{RunStop, SendResult, SendRun};
pub use tax_rates::{parse_tax_rates, XeroTaxRate};
pub use update::{
    CompanyChanges, UpdateEntry, UpdateOptions, UpdateOutcome, UpdateResult, UpdateRun,
};

#[cfg(test)]
mod tests;
