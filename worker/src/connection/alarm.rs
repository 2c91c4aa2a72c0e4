//! The Connection object's alarm (rules C4, B1, X2): the thin driver of [`crate::schedule`]. Each alarm asks
//! [`schedule::plan`] what to do, does it (a keepalive refresh; a bounded chunk of pages through the object's own
//! relay, so the limiter and the refresh single-flight apply exactly as for the page's calls), writes what it read
//! to D1 *before* it stores the moved cursor, and re-arms at [`schedule::next_wake`].
//!
//! The object cannot derive its organisation from its id, so it remembers the name the Worker sends with every
//! call (`ORG_KEY`); an object never called since alarms existed is armed by the Cron Trigger's safety net.

use serde_json::{json, Value};
use worker::Response;
use xerosync_core::proxy_contract::ConnectionStatus;

use super::record::{Phase, Stored};
use super::{internal, now, Connection, RelayInput};
use crate::config::Config;
use crate::db;
use crate::error::ProxyError;
use crate::schedule::{self, Knobs, Link, Org, Progress, SyncState, PAGE_SIZE};
use crate::sync;
use crate::time;

const ORG_KEY: &str = "org";
const SYNC_KEY: &str = "sync";

fn link(stored: Option<&Stored>) -> Link {
    match stored {
        None => Link::NotConnected,
        Some(s) => match s.phase {
            Phase::ReconnectRequired => Link::ReconnectRequired,
            Phase::Connected | Phase::PickRequired => Link::Held {
                tenant_chosen: s.phase == Phase::Connected && s.tenant.is_some(),
                last_refresh_ms: s.refreshed_at,
            },
        },
    }
}

fn status(stored: Option<&Stored>) -> &'static str {
    stored
        .map_or(ConnectionStatus::NotConnected, |s| s.view().status)
        .as_str()
}

impl Connection {
    /// Remembers the organisation's name for the alarm (once per object lifetime, a storage read at most).
    pub(super) async fn remember_org(&self, org: &str) -> Result<(), ProxyError> {
        if self.org_saved.get() || org.is_empty() {
            return Ok(());
        }
        let storage = self.state.storage();
        let known: Option<String> = storage.get(ORG_KEY).await.map_err(internal)?;
        if known.as_deref() != Some(org) {
            storage.put(ORG_KEY, org).await.map_err(internal)?;
        }
        self.org_saved.set(true);
        Ok(())
    }

    async fn sync_state(&self) -> Result<SyncState, ProxyError> {
        let raw: Option<String> = self.state.storage().get(SYNC_KEY).await.map_err(internal)?;
        Ok(raw
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default())
    }

    async fn save_sync(&self, s: &SyncState) -> Result<(), ProxyError> {
        let raw = serde_json::to_string(s).map_err(|e| ProxyError::Internal(e.to_string()))?;
        self.state
            .storage()
            .put(SYNC_KEY, raw)
            .await
            .map_err(internal)
    }

    async fn set_wake(&self, wake: Option<u64>) -> Result<(), ProxyError> {
        let storage = self.state.storage();
        match wake {
            Some(at) => storage
                .set_alarm(at.saturating_sub(now()) as i64)
                .await
                .map_err(internal),
            None => storage.delete_alarm().await.map_err(internal),
        }
    }

    /// Re-plans after the connection or `enabled` changed: arms the alarm where the schedule says (or clears it).
    /// `reset` forgets the poll's progress (a new consent or tenant reads everything again).
    pub(super) async fn rearm(
        &self,
        cfg: &Config,
        org: &str,
        reset: bool,
    ) -> Result<Option<u64>, ProxyError> {
        let k = Knobs::from(cfg);
        let mut sync = if reset {
            SyncState::default()
        } else {
            self.sync_state().await?
        };
        let stored = self.load(cfg, org).await.ok().flatten();
        if !matches!(link(stored.as_ref()), Link::NotConnected) {
            sync.schedule_first(now(), schedule::spread_ms(org, &k));
        }
        let enabled = self.is_enabled().await?;
        let wake = schedule::next_wake(
            &Org {
                link: link(stored.as_ref()),
                enabled,
                sync: &sync,
            },
            &k,
            now(),
        );
        self.save_sync(&sync).await?;
        self.set_wake(wake).await?;
        let d1 = db::database(&self.env)?;
        db::sync_state_upsert(
            &d1,
            org,
            sync.last_poll_ms,
            sync.last_full_ms,
            wake.unwrap_or(0),
        )?
        .run()
        .await
        .map_err(|e| ProxyError::Internal(format!("D1: {e}")))?;
        Ok(wake)
    }

    /// The safety net's call: arms the alarm if none is set, and corrects the D1 mirror either way.
    pub(super) async fn ensure_alarm(&self, cfg: &Config, org: &str) -> Result<Value, ProxyError> {
        let stored = self.load(cfg, org).await.ok().flatten();
        let armed = self.state.storage().get_alarm().await.map_err(internal)?;
        let d1 = db::database(&self.env)?;
        let tenant = stored
            .as_ref()
            .and_then(|s| s.tenant.as_ref())
            .map(|t| t.tenant_id.clone());
        let at = time::iso(now());
        let index =
            db::connection_index_upsert(&d1, org, status(stored.as_ref()), tenant.as_deref(), &at)?;
        let wake = match armed {
            Some(t) => {
                let sync = self.sync_state().await?;
                let mirror = db::sync_state_upsert(
                    &d1,
                    org,
                    sync.last_poll_ms,
                    sync.last_full_ms,
                    t.max(0) as u64,
                )?;
                db::run_batch(&d1, vec![index, mirror]).await?;
                Some(t.max(0) as u64)
            }
            None => {
                db::run_batch(&d1, vec![index]).await?;
                self.rearm(cfg, org, false).await?
            }
        };
        Ok(json!({ "status": status(stored.as_ref()), "nextAlarmAt": wake.map(time::iso) }))
    }

