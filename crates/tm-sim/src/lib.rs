//! # tm-sim — a local TrackingMore v2 API
//!
//! This layer owns a stateful simulator of the v2 API: all 18 endpoints under `/v2/` with the
//! reference's request forms, response shapes and quirks (errors as HTTP 200 with `meta.code`,
//! `total` as a string, PHP-style escaping), trackings kept in memory (optionally in a state
//! file), shipments that move along deterministic journeys on a simulated clock, the documented
//! rate limits, signed webhook pushes, fault injection, and admin routes under `/_sim/`.
//!
//! It must not know the client crates: it speaks HTTP and the wire types of `tm-types` only,
//! so it checks the client instead of sharing its assumptions.
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tm_sim::{ClockMode, Simulator};
//!
//! let sim = Simulator::builder().seed(7).clock(ClockMode::Manual).start().await?;
//! let http = reqwest::Client::new();
//! let body = r#"{"tracking_number": "RN123456789CN", "carrier_code": "china-post"}"#;
//! let response = http
//!     .post(format!("{}/trackings/post", sim.base_url()))
//!     .header("Trackingmore-Api-Key", "any-key")
//!     .body(body)
//!     .send().await?;
//! let created: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
//! assert_eq!(created["meta"]["code"], 200);
//! sim.advance(Duration::from_secs(30 * 86_400)); // a month later the parcel has moved
//! # Ok(()) }
//! ```
//!
//! Admin routes: `GET|POST /_sim/clock`, `POST /_sim/reset`, `GET|PUT|DELETE /_sim/faults`,
//! `GET /_sim/stats`, `GET /_sim/webhooks`, `POST /_sim/save` (`GET /_sim` lists them).

mod api;
pub mod catalogue;
mod clock;
mod config;
mod faults;
pub mod journey;
mod persist;
mod server;
mod shared_limits;
mod store;
mod webhook;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use clock::ClockMode;
pub use config::{OverLimitStyle, SimConfig, WebhookTarget, default_limits};
pub use faults::{Fault, FaultPlan, ScriptedFault};
pub use server::{Stats, php_escape};
pub use webhook::{Delivery, sign as webhook_signature};

use clock::SimClock;
use server::Sim;
use store::Store;

/// Why the simulator could not start or save.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The address could not be bound.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The Redis URL for shared rate limits is not valid.
    #[error("{0}")]
    Redis(String),
    /// The state file could not be read or written.
    #[error("state file {}: {message}", path.display())]
    State {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

/// The entry point: `Simulator::builder()…start()`.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// A builder with the documented defaults.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder {
            config: SimConfig::default(),
        }
    }
}

/// Options of a simulator; every one is also a `tm sim` flag.
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    config: SimConfig,
}

impl SimulatorBuilder {
    /// Replaces every option.
    pub fn config(mut self, config: SimConfig) -> Self {
        self.config = config;
        self
    }

    /// The options so far.
    pub fn current(&self) -> &SimConfig {
        &self.config
    }

