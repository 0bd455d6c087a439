//! The client-side limiter: a [`RateLimiter`] whose permits come from a [`LimitStore`].

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tm_transport::{LocalRateLimiter, RateClass, RateLimiter, RateLimits, TransportError};
use tokio::time::Instant;

use crate::{LimitStore, StoreError, account_hash};

/// What to do while Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnavailable {
    /// Retry Redis every `retry_every` until `unavailable_wait` runs out, then fail the
    /// request: the shared budget is never exceeded.
    Wait,
    /// Log a warning and use an in-process limiter with the same limits until Redis is back.
    /// N processes doing so may together send N times the shared rate.
    FallBackToLocal,
}

/// A change in Redis's reachability, as told to [`RedisRateLimiter::on_availability`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Availability<'a> {
    /// Redis could not be reached (the first failure of an outage).
    Lost {
        /// The Redis URL, password hidden.
        url: &'a str,
        /// Why.
        cause: &'a StoreError,
        /// What the limiter does meanwhile.
        meanwhile: WhenUnavailable,
        /// How long one request waits for Redis before failing (with [`WhenUnavailable::Wait`]).
        wait: Duration,
    },
    /// Redis answers again.
    Restored {
        /// The Redis URL, password hidden.
        url: &'a str,
    },
}

/// The callback of [`RedisRateLimiter::on_availability`].
type AvailabilityHook = Arc<dyn Fn(Availability<'_>) + Send + Sync>;

/// How the limiter behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisLimiterOptions {
    /// What to do while Redis cannot be reached (default: wait).
    pub when_unavailable: WhenUnavailable,
    /// The longest one `acquire` may take waiting for a permit (default 130 s: more than the
    /// API's two-minute penalty, so a permit is never refused for being slow).
    pub max_wait: Duration,
    /// The longest one `acquire` waits for an unreachable Redis before failing (default 30 s):
    /// a worker whose Redis is gone says so soon instead of hanging.
    pub unavailable_wait: Duration,
    /// How often Redis is retried while unreachable (default 250 ms).
    pub retry_every: Duration,
    /// Connect and response timeout of each Redis command (default 1 s).
    pub command_timeout: Duration,
    /// Prefix of the Redis keys (default `tm:rl`).
    pub key_prefix: String,
}

impl Default for RedisLimiterOptions {
    fn default() -> Self {
        RedisLimiterOptions {
            when_unavailable: WhenUnavailable::Wait,
            max_wait: Duration::from_secs(130),
            unavailable_wait: Duration::from_secs(30),
            retry_every: Duration::from_millis(250),
            command_timeout: Duration::from_secs(1),
            key_prefix: "tm:rl".into(),
        }
    }
}

