//! One Durable Object per CRM organisation holds its Xero connection (rules C3, C4, C7, X2): the sealed token
//! pair, the chosen tenant, the one-use OAuth states, and the organisation's limiter. Durable Objects run one
//! request's code at a time but interleave at `await`s, so the refresh is single-flight by hand: the first caller
//! refreshes, later ones wait on a oneshot for its result; the rotated pair is in storage before anyone uses it.

mod alarm;
pub mod client;
pub mod record;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use xerosync_core::proxy_contract::ConnectionStatus;

use futures_channel::oneshot;
use serde_json::{json, Value};
use worker::{durable_object, DurableObject, Env, Request, Response, State};

use crate::config::Config;
use crate::crypto;
use crate::db;
use crate::error::ProxyError;
use crate::limits::{Admission, Limiter, Observed};
use crate::relay_rules;
use crate::tenancy;
use crate::xero::{self, RefreshFailure, XeroAnswer};
use record::{Phase, StatusView, Stored};

const CONN_KEY: &str = "conn";
const ENABLED_KEY: &str = "enabled";
/// Callers queued for an in-flight slot beyond this get a 429 at once.
const MAX_QUEUED: usize = 500;

fn now() -> u64 {
    worker::Date::now().as_millis()
}

/// The Durable Object class (`CONNECTION` binding).
#[durable_object]
pub struct Connection {
    state: State,
    env: Env,
    cache: RefCell<Option<Stored>>,
    loaded: Cell<bool>,
    limiter: RefCell<Limiter>,
    slot_waiters: RefCell<VecDeque<oneshot::Sender<()>>>,
    refreshing: Cell<bool>,
    /// Rule C2, mirrored from the settings so the relay needs no D1 read; `None` until loaded.
    enabled: Cell<Option<bool>>,
    refresh_waiters: RefCell<Vec<oneshot::Sender<Result<Stored, ProxyError>>>>,
    /// Whether this object has seen its tenant's binding in D1 (rule C7) since it started.
    binding_checked: Cell<bool>,
    /// Whether the organisation's name is in storage for the alarm (see `alarm`).
    org_saved: Cell<bool>,
    /// The demo's simulated time ahead of the real clock (`POST /dev/clock`, only with `DEV_MODE` on loopback), so a
    /// bench can let a day pass for the limiter and the tokens as the simulator lets it pass for Xero. 0 otherwise.
    dev_ahead_ms: Cell<u64>,
}

/// A relayed call as the Worker hands it over (checked again here).
#[derive(Debug)]
struct RelayInput {
    method: String,
    path: String,
    query: Option<String>,
    idempotency_key: Option<String>,
    if_modified_since: Option<String>,
    /// Passed through to Xero as the runtime holds it: the object never reads it.
    body: xero::Body,
}

impl DurableObject for Connection {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            cache: RefCell::new(None),
            loaded: Cell::new(false),
            limiter: RefCell::new(Limiter::default()),
            slot_waiters: RefCell::new(VecDeque::new()),
            refreshing: Cell::new(false),
            enabled: Cell::new(None),
            refresh_waiters: RefCell::new(Vec::new()),
            binding_checked: Cell::new(false),
            org_saved: Cell::new(false),
            dev_ahead_ms: Cell::new(0),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.on_alarm().await
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let org = req.headers().get(client::ORG_HEADER)?.unwrap_or_default();
        let op = req.path();
        let cfg = Config::from_env(&self.env);
        if let Err(e) = self.remember_org(&org).await {
            return client::error_response(&e);
        }
        if op == "/relay" {
            // The hot path: bodies travel raw (no JSON-in-JSON), the call's facts in headers.
            let result = match cfg {
                Ok(cfg) => self.relay_raw(&cfg, &org, &mut req).await,
                Err(e) => Err(e),
            };
            return match result {
                Ok(answer) => client::answer_response(&answer),
                Err(e) => client::error_response(&e),
            };
        }
        let body: Value = if req.method() == worker::Method::Post {
            req.json().await.unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        let result = match cfg {
            Ok(cfg) => self.dispatch(&cfg, &org, &op, body).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(v) => Response::from_json(&json!({ "ok": v })),
            Err(e) => client::error_response(&e),
        }
    }
}

