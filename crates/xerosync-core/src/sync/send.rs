//! [`SendRun`]: *Send to Xero* driven to the end (rules S1-S9, X1, X2, A1, A3), built on the core's
//! [`SendPlan`]. The plan says which requests to make and what their answers mean; the run adds the pump (at most
//! 5 in flight, `Retry-After`, back-off), the look-up after a lost answer (rule S8), progress and a resumable
//! checkpoint. Sans-IO: the driver calls [`SendRun::poll`], makes the requests, and feeds back each answer with
//! [`SendRun::handle_answer`] (or [`SendRun::handle_lost`]) until [`SendRun::is_finished`].

use super::progress::{batches, eta_ms, Progress};
use super::pump::{Pump, Verdict};
use crate::date::IsoDate;
use crate::error::{Error, RecordKind};
use crate::plan::refusals::{refusals, Refusal};
use crate::plan::{
    CompanyResult, InvoiceResult, LogEntry, Outcome, ProductFailure, SendPlan, Stage, XeroAnswer,
    XeroRequest, MAX_RECORDS_PER_REQUEST,
};
use crate::rules::SendMode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Why a run stopped before the end (not connected, disabled, Xero's day limit, the session refused…). The
/// checkpoint resumes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RunStop {
    pub code: String,
    pub message: String,
    /// Why, for a finance user (issue 12): what happened and what to do, without codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sentence: Option<String>,
}

impl RunStop {
    /// A stop with its code's sentence.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let code = code.into();
        RunStop {
            sentence: Some(crate::sentence::stop_sentence(&code)),
            code,
            message: message.into(),
        }
    }
}

/// What `send` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SendRunResult"))]
#[serde(rename_all = "camelCase")]
pub struct SendResult {
    /// Every invoice reached an end (sent, failed or skipped).
    pub finished: bool,
    /// Set when the run stopped early; pending invoices carry its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub stopped: Option<RunStop>,
    /// One per input invoice, in input order: outcome, rule, message, and the CRM fields to store.
    pub invoices: Vec<InvoiceResult>,
    /// Companies written as Xero contacts: store `xeroContactId` (rule S3).
    pub companies: Vec<CompanyResult>,
    /// Non-empty: no invoice was sent, and these are every failing product with its reason (rule S2).
    pub product_failures: Vec<ProductFailure>,
    /// One entry per record outcome (rule L1; the proxy's `xero_log` also has a row per call).
    pub log: Vec<LogEntry>,
    /// Xero calls made (every attempt).
    pub calls: u64,
}

/// *Send to Xero* from the first request to the last answer; serialisable (the checkpoint is this value as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendRun {
    plan: SendPlan,
    pump: Pump,
    /// Look-up request id → the write request whose answer was lost (rule S8).
    lookups: BTreeMap<String, String>,
    stopped: Option<RunStop>,
    /// When this session started, and the time spent in earlier sessions (resumed runs).
    started_at: u64,
    elapsed_before: u64,
    /// Estimated calls of the stages not started yet (for the ETA).
    contacts_estimate: u64,
    documents_estimate: u64,
    /// Refusals already handed to the caller (rule L1a): a resumed run does not report them again.
    #[serde(default)]
    refusals_taken: usize,
}

fn bad_checkpoint(message: impl Into<String>) -> Error {
    Error::options(RecordKind::Options, "checkpoint", message.into())
}

impl SendRun {
    /// Plans the run (every invoice checked locally first, rule L2) and queues its first requests.
    pub fn new(
        invoices: Value,
        ctx: Value,
        today: IsoDate,
        mode: SendMode,
        now: u64,
    ) -> Result<SendRun, Error> {
        Ok(Self::with_plan(
            SendPlan::new(invoices, ctx, today, mode)?,
            now,
        ))
    }

    /// [`SendRun::new`] from the JSON texts the bindings hold (see [`SendPlan::from_text`]).
    pub fn from_text(
        invoices: &str,
        ctx: &str,
        today: IsoDate,
        mode: SendMode,
        now: u64,
    ) -> Result<SendRun, Error> {
        Ok(Self::with_plan(
            SendPlan::from_text(invoices, ctx, today, mode)?,
            now,
        ))
    }

