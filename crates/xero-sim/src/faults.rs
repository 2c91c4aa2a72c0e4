//! Fault injection: random rates of 500 / 503 / extra 429 / "commit, then drop the connection", added latency, and a
//! queue of exact faults for the next calls (deterministic tests).

use std::collections::VecDeque;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::SimError;

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// 500 with Xero's error text.
    Error500,
    /// 503: Xero or the organisation offline (plain-text body).
    Error503,
    /// An extra 429 (minute limit).
    Extra429,
    /// Do the call (commit the write), then close the connection without an answer.
    DropAfterCommit,
}

/// Rates (0.0-1.0), latency and the RNG seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FaultSettings {
    /// Share of calls answered 500.
    pub rate500: f64,
    /// Share of calls answered 503.
    pub rate503: f64,
    /// Share of calls answered with an extra 429.
    pub rate429: f64,
    /// Share of calls committed and then dropped.
    pub drop: f64,
    /// Added to every API call, in milliseconds.
    pub latency_ms: u64,
    /// Seed of the fault RNG (same seed, same faults).
    pub seed: u64,
}

impl Default for FaultSettings {
    fn default() -> Self {
        Self {
            rate500: 0.0,
            rate503: 0.0,
            rate429: 0.0,
            drop: 0.0,
            latency_ms: 0,
            seed: 0x5eed,
        }
    }
}

impl FaultSettings {
    /// Applies a `--faults` spec: `rate500=0.05,rate503=0.02,rate429=0.1,drop=0.01,latency=20,seed=7`.
    pub fn apply_spec(&mut self, spec: &str) -> Result<(), SimError> {
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = |reason: &str| SimError::BadFlag {
                flag: format!("--faults {part}"),
                reason: reason.to_owned(),
            };
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| bad("expected key=value"))?;
            let rate = || -> Result<f64, SimError> {
                let r: f64 = value.parse().map_err(|_| bad("not a number"))?;
                if (0.0..=1.0).contains(&r) {
                    Ok(r)
                } else {
                    Err(bad("a rate is between 0 and 1"))
                }
            };
            match key {
                "rate500" | "500" => self.rate500 = rate()?,
                "rate503" | "503" => self.rate503 = rate()?,
                "rate429" | "429" => self.rate429 = rate()?,
                "drop" => self.drop = rate()?,
                "latency" | "latencyMs" => {
                    self.latency_ms = value.parse().map_err(|_| bad("not a number"))?
                }
                "seed" => self.seed = value.parse().map_err(|_| bad("not a number"))?,
                _ => {
                    return Err(bad(
                        "unknown fault (rate500, rate503, rate429, drop, latency, seed)",
                    ))
                }
            }
        }
        Ok(())
    }
}

/// A queued fault, optionally only for paths containing `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    /// The fault.
    pub fault: Fault,
    /// Only calls whose path contains this (e.g. `/Invoices`).
    #[serde(default)]
    pub path: Option<String>,
}

/// The injector.
#[derive(Debug)]
pub struct Faults {
    /// Current settings.
    pub settings: FaultSettings,
    /// Exact faults for the next matching calls.
    pub queue: VecDeque<Queued>,
    rng: u64,
}

impl Faults {
    /// From settings.
    pub fn new(settings: FaultSettings) -> Self {
        let rng = settings.seed.max(1);
        Self {
            settings,
            queue: VecDeque::new(),
            rng,
        }
    }

    /// Replaces the settings (and reseeds).
    pub fn set(&mut self, settings: FaultSettings) {
        self.rng = settings.seed.max(1);
        self.settings = settings;
    }

    fn next_f64(&mut self) -> f64 {
        // xorshift64*: enough randomness for fault rates, reproducible from the seed.
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault (if any) and the latency for a call to `path`.
    pub fn pick(&mut self, path: &str) -> (Option<Fault>, u64) {
        let latency = self.settings.latency_ms;
        if let Some(pos) = self
            .queue
            .iter()
            .position(|q| q.path.as_deref().is_none_or(|p| path.contains(p)))
        {
            return (self.queue.remove(pos).map(|q| q.fault), latency);
        }
        let s = self.settings.clone();
        if s.rate500 + s.rate503 + s.rate429 + s.drop <= 0.0 {
            return (None, latency);
        }
        let r = self.next_f64();
        let mut edge = s.rate500;
        let fault = if r < edge {
            Some(Fault::Error500)
        } else if r < {
            edge += s.rate503;
            edge
        } {
            Some(Fault::Error503)
        } else if r < {
            edge += s.rate429;
            edge
        } {
            Some(Fault::Extra429)
        } else if r < {
            edge += s.drop;
            edge
        } {
            Some(Fault::DropAfterCommit)
        } else {
            None
        };
        (fault, latency)
    }
}

/// Xero's 500.
pub fn error_500() -> Response {
    let body = serde_json::json!({ "Title": "An error occurred", "Detail": "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.", "Status": 500 });
    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
}

/// Xero's 503 (not JSON).
pub fn error_503() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, [("content-type", "text/html; charset=utf-8")], "<html><body>The Xero API is temporarily unavailable (organisation offline or maintenance).</body></html>").into_response()
}

/// An injected 429 on the minute limit.
pub fn extra_429() -> Response {
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded").into_response();
    resp.headers_mut()
        .insert("retry-after", HeaderValue::from_static("1"));
    resp.headers_mut()
        .insert("x-rate-limit-problem", HeaderValue::from_static("minute"));
    resp
}
