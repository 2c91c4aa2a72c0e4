//! The request pump (rules X1, X2, S8): which requests go out now (at most 5 in flight), when a request is tried
//! again (after a 429's `Retry-After`, or a back-off after a 5xx), and what an answer that came back through the
//! proxy means. Sans-IO: `now` (milliseconds since the epoch) is an argument; nothing here sleeps or fetches.

use crate::plan::XeroAnswer;
use crate::plan::XeroRequest;
use crate::proxy_contract::ProxyErrorCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Xero's limit of calls in flight per organisation (rule X2).
pub const MAX_IN_FLIGHT: usize = 5;
/// Attempts of one request before its records are reported as failed.
pub const MAX_ATTEMPTS: u32 = 8;
/// First back-off after a 5xx; it doubles per attempt up to [`MAX_BACKOFF_MS`].
pub const BASE_BACKOFF_MS: u64 = 250;
/// Longest back-off after a 5xx.
pub const MAX_BACKOFF_MS: u64 = 8_000;
/// Wait after a 429 that carries no `Retry-After`.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 1;

/// The `code`s of a run's own stops (beside the proxy's, which pass through): a second refusal of the session
/// token, Xero's day limit, Xero refusing the call itself, a read that could not be made.
pub const SESSION_REFUSED: &str = "session_refused";
pub const DAY_LIMIT: &str = "day_limit";
pub const XERO_UNAUTHORIZED: &str = "xero_unauthorized";
pub const XERO_READ_FAILED: &str = "xero_read_failed";
pub const STOP_CODES: [&str; 4] = [
    SESSION_REFUSED,
    DAY_LIMIT,
    XERO_UNAUTHORIZED,
    XERO_READ_FAILED,
];

/// What an answer means for the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Xero's own answer (2xx, or a 400 that names the records): the plan reads it.
    Answer,
    /// Queued again; it goes out at `at` (429 with `Retry-After`, or a 5xx back-off).
    Retry { at: u64 },
    /// No answer came back, or the proxy could not reach Xero: Xero may have done the work (rule S8). The slot is
    /// done; the run decides (look-up, then write again).
    Lost { reason: String },
    /// The CRM session token was refused: the driver gets a fresh one; the request is queued again.
    Session,
    /// The run cannot go on (not connected, disabled, day limit…): `code` is the proxy's, `message` says why.
    Stop { code: String, message: String },
    /// This request cannot succeed (refused by the proxy, or tried [`MAX_ATTEMPTS`] times): its records fail.
    Refused { message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
enum SlotState {
    Queued { not_before: u64 },
    InFlight,
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Slot {
    request: XeroRequest,
    state: SlotState,
    attempts: u32,
}

/// What a run that only reads (update, reconciliation) does with an answer the pump settled: a lost read is simply
/// made again, so only these remain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadStep {
    /// Xero's answer: read it.
    Read,
    /// The read cannot be made (refused, or lost after every attempt): fail what it was for, with this reason.
    Failed(String),
    /// The run stops (not connected, disabled, day limit…).
    Stop { code: String, message: String },
    /// Nothing to do now (queued again, or a stale answer).
    Wait,
}

/// The requests of one run and their states. Serialisable, so a checkpoint carries it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pump {
    slots: Vec<Slot>,
    /// No request goes out before this (a 429 pauses the whole organisation, rule X2).
    paused_until: u64,
    /// Calls made (every attempt counts; rule L1 logs each).
    pub calls: u64,
    /// Calls answered (any way).
    pub answered: u64,
    /// Session refusals in a row (a second one stops the run).
    session_refusals: u32,
}

/// The proxy's JSON error body `{"error": {"code", "message"}}`, if the answer is one.
pub fn proxy_error(answer: &XeroAnswer) -> Option<(String, String)> {
    let body = answer.json()?;
    let error = body.get("error")?;
    let code = error.get("code")?.as_str()?.to_string();
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or(&code)
        .to_string();
    Some((code, message))
}

fn backoff(attempts: u32) -> u64 {
    let shift = attempts.saturating_sub(1).min(16);
    (BASE_BACKOFF_MS << shift).min(MAX_BACKOFF_MS)
}

impl Pump {
    /// Whether the pump has seen a request with this id.
    pub fn knows(&self, id: &str) -> bool {
        self.slots.iter().any(|s| s.request.id == id)
    }

