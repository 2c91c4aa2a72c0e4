//! Webhooks: events from invoice, contact and credit-note changes are batched and POSTed to the subscriber, signed
//! with `x-xero-signature` = base64(HMAC-SHA256(key, raw body)). A subscription set through the control API first
//! passes Xero's "intent to receive" (a correctly signed POST must get 200, a wrongly signed one 401). Failed
//! deliveries are retried with backoff; after `MAX_ATTEMPTS` tries, or a (simulated) day of failures, the
//! subscription is disabled, as Xero does.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration as StdDuration, Instant};

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::config::WebhookSettings;
use crate::state::Sim;

/// Attempts per batch before the subscription is disabled.
pub const MAX_ATTEMPTS: u32 = 6;

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The organisation.
    pub tenant_id: Uuid,
    /// `INVOICE`, `CONTACT`, `CREDITNOTE`.
    pub category: &'static str,
    /// `CREATE` or `UPDATE`.
    pub event_type: &'static str,
    /// The record's id.
    pub resource_id: Uuid,
    /// When it happened (simulated clock).
    pub at: DateTime<Utc>,
}

/// One delivery attempt, for `/_sim/webhooks`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// First sequence number of the batch.
    pub first_event_sequence: u64,
    /// Number of events.
    pub events: usize,
    /// 1 for the first try.
    pub attempt: u32,
    /// HTTP status, or none when the connection failed.
    pub status: Option<u16>,
}

