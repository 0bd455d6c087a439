//! Retrying: a pure policy that decides, and a layer that sleeps on tokio's clock.
//!
//! The policy is a plain function of (attempt, request, outcome, classification, jitter), so
//! every decision is unit-tested without time or I/O.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::{Attempts, HttpRequest, HttpResponse, Transport, TransportError};

/// How a response or error is to be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    /// Done: a success, or a failure that retrying will not fix.
    Final,
    /// The server asks to slow down (HTTP 429, or an API's own throttling code); wait
    /// `retry_after` if given, else the policy's cool-off.
    Throttled {
        /// The server's requested wait, if any.
        retry_after: Option<Duration>,
    },
    /// A transient server failure (5xx, 408); retried only when the request is idempotent.
    ServerTransient {
        /// The server's requested wait, if any.
        retry_after: Option<Duration>,
    },
}

/// Lets the client layer classify a response the transport cannot understand, such as an
/// HTTP 200 whose envelope carries a throttling code. Returning `None` keeps the default.
pub type Classifier =
    Arc<dyn Fn(&HttpRequest, &HttpResponse) -> Option<Classification> + Send + Sync>;

/// The default classification of a response: 429 throttled, 408/500/502/503/504 transient,
/// everything else final.
pub fn classify_status(response: &HttpResponse, now: SystemTime) -> Classification {
    let retry_after = response.retry_after(now);
    match response.status {
        429 => Classification::Throttled { retry_after },
        408 | 500 | 502 | 503 | 504 => Classification::ServerTransient { retry_after },
        _ => Classification::Final,
    }
}

/// Exponential backoff with full jitter: attempt *n* waits a uniformly random time in
/// `[0, min(max, initial · 2ⁿ⁻¹)]`.
///
/// ```
/// use std::time::Duration;
/// use tm_transport::Backoff;
/// let b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
/// assert_eq!(b.ceiling(4), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Backoff {
    /// The ceiling of the first retry's wait.
    pub initial: Duration,
    /// The largest ceiling.
    pub max: Duration,
}

impl Default for Backoff {
    /// 1 s initial ceiling, 20 s cap.
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(20),
        }
    }
}

impl Backoff {
    /// A backoff whose first ceiling is `initial`, doubling up to `max`.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff { initial, max }
    }

    /// The ceiling for retry number `retry` (1 for the first retry).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// The wait for retry number `retry`, given `jitter` in `[0, 1]`.
    pub fn delay(&self, retry: u32, jitter: f64) -> Duration {
        self.ceiling(retry).mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Return this outcome to the caller.
    Stop,
    /// Wait, then send again.
    Retry {
        /// How long to wait first.
        after: Duration,
        /// Why (for logs).
        reason: &'static str,
    },
    /// Throttled for longer than the policy allows to wait (or out of attempts while
    /// throttled): fail with a rate-limited error carrying the wait.
    GiveUpThrottled {
        /// The wait that was asked for.
        retry_after: Duration,
    },
}

