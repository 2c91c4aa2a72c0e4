//! The xerosync proxy: a Cloudflare Worker that holds the Xero connection of each CRM organisation and is the
//! only place with Xero credentials. See `README.md` for routes, secrets and bindings.
//!
//! Pure logic lives in small modules with native unit tests ([`jwt`], [`state`], [`crypto`], [`limits`],
//! [`relay_rules`], [`schedule`], [`webhook`], [`settings`], [`outcomes`], [`tenancy`], [`time`], [`connection::record`]);
//! [`xero`] is the one place that calls `Fetch`; [`routes`] the router; [`connection`] the Durable Object.

pub mod config;
pub mod connection;
pub mod crypto;
pub mod db;
pub mod error;
pub mod jwt;
pub mod limits;
pub mod outcomes;
pub mod relay_rules;
pub mod retention;
pub mod routes;
pub mod schedule;
pub mod settings;
pub mod state;
pub mod sync;
pub mod tenancy;
pub mod time;
pub mod webhook;
pub mod xero;

use worker::{event, Context, Env, Request, Response, ScheduleContext, ScheduledEvent};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    routes::handle(req, env, ctx).await
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    if let Err(e) = sync::run(&env).await {
        worker::console_error!("cron failed: {}", e.code());
    }
    if let Err(e) = retention::run(&env).await {
        worker::console_error!("retention failed: {}", e.code());
    }
}
