//! The simulator's clock: real time plus an offset that the control API moves, so tests of 30-minute token expiry,
//! the rolling rate-limit windows and 60 idle days run instantly.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// Real time shifted by a controllable offset (kept in nanoseconds, so setting the clock is exact).
#[derive(Debug, Default)]
pub struct SimClock {
    offset_ns: AtomicI64,
}

fn nanos(d: Duration) -> i64 {
    d.num_nanoseconds()
        .unwrap_or_else(|| d.num_milliseconds().saturating_mul(1_000_000))
}

impl SimClock {
    /// The simulated now.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::nanoseconds(self.offset_ns.load(Ordering::SeqCst))
    }

    /// Moves the clock forward (or back, with a negative amount).
    pub fn advance(&self, by: Duration) {
        self.offset_ns.fetch_add(nanos(by), Ordering::SeqCst);
    }

    /// Sets the simulated now to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        self.offset_ns
            .store(nanos(at - Utc::now()), Ordering::SeqCst);
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.offset_ns.store(0, Ordering::SeqCst);
    }

    /// The current offset from real time, in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ns.load(Ordering::SeqCst) / 1_000_000
    }
}
