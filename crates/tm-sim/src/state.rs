//! The simulator's shared state: configuration, clock, carriers, the account's store, the rate
//! limits, the fault plan, counters and webhook deliveries.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::SimError;
use crate::catalogue::Catalogue;
use crate::clock::SimClock;
use crate::config::{LimitScope, SimConfig};
use crate::faults::FaultPlan;
use crate::http::Request;
use crate::journey::Rng;
use crate::limits::{Admission, LocalLimits, WindowLimit};
use crate::store::Store;
use crate::webhook::Delivery;

/// Request and outcome counters, as `GET /_sim/stats` shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Every API request.
    pub requests: u64,
    /// Requests per route name.
    pub by_route: BTreeMap<String, u64>,
    /// Responses per meta code.
    pub by_code: BTreeMap<u32, u64>,
    /// Requests refused by the rate limits (suspended ones included).
    pub rate_limited: u64,
    /// Faults injected.
    pub faults: u64,
}

/// The shared simulator.
pub struct Sim {
    pub(crate) config: SimConfig,
    pub(crate) clock: SimClock,
    pub(crate) catalogue: Catalogue,
    store: Mutex<Store>,
    limits: LocalLimits,
    pub(crate) faults: Mutex<FaultPlan>,
    rng: Mutex<Rng>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) deliveries: Mutex<Vec<Delivery>>,
    /// The last failure to keep the state, for whoever runs the simulator to report.
    state_failure: Mutex<Option<(std::path::PathBuf, crate::StateProblem, String)>>,
    pub(crate) changed: tokio::sync::Notify,
    #[cfg(feature = "redis")]
    shared: Option<crate::limits::SharedLimits>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// One transaction over the account (see [`Sim::store`]).
pub(crate) struct StoreTx<'a> {
    sim: &'a Sim,
    guard: MutexGuard<'a, Store>,
    open: bool,
}

impl StoreTx<'_> {
    /// Keeps the transaction's changes (with a database: commits them), then lets whoever
    /// waits for changes know.
    pub(crate) fn commit(mut self) -> Result<(), SimError> {
        self.open = false;
        match self.guard.commit() {
            Ok(changed) => {
                if changed {
                    self.sim.changed.notify_one();
                }
                Ok(())
            }
            Err(e) => Err(self.sim.state_failed(e)),
        }
    }
}

impl StoreTx<'_> {
    /// Ends a transaction that refuses the request with `reply`: unless reading the state
    /// failed, in which case that failure is the answer (a missing row may only have been
    /// unreadable).
    pub(crate) fn refuse<R: From<SimError>>(mut self, reply: R) -> R {
        match self.guard.take_failure() {
            Some(e) => R::from(self.sim.state_failed(e)),
            None => reply,
        }
    }
}

impl std::ops::Deref for StoreTx<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.guard
    }
}

impl std::ops::DerefMut for StoreTx<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.guard
    }
}

impl Drop for StoreTx<'_> {
    fn drop(&mut self) {
        if self.open {
            self.guard.discard();
        }
    }
}