struct Batch {
    body: String,
    first: u64,
    events: usize,
    attempts: u32,
    next_at: Instant,
    first_failure: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct HubState {
    settings: Option<WebhookSettings>,
    disabled: bool,
    pending: Vec<Event>,
    outbox: VecDeque<Batch>,
    seq: u64,
    attempts: Vec<Attempt>,
    delivered_events: u64,
}

/// The subscription and its deliveries.
pub struct WebhookHub {
    state: Mutex<HubState>,
    wake: Notify,
    stopped: AtomicBool,
}

/// Computes `x-xero-signature` for a body.
pub fn sign(key: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn entropy() -> String {
    Uuid::new_v4()
        .simple()
        .to_string()
        .to_uppercase()
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(20)
        .collect()
}

impl WebhookHub {
    /// A hub with an optional subscription.
    pub fn new(settings: Option<WebhookSettings>) -> Self {
        let state = HubState {
            settings: settings.filter(|s| !s.url.is_empty()),
            ..HubState::default()
        };
        Self {
            state: Mutex::new(state),
            wake: Notify::new(),
            stopped: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues events (dropped when nobody subscribes).
    pub fn enqueue(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut s = self.lock();
        if s.settings.is_none() || s.disabled {
            return;
        }
        s.pending.extend(events);
        drop(s);
        self.wake.notify_one();
    }

    /// Sets (or clears) the subscription; re-enables a disabled one.
    pub fn subscribe(&self, settings: Option<WebhookSettings>) {
        let mut s = self.lock();
        s.settings = settings;
        s.disabled = false;
        s.pending.clear();
        s.outbox.clear();
    }

    /// Back to the start-up subscription, nothing queued.
    pub fn reset(&self, settings: Option<WebhookSettings>) {
        let mut s = self.lock();
        *s = HubState {
            settings,
            ..HubState::default()
        };
    }

    /// Stops the dispatcher.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// The state for `/_sim/webhooks`.
    pub fn status(&self) -> Value {
        let s = self.lock();
        json!({
            "url": s.settings.as_ref().map(|w| w.url.clone()),
            "enabled": s.settings.is_some() && !s.disabled,
            "disabled": s.disabled,
            "queuedEvents": s.pending.len(),
            "queuedBatches": s.outbox.len(),
            "deliveredEvents": s.delivered_events,
            "lastSequence": s.seq,
            "attempts": s.attempts,
        })
    }

    /// Moves pending events into a signed batch.
    fn batch_pending(&self, base_url: &str) {
        let mut s = self.lock();
        if s.pending.is_empty() {
            return;
        }
        let events: Vec<Event> = s.pending.drain(..).collect();
        let first = s.seq + 1;
        s.seq += events.len() as u64;
        let list: Vec<Value> = events
            .iter()
            .map(|e| {
                let collection = match e.category {
                    "INVOICE" => "Invoices",
                    "CONTACT" => "Contacts",
                    _ => "CreditNotes",
                };
                json!({
                    "resourceUrl": format!("{base_url}/api.xro/2.0/{collection}/{}", e.resource_id),
                    "resourceId": e.resource_id,
                    "eventDateUtc": e.at.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
                    "eventType": e.event_type,
                    "eventCategory": e.category,
                    "tenantId": e.tenant_id,
                    "tenantType": "ORGANISATION",
                })
            })
            .collect();
        let body = json!({ "events": list, "firstEventSequence": first, "lastEventSequence": s.seq, "entropy": entropy() });
        let count = events.len();
        s.outbox.push_back(Batch {
            body: body.to_string(),
            first,
            events: count,
            attempts: 0,
            next_at: Instant::now(),
            first_failure: None,
        });
    }
}

/// POSTs a body with a signature computed from `key`.
async fn post(client: &reqwest::Client, url: &str, key: &str, body: &str) -> Option<u16> {
    client
        .post(url)
        .header("content-type", "application/json")
        .header("x-xero-signature", sign(key, body.as_bytes()))
        .body(body.to_owned())
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(StdDuration::from_secs(5))
        .build()
        .unwrap_or_default()
}

/// Xero's "intent to receive": a correctly signed POST must answer 200, a wrongly signed one 401.
pub async fn intent_to_receive(settings: &WebhookSettings) -> Result<(), String> {
    let client = http_client();
    let body = json!({ "events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": entropy() }).to_string();
    match post(&client, &settings.url, &settings.key, &body).await {
        Some(200) => {}
        other => {
            return Err(format!(
                "a correctly signed payload got {other:?}, expected 200"
            ))
        }
    }
    let wrong_key = format!("{}-wrong", settings.key);
    match post(&client, &settings.url, &wrong_key, &body).await {
        Some(401) => Ok(()),
        other => Err(format!(
            "a wrongly signed payload got {other:?}, expected 401"
        )),
    }
}

/// Starts the background task that batches and delivers events.
pub fn spawn_dispatcher(sim: Arc<Sim>) {
    tokio::spawn(async move {
        let client = http_client();
        loop {
            let hub = &sim.webhooks;
            if hub.stopped.load(Ordering::SeqCst) {
                break;
            }
            let _ = tokio::time::timeout(StdDuration::from_millis(50), hub.wake.notified()).await;
            // Give a burst of writes a moment to land in one batch.
            tokio::time::sleep(StdDuration::from_millis(10)).await;
            hub.batch_pending(&sim.base_url);
            deliver_due(&sim, &client).await;
        }
    });
}

async fn deliver_due(sim: &Sim, client: &reqwest::Client) {
    let hub = &sim.webhooks;
    loop {
        let job = {
            let s = hub.lock();
            match (&s.settings, s.outbox.front()) {
                (Some(w), Some(b)) if !s.disabled && b.next_at <= Instant::now() => {
                    Some((w.clone(), b.body.clone(), b.first, b.events))
                }
                _ => None,
            }
        };
        let Some((settings, body, first, events)) = job else {
            return;
        };
        let status = post(client, &settings.url, &settings.key, &body).await;
        let now = sim.clock.now();
        let mut s = hub.lock();
        let Some(batch) = s.outbox.front_mut() else {
            return;
        };
        batch.attempts += 1;
        let attempt = batch.attempts;
        let ok = status.is_some_and(|c| (200..300).contains(&c));
        if ok {
            s.outbox.pop_front();
            s.delivered_events += events as u64;
        } else {
            let since = *batch.first_failure.get_or_insert(now);
            batch.next_at =
                Instant::now() + StdDuration::from_millis(100 * 2u64.pow(attempt.min(6)));
            if attempt >= MAX_ATTEMPTS || now - since >= Duration::days(1) {
                s.disabled = true;
                s.outbox.clear();
                s.pending.clear();
            }
        }
        s.attempts.push(Attempt {
            first_event_sequence: first,
            events,
            attempt,
            status,
        });
        if s.attempts.len() > 1000 {
            s.attempts.drain(..500);
        }
        if !ok {
            return;
        }
    }
}
