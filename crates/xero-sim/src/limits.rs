//! Xero's rate limits per organisation and app: 5 calls in flight, 60 per rolling minute, 5,000 per rolling day
//! (1,000 on the Starter tier), 10,000 per minute for the whole app. Windows run on the simulated clock, so moving
//! the clock empties them.

use std::collections::{HashMap, VecDeque};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::Tier;

/// The limits (the control API can change them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LimitSettings {
    /// Enforce limits at all.
    pub enabled: bool,
    /// Calls in flight per organisation.
    pub concurrent: usize,
    /// Calls per rolling minute per organisation.
    pub per_minute: usize,
    /// Calls per rolling day per organisation (Standard tier).
    pub per_day: usize,
    /// Calls per rolling day on the Starter tier.
    pub starter_per_day: usize,
    /// Calls per minute for the whole app.
    pub app_per_minute: usize,
    /// Invoices an organisation may email per day (`POST /Invoices/{id}/Email`, simulated UTC day).
    pub emails_per_day: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            concurrent: 5,
            per_minute: 60,
            per_day: 5000,
            starter_per_day: 1000,
            app_per_minute: 10_000,
            emails_per_day: 1000,
        }
    }
}

#[derive(Debug, Default)]
struct Window {
    in_flight: usize,
    minute: VecDeque<DateTime<Utc>>,
    day: VecDeque<DateTime<Utc>>,
}

/// The rolling windows.
#[derive(Debug)]
pub struct Limiter {
    /// Current settings.
    pub settings: LimitSettings,
    tenants: HashMap<(String, Uuid), Window>,
    apps: HashMap<String, VecDeque<DateTime<Utc>>>,
}

/// What is left after a call is let through.
#[derive(Debug, Clone, Copy)]
pub struct Remaining {
    minute: usize,
    day: usize,
    app_minute: usize,
}

impl Remaining {
    /// Adds `X-MinLimit-Remaining`, `X-DayLimit-Remaining`, `X-AppMinLimit-Remaining`.
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.insert("x-minlimit-remaining", HeaderValue::from(self.minute));
        headers.insert("x-daylimit-remaining", HeaderValue::from(self.day));
        headers.insert(
            "x-appminlimit-remaining",
            HeaderValue::from(self.app_minute),
        );
    }
}

/// Why a call was refused.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// `minute`, `day`, `appminute` or `concurrent`.
    pub problem: &'static str,
    /// Seconds until a retry can succeed.
    pub retry_after: i64,
    /// The remaining counts.
    pub remaining: Remaining,
}

impl Refusal {
    /// Xero's 429.
    pub fn response(&self) -> Response {
        let mut resp = (
            StatusCode::TOO_MANY_REQUESTS,
            [("content-type", "text/plain; charset=utf-8")],
            "Rate limit exceeded",
        )
            .into_response();
        let h = resp.headers_mut();
        h.insert("retry-after", HeaderValue::from(self.retry_after.max(1)));
        h.insert(
            "x-rate-limit-problem",
            HeaderValue::from_static(self.problem),
        );
        self.remaining.apply(h);
        resp
    }
}

/// Let through (with what remains) or refused.
#[derive(Debug)]
pub enum Verdict {
    /// The call may proceed; release it when done.
    Allowed(Remaining),
    /// 429.
    Refused(Refusal),
}

fn prune(q: &mut VecDeque<DateTime<Utc>>, cutoff: DateTime<Utc>) {
    while q.front().is_some_and(|t| *t <= cutoff) {
        q.pop_front();
    }
}

fn retry_after(q: &VecDeque<DateTime<Utc>>, span: Duration, now: DateTime<Utc>) -> i64 {
    q.front().map_or(1, |oldest| {
        let ms = (*oldest + span - now).num_milliseconds();
        (ms + 999) / 1000
    })
}

impl Limiter {
    /// Empty windows.
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            tenants: HashMap::new(),
            apps: HashMap::new(),
        }
    }

    /// Counts a call in, or refuses it.
    pub fn acquire(
        &mut self,
        client: &str,
        tenant: Uuid,
        tier: Option<Tier>,
        now: DateTime<Utc>,
    ) -> Verdict {
        let s = self.settings.clone();
        let day_limit = if tier == Some(Tier::Starter) {
            s.starter_per_day
        } else {
            s.per_day
        };
        let app = self.apps.entry(client.to_owned()).or_default();
        prune(app, now - Duration::minutes(1));
        let w = self.tenants.entry((client.to_owned(), tenant)).or_default();
        prune(&mut w.minute, now - Duration::minutes(1));
        prune(&mut w.day, now - Duration::days(1));
        let remaining = |w: &Window, app: &VecDeque<_>| Remaining {
            minute: s.per_minute.saturating_sub(w.minute.len()),
            day: day_limit.saturating_sub(w.day.len()),
            app_minute: s.app_per_minute.saturating_sub(app.len()),
        };
        if s.enabled {
            let refuse = |problem, retry_after, w: &Window, app: &VecDeque<_>| {
                Verdict::Refused(Refusal {
                    problem,
                    retry_after,
                    remaining: remaining(w, app),
                })
            };
            if w.day.len() >= day_limit {
                return refuse("day", retry_after(&w.day, Duration::days(1), now), w, app);
            }
            if w.minute.len() >= s.per_minute {
                return refuse(
                    "minute",
                    retry_after(&w.minute, Duration::minutes(1), now),
                    w,
                    app,
                );
            }
            if app.len() >= s.app_per_minute {
                return refuse(
                    "appminute",
                    retry_after(app, Duration::minutes(1), now),
                    w,
                    app,
                );
            }
            if w.in_flight >= s.concurrent {
                return refuse("concurrent", 1, w, app);
            }
        }
        w.in_flight += 1;
        w.minute.push_back(now);
        w.day.push_back(now);
        app.push_back(now);
        Verdict::Allowed(remaining(w, app))
    }

    /// A call let through by [`acquire`](Self::acquire) has finished.
    pub fn release(&mut self, client: &str, tenant: Uuid) {
        if let Some(w) = self.tenants.get_mut(&(client.to_owned(), tenant)) {
            w.in_flight = w.in_flight.saturating_sub(1);
        }
    }

    /// Forgets all windows (keeps the settings).
    pub fn clear(&mut self) {
        self.tenants.clear();
        self.apps.clear();
    }
}