    /// Adds a request, to go out at once.
    pub fn push(&mut self, request: XeroRequest, now: u64) {
        match self.slots.iter_mut().find(|s| s.request.id == request.id) {
            Some(slot) => {
                slot.request = request;
                slot.state = SlotState::Queued { not_before: now };
            }
            None => self.slots.push(Slot {
                request,
                state: SlotState::Queued { not_before: now },
                attempts: 0,
            }),
        }
    }

    /// Queues a request that is done (a write whose answer was lost, after its look-up) again, after the back-off
    /// its attempts have earned.
    pub fn again(&mut self, id: &str, now: u64) -> bool {
        match self.slots.iter_mut().find(|s| s.request.id == id) {
            Some(slot) if slot.attempts < MAX_ATTEMPTS => {
                slot.state = SlotState::Queued {
                    not_before: now + backoff(slot.attempts),
                };
                true
            }
            _ => false,
        }
    }

    /// The requests to start now: at most [`MAX_IN_FLIGHT`] in flight, none while paused (rule X2).
    pub fn ready(&mut self, now: u64) -> Vec<XeroRequest> {
        if now < self.paused_until {
            return Vec::new();
        }
        let mut free = MAX_IN_FLIGHT.saturating_sub(self.in_flight());
        let mut out = Vec::new();
        for slot in &mut self.slots {
            if free == 0 {
                break;
            }
            if matches!(slot.state, SlotState::Queued { not_before } if not_before <= now) {
                slot.state = SlotState::InFlight;
                slot.attempts += 1;
                self.calls += 1;
                free -= 1;
                out.push(slot.request.clone());
            }
        }
        out
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.state == SlotState::InFlight)
            .count()
    }

    /// Requests queued or in flight.
    pub fn open(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.state != SlotState::Done)
            .count()
    }

    /// When the next queued request may go out (`None`: nothing queued).
    pub fn next_wake(&self) -> Option<u64> {
        self.slots
            .iter()
            .filter_map(|s| match s.state {
                SlotState::Queued { not_before } => Some(not_before.max(self.paused_until)),
                _ => None,
            })
            .min()
    }

    /// Attempts made of a request so far.
    pub fn attempts(&self, id: &str) -> u32 {
        self.slots
            .iter()
            .find(|s| s.request.id == id)
            .map_or(0, |s| s.attempts)
    }

    /// Drops every queued request (a run that stops).
    pub fn clear_queue(&mut self) {
        for slot in &mut self.slots {
            if matches!(slot.state, SlotState::Queued { .. }) {
                slot.state = SlotState::Done;
            }
        }
    }

    /// Gives up on one request, whatever its state (an optional read the run can do without).
    pub fn give_up(&mut self, id: &str) {
        if let Some(slot) = self.slots.iter_mut().find(|s| s.request.id == id) {
            slot.state = SlotState::Done;
        }
    }

    /// For a checkpoint: the requests in flight are given up on (their answers will never be read); returns their
    /// ids so the run can treat them as lost (rule S8) on resume.
    pub fn abandon_in_flight(&mut self) -> Vec<String> {
        let mut ids = Vec::new();
        for slot in &mut self.slots {
            if slot.state == SlotState::InFlight {
                slot.state = SlotState::Done;
                ids.push(slot.request.id.clone());
            }
        }
        ids
    }

    /// Whether `id` is in flight (answers for anything else are ignored: a stale answer after a checkpoint).
    pub fn is_in_flight(&self, id: &str) -> bool {
        self.slots
            .iter()
            .any(|s| s.request.id == id && s.state == SlotState::InFlight)
    }

    /// The verdict for an answer (or a loss) of a request that is not in flight — a stale one, given up at a
    /// checkpoint, whose effect is found by look-up instead — and `None` for one that is. Both runs start with it.
    pub fn refuse_unless_in_flight(&self, id: &str) -> Option<Verdict> {
        (!self.is_in_flight(id)).then(|| Verdict::Refused {
            message: format!("{id} is not in flight"),
        })
    }

    /// Reads an answer to an in-flight request and updates its slot (rule X2: a 429 pauses every request until
    /// its `Retry-After`; a day-limit 429 parks the run).
    pub fn settle(&mut self, answer: &XeroAnswer, now: u64) -> Verdict {
        self.answered += 1;
        let classified = classify(answer);
        let Some(index) = self
            .slots
            .iter()
            .position(|s| s.request.id == answer.request_id && s.state == SlotState::InFlight)
        else {
            return Verdict::Refused {
                message: format!("no request {} in flight", answer.request_id),
            };
        };
        let attempts = self.slots[index].attempts;
        // (the slot's next state, whether this attempt is not counted, the verdict)
        let (state, uncounted, verdict) = match classified {
            Classified::Answer => {
                self.session_refusals = 0;
                (SlotState::Done, false, Verdict::Answer)
            }
            Classified::RateLimited {
                retry_after_secs,
                by_proxy,
            } => {
                let at = now + retry_after_secs * 1000;
                self.paused_until = self.paused_until.max(at);
                (
                    SlotState::Queued { not_before: at },
                    by_proxy,
                    Verdict::Retry { at },
                )
            }
            Classified::Unavailable { message } if attempts >= MAX_ATTEMPTS => (
                SlotState::Done,
                false,
                Verdict::Refused {
                    message: format!("Xero unavailable after {attempts} attempts: {message}"),
                },
            ),
            Classified::Unavailable { .. } => {
                let at = now + backoff(attempts);
                (
                    SlotState::Queued { not_before: at },
                    false,
                    Verdict::Retry { at },
                )
            }
            Classified::Lost { reason } => (SlotState::Done, false, Verdict::Lost { reason }),
            Classified::Session if self.session_refusals == 0 => {
                self.session_refusals += 1;
                (
                    SlotState::Queued { not_before: now },
                    true,
                    Verdict::Session,
                )
            }
            Classified::Session => (
                SlotState::Queued { not_before: now },
                true,
                Verdict::Stop {
                    code: SESSION_REFUSED.into(),
                    message: "the proxy refused the CRM session token twice".into(),
                },
            ),
            // Queued again so that a checkpoint taken now resumes with it.
            Classified::Stop { code, message } => (
                SlotState::Queued { not_before: now },
                true,
                Verdict::Stop { code, message },
            ),
            Classified::Refused { message } => {
                (SlotState::Done, false, Verdict::Refused { message })
            }
        };
        let slot = &mut self.slots[index];
        slot.state = state;
        if uncounted {
            // The proxy refused before calling Xero: not a Xero call, not an attempt.
            slot.attempts = slot.attempts.saturating_sub(1);
            self.calls = self.calls.saturating_sub(1);
        }
        verdict
    }

    /// Settles an answer for a run that only reads (see [`ReadStep`]): a stale one is refused, a lost one queued
    /// again while attempts remain.
    pub fn settle_read(&mut self, answer: &XeroAnswer, now: u64) -> (Verdict, ReadStep) {
        if let Some(stale) = self.refuse_unless_in_flight(&answer.request_id) {
            return (stale, ReadStep::Wait);
        }
        let verdict = self.settle(answer, now);
        let step = match &verdict {
            Verdict::Answer => ReadStep::Read,
            Verdict::Lost { .. } if self.again(&answer.request_id, now) => ReadStep::Wait,
            Verdict::Lost { .. } => {
                ReadStep::Failed("no answer from Xero after every attempt".into())
            }
            Verdict::Refused { message } => ReadStep::Failed(message.clone()),
            Verdict::Stop { code, message } => ReadStep::Stop {
                code: code.clone(),
                message: message.clone(),
            },
            Verdict::Retry { .. } | Verdict::Session => ReadStep::Wait,
        };
        (verdict, step)
    }

    /// No answer came for a read: it is made again while attempts remain, else it fails with `reason`.
    pub fn lost_read(&mut self, id: &str, reason: &str, now: u64) -> (Verdict, ReadStep) {
        if let Some(stale) = self.refuse_unless_in_flight(id) {
            return (stale, ReadStep::Wait);
        }
        let verdict = self.lost(id, reason);
        let step = if self.again(id, now) {
            ReadStep::Wait
        } else {
            ReadStep::Failed(reason.to_owned())
        };
        (verdict, step)
    }

    /// No answer at all (network error, timeout): the slot is done and the run decides (rule S8).
    pub fn lost(&mut self, id: &str, reason: &str) -> Verdict {
        self.answered += 1;
        if let Some(slot) = self
            .slots
            .iter_mut()
            .find(|s| s.request.id == id && s.state == SlotState::InFlight)
        {
            slot.state = SlotState::Done;
        }
        Verdict::Lost {
            reason: reason.to_string(),
        }
    }
}

