//! Starting a simulator: every option, with the documented defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::SimError;
use crate::clock::{ClockMode, SimClock};
use crate::config::{LimitScope, OverLimitStyle, SimConfig, WebhookTarget};
use crate::db::{self, Db, Fresh};
use crate::faults::FaultPlan;
use crate::handle::SimHandle;
use crate::state::Sim;
use crate::store::Store;

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

    /// How long the server waits for clients and how much it takes from them (default: 10 s
    /// for headers, 30 s for a request, 60 s idle, 256 connections, bodies up to 8 MiB).
    pub fn server_limits(mut self, limits: tm_serve::Limits) -> Self {
        self.config.server = limits;
        self
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

    /// Counts the limits per key instead of per client IP (the document's rule).
    pub fn limit_scope(mut self, scope: LimitScope) -> Self {
        self.config.limit_scope = scope;
        self
    }

    /// How long an IP (or key) is refused after a 429 (default 120 s, "wait about two
    /// minutes"); tests shorten it.
    pub fn suspension(mut self, pause: Duration) -> Self {
        self.config.suspension_ms = pause.as_millis() as u64;
        self
    }

    /// Trackings per second a list may return (default 2000; `None` removes the limit).
    pub fn list_trackings_per_second(mut self, limit: Option<u64>) -> Self {
        self.config.list_trackings_per_second = limit;
        self
    }

    /// Keys that were deleted: refused with 4002.
    pub fn revoked_keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, keys: I) -> Self {
        self.config.revoked_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// v2 routes (e.g. `trackings/aircargo`) not activated for this account: refused with
    /// 4018.
    pub fn inactive_features<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        routes: I,
    ) -> Self {
        self.config.inactive_features = routes.into_iter().map(Into::into).collect();
        self
    }

    /// Slack for early requests (default 100 ms): a request may arrive this much ahead of its
    /// slot, as network and scheduling jitter make well-spaced clients do; the long-run rate is
    /// still exact.
    pub fn rate_limit_tolerance(mut self, slack: Duration) -> Self {
        self.config.rate_limit_tolerance_ms = slack.as_millis() as i64;
        self
    }

    /// Sends `Retry-After` (the suspension left, in seconds) with rate-limit refusals (default
    /// off: none is documented).
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

    /// v4's settings: limits and the choices where its reference is uncertain.
    pub fn v4(mut self, v4: crate::config::V4Config) -> Self {
        self.config.v4 = v4;
        self
    }

    /// The webhook secret v4 pushes are signed with.
    pub fn webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.config.v4.webhook_secret = secret.into();
        self
    }

    /// POSTs status changes to a URL (needs the `webhooks` feature to start).
    pub fn webhook(mut self, target: WebhookTarget) -> Self {
        self.config.webhook = Some(target);
        self
    }

    /// Keeps the account in the SQLite database at `path` (created if missing): every change
    /// is committed before its answer is sent, and every simulator (in any process) that opens
    /// the same file serves the same account. A new database starts with this builder's clock;
    /// an existing one keeps its own (time and speed), so every process reads one clock. An
    /// older simulator's JSON state file at `path` is carried over (and kept as
    /// `PATH.imported`).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.state_file = Some(path.into());
        self
    }

    /// With [`state_file`](Self::state_file): an older simulator's JSON state file to carry
    /// over once into a database that has no account yet. It is renamed to `PATH.imported`
    /// first, so it is read once and kept.
    pub fn carry_over(mut self, legacy: impl Into<PathBuf>) -> Self {
        self.config.carry_over = Some(legacy.into());
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
    /// several simulators enforce one limit per IP or key. Redis keeps real time: a manual
    /// clock does not move these limits. Needs the `redis` feature to start.
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
        let start_ms = config
            .start_time
            .map_or_else(crate::clock::real_now_ms, |s| s.saturating_mul(1000));
        let clock = SimClock::new(config.clock, start_ms);
        let store = match &config.state_file {
            Some(path) => {
                let (db, anchor) = open_state(path, &config, start_ms)?;
                clock.rebase(&anchor);
                Store::in_database(db, anchor)
            }
            None => Store::in_memory(start_ms.div_euclid(1000)),
        };
        #[cfg(not(feature = "webhooks"))]
        if config.webhook.is_some() {
            return Err(SimError::FeatureDisabled("webhooks"));
        }
        let sim = Arc::new(Sim::new(config.clone(), clock, store)?);
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
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let app = crate::http::router(sim.clone());
        let mut stop_server = stop_rx.clone();
        let limits = config.server;
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stop_server.wait_for(|s| *s).await;
            };
            if let Err(e) = tm_serve::serve(listener, app, limits, shutdown).await {
                tracing::error!(error = %e, "simulator server stopped");
            }
        });
        #[cfg(feature = "webhooks")]
        if config.webhook.is_some() {
            tokio::spawn(crate::webhook::run(sim.clone(), stop_rx.clone()));
        }
        tracing::info!(%addr, "simulator listening");
        Ok(SimHandle::new(addr, sim, stop_tx, server))
    }
}

/// Opens the account's database at `path`: an older JSON state file there (or named by
/// `carry_over`) is carried over once.
fn open_state(
    path: &std::path::Path,
    config: &crate::SimConfig,
    start_ms: i64,
) -> Result<(Db, crate::clock::Anchor), SimError> {
    let mut carry_over = config.carry_over.clone();
    if db::is_legacy_json(path) {
        // The file at `path` itself is an older state: it moves aside and is carried over.
        carry_over = Some(path.to_owned());
        let kept = db::carried_name(path);
        match std::fs::rename(path, &kept) {
            Ok(()) => {}
            // Another process moved it first.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(SimError::State {
                    path: path.to_owned(),
                    problem: crate::StateProblem::from_io(&e),
                    message: format!(
                        "cannot move the older state file to {}: {e}",
                        kept.display()
                    ),
                });
            }
        }
    }
    Db::open(
        path,
        &Fresh {
            sim_ms: start_ms,
            scale: config.clock.scale(),
            carry_over,
        },
    )
}