impl Connection {
    /// The time the limiter and the token checks go by: the real clock, plus the demo's simulated days.
    fn clock(&self) -> u64 {
        now().saturating_add(self.dev_ahead_ms.get())
    }

    async fn dispatch(
        &self,
        cfg: &Config,
        org: &str,
        op: &str,
        body: Value,
    ) -> Result<Value, ProxyError> {
        if org.is_empty() {
            return Err(ProxyError::Internal(
                "connection called without an organisation".into(),
            ));
        }
        let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        match op {
            "/begin" => {
                let exp = body.get("exp").and_then(Value::as_u64).unwrap_or(0);
                // Connect attempts that were never finished leave their nonce behind: drop the expired ones.
                self.prune_expired("state:").await?;
                self.state
                    .storage()
                    .put(&format!("state:{}", field("nonce")), exp)
                    .await
                    .map_err(internal)?;
                Ok(Value::Null)
            }
            "/ticket" => {
                // Connect tickets (rule C3): kept until redeemed once or expired; expired ones are dropped here.
                self.prune_expired("ticket:").await?;
                let ticket = body.get("ticket").cloned().unwrap_or(Value::Null);
                self.state
                    .storage()
                    .put(&format!("ticket:{}", field("nonce")), ticket.to_string())
                    .await
                    .map_err(internal)?;
                Ok(Value::Null)
            }
            "/redeem" => self.redeem(&field("nonce")).await,
            "/callback" => {
                self.callback(cfg, org, &field("nonce"), &field("code"), &field("sub"))
                    .await
            }
            "/status" => Ok(json!(self
                .load(cfg, org)
                .await?
                .map_or_else(StatusView::not_connected, |s| s.view()))),
            "/tenants" => {
                let s = self.load(cfg, org).await?;
                let tenants = s.as_ref().map(|s| s.tenants.clone()).unwrap_or_default();
                // Rule C7: a tenant another CRM organisation holds is neither listed nor offered.
                let bindings = self.bindings(&tenants).await?;
                Ok(json!({
                    "tenants": tenancy::available(&tenants, &bindings, org),
                    "chosen": s.and_then(|s| s.tenant).map(|t| t.tenant_id),
                }))
            }
            "/enabled" => {
                let on = body
                    .get("enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                self.state
                    .storage()
                    .put(ENABLED_KEY, on)
                    .await
                    .map_err(internal)?;
                self.enabled.set(Some(on));
                // Enabled: the alarm polls (rule B1); disabled: it only keeps the tokens alive (rule C2).
                self.rearm(cfg, org, false).await?;
                Ok(Value::Null)
            }
            "/select" => self.select(cfg, org, &field("tenantId")).await,
            "/disconnect" => self.disconnect(cfg, org).await,
            "/ensure-alarm" => self.ensure_alarm(cfg, org).await,
            "/dev-clock" if cfg.dev_sessions() => {
                // At most 400 days ahead in all: far enough for any bench (tokens idle 60 days, a year of polls),
                // never far enough to overflow a time. Kept in memory: an evicted object is back on the real clock.
                const MAX_AHEAD_MS: u64 = 400 * 86_400_000;
                let ahead = body.get("advanceMs").and_then(Value::as_u64).unwrap_or(0);
                let total = self.dev_ahead_ms.get().saturating_add(ahead);
                self.dev_ahead_ms.set(total.min(MAX_AHEAD_MS));
                Ok(json!({ "aheadMs": self.dev_ahead_ms.get() }))
            }
            _ => Err(ProxyError::NotFound),
        }
    }

    async fn load(&self, cfg: &Config, org: &str) -> Result<Option<Stored>, ProxyError> {
        if self.loaded.get() {
            return Ok(self.cache.borrow().clone());
        }
        let sealed: Option<String> = self.state.storage().get(CONN_KEY).await.map_err(internal)?;
        let keys = crypto::Keys {
            current: &cfg.encryption_key,
            previous: &cfg.previous_encryption_keys,
        };
        let mut stale = false;
        let stored: Option<Stored> = match sealed {
            Some(s) => {
                let opened = crypto::open(keys, &aad(org), &s)?;
                stale = opened.stale;
                Some(serde_json::from_slice(&opened.plaintext).map_err(|_| {
                    ProxyError::Internal("stored connection is not readable".into())
                })?)
            }
            None => None,
        };
        if let (true, Some(s)) = (stale, stored.clone()) {
            // Sealed with a previous key (or format): sealed again at once with the current one, so the old key
            // can be retired as soon as every organisation has been loaded once.
            return self.save(cfg, org, s).await.map(Some);
        }
        // Another request may have loaded (and changed) it while we awaited storage.
        if !self.loaded.get() {
            *self.cache.borrow_mut() = stored;
            self.loaded.set(true);
        }
        Ok(self.cache.borrow().clone())
    }

    /// Seals and writes, then updates the cache: nothing sees a token that is not yet durable.
    async fn save(&self, cfg: &Config, org: &str, stored: Stored) -> Result<Stored, ProxyError> {
        let plain = serde_json::to_vec(&stored).map_err(|e| ProxyError::Internal(e.to_string()))?;
        let sealed = crypto::seal(
            &cfg.encryption_key,
            &aad(org),
            crypto::random_bytes::<12>()?,
            &plain,
        )?;
        self.state
            .storage()
            .put(CONN_KEY, sealed)
            .await
            .map_err(internal)?;
        *self.cache.borrow_mut() = Some(stored.clone());
        self.loaded.set(true);
        Ok(stored)
    }

    async fn callback(
        &self,
        cfg: &Config,
        org: &str,
        nonce: &str,
        code: &str,
        sub: &str,
    ) -> Result<Value, ProxyError> {
        let key = format!("state:{nonce}");
        let storage = self.state.storage();
        let exp: Option<u64> = storage.get(&key).await.map_err(internal)?;
        // Used once: gone before the code is exchanged, whatever happens next.
        storage.delete(&key).await.map_err(internal)?;
        match exp {
            None => return Err(ProxyError::InvalidState("unknown or already used".into())),
            Some(exp) if exp <= now() / 1000 => {
                return Err(ProxyError::InvalidState("expired".into()))
            }
            Some(_) => {}
        }
        let tokens = xero::exchange_code(cfg, code).await?;
        // Rule C7: only the organisations of this consent, never the app's other connections.
        let event = tenancy::auth_event_id(&tokens.access_token)?;
        let listed = xero::connections(cfg, &tokens.access_token, &event).await?;
        let tenants = tenancy::of_consent(listed, &event);
        if tenants.is_empty() {
            return Err(ProxyError::Upstream(
                "the consent granted no organisation".into(),
            ));
        }
        let bindings = self.bindings(&tenants).await?;
        if tenancy::available(&tenants, &bindings, org).is_empty() {
            // Nothing stored: a working connection of this organisation, if any, stays as it was.
            let names: Vec<&str> = tenants.iter().map(|t| t.tenant_name.as_str()).collect();
            return Err(ProxyError::TenantBound(names.join(", ")));
        }
        let mut stored = Stored::connected(&tokens, tenants, sub, self.clock());
        if let Some(t) = stored.tenant.clone() {
            // The consent granted exactly one organisation: it is this one's only if the claim stands.
            if self.claim(org, &t.tenant_id).await.is_ok() {
                // The organisation picked before (if another) is free for others again.
                db::binding_release(&db::database(&self.env)?, org, Some(&t.tenant_id)).await?;
            } else {
                stored.tenant = None;
                stored.phase = Phase::PickRequired;
            }
        }
        let stored = self.save(cfg, org, stored).await?;
        // A new consent reads everything again, from its own alarm (rules B1, C4).
        self.rearm(cfg, org, true).await?;
        Ok(json!(stored.view()))
    }

    /// The bindings of these tenants in D1.
    async fn bindings(
        &self,
        tenants: &[xero::Tenant],
    ) -> Result<Vec<(String, String)>, ProxyError> {
        let ids: Vec<&str> = tenants.iter().map(|t| t.tenant_id.as_str()).collect();
        db::bindings_of(&db::database(&self.env)?, &ids).await
    }

    /// Claims `tenant_id` for `org` (rule C7): refused when another CRM organisation holds it.
    async fn claim(&self, org: &str, tenant_id: &str) -> Result<(), ProxyError> {
        let at = crate::time::iso(now());
        let holder = db::binding_claim(&db::database(&self.env)?, tenant_id, org, &at).await?;
        if holder == org {
            self.binding_checked.set(true);
            Ok(())
        } else {
            Err(ProxyError::TenantBound(tenant_id.to_owned()))
        }
    }

    async fn select(&self, cfg: &Config, org: &str, tenant_id: &str) -> Result<Value, ProxyError> {
        let mut s = self.load(cfg, org).await?.ok_or(ProxyError::NotConnected)?;
        if s.phase == Phase::ReconnectRequired {
            return Err(ProxyError::ReconnectRequired(
                s.reason.clone().unwrap_or_default(),
            ));
        }
        let tenant = s.tenants.iter().find(|t| t.tenant_id == tenant_id).cloned();
        let tenant = tenant.ok_or_else(|| ProxyError::UnknownTenant(tenant_id.to_owned()))?;
        self.claim(org, &tenant.tenant_id).await?;
        // The organisation picked before (if another) is free for others again.
        db::binding_release(&db::database(&self.env)?, org, Some(&tenant.tenant_id)).await?;
        let changed = s.tenant.as_ref().map(|t| t.tenant_id.as_str()) != Some(tenant_id);
        s.tenant = Some(tenant);
        s.phase = Phase::Connected;
        let view = self.save(cfg, org, s).await?.view();
        // Another Xero organisation starts with a full read.
        self.rearm(cfg, org, changed).await?;
        Ok(json!(view))
    }

    /// Forgets the connection and frees its tenant for other CRM organisations. Works even when the sealed blob
    /// cannot be opened (a lost key): the tokens are then simply dropped, not revoked.
    async fn disconnect(&self, cfg: &Config, org: &str) -> Result<Value, ProxyError> {
        let s = self.load(cfg, org).await.ok().flatten();
        self.state
            .storage()
            .delete(CONN_KEY)
            .await
            .map_err(internal)?;
        *self.cache.borrow_mut() = None;
        self.loaded.set(true);
        self.binding_checked.set(false);
        db::binding_release(&db::database(&self.env)?, org, None).await?;
        // No connection, no alarm; the poll's progress goes with the connection.
        self.rearm(cfg, org, true).await?;
        let mut revoked = false;
        if let Some(s) = s.filter(|s| !s.refresh_token.is_empty()) {
            // The chosen organisation leaves the app's connections at Xero, then the grant is revoked.
            if let Some(t) = s.tenant.as_ref().filter(|t| !t.id.is_empty()) {
                let _ = xero::delete_connection(cfg, &s.access_token, &t.id).await;
            }
            revoked = xero::revoke(cfg, &s.refresh_token)
                .await
                .is_ok_and(|st| (200..300).contains(&st));
        }
        Ok(json!({ "status": ConnectionStatus::NotConnected, "revoked": revoked }))
    }

    /// A usable connection with a fresh access token.
    async fn usable(&self, cfg: &Config, org: &str) -> Result<Stored, ProxyError> {
        let s = self.load(cfg, org).await?.ok_or(ProxyError::NotConnected)?;
        match s.phase {
            Phase::ReconnectRequired => {
                return Err(ProxyError::ReconnectRequired(
                    s.reason.clone().unwrap_or_default(),
                ))
            }
            Phase::PickRequired => return Err(ProxyError::TenantNotChosen),
            Phase::Connected => {}
        }
        if s.needs_refresh(self.clock()) {
            return self.refresh(cfg, org, &s.access_token).await;
        }
        Ok(s)
    }

    /// Single-flight refresh. `stale` is the access token the caller found wanting: if the stored one already
    /// differs, somebody refreshed meanwhile and that pair is used.
    async fn refresh(&self, cfg: &Config, org: &str, stale: &str) -> Result<Stored, ProxyError> {
        if self.refreshing.get() {
            let (tx, rx) = oneshot::channel();
            self.refresh_waiters.borrow_mut().push(tx);
            return rx
                .await
                .map_err(|_| ProxyError::Upstream("refresh abandoned".into()))?;
        }
        // Taken before the first await, so a second caller cannot slip past the check above.
        self.refreshing.set(true);
        let result = self.refresh_if_stale(cfg, org, stale).await;
        self.refreshing.set(false);
        for tx in self.refresh_waiters.borrow_mut().drain(..) {
            let _ = tx.send(result.clone());
        }
        result
    }

    async fn refresh_if_stale(
        &self,
        cfg: &Config,
        org: &str,
        stale: &str,
    ) -> Result<Stored, ProxyError> {
        let current = self.load(cfg, org).await?.ok_or(ProxyError::NotConnected)?;
        if current.phase == Phase::ReconnectRequired {
            return Err(ProxyError::ReconnectRequired(
                current.reason.clone().unwrap_or_default(),
            ));
        }
        if current.access_token != stale && !current.needs_refresh(self.clock()) {
            return Ok(current);
        }
        self.refresh_now(cfg, org, current).await
    }

    async fn refresh_now(
        &self,
        cfg: &Config,
        org: &str,
        current: Stored,
    ) -> Result<Stored, ProxyError> {
        match xero::refresh(cfg, &current.refresh_token).await {
            Ok(tokens) => {
                self.save(cfg, org, current.rotated(&tokens, self.clock()))
                    .await
            }
            Err(RefreshFailure::InvalidGrant(why)) => {
                let reason =
                    format!("Xero refused the stored refresh token ({why}); connect to Xero again");
                self.save(cfg, org, current.dead(reason.clone())).await?;
                Err(ProxyError::ReconnectRequired(reason))
            }
            Err(RefreshFailure::Transient(why)) => {
                Err(ProxyError::Upstream(format!("token refresh failed: {why}")))
            }
        }
    }

    /// A ticket, once: gone from storage before it is looked at.
    async fn redeem(&self, nonce: &str) -> Result<Value, ProxyError> {
        let key = format!("ticket:{nonce}");
        let storage = self.state.storage();
        let stored: Option<String> = storage.get(&key).await.map_err(internal)?;
        storage.delete(&key).await.map_err(internal)?;
        let t: crate::routes::oauth::Ticket = stored
            .and_then(|s| serde_json::from_str(&s).ok())
            .ok_or_else(|| ProxyError::InvalidTicket("unknown or already used".into()))?;
        if t.exp <= now() / 1000 {
            return Err(ProxyError::InvalidTicket("expired".into()));
        }
        Ok(json!(t))
    }

    /// Drops the entries under `prefix` whose expiry has passed: OAuth states (a number) and tickets (JSON
    /// text with `exp`).
    async fn prune_expired(&self, prefix: &str) -> Result<(), ProxyError> {
        let options = worker::ListOptions::new().prefix(prefix);
        let map = self
            .state
            .storage()
            .list_with_options(options)
            .await
            .map_err(internal)?;
        let now_secs = (now() / 1000) as f64;
        let mut stale: Vec<String> = Vec::new();
        map.for_each(&mut |value, key| {
            let exp = value.as_f64().or_else(|| {
                value
                    .as_string()
                    .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                    .and_then(|v| v.get("exp").and_then(Value::as_f64))
            });
            if exp.is_none_or(|e| e <= now_secs) {
                stale.extend(key.as_string());
            }
        });
        if !stale.is_empty() {
            self.state
                .storage()
                .delete_multiple(stale)
                .await
                .map_err(internal)?;
        }
        Ok(())
    }

    async fn is_enabled(&self) -> Result<bool, ProxyError> {
        if let Some(on) = self.enabled.get() {
            return Ok(on);
        }
        let on: Option<bool> = self
            .state
            .storage()
            .get(ENABLED_KEY)
            .await
            .map_err(internal)?;
        self.enabled.set(Some(on.unwrap_or(false)));
        Ok(on.unwrap_or(false))
    }

    /// Waits for an in-flight slot, or refuses with 429 (minute/day limits, parked organisation).
    async fn acquire(&self) -> Result<(), ProxyError> {
        loop {
            let admission = self.limiter.borrow_mut().admit(self.clock());
            match admission {
                Admission::Go => return Ok(()),
                Admission::Refuse {
                    retry_after,
                    problem,
                } => {
                    return Err(ProxyError::RateLimited {
                        retry_after,
                        problem: problem.into(),
                    })
                }
                Admission::Wait => {
                    if self.slot_waiters.borrow().len() >= MAX_QUEUED {
                        return Err(ProxyError::RateLimited {
                            retry_after: 1,
                            problem: "concurrent".into(),
                        });
                    }
                    let (tx, rx) = oneshot::channel();
                    self.slot_waiters.borrow_mut().push_back(tx);
                    let _ = rx.await;
                }
            }
        }
    }

    fn release(&self) {
        self.limiter.borrow_mut().release();
        // Wake the next waiter; skip ones that gave up.
        while let Some(tx) = self.slot_waiters.borrow_mut().pop_front() {
            if tx.send(()).is_ok() {
                break;
            }
        }
    }

    async fn relay_raw(
        &self,
        cfg: &Config,
        org: &str,
        req: &mut Request,
    ) -> Result<XeroAnswer, ProxyError> {
        let h = |name: &str| req.headers().get(name).ok().flatten();
        let (method, path, query) = (
            h(client::RELAY_METHOD),
            h(client::RELAY_PATH),
            h(client::RELAY_QUERY),
        );
        let (idempotency_key, if_modified_since) = (h("idempotency-key"), h("if-modified-since"));
        let body = xero::Body::of_request(req).await.map_err(internal)?;
        let input = RelayInput {
            method: method.unwrap_or_default(),
            path: path.unwrap_or_default(),
            query,
            idempotency_key,
            if_modified_since,
            body,
        };
        self.relay(cfg, org, input).await
    }

    async fn relay(
        &self,
        cfg: &Config,
        org: &str,
        input: RelayInput,
    ) -> Result<XeroAnswer, ProxyError> {
        let call = relay_rules::check(
            &input.method,
            &input.path,
            input.query.as_deref(),
            input.idempotency_key.as_deref(),
            input.if_modified_since.as_deref(),
        )?;
        if !self.is_enabled().await? {
            return Err(ProxyError::IntegrationDisabled);
        }
        self.acquire().await?;
        let result = self.relay_with_slot(cfg, org, &call, &input.body).await;
        self.release();
        let answer = result?;
        let seen = Observed {
            status: answer.status,
            retry_after: answer
                .header("retry-after")
                .and_then(|v| v.trim().parse().ok()),
            problem: answer.header("x-rate-limit-problem").map(str::to_owned),
            day_remaining: answer
                .header("x-daylimit-remaining")
                .and_then(|v| v.trim().parse().ok()),
        };
        self.limiter.borrow_mut().observe(&seen, self.clock());
        Ok(answer)
    }

    async fn relay_with_slot(
        &self,
        cfg: &Config,
        org: &str,
        call: &relay_rules::RelayCall,
        body: &xero::Body,
    ) -> Result<XeroAnswer, ProxyError> {
        let s = self.usable(cfg, org).await?;
        let tenant = s
            .tenant
            .as_ref()
            .map(|t| t.tenant_id.clone())
            .ok_or(ProxyError::TenantNotChosen)?;
        if !self.binding_checked.get() {
            // Once per object lifetime: a tenant stored before bindings existed is claimed (or refused) here.
            self.claim(org, &tenant).await?;
        }
        let answer = xero::api(cfg, &s.access_token, &tenant, call, body).await?;
        if answer.status != 401 {
            return Ok(answer);
        }
        // The token died early (revoked elsewhere, clock skew): refresh once and retry once.
        let s = self.refresh(cfg, org, &s.access_token).await?;
        xero::api(cfg, &s.access_token, &tenant, call, body).await
    }
}

fn aad(org: &str) -> String {
    format!("xerosync connection of {org}")
}

fn internal(e: worker::Error) -> ProxyError {
    ProxyError::Internal(e.to_string())
}
