//! Per-organisation limits (rule X2): 5 calls in flight, 60 per rolling minute, the day's budget Xero reports in
//! `X-DayLimit-Remaining`, and parking after a day-limit 429. Pure: times are milliseconds passed in; the
//! connection's Durable Object owns one `Limiter` and queues callers while all 5 slots are taken.

use std::collections::VecDeque;

/// Xero's per-organisation ceilings.
pub const MAX_IN_FLIGHT: usize = 5;
/// Calls per rolling minute.
pub const PER_MINUTE: usize = 60;
/// How long to park when the day's budget reads 0 without a `Retry-After` to go by.
pub const DAY_EXHAUSTED_PARK_SECS: u64 = 3600;

/// What a caller may do now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Go: a slot and a minute credit are taken; call [`Limiter::release`] when the answer is in.
    Go,
    /// All in-flight slots are taken: wait for a release, then ask again.
    Wait,
    /// Refuse with 429 and this `Retry-After` (seconds); `problem` is `minute` or `day`.
    Refuse {
        retry_after: u64,
        problem: &'static str,
    },
}

/// The limiter state of one organisation.
#[derive(Debug, Default, Clone)]
pub struct Limiter {
    in_flight: usize,
    minute: VecDeque<u64>,
    day_remaining: Option<i64>,
    parked_until: Option<(u64, &'static str)>,
}

/// The rate-limit facts of one Xero answer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Observed {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After`, seconds.
    pub retry_after: Option<u64>,
    /// `X-Rate-Limit-Problem`.
    pub problem: Option<String>,
    /// `X-DayLimit-Remaining`.
    pub day_remaining: Option<i64>,
}

impl Limiter {
    /// Asks for a slot at `now` (ms).
    pub fn admit(&mut self, now: u64) -> Admission {
        if let Some((until, problem)) = self.parked_until {
            if now < until {
                return Admission::Refuse {
                    retry_after: secs_until(now, until),
                    problem,
                };
            }
            self.parked_until = None;
        }
        if self.day_remaining.is_some_and(|d| d <= 0) {
            // The budget is spent: park and probe again later.
            self.day_remaining = None;
            self.parked_until = Some((now + DAY_EXHAUSTED_PARK_SECS * 1000, "day"));
            return Admission::Refuse {
                retry_after: DAY_EXHAUSTED_PARK_SECS,
                problem: "day",
            };
        }
        while self.minute.front().is_some_and(|&t| t + 60_000 <= now) {
            self.minute.pop_front();
        }
        if self.minute.len() >= PER_MINUTE {
            let oldest = self.minute.front().copied().unwrap_or(now);
            return Admission::Refuse {
                retry_after: secs_until(now, oldest + 60_000),
                problem: "minute",
            };
        }
        if self.in_flight >= MAX_IN_FLIGHT {
            return Admission::Wait;
        }
        self.in_flight += 1;
        self.minute.push_back(now);
        if let Some(d) = self.day_remaining.as_mut() {
            *d -= 1;
        }
        Admission::Go
    }

    /// Gives back a slot.
    pub fn release(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Learns from an answer's status and headers.
    pub fn observe(&mut self, seen: &Observed, now: u64) {
        // During a day park, an answer to a call admitted before it still says "0 left": kept, that stale count
        // would park the organisation a second time when the park ends, before any call could tell the new day's.
        let day_parked = matches!(self.parked_until, Some((until, "day")) if until > now);
        if let Some(d) = seen.day_remaining.filter(|_| !day_parked) {
            self.day_remaining = Some(d);
        }
        if seen.status == 429 {
            let problem = match seen
                .problem
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("day") => "day",
                _ => "minute",
            };
            let secs = seen.retry_after.unwrap_or(if problem == "day" {
                DAY_EXHAUSTED_PARK_SECS
            } else {
                60
            });
            // A day-limit 429 parks the organisation; a minute one holds it just as long as Xero asks. After the
            // park the day's budget is unknown again (Xero reports it on the next answer).
            self.parked_until = Some((now + secs * 1000, problem));
            if problem == "day" {
                self.day_remaining = None;
            }
        }
    }