    fn with_plan(plan: SendPlan, now: u64) -> SendRun {
        let pending: BTreeSet<&str> = plan
            .invoices
            .iter()
            .filter(|r| r.outcome == Outcome::Pending)
            .map(|r| r.id.as_str())
            .collect();
        let mut companies = BTreeSet::new();
        let (mut docs, mut credit_notes) = (0, 0);
        for record in plan.input_invoices().as_array().into_iter().flatten() {
            let id = record.get("id").and_then(Value::as_str).unwrap_or("");
            if !pending.contains(id) {
                continue;
            }
            if let Some(company) = record.get("companyId").and_then(Value::as_str) {
                companies.insert(company.to_string());
            }
            match record.get("kind").and_then(Value::as_str) {
                Some("creditNote") => credit_notes += 1,
                _ => docs += 1,
            }
        }
        let mut run = SendRun {
            plan,
            pump: Pump::default(),
            lookups: BTreeMap::new(),
            stopped: None,
            started_at: now,
            elapsed_before: 0,
            contacts_estimate: batches(companies.len(), MAX_RECORDS_PER_REQUEST),
            documents_estimate: batches(docs, MAX_RECORDS_PER_REQUEST)
                + batches(credit_notes, MAX_RECORDS_PER_REQUEST),
            refusals_taken: 0,
        };
        run.queue_new_requests(now);
        run
    }

    /// A run from its checkpoint. Requests that were in flight when it was taken are treated as lost: documents
    /// are looked up before they are written again (rule S8).
    pub fn resume(checkpoint: &Value, now: u64) -> Result<SendRun, Error> {
        if checkpoint.get("kind").and_then(Value::as_str) != Some("send") {
            return Err(bad_checkpoint("not a send checkpoint"));
        }
        let run = checkpoint
            .get("run")
            .ok_or_else(|| bad_checkpoint("run: missing"))?;
        let mut run: SendRun =
            serde_json::from_value(run.clone()).map_err(|e| bad_checkpoint(e.to_string()))?;
        run.started_at = now;
        run.stopped = None;
        Ok(run)
    }

    /// The checkpoint: plain JSON. Requests in flight are given up (their answers are ignored if they come).
    pub fn checkpoint(&mut self, now: u64) -> Result<Value, Error> {
        for id in self.pump.abandon_in_flight() {
            self.after_lost(&id, now);
        }
        let mut copy = self.clone();
        copy.elapsed_before = self.elapsed(now);
        let run = serde_json::to_value(&copy).map_err(|e| bad_checkpoint(e.to_string()))?;
        Ok(json!({ "kind": "send", "version": 1, "run": run }))
    }

    fn elapsed(&self, now: u64) -> u64 {
        self.elapsed_before + now.saturating_sub(self.started_at)
    }

    /// Every request the plan has that the pump has not seen yet.
    fn queue_new_requests(&mut self, now: u64) {
        let fresh: Vec<XeroRequest> = self
            .plan
            .requests
            .iter()
            .filter(|r| !self.pump.knows(&r.id))
            .cloned()
            .collect();
        for request in fresh {
            self.pump.push(request, now);
        }
    }

    /// The requests to start now (none once stopped).
    pub fn poll(&mut self, now: u64) -> Vec<XeroRequest> {
        if self.stopped.is_some() {
            return Vec::new();
        }
        self.pump.ready(now)
    }

    /// When to poll again if nothing is in flight (a `Retry-After` or a back-off).
    pub fn next_wake(&self) -> Option<u64> {
        self.pump.next_wake()
    }

    pub fn in_flight(&self) -> usize {
        self.pump.in_flight()
    }

    /// Done: every invoice reached an end, or the run stopped (see [`SendResult::stopped`]).
    pub fn is_finished(&self) -> bool {
        self.plan.finished || (self.stopped.is_some() && self.pump.in_flight() == 0)
    }

    /// Feeds one answer back; returns what it meant ([`Verdict::Session`]: get a fresh session token).
    pub fn handle_answer(&mut self, answer: &XeroAnswer, now: u64) -> Verdict {
        if let Some(stale) = self.pump.refuse_unless_in_flight(&answer.request_id) {
            return stale;
        }
        let verdict = self.pump.settle(answer, now);
        let id = answer.request_id.as_str();
        match &verdict {
            Verdict::Answer => self.apply(id, answer, now),
            Verdict::Lost { .. } => self.after_lost(id, now),
            Verdict::Refused { message } => self.after_refused(id, answer.status, message, now),
            Verdict::Stop { code, message } => {
                self.stopped = Some(RunStop::new(code.clone(), message.clone()))
            }
            Verdict::Retry { .. } | Verdict::Session => {}
        }
        self.queue_new_requests(now);
        verdict
    }

    /// No answer came (network error, timeout, aborted).
    pub fn handle_lost(&mut self, request_id: &str, reason: &str, now: u64) -> Verdict {
        if let Some(stale) = self.pump.refuse_unless_in_flight(request_id) {
            return stale;
        }
        let verdict = self.pump.lost(request_id, reason);
        self.after_lost(request_id, now);
        self.queue_new_requests(now);
        verdict
    }

