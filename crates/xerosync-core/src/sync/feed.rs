//! [`FeedRun`]: one page of the change feed as a run (rules B1, B2): the feed's records applied with the update
//! rules, the entries without a record (webhooks) read from Xero by an [`UpdateRun`], then, with auto-send, the live
//! invoices as they stand after those changes sent by a [`SendRun`] in *Send all live* mode, except those refused
//! before whose inputs have not changed. Each stage is the existing run; this only chains them, so the driver sees
//! one run (the [`Run`] trait) and the page one result.

use super::auto_send::{auto_send_selection, record_refusals, Refusals};
use super::changes::apply_change_feed;
use super::progress::Progress;
use super::pump::Verdict;
use super::send::SendRun;
use super::update::{UpdateOptions, UpdateRun};
use super::Run;
use crate::date::IsoDate;
use crate::error::Error;
use crate::plan::{XeroAnswer, XeroRequest};
use crate::rules::{SendMode, UpdateMode};
use serde_json::Value;

enum Stage {
    Reads(Box<UpdateRun>),
    Send {
        run: Box<SendRun>,
        /// The invoices handed to the send (rule B2 keys its refusals by them).
        current: Vec<Value>,
    },
    /// The auto-send finished; kept so its refusals can still be taken for the log (rule L1a).
    Sent(Box<SendRun>),
    Done,
}

/// What `FeedRun::new` needs beyond the feed page.
pub struct FeedOptions {
    pub invoices: Value,
    pub companies: Value,
    /// For auto-send: the send's context.
    pub ctx: Value,
    /// Rule B2: send live invoices after applying the changes.
    pub auto_send: bool,
    /// Rule B2: the invoices refused before, with the key of their inputs then.
    pub refusals: Refusals,
    pub today: IsoDate,
    /// The cursor this page was read after: the result goes back to it when the page's changes were not all
    /// applied (a read cancelled or stopped), so the next pull reads them again instead of skipping them.
    pub after: i64,
}

/// Rules B1, B2 from the feed page to the last answer.
pub struct FeedRun {
    options: FeedOptions,
    /// The feed's result so far: `{ invoices, companies, cursor, more, toRead, unmatched }`, the reads' entries
    /// appended, and `sent` once auto-send ran.
    result: Value,
    stage: Stage,
}

impl FeedRun {
    /// Applies `feed` (the proxy's `/changes` page) and starts what follows.
    pub fn new(feed: &Value, options: FeedOptions, now: u64) -> Result<FeedRun, Error> {
        let applied =
            apply_change_feed(&options.invoices, &options.companies, feed, options.today)?;
        let result =
            serde_json::to_value(&applied).map_err(|e| Error::xero("changes", e.to_string()))?;
        let mut run = FeedRun {
            options,
            result,
            stage: Stage::Done,
        };
        if applied.to_read.is_empty() {
            run.start_send_or_note(now);
        } else {
            let subset: Vec<Value> = applied
                .to_read
                .iter()
                .filter_map(|i| run.options.invoices.get(*i).cloned())
                .collect();
            let update = UpdateOptions {
                today: Some(run.options.today),
                mode: UpdateMode::Selected,
                since: None,
            };
            let reads = UpdateRun::new(
                Value::Array(subset),
                run.options.companies.clone(),
                update,
                now,
            )?;
            run.stage = Stage::Reads(Box::new(reads));
        }
        Ok(run)
    }

    fn append(&mut self, key: &str, items: Vec<Value>) {
        match self.result.get_mut(key).and_then(Value::as_array_mut) {
            Some(list) => list.extend(items),
            None => self.result[key] = Value::Array(items),
        }
    }

    /// [`Self::start_send`], a failure of which (a malformed `ctx`) is noted in the result and never stops the
    /// feed's own changes (rule B1 goes on).
    fn start_send_or_note(&mut self, now: u64) {
        if let Err(e) = self.start_send(now) {
            self.result["sendError"] = e.to_json();
            self.stage = Stage::Done;
        }
    }