    /// Calls in flight now.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Whether the organisation is parked at `now`, and until when (ms).
    pub fn parked(&self, now: u64) -> Option<(u64, &'static str)> {
        self.parked_until.filter(|(until, _)| *until > now)
    }
}

fn secs_until(now: u64, until: u64) -> u64 {
    until.saturating_sub(now).div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_x2_five_in_flight_then_wait() {
        let mut l = Limiter::default();
        for _ in 0..5 {
            assert_eq!(l.admit(0), Admission::Go);
        }
        assert_eq!(l.admit(0), Admission::Wait);
        l.release();
        assert_eq!(l.admit(1), Admission::Go);
        assert_eq!(l.in_flight(), 5);
    }

    #[test]
    fn rule_x2_sixty_a_minute_with_retry_after() {
        let mut l = Limiter::default();
        for i in 0..60 {
            assert_eq!(l.admit(i * 100), Admission::Go);
            l.release();
        }
        assert_eq!(
            l.admit(10_000),
            Admission::Refuse {
                retry_after: 50,
                problem: "minute"
            }
        );
        // The first call leaves the window at 60 s.
        assert_eq!(l.admit(60_000), Admission::Go);
    }

    #[test]
    fn rule_x2_day_limit_429_parks_the_organisation() {
        let mut l = Limiter::default();
        let seen = Observed {
            status: 429,
            retry_after: Some(3600),
            problem: Some("Day".into()),
            day_remaining: Some(0),
        };
        l.observe(&seen, 1_000);
        assert_eq!(
            l.admit(2_000),
            Admission::Refuse {
                retry_after: 3599,
                problem: "day"
            }
        );
        assert!(l.parked(2_000).is_some());
        assert_eq!(l.admit(3_601_000), Admission::Go);
    }

    #[test]
    fn rule_x2_answers_in_flight_during_a_day_park_do_not_park_it_again() {
        let mut l = Limiter::default();
        assert_eq!(l.admit(0), Admission::Go);
        assert_eq!(l.admit(0), Admission::Go);
        let spent = Observed {
            status: 200,
            day_remaining: Some(0),
            ..Observed::default()
        };
        l.observe(&spent, 10);
        l.release();
        // The budget is spent: the next caller parks the organisation.
        assert!(matches!(
            l.admit(20),
            Admission::Refuse { problem: "day", .. }
        ));
        // The other call's answer arrives during the park, with the same stale count.
        l.observe(&spent, 30);
        l.release();
        let after = 20 + DAY_EXHAUSTED_PARK_SECS * 1000;
        assert_eq!(
            l.admit(after),
            Admission::Go,
            "the park is over: the next call goes"
        );
    }

    #[test]
    fn rule_x2_day_budget_from_headers() {
        let mut l = Limiter::default();
        l.observe(
            &Observed {
                status: 200,
                day_remaining: Some(1),
                ..Default::default()
            },
            0,
        );
        assert_eq!(l.admit(1), Admission::Go);
        l.release();
        assert_eq!(
            l.admit(2),
            Admission::Refuse {
                retry_after: DAY_EXHAUSTED_PARK_SECS,
                problem: "day"
            }
        );
    }

    #[test]
    fn rule_x2_minute_429_honours_retry_after() {
        let mut l = Limiter::default();
        l.observe(
            &Observed {
                status: 429,
                retry_after: Some(3),
                problem: Some("minute".into()),
                day_remaining: None,
            },
            0,
        );
        assert_eq!(
            l.admit(1_000),
            Admission::Refuse {
                retry_after: 2,
                problem: "minute"
            }
        );
        assert_eq!(l.admit(3_000), Admission::Go);
    }
}
