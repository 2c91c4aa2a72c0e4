//! `Idempotency-Key`: a replay within 6 minutes (simulated clock) returns the first answer unchanged.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// How long a key is remembered.
pub const WINDOW: Duration = Duration::minutes(6);

/// A stored answer.
#[derive(Debug, Clone)]
pub struct Stored {
    /// `METHOD collection` of the first request (a key reused elsewhere is refused).
    pub fingerprint: String,
    /// Status code.
    pub status: u16,
    /// JSON body.
    pub body: String,
}

impl Stored {
    /// The answer; a replay is marked with `x-sim-idempotent-replay: true` (a simulator-only header for tests).
    pub fn to_response(&self, replay: bool) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut resp = (
            status,
            [("content-type", "application/json; charset=utf-8")],
            self.body.clone(),
        )
            .into_response();
        if replay {
            resp.headers_mut()
                .insert("x-sim-idempotent-replay", HeaderValue::from_static("true"));
        }
        resp
    }
}

/// Keys per (app, organisation).
#[derive(Debug, Default)]
pub struct IdempotencyStore {
    entries: HashMap<(String, Uuid, String), (DateTime<Utc>, Stored)>,
}

impl IdempotencyStore {
    /// The stored answer for a key still inside the window.
    pub fn replay(
        &mut self,
        client: &str,
        tenant: Uuid,
        key: &str,
        now: DateTime<Utc>,
    ) -> Option<Stored> {
        let k = (client.to_owned(), tenant, key.to_owned());
        match self.entries.get(&k) {
            Some((at, stored)) if now - *at <= WINDOW => Some(stored.clone()),
            Some(_) => {
                self.entries.remove(&k);
                None
            }
            None => None,
        }
    }

    /// Remembers an answer.
    pub fn remember(
        &mut self,
        client: &str,
        tenant: Uuid,
        key: String,
        stored: Stored,
        now: DateTime<Utc>,
    ) {
        if self.entries.len() > 50_000 {
            self.entries.retain(|_, (at, _)| now - *at <= WINDOW);
        }
        self.entries
            .insert((client.to_owned(), tenant, key), (now, stored));
    }
}
