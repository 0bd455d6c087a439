//! # tm-redis — one rate limit for many workers
//!
//! This layer owns rate-limit state kept in Redis: TrackingMore's limits are per account (or
//! per IP), and a shop's workers on many machines share one API key. Each permit is one atomic
//! step in a Lua script, timed by Redis's own clock, keyed by a hash of the API key: a GCRA
//! (`gcra.lua`) for the client's [`RedisRateLimiter`], a sliding window with a suspension
//! (`window.lua`) for the simulator's shared limits — both behind one lazily connected
//! [`LimitStore`].
//!
//! It must not know TrackingMore's endpoints or limits: the caller gives the classes and
//! their [`RateLimits`](tm_transport::RateLimits), as to the transport layer's in-process
//! limiter.
//!
//! ## Features
//! - `limiter` (default): [`RedisRateLimiter`], a `tm_transport::RateLimiter`.
//! - `test-util`: `testing::TestRedis`, a throwaway `redis-server` for tests.
//!
//! ```no_run
//! # #[cfg(feature = "limiter")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use tm_redis::{RedisRateLimiter, RedisLimiterOptions};
//! use tm_transport::{Rate, RateClass, RateLimits};
//!
//! let limits = RateLimits::new().with_class(RateClass::new("default"), Some(Rate::per_second(1)));
//! let limiter = RedisRateLimiter::new("redis://127.0.0.1:6379", "the-api-key", limits, RedisLimiterOptions::default())?;
//! // Hand it to the client: tm_core::v2::Client::builder().rate_limiter(Arc::new(limiter))…
//! # let _ = Arc::new(limiter); Ok(()) }
//! ```

#[cfg(feature = "limiter")]
mod limiter;
#[cfg(feature = "test-util")]
pub mod testing;

mod store;

#[cfg(feature = "limiter")]
pub use limiter::{Availability, RedisLimiterOptions, RedisRateLimiter, WhenUnavailable};
pub use store::{LimitStore, StoreError, Window, account_hash};
