//! The client-side limiter: a [`RateLimiter`] whose permits come from a [`LimitStore`].

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use tm_transport::{LocalRateLimiter, RateClass, RateLimiter, RateLimits, TransportError};
use tokio::time::Instant;

use crate::{LimitStore, StoreError, account_hash};

/// What to do while Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnavailable {
    /// Retry Redis every `retry_every` until `max_wait` runs out, then fail the request.
    Wait,
    /// Log a warning and use an in-process limiter with the same limits until Redis is back.
    FallBackToLocal,
}

/// How the limiter behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisLimiterOptions {
    /// What to do while Redis cannot be reached (default: wait).
    pub when_unavailable: WhenUnavailable,
    /// The longest one `acquire` may take, waiting for a permit or for Redis (default 130 s:
    /// more than the API's two-minute penalty, so a permit is never refused for being slow).
    pub max_wait: Duration,
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
        })
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
        loop {
            let now = Instant::now();
            // Connecting to a Redis that is down can take longer than the wait allowed: bound it.
            let remaining = deadline.saturating_duration_since(now);
            let step = self.store.gcra(&key, interval, tolerance);
            let outcome = match tokio::time::timeout(remaining, step).await {
                Ok(r) => r,
                Err(_) => Err(StoreError {
                    message: format!("no answer within {remaining:?}"),
                }),
            };
            match outcome {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => {
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
                Err(e) => match self.options.when_unavailable {
                    WhenUnavailable::FallBackToLocal => {
                        tracing::warn!(%class, url = self.store.url(), error = %e, "Redis unavailable: using the in-process limiter");
                        return self.local.acquire(class).await;
                    }
                    WhenUnavailable::Wait => {
                        if Instant::now() + self.options.retry_every > deadline {
                            return Err(TransportError::Limiter {
                                message: format!(
                                    "Redis at {} unavailable for {:?}: {e}",
                                    self.store.url(),
                                    self.options.max_wait
                                ),
                            });
                        }
                        tracing::warn!(%class, url = self.store.url(), error = %e, "Redis unavailable: retrying");
                        tokio::time::sleep(self.options.retry_every).await;
                    }
                },
            }
        }
    }
}