/// A rate limiter shared through Redis by every process using the same API key.
pub struct RedisRateLimiter {
    store: LimitStore,
    account: String,
    limits: RateLimits,
    options: RedisLimiterOptions,
    local: LocalRateLimiter,
    /// Whether the last Redis step failed: reachability is reported on changes only.
    down: AtomicBool,
    on_availability: Option<AvailabilityHook>,
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection info may hold a Redis password: print only the key's hash.
        f.debug_struct("RedisRateLimiter")
            .field("account", &self.account)
            .field("limits", &self.limits)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimiter {
    /// A limiter on the Redis at `url` (`redis://…` or `rediss://…`) for the account of
    /// `api_key`. The URL is checked now; the connection is made on first use (and remade
    /// after Redis restarts).
    pub fn new(
        url: &str,
        api_key: &str,
        limits: RateLimits,
        options: RedisLimiterOptions,
    ) -> Result<Self, TransportError> {
        let store =
            LimitStore::new(url, options.command_timeout).map_err(|e| TransportError::Limiter {
                message: e.to_string(),
            })?;
        Ok(RedisRateLimiter {
            store,
            account: account_hash(api_key),
            local: LocalRateLimiter::new(limits.clone()),
            limits,
            options,
            down: AtomicBool::new(false),
            on_availability: None,
        })
    }

    /// Calls `hook` when Redis becomes unreachable and when it answers again (once per
    /// change, not per retry), e.g. to tell a user at once rather than through logs.
    ///
    /// ```
    /// use tm_redis::{Availability, RedisLimiterOptions, RedisRateLimiter};
    /// let limiter = RedisRateLimiter::new(
    ///     "redis://127.0.0.1:6379", "key", tm_transport::RateLimits::new(), RedisLimiterOptions::default(),
    /// )
    /// .unwrap()
    /// .on_availability(|change| {
    ///     if let Availability::Lost { url, cause, .. } = change {
    ///         eprintln!("Redis at {url} unreachable: {cause}");
    ///     }
    /// });
    /// # drop(limiter);
    /// ```
    pub fn on_availability(
        mut self,
        hook: impl Fn(Availability<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_availability = Some(Arc::new(hook));
        self
    }

    fn lost(&self, cause: &StoreError) {
        if self.down.swap(true, Ordering::SeqCst) {
            tracing::debug!(url = self.store.url(), error = %cause, "Redis still unavailable");
            return;
        }
        tracing::warn!(url = self.store.url(), error = %cause, "Redis unavailable");
        if let Some(hook) = &self.on_availability {
            hook(Availability::Lost {
                url: self.store.url(),
                cause,
                meanwhile: self.options.when_unavailable,
                wait: self.options.unavailable_wait,
            });
        }
    }

    fn restored(&self) {
        if self.down.swap(false, Ordering::SeqCst) {
            tracing::info!(url = self.store.url(), "Redis available again");
            if let Some(hook) = &self.on_availability {
                hook(Availability::Restored {
                    url: self.store.url(),
                });
            }
        }
    }

    /// The Redis key of a rate class.
    pub fn redis_key(&self, class: &RateClass) -> String {
        format!("{}:{}:{class}", self.options.key_prefix, self.account)
    }

    /// The Redis URL with any password hidden, for messages.
    pub fn url(&self) -> &str {
        self.store.url()
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn acquire(&self, class: &RateClass) -> Result<(), TransportError> {
        let Some(rate) = self.limits.rate_for(class)? else {
            return Ok(());
        };
        let interval = rate.interval();
        let tolerance = interval * (rate.burst.max(1) - 1);
        let key = self.redis_key(class);
        let deadline = Instant::now() + self.options.max_wait;
        // Set when an outage starts within this call; the wait for Redis is bounded apart.
        let mut gave_up_at: Option<Instant> = None;
        // The outage's last real cause: a step cut short by our own bound says less.
        let mut cause: Option<StoreError> = None;
        loop {
            let now = Instant::now();
            // Connecting to a Redis that is down can take longer than the wait allowed: bound it.
            let limit = gave_up_at.map_or(deadline, |g| g.min(deadline));
            let remaining = limit.saturating_duration_since(now);
            let step = self.store.gcra(&key, interval, tolerance);
            let outcome = match tokio::time::timeout(remaining, step).await {
                Ok(r) => r,
                Err(_) => Err(cause.clone().unwrap_or_else(|| {
                    StoreError::passing(format!(
                        "no answer within {:.1} s",
                        remaining.as_secs_f64()
                    ))
                })),
            };
            match outcome {
                Ok(None) => {
                    self.restored();
                    return Ok(());
                }
                Ok(Some(wait)) => {
                    self.restored();
                    gave_up_at = None;
                    if now + wait > deadline {
                        return Err(TransportError::Limiter {
                            message: format!(
                                "no permit for {class} within {:?}",
                                self.options.max_wait
                            ),
                        });
                    }
                    tokio::time::sleep(wait).await;
                }
                Err(e) if e.permanent => {
                    // Waiting cannot make it Redis, or the credentials right.
                    return Err(TransportError::Limiter {
                        message: format!(
                            "Redis at {}: {e}; no request sent, the shared rate limit could \
                             not be checked",
                            self.store.url()
                        ),
                    });
                }
                Err(e) => {
                    self.lost(&e);
                    cause = Some(e.clone());
                    match self.options.when_unavailable {
                        WhenUnavailable::FallBackToLocal => {
                            return self.local.acquire(class).await;
                        }
                        WhenUnavailable::Wait => {
                            let give_up =
                                *gave_up_at.get_or_insert(now + self.options.unavailable_wait);
                            if Instant::now() + self.options.retry_every > give_up.min(deadline) {
                                return Err(TransportError::Limiter {
                                    message: format!(
                                        "Redis at {} unavailable for {:?} ({e}): no request sent, \
                                         the shared rate limit could not be checked",
                                        self.store.url(),
                                        self.options.unavailable_wait.min(self.options.max_wait),
                                    ),
                                });
                            }
                            tokio::time::sleep(self.options.retry_every).await;
                        }
                    }
                }
            }
        }
    }
}
