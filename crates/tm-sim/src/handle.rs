//! A running simulator: its addresses, its clock, its counters, stopping it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::SimConfig;
use crate::faults::FaultPlan;
use crate::state::{Sim, Stats, lock};
use crate::webhook::Delivery;
use crate::{SimError, persist};

/// A running simulator. Dropping it stops the server (and saves the state file, if any).
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    sim: Arc<Sim>,
    stop: tokio::sync::watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl SimHandle {
    pub(crate) fn new(
        addr: SocketAddr,
        sim: Arc<Sim>,
        stop: tokio::sync::watch::Sender<bool>,
        server: tokio::task::JoinHandle<()>,
    ) -> SimHandle {
        SimHandle {
            addr,
            sim,
            stop,
            server: Some(server),
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API's base URL, e.g. `http://127.0.0.1:38517/v2`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v2", self.addr)
    }

    /// The base URL of the v4 API: `http://127.0.0.1:PORT/v4`.
    pub fn v4_base_url(&self) -> String {
        format!("http://{}/v4", self.addr())
    }

    /// The admin base URL, e.g. `http://127.0.0.1:38517/_sim`.
    pub fn admin_url(&self) -> String {
        format!("http://{}/_sim", self.addr)
    }

    /// The options it runs with.
    pub fn config(&self) -> &SimConfig {
        &self.sim.config
    }

    /// Simulated now, Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.sim.clock.now_ms()
    }

    /// Moves simulated time forward (and the rate-limit clock, in manual mode).
    pub fn advance(&self, by: Duration) {
        self.sim.clock.advance_ms(by.as_millis() as i64);
        self.sim.mark_dirty();
    }

    /// Replaces the fault plan.
    pub fn set_faults(&self, plan: FaultPlan) {
        *lock(&self.sim.faults) = plan;
    }

    /// Request counters.
    pub fn stats(&self) -> Stats {
        lock(&self.sim.stats).clone()
    }

    /// Webhook deliveries so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.sim.deliveries).clone()
    }

    /// How many trackings are stored.
    pub fn tracking_count(&self) -> usize {
        self.sim.store().trackings.len()
    }

    /// Writes the state file now; `Ok(None)` when none is configured.
    pub fn save(&self) -> Result<Option<PathBuf>, SimError> {
        persist::save(&self.sim)
    }

    /// Stops serving, waits for the server to finish and saves the state file.
    pub async fn shutdown(mut self) -> Result<(), SimError> {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        persist::save(&self.sim).map(|_| ())
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if self.server.is_some() {
            let _ = self.stop.send(true);
            if let Err(e) = persist::save(&self.sim) {
                tracing::error!(error = %e, "could not save the simulator state");
            }
        }
    }
}