    /// Address to listen on (default `127.0.0.1:0`, a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.config.bind = addr;
        self
    }

    /// Port on 127.0.0.1 (0 picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.config.bind.set_port(port);
        self
    }

    /// Seed of journeys and ids (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Accepts only these keys (default: any non-empty key).
    pub fn api_keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, keys: I) -> Self {
        self.config.api_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Turns the rate limits on (default) or off.
    pub fn rate_limits(mut self, on: bool) -> Self {
        self.config.rate_limits = on;
        self
    }

    /// Sets one class's limit in requests per second (`None` removes it).
    pub fn limit(mut self, class: &str, per_second: Option<f64>) -> Self {
        match per_second {
            Some(r) => self.config.limits.insert(class.to_owned(), r),
            None => self.config.limits.remove(class),
        };
        self
    }

    /// Slack for early requests (default 100 ms): a request may arrive this much ahead of its
    /// slot, as network and scheduling jitter make well-spaced clients do; the long-run rate is
    /// still exact.
    pub fn rate_limit_tolerance(mut self, slack: Duration) -> Self {
        self.config.rate_limit_tolerance_ms = slack.as_millis() as i64;
        self
    }

    /// Sends `Retry-After: 1` with rate-limit refusals (default off: none is documented).
    pub fn retry_after_header(mut self, on: bool) -> Self {
        self.config.retry_after_header = on;
        self
    }

    /// Items per batch call (default 40).
    pub fn batch_max(mut self, max: usize) -> Self {
        self.config.batch_max = max;
        self
    }

    /// How an oversized batch is refused (default meta 202).
    pub fn over_limit(mut self, style: OverLimitStyle) -> Self {
        self.config.over_limit = style;
        self
    }

    /// The account's tracking quota (default 100 000).
    pub fn quota(mut self, quota: i64) -> Self {
        self.config.quota = quota;
        self
    }

    /// How simulated time moves (default real time).
    pub fn clock(mut self, mode: ClockMode) -> Self {
        self.config.clock = mode;
        self
    }

    /// Simulated start time in Unix seconds (default now).
    pub fn start_time(mut self, unix_secs: i64) -> Self {
        self.config.start_time = Some(unix_secs);
        self
    }

    /// The account e-mail (user info, and the webhook signing key).
    pub fn account_email(mut self, email: impl Into<String>) -> Self {
        self.config.account_email = email.into();
        self
    }

    /// POSTs status changes to a URL.
    pub fn webhook(mut self, target: WebhookTarget) -> Self {
        self.config.webhook = Some(target);
        self
    }

    /// Loads state from and saves it to `path`.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.state_file = Some(path.into());
        self
    }

    /// Mirrors meta codes into HTTP statuses (default off, as v2 does).
    pub fn mirror_http_status(mut self, on: bool) -> Self {
        self.config.mirror_http_status = on;
        self
    }

    /// PHP-style `\/` and `\uXXXX` escapes (default on).
    pub fn php_escapes(mut self, on: bool) -> Self {
        self.config.php_escapes = on;
        self
    }

    /// Shares the rate-limit state with every instance using this Redis (`redis://…`), so
    /// several simulators enforce one limit per account. Redis keeps real time: a manual clock
    /// does not move these limits.
    pub fn redis_url(mut self, url: impl Into<String>) -> Self {
        self.config.redis_url = Some(url.into());
        self
    }

    /// Injects faults.
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.config.faults = plan;
        self
    }

    /// Starts serving; the handle stops the server when dropped.
    pub async fn start(self) -> Result<SimHandle, SimError> {
        let config = self.config;
        let loaded = match &config.state_file {
            Some(path) => persist::load(path)?,
            None => None,
        };
        let real_now = persist::real_now_ms();
        let start_ms = match (&loaded, config.clock) {
            (
                Some(Store {
                    saved_sim_ms: Some(sim),
                    saved_real_ms: Some(real),
                    ..
                }),
                ClockMode::Real { scale },
            ) => sim + ((real_now - real).max(0) as f64 * scale) as i64,
            (
                Some(Store {
                    saved_sim_ms: Some(sim),
                    ..
                }),
                ClockMode::Manual,
            ) => *sim,
            _ => config
                .start_time
                .map_or(real_now, |s| s.saturating_mul(1000)),
        };
        let store = loaded.unwrap_or_else(|| Store {
            registered_secs: start_ms / 1000,
            ..Store::default()
        });
        let shared = match &config.redis_url {
            Some(url) => Some(shared_limits::SharedLimits::new(url).map_err(SimError::Redis)?),
            None => None,
        };
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| SimError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: config.bind,
            source,
        })?;
        let sim = Arc::new(Sim::new(
            config.clone(),
            SimClock::new(config.clock, start_ms),
            store,
            shared,
        ));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let app = server::router(sim.clone());
        let mut stop_server = stop_rx.clone();
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stop_server.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %e, "simulator server stopped");
            }
        });
        if config.webhook.is_some() {
            tokio::spawn(webhook::run(sim.clone(), stop_rx.clone()));
        }
        if config.state_file.is_some() {
            let sim = sim.clone();
            let mut stop = stop_rx;
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => return,
                    }
                    if sim.take_dirty() {
                        if let Err(e) = persist::save(&sim) {
                            tracing::error!(error = %e, "could not save the simulator state");
                        }
                    }
                }
            });
        }
        tracing::info!(%addr, "simulator listening");
        Ok(SimHandle {
            addr,
            sim,
            stop: stop_tx,
            server: Some(server),
        })
    }
}

/// A running simulator. Dropping it stops the server (and saves the state file, if any).
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    sim: Arc<Sim>,
    stop: tokio::sync::watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API's base URL, e.g. `http://127.0.0.1:38517/v2`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v2", self.addr)
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
        *self.sim.faults.lock().unwrap_or_else(|p| p.into_inner()) = plan;
    }

    /// Request counters.
    pub fn stats(&self) -> Stats {
        self.sim
            .stats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Webhook deliveries so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.sim
            .deliveries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
