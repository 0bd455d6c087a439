//! Client-side rate limiting: wait for a permit instead of drawing a 429.
//!
//! [`LocalRateLimiter`] uses governor's GCRA, driven by tokio's clock so that paused-clock
//! tests are exact. Other limiters (one shared by many machines) plug in through
//! [`RateLimiter`]. Which classes exist and what their limits are is the caller's knowledge:
//! this layer only enforces [`RateLimits`] it is given, and refuses a class it was not given.

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

use crate::{HttpRequest, HttpResponse, RateClass, Transport, TransportError};

/// `count` requests per `period`, with bursts of up to `burst` requests.
///
/// ```
/// use std::time::Duration;
/// use tm_transport::Rate;
/// let realtime = Rate::per_second(3);
/// assert_eq!(realtime.interval(), Duration::from_nanos(333_333_333));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

/// The limit of each rate class; a class mapped to `None` is unlimited. A class with no entry
/// is unknown: limiters refuse requests of it rather than guess a limit.
///
/// ```
/// use tm_transport::{Rate, RateClass, RateLimits};
/// const LIST: RateClass = RateClass::new("list");
/// let limits = RateLimits::new().with_class(LIST, Some(Rate::per_second(1)));
/// assert_eq!(limits.rate_for(&LIST), Ok(Some(Rate::per_second(1))));
/// assert!(limits.rate_for(&RateClass::new("lsit")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RateLimits {
    classes: BTreeMap<RateClass, Option<Rate>>,
}

/// A request named a rate class its limiter has no limit for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRateClass {
    /// The class asked for.
    pub class: RateClass,
    /// The classes the limits define.
    pub known: Vec<RateClass>,
}

impl fmt::Display for UnknownRateClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = self.known.iter().map(RateClass::as_str).collect();
        write!(
            f,
            "rate class `{}` has no limit configured (known: {})",
            self.class,
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )
    }
}

impl std::error::Error for UnknownRateClass {}

impl From<UnknownRateClass> for TransportError {
    fn from(e: UnknownRateClass) -> Self {
        TransportError::Limiter {
            message: e.to_string(),
        }
    }
}

impl RateLimits {
    /// No classes yet.
    pub fn new() -> Self {
        RateLimits::default()
    }

    /// Sets one class's limit (`None` = unlimited).
    #[must_use]
    pub fn with_class(mut self, class: RateClass, rate: Option<Rate>) -> Self {
        self.classes.insert(class, rate);
        self
    }

    /// Every class set to unlimited, keeping the set of classes.
    #[must_use]
    pub fn without_limits(self) -> Self {
        RateLimits {
            classes: self.classes.into_keys().map(|c| (c, None)).collect(),
        }
    }

    /// True when `class` has an entry (limited or not).
    pub fn contains(&self, class: &RateClass) -> bool {
        self.classes.contains_key(class)
    }

    /// The limit of `class`: `Ok(None)` for an unlimited class, an error for an unknown one.
    pub fn rate_for(&self, class: &RateClass) -> Result<Option<Rate>, UnknownRateClass> {
        self.classes
            .get(class)
            .copied()
            .ok_or_else(|| UnknownRateClass {
                class: class.clone(),
                known: self.classes.keys().cloned().collect(),
            })
    }

    /// Every class and its limit.
    pub fn classes(&self) -> impl Iterator<Item = (&RateClass, Option<Rate>)> {
        self.classes.iter().map(|(k, v)| (k, *v))
    }
}

/// Grants permits to send. Implementations must be shareable by every clone of a client.
#[async_trait]
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until a request of `class` may be sent. Errors when the limiter cannot work (a
    /// shared store is unreachable) or has no limit for `class`; it must never wait forever.
    async fn acquire(&self, class: &RateClass) -> Result<(), TransportError>;

    /// Takes a permit of `class` if one is free right now, without waiting; `false` means
    /// "call [`acquire`](Self::acquire)". The rate-limit layer tries it first, so a request
    /// under the limit costs no future. The default never grants (a shared store needs a round
    /// trip, which is `acquire`'s work).
    fn try_acquire(&self, class: &RateClass) -> bool {
        let _ = class;
        false
    }
}

/// An instant on tokio's clock, as governor needs it: nanoseconds since the clock's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TokioInstant(u64);

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
pub(crate) struct TokioClock {
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
/// use tm_transport::{LocalRateLimiter, Rate, RateClass, RateLimiter, RateLimits};
/// const LIST: RateClass = RateClass::new("list");
/// let limiter = LocalRateLimiter::new(RateLimits::new().with_class(LIST, Some(Rate::per_second(1))));
/// let start = tokio::time::Instant::now();
/// limiter.acquire(&LIST).await.unwrap();
/// limiter.acquire(&LIST).await.unwrap(); // waits one second (virtual time here)
/// assert_eq!(start.elapsed().as_secs(), 1);
/// assert!(limiter.acquire(&RateClass::new("other")).await.is_err(), "no silent default");
/// # }
/// ```
pub struct LocalRateLimiter {
    limits: RateLimits,
    clock: TokioClock,
    limiters: BTreeMap<RateClass, Arc<ClassLimiter>>,
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
                    class.clone(),
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

    /// The GCRA of `class`: `Ok(None)` for an unlimited class.
    fn limiter_for(
        &self,
        class: &RateClass,
    ) -> Result<Option<&Arc<ClassLimiter>>, UnknownRateClass> {
        Ok(match self.limits.rate_for(class)? {
            None => None,
            Some(_) => self.limiters.get(class),
        })
    }
}

#[async_trait]
impl RateLimiter for LocalRateLimiter {
    fn try_acquire(&self, class: &RateClass) -> bool {
        match self.limiter_for(class) {
            Ok(limiter) => limiter.is_none_or(|l| l.check().is_ok()),
            // `acquire` reports the unknown class.
            Err(_) => false,
        }
    }

    async fn acquire(&self, class: &RateClass) -> Result<(), TransportError> {
        let Some(limiter) = self.limiter_for(class)? else {
            return Ok(());
        };
        loop {
            match limiter.check() {
                Ok(()) => return Ok(()),
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    tracing::debug!(
                        %class,
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
/// layer) waits for a permit of each of its classes before it is sent; a request without a
/// class is not limited.
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
        for class in &request.rate_classes {
            if !self.limiter.try_acquire(class) {
                self.limiter.acquire(class).await?;
            }
        }
        self.inner.send(request).await
    }
}