    /// The alarm handler. A failure it cannot record (storage, configuration) is returned, so the platform
    /// retries the alarm; the safety net re-arms it should those retries run out.
    pub(super) async fn on_alarm(&self) -> worker::Result<Response> {
        let org: Option<String> = self.state.storage().get(ORG_KEY).await?;
        let Some(org) = org else {
            // Never armed without a name; nothing to do.
            return Response::ok("");
        };
        let result = match Config::from_env(&self.env) {
            Ok(cfg) => self.run_alarm(&cfg, &org).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => Response::ok(""),
            Err(e) => {
                worker::console_error!("alarm: organisation {org}: {}", e.code());
                Err(worker::Error::RustError(e.code().into()))
            }
        }
    }

    async fn run_alarm(&self, cfg: &Config, org: &str) -> Result<(), ProxyError> {
        let k = Knobs::from(cfg);
        let before = self.sync_state().await?;
        let mut sync = before.clone();
        let stored = self.load(cfg, org).await?;
        let status_before = status(stored.as_ref());
        let step = schedule::plan(
            &Org {
                link: link(stored.as_ref()),
                enabled: self.is_enabled().await?,
                sync: &sync,
            },
            &k,
            now(),
        );
        let d1 = db::database(&self.env)?;
        let mut stmts = Vec::new();
        let mut go_on = true;
        if let (true, Some(s)) = (step.refresh, stored.as_ref()) {
            match self.refresh(cfg, org, &s.access_token).await {
                // invalid_grant is recorded in the stored phase: the alarm then stops (no alarm is needed).
                Ok(_) | Err(ProxyError::ReconnectRequired(_)) => {}
                Err(e) => {
                    sync.failed(now(), None, e.code(), &k);
                    go_on = false;
                }
            }
        }
        if let (true, Some(mut cursor)) = (go_on, step.read) {
            for _ in 0..step.max_pages {
                let input = RelayInput {
                    method: "GET".into(),
                    path: cursor.resource.path().into(),
                    query: Some(format!("page={}&pageSize={PAGE_SIZE}", cursor.page)),
                    idempotency_key: None,
                    if_modified_since: cursor.since_ms.map(time::xero_since),
                    body: crate::xero::Body::none(),
                };
                let at = time::iso(now());
                match self.relay(cfg, org, input).await {
                    Ok(answer) => {
                        let records =
                            sync::records_of(cursor.resource, answer.status, &answer.body.text());
                        stmts.extend(sync::page_statements(
                            &d1,
                            org,
                            &cursor,
                            answer.status,
                            &records,
                            &at,
                        )?);
                        if answer.status == 200 || answer.status == 304 {
                            match sync.page_read(&cursor, records.len(), &k) {
                                Progress::Next(next) => cursor = next,
                                Progress::WindowDone => break,
                            }
                        } else {
                            let retry_after = answer
                                .header("retry-after")
                                .and_then(|v| v.trim().parse().ok());
                            sync.failed(now(), retry_after, "upstream_unavailable", &k);
                            break;
                        }
                    }
                    Err(e) => {
                        // Held back before any call (limiter, parked, disabled meanwhile) or no answer at all.
                        let retry_after = match &e {
                            ProxyError::RateLimited { retry_after, .. } => Some(*retry_after),
                            _ => None,
                        };
                        stmts.extend(sync::page_statements(&d1, org, &cursor, 0, &[], &at)?);
                        sync.failed(now(), retry_after, e.code(), &k);
                        break;
                    }
                }
            }
        }
        let stored = self.load(cfg, org).await?;
        let enabled = self.is_enabled().await?;
        let wake_of = |s: &SyncState| {
            schedule::next_wake(
                &Org {
                    link: link(stored.as_ref()),
                    enabled,
                    sync: s,
                },
                &k,
                now(),
            )
        };
        let mut wake = wake_of(&sync);
        stmts.push(db::sync_state_upsert(
            &d1,
            org,
            sync.last_poll_ms,
            sync.last_full_ms,
            wake.unwrap_or(0),
        )?);
        let status_after = status(stored.as_ref());
        if status_after != status_before {
            let tenant = stored
                .as_ref()
                .and_then(|s| s.tenant.as_ref())
                .map(|t| t.tenant_id.clone());
            let at = time::iso(now());
            stmts.push(db::connection_index_upsert(
                &d1,
                org,
                status_after,
                tenant.as_deref(),
                &at,
            )?);
        }
        if let Err(e) = db::run_batch(&d1, stmts).await {
            // What was read is not recorded: the window stays where it was and is read again after a back-off.
            sync = before;
            sync.failed(now(), None, e.code(), &k);
            wake = wake_of(&sync);
        }
        self.save_sync(&sync).await?;
        self.set_wake(wake).await
    }
}