    fn apply(&mut self, id: &str, answer: &XeroAnswer, now: u64) {
        if let Some(write) = self.lookups.remove(id) {
            // Rule S8: found in Xero → sent; not found → write again (idempotent: POST by number).
            match self.plan.apply_lookup(&write, answer) {
                Ok(true) => {}
                Ok(false) | Err(_) => self.write_again(&write, now),
            }
            return;
        }
        if self.plan.apply_answer(answer).is_err() {
            // Not Xero's answer (a proxy page, a cut body): its records stay pending; try again.
            self.write_again(id, now);
        }
    }

    /// A write whose answer was lost: documents are looked up first (rule S8); items and contacts are written again
    /// (POST matches them by code and by ContactNumber, so nothing is created twice).
    fn after_lost(&mut self, id: &str, now: u64) {
        if let Some(write) = self.lookups.remove(id) {
            // The look-up itself was lost: look up again.
            self.look_up(&write, now);
            return;
        }
        if self.plan.lookup_request(id).is_ok() {
            self.look_up(id, now);
        } else {
            self.write_again(id, now);
        }
    }

    fn look_up(&mut self, write: &str, now: u64) {
        match self.plan.lookup_request(write) {
            Ok(request) if self.pump.attempts(&request.id) < super::pump::MAX_ATTEMPTS => {
                self.lookups.insert(request.id.clone(), write.to_string());
                self.pump.push(request, now);
            }
            _ => self.fail_request(write, 504, "no answer from Xero after every attempt", now),
        }
    }

    fn write_again(&mut self, id: &str, now: u64) {
        if !self.pump.again(id, now) {
            self.fail_request(
                id,
                504,
                "no usable answer from Xero after every attempt",
                now,
            );
        }
    }

    fn after_refused(&mut self, id: &str, status: u16, message: &str, now: u64) {
        if let Some(write) = self.lookups.remove(id) {
            // The look-up cannot be made (e.g. the proxy relays no filter for it): write again instead; the write
            // is idempotent and matches by number.
            self.write_again(&write, now);
            return;
        }
        self.fail_request(id, status, message, now);
    }

    /// Every record of a request fails with `message` (the plan records it per record, rule S9).
    fn fail_request(&mut self, id: &str, status: u16, message: &str, now: u64) {
        let status = if matches!(status, 200 | 400) {
            502
        } else {
            status
        };
        let answer = XeroAnswer {
            request_id: id.to_string(),
            status,
            body: json!({ "Message": message }),
            retry_after: None,
            rate_limit_problem: None,
        };
        // The request may already be answered (a late duplicate): nothing to fail then.
        let _ = self.plan.apply_answer(&answer);
        self.queue_new_requests(now);
    }

    /// Rule L1a: the local refusals recorded since the last call, for the proxy's log. Each is handed out once, also
    /// across a checkpoint and its resumption (the log only grows).
    pub fn take_refusals(&mut self) -> Vec<Refusal> {
        let all = refusals(&self.plan.log);
        let fresh = all
            .into_iter()
            .skip(self.refusals_taken)
            .collect::<Vec<_>>();
        self.refusals_taken += fresh.len();
        fresh
    }

    /// Progress for `onProgress` (rule A3).
    pub fn progress(&self, now: u64) -> Progress {
        let total = self.plan.invoices.len();
        let done = self
            .plan
            .invoices
            .iter()
            .filter(|r| r.outcome != Outcome::Pending)
            .count();
        let future = match self.plan.stage {
            Stage::Reads | Stage::Items => self.contacts_estimate + self.documents_estimate,
            Stage::Contacts => self.documents_estimate,
            Stage::Documents | Stage::Finished => 0,
        };
        let stage = if self.stopped.is_some() {
            "stopped".to_string()
        } else {
            serde_json::to_value(self.plan.stage)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let elapsed = self.elapsed(now);
        let remaining = self.pump.open() as u64 + future;
        Progress {
            stage,
            done,
            total,
            calls: self.pump.calls,
            in_flight: self.pump.in_flight(),
            elapsed_ms: elapsed,
            eta_ms: eta_ms(elapsed, self.pump.answered, remaining),
        }
    }

    /// The result so far (final once [`SendRun::is_finished`]). Invoices still pending after a stop carry its
    /// message, so every invoice is sent or reported with a reason.
    pub fn result(&self) -> SendResult {
        let mut invoices = self.plan.invoices.clone();
        if let Some(stop) = &self.stopped {
            for result in invoices
                .iter_mut()
                .filter(|r| r.outcome == Outcome::Pending)
            {
                result.message = Some(format!("not sent yet: {} ({})", stop.message, stop.code));
                result.sentence = Some(format!(
                    "Not sent yet. {}",
                    crate::sentence::stop_sentence(&stop.code)
                ));
            }
        }
        SendResult {
            finished: self.plan.finished,
            stopped: self.stopped.clone(),
            invoices,
            companies: self.plan.companies.clone(),
            product_failures: self.plan.product_failures.clone(),
            log: self.plan.log.clone(),
            calls: self.pump.calls,
        }
    }
}
