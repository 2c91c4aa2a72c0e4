//! The simulator's shared state.

use std::sync::{Mutex, MutexGuard};

use uuid::Uuid;
use xero_schema::XeroSchemas;

use crate::clock::SimClock;
use crate::config::Config;
use crate::error::SimError;
use crate::faults::Faults;
use crate::idempotency::IdempotencyStore;
use crate::identity::IdentityState;
use crate::limits::Limiter;
use crate::store::Tenant;
use crate::webhooks::{Event, WebhookHub};

/// Everything behind the API: organisations, identity, idempotency records, plus the runtime knobs.
pub struct Sim {
    /// The start-up configuration.
    pub config: Config,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The controllable clock.
    pub clock: SimClock,
    /// Organisations, tokens and records.
    pub world: Mutex<World>,
    /// Rate-limit windows.
    pub limits: Mutex<Limiter>,
    /// Fault injection.
    pub faults: Mutex<Faults>,
    /// Call counters.
    pub counters: Mutex<Counters>,
    /// Webhook subscription and deliveries.
    pub webhooks: WebhookHub,
    /// Xero's schemas, when strict mode is on.
    pub schemas: Option<&'static XeroSchemas>,
}

/// The data: organisations and identity.
#[derive(Debug, Default)]
pub struct World {
    /// Organisations in creation order.
    pub tenants: Vec<Tenant>,
    /// Clients, codes, tokens, connections.
    pub identity: IdentityState,
    /// Idempotency records.
    pub idempotency: IdempotencyStore,
    /// Webhook events produced by the current write, drained after it.
    pub events: Vec<Event>,
}

impl World {
    /// An organisation by id.
    pub fn tenant(&self, id: Uuid) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id == id)
    }
    /// An organisation by id, mutably.
    pub fn tenant_mut(&mut self, id: Uuid) -> Option<&mut Tenant> {
        self.tenants.iter_mut().find(|t| t.id == id)
    }
}

/// Calls counted per endpoint, per organisation and per status.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// All calls.
    pub total: u64,
    /// `METHOD /path/with/{id}` → calls.
    pub by_endpoint: std::collections::BTreeMap<String, u64>,
    /// tenant id → calls.
    pub by_tenant: std::collections::BTreeMap<String, u64>,
    /// status code → answers.
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// tenant id → `METHOD /path` → calls.
    pub by_tenant_endpoint:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
    /// tenant id → invoices emailed (`POST /Invoices/{id}/Email` answered 204).
    pub emails_by_tenant: std::collections::BTreeMap<String, u64>,
}

impl Sim {
    /// Builds the state from the configuration (seeding the demo organisations).
    pub fn new(config: Config, base_url: String) -> Result<Self, SimError> {
        let schemas = if config.strict {
            Some(XeroSchemas::shared().map_err(|e| SimError::Schemas(e.to_string()))?)
        } else {
            None
        };
        let clock = SimClock::default();
        let mut world = World::default();
        world.identity.clients = config.clients.clone();
        crate::seed::organisations(&mut world, clock.now());
        crate::seed::apply(&mut world, config.seeds(), clock.now());
        let webhooks = WebhookHub::new(config.webhook.clone());
        Ok(Self {
            limits: Mutex::new(Limiter::new(config.limits.clone())),
            faults: Mutex::new(Faults::new(config.faults.clone())),
            counters: Mutex::new(Counters::default()),
            world: Mutex::new(world),
            webhooks,
            schemas,
            clock,
            base_url,
            config,
        })
    }

    /// The world, locked. A poisoned lock (a panic in another handler) is taken over: the data is still consistent
    /// because every write validates before it mutates.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The limiter, locked.
    pub fn limiter(&self) -> MutexGuard<'_, Limiter> {
        self.limits.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The fault injector, locked.
    pub fn fault_injector(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The counters, locked.
    pub fn counter(&self) -> MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Resets everything to the start-up state (organisations re-created, optionally seeded).
    pub fn reset(&self, seeds: crate::config::Seeds) {
        self.clock.reset();
        let now = self.clock.now();
        {
            let mut world = self.world();
            *world = World::default();
            world.identity.clients = self.config.clients.clone();
            crate::seed::organisations(&mut world, now);
            crate::seed::apply(&mut world, seeds, now);
        }
        *self.limiter() = Limiter::new(self.config.limits.clone());
        *self.fault_injector() = Faults::new(self.config.faults.clone());
        *self.counter() = Counters::default();
        self.webhooks.reset(self.config.webhook.clone());
    }

    /// Counts one invoice emailed.
    pub fn count_email(&self, tenant: Uuid) {
        *self
            .counter()
            .emails_by_tenant
            .entry(tenant.to_string())
            .or_default() += 1;
    }

    /// Counts one call.
    pub fn count(&self, endpoint: &str, tenant: Option<Uuid>, status: u16) {
        let mut c = self.counter();
        c.total += 1;
        *c.by_endpoint.entry(endpoint.to_owned()).or_default() += 1;
        *c.by_status.entry(status.to_string()).or_default() += 1;
        if let Some(t) = tenant {
            *c.by_tenant.entry(t.to_string()).or_default() += 1;
            *c.by_tenant_endpoint
                .entry(t.to_string())
                .or_default()
                .entry(endpoint.to_owned())
                .or_default() += 1;
        }
    }
}