/// Locks a mutex, taking over a poisoned one (a panicking handler must not stop the server).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sim {
    pub(crate) fn new(
        config: SimConfig,
        clock: SimClock,
        store: Store,
    ) -> Result<Sim, crate::SimError> {
        let faults = config.faults.clone();
        let rng = Rng::from_parts(&[&config.seed.to_le_bytes(), b"faults"]);
        #[cfg(feature = "redis")]
        let shared = match &config.redis_url {
            Some(url) => {
                Some(crate::limits::SharedLimits::new(url).map_err(crate::SimError::Redis)?)
            }
            None => None,
        };
        #[cfg(not(feature = "redis"))]
        if config.redis_url.is_some() {
            return Err(crate::SimError::FeatureDisabled("redis"));
        }
        Ok(Sim {
            config,
            clock,
            catalogue: Catalogue::builtin(),
            store: Mutex::new(store),
            limits: LocalLimits::default(),
            faults: Mutex::new(faults),
            rng: Mutex::new(rng),
            stats: Mutex::new(Stats::default()),
            deliveries: Mutex::new(Vec::new()),
            state_failure: Mutex::new(None),
            changed: tokio::sync::Notify::new(),
            #[cfg(feature = "redis")]
            shared,
        })
    }

    /// A transaction over the account: the store, locked (and, with a database, its write
    /// lock taken and what other processes committed read in). [`StoreTx::commit`] keeps its
    /// changes before the caller answers; dropping it without a commit abandons them.
    pub(crate) fn store(&self) -> Result<StoreTx<'_>, SimError> {
        self.transaction(true)
    }

    /// A transaction that only reads: with a database, a snapshot that never waits for a
    /// writer (another process's import, say). It must not change the account.
    pub(crate) fn read(&self) -> Result<StoreTx<'_>, SimError> {
        self.transaction(false)
    }

    fn transaction(&self, write: bool) -> Result<StoreTx<'_>, SimError> {
        let mut guard = lock(&self.store);
        if let Err(e) = guard.begin(&self.clock, write) {
            guard.discard();
            return Err(self.state_failed(e));
        }
        Ok(StoreTx {
            sim: self,
            guard,
            open: true,
        })
    }

    /// Remembers a failure to keep the state (see [`Sim::state_failure`]) and hands it back.
    fn state_failed(&self, e: SimError) -> SimError {
        if let SimError::State {
            path,
            problem,
            message,
        } = &e
        {
            tracing::error!(path = %path.display(), %message, "could not keep the simulator state");
            *lock(&self.state_failure) = Some((path.clone(), *problem, message.clone()));
        }
        e
    }

    /// The last failure to keep the state, if any.
    pub(crate) fn state_failure(&self) -> Option<SimError> {
        lock(&self.state_failure)
            .clone()
            .map(|(path, problem, message)| SimError::State {
                path,
                problem,
                message,
            })
    }

    /// Moves the clock with `change` and keeps where it is, so every process sharing the
    /// account's database reads the same time.
    pub(crate) fn move_clock(&self, change: impl FnOnce(&SimClock)) -> Result<(), SimError> {
        let mut st = self.store()?;
        change(&self.clock);
        st.clock_moved(self.clock.anchor());
        st.commit()
    }

    /// Counts a request to `route`.
    pub(crate) fn count_route(&self, route: &str) {
        *lock(&self.stats)
            .by_route
            .entry(route.to_owned())
            .or_default() += 1;
    }

    /// Counts a response's meta code.
    pub(crate) fn count_code(&self, code: u32) {
        *lock(&self.stats).by_code.entry(code).or_default() += 1;
    }

    /// Who the limits count for `req` sent with `key`.
    pub(crate) fn limit_scope(&self, req: &Request, key: &str) -> String {
        self.scope_of(self.config.limit_scope, req, key)
    }

    /// Who a request counts as under `scope`: its client IP or its key.
    pub(crate) fn scope_of(&self, scope: LimitScope, req: &Request, key: &str) -> String {
        match scope {
            LimitScope::Ip => format!("ip:{}", req.peer.ip()),
            LimitScope::Key => format!("key:{key}"),
        }
    }

    /// Admits one v4 request of `class` from `scope` (v4's own windows and suspension).
    pub(crate) async fn admit_v4(&self, scope: &str, class: &'static str) -> Admission {
        if !self.config.rate_limits {
            return Admission::Granted;
        }
        let limit = self
            .config
            .v4
            .limits
            .get(class)
            .copied()
            .and_then(WindowLimit::per_second);
        self.admit_to("v4", scope, class, limit, 1).await
    }

    /// Admits one request of `class` from `scope` to `api`'s limits.
    pub(crate) async fn admit(
        &self,
        api: &str,
        scope: &str,
        class: &'static str,
        weight: u64,
    ) -> Admission {
        if !self.config.rate_limits {
            return Admission::Granted;
        }
        let limit = self
            .config
            .limits
            .get(class)
            .copied()
            .and_then(WindowLimit::per_second);
        self.admit_to(api, scope, class, limit, weight).await
    }

    /// Admits `count` trackings of a list page from `scope` (the document's 2000 per second).
    pub(crate) async fn admit_trackings(&self, api: &str, scope: &str, count: u64) -> Admission {
        if !self.config.rate_limits || count == 0 {
            return Admission::Granted;
        }
        let limit = self
            .config
            .list_trackings_per_second
            .map(|capacity| WindowLimit {
                capacity,
                window_ms: 1000,
            });
        self.admit_to(api, scope, "list-trackings", limit, count)
            .await
    }

    async fn admit_to(
        &self,
        api: &str,
        scope: &str,
        class: &'static str,
        limit: Option<WindowLimit>,
        weight: u64,
    ) -> Admission {
        // One generation's windows and suspension per scope: v2 and v4 are separate regimes.
        let scope = format!("{api}:{scope}");
        let suspension = self.config.suspension_ms as i64;
        let slack = self.config.rate_limit_tolerance_ms;
        let admission = match limit {
            // No limit for the class: only a suspension refuses it.
            None => match self.limits.suspended_for(&scope, self.clock.limiter_ms()) {
                Some(left) => Admission::Refused { suspended_ms: left },
                None => Admission::Granted,
            },
            Some(limit) => {
                #[cfg(feature = "redis")]
                if let Some(shared) = &self.shared
                    && let Some(a) = shared
                        .admit(&scope, class, limit, weight, slack, suspension)
                        .await
                {
                    return self.counted(a);
                }
                self.limits.admit(
                    &scope,
                    class,
                    limit,
                    weight,
                    slack,
                    suspension,
                    self.clock.limiter_ms(),
                )
            }
        };
        self.counted(admission)
    }

    fn counted(&self, a: Admission) -> Admission {
        if matches!(a, Admission::Refused { .. }) {
            lock(&self.stats).rate_limited += 1;
        }
        a
    }

    /// Forgets every window and suspension.
    pub(crate) fn clear_limits(&self) {
        self.limits.clear();
    }

    /// A draw in `[0, 1)` for random faults.
    pub(crate) fn draw(&self) -> f64 {
        (lock(&self.rng).next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
