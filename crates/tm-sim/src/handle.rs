//! A running simulator: its addresses, its clock, its counters, stopping it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::SimError;
use crate::config::SimConfig;
use crate::faults::FaultPlan;
use crate::state::{Sim, Stats, lock};
use crate::webhook::Delivery;

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

    /// Moves simulated time forward (and the rate-limit clock, in manual mode). With a state
    /// database, every simulator sharing it moves too; a failure to keep the new time is
    /// logged and reported by [`state_failure`](Self::state_failure).
    pub fn advance(&self, by: Duration) {
        let ms = by.as_millis() as i64;
        // The failure was recorded where it happened.
        let _ = self.sim.move_clock(|c| c.advance_ms(ms));
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

    /// How many trackings are stored (0 if the state database cannot be read: see
    /// [`state_failure`](Self::state_failure)).
    pub fn tracking_count(&self) -> usize {
        self.try_tracking_count().unwrap_or(0)
    }

    /// How many trackings are stored, or why the state database could not say.
    pub fn try_tracking_count(&self) -> Result<usize, SimError> {
        let mut st = self.sim.read()?;
        let n = st.len();
        st.commit()?;
        Ok(n)
    }

    /// The state database, if the account is kept in one.
    pub fn state_path(&self) -> Option<PathBuf> {
        self.sim.config.state_file.clone()
    }

    /// What identifies this account's state: with a database, its instance (a new one at
    /// each reset); in memory, none. An import journal keyed by it is never used for another
    /// account, nor after a reset.
    pub fn account_instance(&self) -> Result<Option<String>, SimError> {
        let st = self.sim.read()?;
        let instance = st.instance().map(str::to_owned);
        st.commit()?;
        Ok(instance)
    }

    /// The last failure to keep the state (a full disk, a read-only directory, a database
    /// locked too long), if any: the request it happened in was answered with a server
    /// error, and nothing of it was kept.
    pub fn state_failure(&self) -> Option<SimError> {
        self.sim.state_failure()
    }

    /// Every change is committed before its answer is sent: there is nothing left to save.
    /// Returns the state database, or `Ok(None)` when the account is in memory; an error if
    /// the state could not be kept since the start.
    pub fn save(&self) -> Result<Option<PathBuf>, SimError> {
        match self.state_failure() {
            Some(e) => Err(e),
            None => Ok(self.state_path()),
        }
    }

    /// Stops serving and waits for the server to finish. The state needs no saving (every
    /// change was committed when it was answered); the error is the last failure to keep it,
    /// if any.
    pub async fn shutdown(mut self) -> Result<(), SimError> {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.save().map(drop)
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if self.server.is_some() {
            let _ = self.stop.send(true);
        }
    }
}
