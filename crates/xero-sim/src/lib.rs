//! xero-sim: a local HTTP server that behaves like Xero where xerosync touches it: Identity (consent page, token
//! endpoint with rotating refresh tokens, revocation, connections), the Accounting API's invoices, credit notes,
//! contacts, items, tax rates, payments and organisation, Xero's maths, validation, `summarizeErrors`, idempotency,
//! rate limits and webhooks, plus a control API under `/_sim/` for tests (clock, faults, counters, dumps).
//!
//! Start it in-process (tests) with [`start`] on port 0, or as the `xero-sim` binary. See the README for the
//! endpoints, the control API and what is not modelled.

// Handler helpers return an early HTTP answer as their `Err` (`Result<T, Response>`): that is the whole point of
// them, and boxing the answer would only add noise on a path that ends the request anyway.
#![allow(clippy::result_large_err)]

pub mod accounting;
pub mod clock;
pub mod config;
pub mod control;
pub mod currencies;
pub mod error;
pub mod faults;
pub mod idempotency;
pub mod identity;
pub mod json;
pub mod limits;
pub mod maths;
pub mod seed;
pub mod server;
pub mod state;
pub mod store;
pub mod taxrates;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::Config;
pub use error::SimError;
pub use state::Sim;

/// A running simulator. Dropping it stops accepting connections.
pub struct RunningSim {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    /// The bound address (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The shared state, for in-process tests that want to look inside.
    pub sim: Arc<Sim>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSim {
    /// Stops the server and waits for the accept loop to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until the process is interrupted (the binary's main loop).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.sim.webhooks.stop();
    }
}

/// Binds 127.0.0.1:`config.port` (0 picks a free port) and starts serving on the current tokio runtime.
pub async fn start(config: Config) -> Result<RunningSim, SimError> {
    let port = config.port;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| SimError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SimError::Bind { port, source })?;
    let base_url = format!("http://{addr}");
    let sim = Arc::new(Sim::new(config, base_url.clone())?);
    let router = server::router(sim.clone());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(server::serve(listener, router, rx));
    webhooks::spawn_dispatcher(sim.clone());
    Ok(RunningSim {
        base_url,
        addr,
        sim,
        shutdown: Some(tx),
        task: Some(task),
    })
}