    /// Rule B2: the live invoices as they stand after the changes, except the refused ones whose inputs did not
    /// change, sent in *Send all live* mode.
    fn start_send(&mut self, now: u64) -> Result<(), Error> {
        if !self.options.auto_send {
            self.stage = Stage::Done;
            return Ok(());
        }
        let entries = self.result["invoices"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let current = auto_send_selection(
            &self.options.invoices,
            &entries,
            &self.options.ctx,
            &self.options.refusals,
        );
        let run = SendRun::new(
            Value::Array(current.clone()),
            self.options.ctx.clone(),
            self.options.today,
            SendMode::AllLive,
            now,
        )?;
        self.stage = Stage::Send {
            run: Box::new(run),
            current,
        };
        Ok(())
    }

    /// Moves past a finished stage.
    fn advance(&mut self, now: u64) {
        match &self.stage {
            Stage::Reads(reads) if reads.is_finished() => {
                let read = reads.result();
                let invoices: Vec<Value> = read
                    .invoices
                    .iter()
                    .filter_map(|e| serde_json::to_value(e).ok())
                    .collect();
                let companies: Vec<Value> = read
                    .companies
                    .iter()
                    .filter_map(|c| serde_json::to_value(c).ok())
                    .collect();
                self.append("invoices", invoices);
                self.append("companies", companies);
                match read.stopped {
                    // The reads stopped (day limit, not connected…): say so, keep the cursor where it was, and
                    // send nothing against the same stop.
                    Some(stop) => {
                        self.result["stopped"] = serde_json::to_value(&stop).unwrap_or(Value::Null);
                        self.result["cursor"] = Value::from(self.options.after);
                        self.stage = Stage::Done;
                    }
                    None => self.start_send_or_note(now),
                }
            }
            Stage::Send { run, current } if run.is_finished() => {
                let sent = run.result();
                record_refusals(
                    &mut self.options.refusals,
                    &sent,
                    current,
                    &self.options.ctx,
                );
                self.result["sent"] = serde_json::to_value(&sent).unwrap_or(Value::Null);
                if let Stage::Send { run, .. } = std::mem::replace(&mut self.stage, Stage::Done) {
                    self.stage = Stage::Sent(run);
                }
            }
            _ => {}
        }
    }

    /// The auto-send's run, running or finished (rule L1a: its refusals go to the proxy's log).
    pub fn send_run_mut(&mut self) -> Option<&mut SendRun> {
        match &mut self.stage {
            Stage::Send { run, .. } | Stage::Sent(run) => Some(run),
            _ => None,
        }
    }

    /// The page's result: the feed's entries and company changes (the reads' included), `cursor`, `more`,
    /// `finished`, and with auto-send `sent` (a send result) and `refusals` (to keep across reloads). While the
    /// reads have not finished (a cancelled poll), the entries read so far are given, the others are pending, and
    /// `cursor` is the one the page was read after: nothing is skipped.
    pub fn result(&self) -> Value {
        let mut out = self.result.clone();
        if let Stage::Reads(reads) = &self.stage {
            let read = reads.result();
            if let Some(list) = out["invoices"].as_array_mut() {
                list.extend(
                    read.invoices
                        .iter()
                        .filter_map(|e| serde_json::to_value(e).ok()),
                );
            }
            out["cursor"] = Value::from(self.options.after);
        }
        out["finished"] = Value::Bool(matches!(self.stage, Stage::Sent(_) | Stage::Done));
        if self.options.auto_send {
            out["refusals"] = serde_json::to_value(&self.options.refusals).unwrap_or(Value::Null);
        }
        out
    }

    /// Rule B2's book, after this run.
    pub fn refusals(&self) -> &Refusals {
        &self.options.refusals
    }
}

impl Run for FeedRun {
    fn poll(&mut self, now: u64) -> Vec<XeroRequest> {
        self.advance(now);
        match &mut self.stage {
            Stage::Reads(run) => run.poll(now),
            Stage::Send { run, .. } => run.poll(now),
            Stage::Sent(_) | Stage::Done => Vec::new(),
        }
    }

    fn handle_answer(&mut self, answer: &XeroAnswer, now: u64) -> Verdict {
        let verdict = match &mut self.stage {
            Stage::Reads(run) => run.handle_answer(answer, now),
            Stage::Send { run, .. } => run.handle_answer(answer, now),
            Stage::Sent(_) | Stage::Done => Verdict::Refused {
                message: format!("no request {} in flight", answer.request_id),
            },
        };
        self.advance(now);
        verdict
    }

    fn handle_lost(&mut self, request_id: &str, reason: &str, now: u64) -> Verdict {
        let verdict = match &mut self.stage {
            Stage::Reads(run) => run.handle_lost(request_id, reason, now),
            Stage::Send { run, .. } => run.handle_lost(request_id, reason, now),
            Stage::Sent(_) | Stage::Done => Verdict::Refused {
                message: format!("no request {request_id} in flight"),
            },
        };
        self.advance(now);
        verdict
    }

    fn next_wake(&self) -> Option<u64> {
        match &self.stage {
            Stage::Reads(run) => run.next_wake(),
            Stage::Send { run, .. } => run.next_wake(),
            Stage::Sent(_) | Stage::Done => None,
        }
    }

    fn is_finished(&self) -> bool {
        matches!(self.stage, Stage::Sent(_) | Stage::Done)
    }

    fn progress(&self, now: u64) -> Progress {
        match &self.stage {
            Stage::Reads(run) => run.progress(now),
            Stage::Send { run, .. } | Stage::Sent(run) => run.progress(now),
            Stage::Done => Progress {
                stage: "finished".into(),
                done: 0,
                total: 0,
                calls: 0,
                in_flight: 0,
                elapsed_ms: 0,
                eta_ms: None,
            },
        }
    }
}