enum Classified {
    Answer,
    /// `by_proxy`: the proxy's own limiter refused (rule X2) before any call to Xero.
    RateLimited {
        retry_after_secs: u64,
        by_proxy: bool,
    },
    Unavailable {
        message: String,
    },
    Lost {
        reason: String,
    },
    Session,
    Stop {
        code: String,
        message: String,
    },
    Refused {
        message: String,
    },
}

fn classify(answer: &XeroAnswer) -> Classified {
    let status = answer.status;
    // The proxy answers its own errors with 4xx/5xx statuses only (`ProxyErrorCode::status`): a 2xx is Xero's, and
    // its body (50 documents echoed back) is not parsed here only to find no `error` in it (issue 13).
    let proxy = if (200..300).contains(&status) {
        None
    } else {
        proxy_error(answer)
    };
    if status == 429 {
        let problem = answer
            .rate_limit_problem
            .as_deref()
            .map(str::to_ascii_lowercase);
        let retry_after_secs = answer
            .retry_after
            .as_deref()
            .and_then(|r| r.trim().parse().ok())
            .unwrap_or(DEFAULT_RETRY_AFTER_SECS);
        if problem.as_deref() == Some("day") {
            return Classified::Stop {
                code: DAY_LIMIT.into(),
                message: format!(
                    "Xero's daily call limit is reached; the run is parked for {retry_after_secs} s (rule X2)"
                ),
            };
        }
        let by_proxy = proxy
            .as_ref()
            .is_some_and(|(code, _)| code == ProxyErrorCode::RateLimited.as_str());
        return Classified::RateLimited {
            retry_after_secs,
            by_proxy,
        };
    }
    if let Some((code, message)) = proxy {
        return match ProxyErrorCode::parse(&code) {
            Some(ProxyErrorCode::UpstreamUnavailable) => Classified::Lost { reason: message },
            Some(c) if c.is_session() => Classified::Session,
            Some(ProxyErrorCode::InternalError) => Classified::Unavailable { message },
            Some(ProxyErrorCode::RelayRefused | ProxyErrorCode::InvalidRequest) => {
                Classified::Refused {
                    message: format!("{code}: {message}"),
                }
            }
            // Not connected, disabled, a tenant to pick, a code of a newer proxy…: the run stops and says why.
            _ => Classified::Stop { code, message },
        };
    }
    match status {
        200..=299 => Classified::Answer,
        // A ValidationException names the records (summarizeErrors=false answers 200, but a 400 may still come).
        400 => Classified::Answer,
        502 | 504 => Classified::Lost {
            reason: format!("HTTP {status}: no answer from Xero"),
        },
        500..=599 => Classified::Unavailable {
            message: format!("HTTP {status}"),
        },
        401 | 403 => Classified::Stop {
            code: XERO_UNAUTHORIZED.into(),
            message: format!("Xero refused the call (HTTP {status}): {}", answer.text()),
        },
        _ => Classified::Refused {
            message: format!("HTTP {status}: {}", answer.text()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn request(id: &str) -> XeroRequest {
        XeroRequest {
            id: id.into(),
            method: "GET".into(),
            path: "/Invoices".into(),
            query: BTreeMap::new(),
            headers: BTreeMap::new(),
            body: None,
        }
    }

    /// `classify` reads a body for the proxy's own error only on a 4xx/5xx: no proxy error code may answer 2xx.
    #[test]
    fn the_proxy_never_answers_its_errors_with_a_2xx() {
        for code in ProxyErrorCode::ALL {
            assert!(!(200..300).contains(&code.status()), "{code:?}");
            let body = format!(
                r#"{{"error":{{"code":"{}","message":"m"}}}}"#,
                code.as_str()
            );
            let classified = classify(&answer("r-1", code.status(), &body));
            assert!(!matches!(classified, Classified::Answer), "{code:?}");
        }
    }

    fn answer(id: &str, status: u16, body: &str) -> XeroAnswer {
        XeroAnswer {
            request_id: id.into(),
            status,
            body: Value::String(body.into()),
            retry_after: None,
            rate_limit_problem: None,
        }
    }

    #[test]
    fn at_most_five_in_flight_rule_x2() {
        let mut pump = Pump::default();
        for i in 0..12 {
            pump.push(request(&format!("r{i}")), 0);
        }
        assert_eq!(pump.ready(0).len(), 5);
        assert!(pump.ready(0).is_empty());
        assert_eq!(pump.settle(&answer("r0", 200, "{}"), 1), Verdict::Answer);
        let next = pump.ready(1);
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].id, "r5");
        assert_eq!(pump.calls, 6);
    }

    #[test]
    fn a_429_pauses_everything_until_retry_after_rule_x2() {
        let mut pump = Pump::default();
        pump.push(request("a"), 0);
        pump.push(request("b"), 0);
        pump.ready(0);
        let mut limited = answer("a", 429, "");
        limited.retry_after = Some("3".into());
        assert_eq!(pump.settle(&limited, 1_000), Verdict::Retry { at: 4_000 });
        pump.settle(&answer("b", 200, "{}"), 1_000);
        pump.push(request("c"), 1_000);
        assert!(pump.ready(3_999).is_empty(), "paused until Retry-After");
        assert_eq!(pump.next_wake(), Some(4_000));
        let ids: Vec<String> = pump.ready(4_000).into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["a", "c"]);
    }

    /// The proxy's own 429 (its limiter, before any call to Xero) is not a Xero call; Xero's 429 is one.
    #[test]
    fn the_proxys_own_429_is_not_a_xero_call_rule_x2() {
        let mut pump = Pump::default();
        pump.push(request("a"), 0);
        pump.push(request("b"), 0);
        pump.ready(0);
        let refused =
            r#"{"error":{"code":"rate_limited","message":"the minute's 60 calls are spent"}}"#;
        let mut by_proxy = answer("a", 429, refused);
        by_proxy.retry_after = Some("2".into());
        assert_eq!(pump.settle(&by_proxy, 0), Verdict::Retry { at: 2_000 });
        let mut by_xero = answer("b", 429, "Rate limit exceeded");
        by_xero.retry_after = Some("2".into());
        assert_eq!(pump.settle(&by_xero, 0), Verdict::Retry { at: 2_000 });
        assert_eq!(pump.calls, 1, "only Xero's answer was a call");
        assert_eq!(pump.ready(2_000).len(), 2);
        assert_eq!(pump.calls, 3);
    }

    #[test]
    fn a_day_limit_parks_the_run_rule_x2() {
        let mut pump = Pump::default();
        pump.push(request("a"), 0);
        pump.ready(0);
        let mut limited = answer("a", 429, "");
        limited.retry_after = Some("3600".into());
        limited.rate_limit_problem = Some("Day".into());
        assert!(
            matches!(pump.settle(&limited, 0), Verdict::Stop { code, .. } if code == "day_limit")
        );
        assert_eq!(pump.open(), 1, "kept for the checkpoint");
    }

    #[test]
    fn five_hundreds_back_off_then_give_up() {
        let mut pump = Pump::default();
        pump.push(request("a"), 0);
        let mut now = 0;
        let mut waits = Vec::new();
        loop {
            let out = pump.ready(now);
            assert_eq!(out.len(), 1);
            match pump.settle(&answer("a", 503, "offline"), now) {
                Verdict::Retry { at } => {
                    waits.push(at - now);
                    now = at;
                }
                Verdict::Refused { message } => {
                    assert!(message.contains("after 8 attempts"), "{message}");
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(waits, [250, 500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(pump.calls, u64::from(MAX_ATTEMPTS));
    }

    #[test]
    fn lost_answers_and_proxy_errors_rule_s8() {
        let mut pump = Pump::default();
        for id in ["a", "b", "c", "d", "e"] {
            pump.push(request(id), 0);
        }
        pump.ready(0);
        let upstream =
            r#"{"error":{"code":"upstream_unavailable","message":"Xero could not be reached"}}"#;
        assert!(matches!(
            pump.settle(&answer("a", 502, upstream), 0),
            Verdict::Lost { .. }
        ));
        assert!(matches!(
            pump.lost("b", "network error"),
            Verdict::Lost { .. }
        ));
        let refused = r#"{"error":{"code":"relay_refused","message":"no"}}"#;
        assert!(matches!(
            pump.settle(&answer("c", 400, refused), 0),
            Verdict::Refused { .. }
        ));
        let expired = r#"{"error":{"code":"expired_session","message":"session token expired"}}"#;
        assert_eq!(pump.settle(&answer("d", 401, expired), 0), Verdict::Session);
        let off = r#"{"error":{"code":"integration_disabled","message":"off"}}"#;
        assert!(
            matches!(pump.settle(&answer("e", 403, off), 0), Verdict::Stop { code, .. } if code == "integration_disabled")
        );
        // The lost write is queued again by the run after its look-up.
        assert!(pump.again("a", 10));
        assert_eq!(pump.next_wake(), Some(0));
    }

    #[test]
    fn abandoned_requests_are_reported_for_a_checkpoint() {
        let mut pump = Pump::default();
        pump.push(request("a"), 0);
        pump.push(request("b"), 0);
        pump.ready(0);
        assert_eq!(pump.abandon_in_flight(), ["a", "b"]);
        assert_eq!(pump.in_flight(), 0);
        assert!(!pump.is_in_flight("a"));
    }
}
