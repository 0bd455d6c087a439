//! Client-side rate limiting: wait for a permit instead of drawing a 429.
//!
//! [`LocalRateLimiter`] uses governor's GCRA, driven by tokio's clock so that paused-clock
//! tests are exact. Other limiters (one shared by many machines) plug in through
//! [`RateLimiter`].

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;
use std::ops::Add;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Gcra};

use crate::{DEFAULT_RATE_CLASS, HttpRequest, HttpResponse, Transport, TransportError};

/// `count` requests per `period`, with bursts of up to `burst` requests.
///
/// ```
/// use std::time::Duration;
/// use tm_transport::Rate;
/// let realtime = Rate::per_second(3);
/// assert_eq!(realtime.interval(), Duration::from_nanos(333_333_333));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per period.
    pub count: u32,
    /// The period.
    pub period: Duration,
    /// Requests that may go back to back after an idle spell (at least 1).
    pub burst: u32,
}

impl Rate {
    /// `count` requests per second, no burst.
    pub fn per_second(count: u32) -> Rate {
        Rate {
            count,
            period: Duration::from_secs(1),
            burst: 1,
        }
    }

    /// `count` requests per `period`, no burst.
    pub fn new(count: u32, period: Duration) -> Rate {
        Rate {
            count,
            period,
            burst: 1,
        }
    }

    /// Allows bursts of `burst` requests.
    #[must_use]
    pub fn with_burst(mut self, burst: u32) -> Rate {
        self.burst = burst;
        self
    }

    /// The spacing between permits.
    pub fn interval(&self) -> Duration {
        self.period / self.count.max(1)
    }

    fn quota(&self) -> Option<Quota> {
        let interval = self.interval();
        let burst = NonZeroU32::new(self.burst.max(1))?;
        Some(Quota::with_period(interval)?.allow_burst(burst))
    }
}

/// The limit of each rate class. A class with no entry falls back to the `default` class; a
/// class mapped to `None` is unlimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    classes: BTreeMap<String, Option<Rate>>,
}

impl Default for RateLimits {
    /// The TrackingMore v2 documented limits: `realtime` 3 per second, `list` 1 per second,
    /// and 1 per second for everything else (`default`).
    fn default() -> Self {
        RateLimits::unlimited()
            .with_class("realtime", Some(Rate::per_second(3)))
            .with_class("list", Some(Rate::per_second(1)))
            .with_class(DEFAULT_RATE_CLASS, Some(Rate::per_second(1)))
    }
}

impl RateLimits {
    /// No limits at all.
    pub fn unlimited() -> Self {
        RateLimits {
            classes: BTreeMap::new(),
        }
    }

    /// Sets one class's limit (`None` = unlimited).
    #[must_use]
    pub fn with_class(mut self, class: impl Into<String>, rate: Option<Rate>) -> Self {
        self.classes.insert(class.into(), rate);
        self
    }

    /// The limit that applies to `class`.
    pub fn rate_for(&self, class: &str) -> Option<Rate> {
        match self.classes.get(class) {
            Some(rate) => *rate,
            None => self.classes.get(DEFAULT_RATE_CLASS).copied().flatten(),
        }
    }

    /// Every configured class and its limit.
    pub fn classes(&self) -> impl Iterator<Item = (&str, Option<Rate>)> {
        self.classes.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

/// Grants permits to send. Implementations must be shareable by every clone of a client.
#[async_trait]
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until a request of `class` may be sent. Errors only when the limiter itself cannot
    /// work (a shared store is unreachable); it must never wait forever.
    async fn acquire(&self, class: &str) -> Result<(), TransportError>;

    /// Takes a permit of `class` if one is free right now, without waiting; `false` means
    /// "call [`acquire`](Self::acquire)". The rate-limit layer tries it first, so a request
    /// under the limit costs no future. The default never grants (a shared store needs a round
    /// trip, which is `acquire`'s work).
    fn try_acquire(&self, class: &str) -> bool {
        let _ = class;
        false
    }
}

/// An instant on tokio's clock, as governor needs it: nanoseconds since the clock's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokioInstant(u64);

impl Add<Nanos> for TokioInstant {
    type Output = TokioInstant;
    fn add(self, other: Nanos) -> TokioInstant {
        TokioInstant(self.0.saturating_add(other.as_u64()))
    }
}

impl Reference for TokioInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        Nanos::from(self.0.saturating_sub(earlier.0))
    }
    fn saturating_sub(&self, duration: Nanos) -> Self {
        TokioInstant(self.0.saturating_sub(duration.as_u64()))
    }
}