/// When and how long to retry.
///
/// ```
/// use std::time::Duration;
/// use tm_transport::{Classification, Decision, HttpRequest, HttpResponse, Method, RetryPolicy};
/// let policy = RetryPolicy::default();
/// let get = HttpRequest::new(Method::Get, "/carriers").idempotent(true);
/// let busy = Ok(HttpResponse::new(503, ""));
/// let class = Classification::ServerTransient { retry_after: None };
/// // Retry 1 waits within [0, 1 s]: here the jitter draw is 0.5.
/// assert_eq!(
///     policy.decide(1, &get, &busy, class, 0.5),
///     Decision::Retry { after: Duration::from_millis(500), reason: "server error" }
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts including the first (1 disables retries).
    pub max_attempts: u32,
    /// Backoff for transient failures.
    pub backoff: Backoff,
    /// The wait used for throttling without a `Retry-After`. The default is a generic minute;
    /// an API client sets the wait its API documents.
    pub throttle_cooloff: Duration,
    /// The longest wait the layer will sleep through; a longer requested wait fails fast with
    /// [`TransportError::RateLimited`] carrying the wait.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 1 s → 20 s full-jitter backoff, 60 s throttling cool-off, waits up to
    /// 130 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            backoff: Backoff::default(),
            throttle_cooloff: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(130),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy::default().with_max_attempts(1)
    }

    /// Sets the total attempts, the first included.
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the backoff of transient failures.
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets the wait after throttling without a `Retry-After`.
    #[must_use]
    pub fn with_throttle_cooloff(mut self, wait: Duration) -> Self {
        self.throttle_cooloff = wait;
        self
    }

    /// Sets the longest requested wait the layer sleeps through.
    #[must_use]
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Decides after attempt number `attempt` (1 for the first) produced `outcome`.
    ///
    /// - Connect errors are always retried: nothing was sent.
    /// - Timeouts and broken connections are retried only for idempotent requests.
    /// - Throttling waits `Retry-After` (or the cool-off), unless that exceeds
    ///   `max_retry_after`, which gives up at once.
    /// - Transient server errors are retried only for idempotent requests.
    pub fn decide(
        &self,
        attempt: u32,
        request: &HttpRequest,
        outcome: &Result<HttpResponse, TransportError>,
        class: Classification,
        jitter: f64,
    ) -> Decision {
        let out_of_attempts = attempt >= self.max_attempts;
        match outcome {
            Err(e) => {
                let safe = match e {
                    TransportError::Connect { .. } => true,
                    e if e.is_retryable() => request.idempotent || !e.maybe_sent(),
                    _ => false,
                };
                if !safe || out_of_attempts {
                    return Decision::Stop;
                }
                let reason = match e {
                    TransportError::Connect { .. } => "connect error",
                    TransportError::Timeout { .. } => "timeout",
                    _ => "connection broken",
                };
                Decision::Retry {
                    after: self.backoff.delay(attempt, jitter),
                    reason,
                }
            }
            Ok(_) => match class {
                Classification::Final => Decision::Stop,
                Classification::Throttled { retry_after } => {
                    let wait = retry_after.unwrap_or(self.throttle_cooloff);
                    if out_of_attempts || wait > self.max_retry_after {
                        Decision::GiveUpThrottled { retry_after: wait }
                    } else {
                        Decision::Retry {
                            after: wait,
                            reason: "throttled",
                        }
                    }
                }
                Classification::ServerTransient { retry_after } => {
                    if !request.idempotent || out_of_attempts {
                        return Decision::Stop;
                    }
                    let after = match retry_after {
                        Some(w) if w > self.max_retry_after => return Decision::Stop,
                        Some(w) => w,
                        None => self.backoff.delay(attempt, jitter),
                    };
                    Decision::Retry {
                        after,
                        reason: "server error",
                    }
                }
            },
        }
    }
}

/// A token bucket that bounds retries across every request sharing it, so that an outage does
/// not multiply the load by the attempt count.
///
/// Each retry withdraws `retry_cost` (`timeout_cost` after a timeout); each first-attempt
/// success deposits `success_refund`, up to `capacity`. With too few tokens, no retry is made.
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    retry_cost: u32,
    timeout_cost: u32,
    success_refund: u32,
    tokens: Mutex<u32>,
}

impl Default for RetryBudget {
    /// Capacity 500, retries cost 5 (timeouts 10), successes refund 1: smithy's numbers.
    fn default() -> Self {
        RetryBudget::new(500, 5, 10, 1)
    }
}

