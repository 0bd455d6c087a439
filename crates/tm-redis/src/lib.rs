//! # tm-redis — one rate limit for many workers
//!
//! This layer owns a [`RateLimiter`] whose state lives in Redis: TrackingMore's limits are per
//! account, and a shop's workers on many machines share one API key. Each permit is one
//! atomic GCRA step in a Lua script, timed by Redis's own clock, keyed by a hash of the API key.
//!
//! It must not know TrackingMore's endpoints: it limits rate classes, as the transport layer's
//! in-process limiter does, with the same documented defaults ([`RateLimits::default`]).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use tm_redis::{RedisRateLimiter, RedisLimiterOptions};
//! use tm_transport::RateLimits;
//!
//! let limiter = RedisRateLimiter::new("redis://127.0.0.1:6379", "the-api-key", RateLimits::default(), RedisLimiterOptions::default())?;
//! // Hand it to the client: tm_core::Client::builder().rate_limiter(Arc::new(limiter))…
//! # let _ = Arc::new(limiter); Ok(()) }
//! ```

pub mod testing;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};
use tm_transport::{LocalRateLimiter, Rate, RateLimiter, RateLimits, TransportError};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// The GCRA step: returns 0 and records the permit, or the microseconds to wait. Redis's `TIME`
/// is the clock, so machines with skewed clocks still share one schedule.
const GCRA: &str = r"
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
if tat - tolerance > now then
  return tat - tolerance - now
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.floor((new_tat - now) / 1000) + 1000)
return 0
";

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
    client: redis::Client,
    conn: Mutex<Option<ConnectionManager>>,
    script: redis::Script,
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

/// The first 24 hex digits of SHA-256 of the API key: what identifies the account in Redis.
pub fn account_hash(api_key: &str) -> String {
    Sha256::digest(api_key.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
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
        let client = redis::Client::open(url).map_err(|e| TransportError::Limiter {
            message: format!("Redis URL: {}", describe(&e)),
        })?;
        Ok(RedisRateLimiter {
            client,
            conn: Mutex::new(None),
            script: redis::Script::new(GCRA),
            account: account_hash(api_key),
            local: LocalRateLimiter::new(limits.clone()),
            limits,
            options,
        })
    }

    /// The Redis key of a rate class.
    pub fn redis_key(&self, class: &str) -> String {
        format!("{}:{}:{class}", self.options.key_prefix, self.account)
    }

    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let mut guard = self.conn.lock().await;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.options.command_timeout)
            .set_response_timeout(self.options.command_timeout)
            .set_number_of_retries(1);
        let c = self
            .client
            .get_connection_manager_with_config(config)
            .await?;
        *guard = Some(c.clone());
        Ok(c)
    }

    /// One GCRA step: `Ok(None)` granted, `Ok(Some(wait))` not yet.
    async fn step(&self, class: &str, rate: Rate) -> Result<Option<Duration>, redis::RedisError> {
        let mut conn = self.connection().await?;
        let interval = rate.interval().as_micros().max(1) as u64;
        let tolerance = interval * u64::from(rate.burst.max(1) - 1);
        let wait_us: u64 = self
            .script
            .key(self.redis_key(class))
            .arg(interval)
            .arg(tolerance)
            .invoke_async(&mut conn)
            .await?;
        Ok((wait_us > 0).then(|| Duration::from_micros(wait_us)))
    }
}

fn describe(e: &redis::RedisError) -> String {
    // RedisError's Display can include the URL's password on some connection errors; keep the
    // kind and the detail only.
    format!("{:?}: {}", e.kind(), e.detail().unwrap_or("no detail"))
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn acquire(&self, class: &str) -> Result<(), TransportError> {
        let Some(rate) = self.limits.rate_for(class) else {
            return Ok(());
        };
        let deadline = Instant::now() + self.options.max_wait;
        loop {
            let now = Instant::now();
            // Connecting to a Redis that is down can take longer than the wait allowed: bound it.
            let remaining = deadline.saturating_duration_since(now);
            let outcome = match tokio::time::timeout(remaining, self.step(class, rate)).await {
                Ok(r) => r.map_err(|e| describe(&e)),
                Err(_) => Err(format!("no answer within {remaining:?}")),
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
                        tracing::warn!(class, error = %e, "Redis unavailable: using the in-process limiter");
                        return self.local.acquire(class).await;
                    }
                    WhenUnavailable::Wait => {
                        if Instant::now() + self.options.retry_every > deadline {
                            return Err(TransportError::Limiter {
                                message: format!(
                                    "Redis unavailable for {:?}: {e}",
                                    self.options.max_wait
                                ),
                            });
                        }
                        tracing::warn!(class, error = %e, "Redis unavailable: retrying");
                        tokio::time::sleep(self.options.retry_every).await;
                    }
                },
            }
        }
    }
}