/// governor's view of tokio's clock (which tests can pause and advance).
#[derive(Debug, Clone)]
pub struct TokioClock {
    start: tokio::time::Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        TokioClock {
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    type Instant = TokioInstant;
    fn now(&self) -> TokioInstant {
        TokioInstant(self.start.elapsed().as_nanos().min(u64::MAX as u128) as u64)
    }
}

type ClassLimiter = Gcra<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>;

/// An in-process GCRA limiter per class; clone the `Arc` to share it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use tm_transport::{LocalRateLimiter, Rate, RateLimiter, RateLimits};
/// let limiter = LocalRateLimiter::new(RateLimits::unlimited().with_class("list", Some(Rate::per_second(1))));
/// let start = tokio::time::Instant::now();
/// limiter.acquire("list").await.unwrap();
/// limiter.acquire("list").await.unwrap(); // waits one second (virtual time here)
/// assert_eq!(start.elapsed().as_secs(), 1);
/// # }
/// ```
pub struct LocalRateLimiter {
    limits: RateLimits,
    clock: TokioClock,
    limiters: BTreeMap<String, Arc<ClassLimiter>>,
}

impl fmt::Debug for LocalRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRateLimiter")
            .field("limits", &self.limits)
            .finish()
    }
}

impl LocalRateLimiter {
    /// A limiter enforcing `limits`. Call it inside a tokio runtime (its clock starts there).
    pub fn new(limits: RateLimits) -> Self {
        let clock = TokioClock::default();
        let limiters = limits
            .classes()
            .filter_map(|(class, rate)| {
                let quota = rate?.quota()?;
                Some((
                    class.to_owned(),
                    Arc::new(Gcra::direct_with_clock(quota, clock.clone())),
                ))
            })
            .collect();
        LocalRateLimiter {
            limits,
            clock,
            limiters,
        }
    }

    /// The limits this limiter enforces.
    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    fn limiter_for(&self, class: &str) -> Option<&Arc<ClassLimiter>> {
        match self.limits.classes.get(class) {
            Some(None) => None,
            Some(Some(_)) => self.limiters.get(class),
            None => self.limiters.get(DEFAULT_RATE_CLASS),
        }
    }
}

#[async_trait]
impl RateLimiter for LocalRateLimiter {
    fn try_acquire(&self, class: &str) -> bool {
        self.limiter_for(class)
            .is_none_or(|limiter| limiter.check().is_ok())
    }

    async fn acquire(&self, class: &str) -> Result<(), TransportError> {
        let Some(limiter) = self.limiter_for(class) else {
            return Ok(());
        };
        loop {
            match limiter.check() {
                Ok(()) => return Ok(()),
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    tracing::debug!(
                        class,
                        wait_ms = wait.as_millis() as u64,
                        "waiting for a permit"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// The rate-limit layer: every request (retries included, when this sits under the retry
/// layer) waits for a permit of its class before it is sent.
#[derive(Debug)]
pub struct RateLimitTransport<T> {
    inner: T,
    limiter: Arc<dyn RateLimiter>,
}

impl<T> RateLimitTransport<T> {
    /// Limits `inner` with `limiter`.
    pub fn new(inner: T, limiter: Arc<dyn RateLimiter>) -> Self {
        RateLimitTransport { inner, limiter }
    }

    /// The limiter, to share with another transport.
    pub fn limiter(&self) -> &Arc<dyn RateLimiter> {
        &self.limiter
    }
}

#[async_trait]
impl<T: Transport> Transport for RateLimitTransport<T> {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        if !self.limiter.try_acquire(&request.rate_class) {
            self.limiter.acquire(&request.rate_class).await?;
        }
        self.inner.send(request).await
    }
}