impl RetryBudget {
    /// A full bucket.
    pub fn new(capacity: u32, retry_cost: u32, timeout_cost: u32, success_refund: u32) -> Self {
        RetryBudget {
            capacity,
            retry_cost,
            timeout_cost,
            success_refund,
            tokens: Mutex::new(capacity),
        }
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Withdraws the cost of one retry; false (and nothing withdrawn) if the bucket is short.
    pub fn try_withdraw(&self, after_timeout: bool) -> bool {
        let cost = if after_timeout {
            self.timeout_cost
        } else {
            self.retry_cost
        };
        let mut t = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if *t >= cost {
            *t -= cost;
            true
        } else {
            false
        }
    }

    /// Deposits the refund of a success.
    pub fn deposit(&self) {
        let mut t = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        *t = (*t + self.success_refund).min(self.capacity);
    }
}

/// A source of jitter in `[0, 1]`; tests inject a fixed value.
pub type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;

/// The retry layer: sends through `inner`, asks the policy, sleeps on tokio's clock, repeats.
pub struct RetryTransport<T> {
    inner: T,
    policy: RetryPolicy,
    classifier: Option<Classifier>,
    budget: Option<Arc<RetryBudget>>,
    jitter: Jitter,
}

impl<T: fmt::Debug> fmt::Debug for RetryTransport<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryTransport")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .field("classifier", &self.classifier.is_some())
            .field("budget", &self.budget)
            .finish()
    }
}

impl<T> RetryTransport<T> {
    /// Retries `inner` under `policy`, with random jitter and a default [`RetryBudget`].
    pub fn new(inner: T, policy: RetryPolicy) -> Self {
        RetryTransport {
            inner,
            policy,
            classifier: None,
            budget: Some(Arc::new(RetryBudget::default())),
            jitter: Arc::new(fastrand::f64),
        }
    }

    /// Installs a classifier consulted before the status-based default.
    #[must_use]
    pub fn with_classifier(mut self, classifier: Classifier) -> Self {
        self.classifier = Some(classifier);
        self
    }

    /// Replaces the retry budget (`None` disables it).
    #[must_use]
    pub fn with_budget(mut self, budget: Option<Arc<RetryBudget>>) -> Self {
        self.budget = budget;
        self
    }

    /// Replaces the jitter source (tests use a constant).
    #[must_use]
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The policy in use.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    fn classify(
        &self,
        request: &HttpRequest,
        outcome: &Result<HttpResponse, TransportError>,
    ) -> Classification {
        match outcome {
            Err(_) => Classification::Final,
            Ok(resp) => self
                .classifier
                .as_ref()
                .and_then(|c| c(request, resp))
                .unwrap_or_else(|| classify_status(resp, SystemTime::now())),
        }
    }
}

#[async_trait]
impl<T: Transport> Transport for RetryTransport<T> {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut attempt = 0u32;
        let mut earlier_may_have_applied = false;
        loop {
            attempt += 1;
            let outcome = self.inner.send(request).await.map(|mut r| {
                r.attempts = Attempts::new(attempt, earlier_may_have_applied);
                r
            });
            let class = self.classify(request, &outcome);
            // What this attempt may have done, for the next one's record.
            earlier_may_have_applied |= match &outcome {
                Err(e) => e.maybe_sent(),
                Ok(_) => matches!(class, Classification::ServerTransient { .. }),
            };
            let decision = self
                .policy
                .decide(attempt, request, &outcome, class, (self.jitter)());
            match decision {
                Decision::Stop => {
                    if attempt == 1
                        && matches!(&outcome, Ok(r) if r.is_success())
                        && let Some(b) = &self.budget
                    {
                        b.deposit();
                    }
                    return outcome;
                }
                Decision::GiveUpThrottled { retry_after } => {
                    tracing::warn!(
                        operation = %request.operation,
                        attempt,
                        ?retry_after,
                        "throttled; giving up"
                    );
                    return Err(TransportError::RateLimited {
                        retry_after,
                        attempts: attempt,
                    });
                }
                Decision::Retry { after, reason } => {
                    let after_timeout = matches!(&outcome, Err(e) if e.is_timeout());
                    if let Some(b) = &self.budget
                        && !b.try_withdraw(after_timeout)
                    {
                        tracing::warn!(
                            operation = %request.operation,
                            attempt,
                            reason,
                            "retry budget exhausted; not retrying"
                        );
                        return outcome;
                    }
                    tracing::info!(
                        operation = %request.operation,
                        attempt,
                        delay_ms = after.as_millis() as u64,
                        reason,
                        "retrying"
                    );
                    tokio::time::sleep(after).await;
                }
            }
        }
    }
}
