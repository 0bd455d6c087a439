//! Building a client: the API key, the base URL and every knob, from code or the environment.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use tm_transport::{RateLimiter, RateLimits, RetryPolicy, SharedTransport};

use crate::error::ConfigError;
use crate::key::ApiKey;
use crate::profile::Profile;
use crate::stack::Stack;
use crate::v2::Client;

/// Environment variable holding the key.
pub const ENV_API_KEY: &str = "TRACKINGMORE_API_KEY";
/// Environment variable holding the base URL.
pub const ENV_BASE_URL: &str = "TRACKINGMORE_BASE_URL";
/// Environment variable holding the attempt count.
pub const ENV_MAX_ATTEMPTS: &str = "TRACKINGMORE_MAX_ATTEMPTS";
/// Environment variable holding the per-attempt timeout in seconds.
pub const ENV_TIMEOUT_SECS: &str = "TRACKINGMORE_TIMEOUT_SECS";

/// Client settings that live past construction.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where requests go (the built-in transport's base URL; a custom transport decides
    /// itself).
    pub base_url: String,
    /// Items per batch call (1–40; the API's documented maximum is 40).
    pub batch_size: usize,
    /// Pages a paginated listing may fetch before it fails instead of going on.
    pub max_pages: u32,
    /// How long the carrier list is cached.
    pub carrier_cache_ttl: Duration,
    /// Per-attempt timeout.
    pub attempt_timeout: Duration,
    /// The retry policy.
    pub retry: RetryPolicy,
    /// The limit of every rate class the in-process limiter enforces (the API's documented
    /// limits unless overridden).
    pub rate_limits: RateLimits,
}

/// Builds a client: [`Client`] (v2) by default. Explicit settings beat the environment,
/// whichever is called first; a setting that could not take effect is refused by `build()`
/// with a [`ConfigError`] saying why, never ignored.
///
/// ```
/// use std::time::Duration;
/// let client = tm_core::v2::Client::builder()
///     .api_key("0123456789abcdef")
///     .base_url("http://127.0.0.1:8080/v2")
///     .attempt_timeout(Duration::from_secs(10))
///     .max_attempts(5)
///     .build()
///     .unwrap();
/// assert_eq!(client.config().base_url, "http://127.0.0.1:8080/v2");
/// ```
#[must_use]
pub struct ClientBuilder<C = Client> {
    api_key: Option<String>,
    base_url: Option<(String, Source)>,
    allow_insecure_http: bool,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    max_attempts: Option<u32>,
    retry: Option<RetryPolicy>,
    rate_limits: Option<RateLimits>,
    no_rate_limits: bool,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    transport: Option<SharedTransport>,
    batch_size: Option<usize>,
    max_pages: Option<u32>,
    carrier_cache_ttl: Option<Duration>,
    max_body_bytes: Option<u64>,
    client: PhantomData<fn() -> C>,
}

/// Where a setting came from, for the message when it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Code,
    Env,
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            allow_insecure_http: false,
            connect_timeout: None,
            attempt_timeout: None,
            max_attempts: None,
            retry: None,
            rate_limits: None,
            no_rate_limits: false,
            rate_limiter: None,
            transport: None,
            batch_size: None,
            max_pages: None,
            carrier_cache_ttl: None,
            max_body_bytes: None,
            client: PhantomData,
        }
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("custom_transport", &self.transport.is_some())
            .field("custom_rate_limiter", &self.rate_limiter.is_some())
            .finish_non_exhaustive()
    }
}

impl<C> ClientBuilder<C> {
    /// The API key.
    ///
    /// ```
    /// let client = tm_core::v2::Client::builder().api_key("0123456789abcdef").build().unwrap();
    /// assert!(!format!("{client:?}").contains("0123456789abcdef"));
    /// ```
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The base URL (default `https://api.trackingmore.com/v2`). Plain `http://` is refused
    /// unless the host is loopback or [`allow_insecure_http`](Self::allow_insecure_http) is set.
    ///
    /// ```
    /// let c = tm_core::v2::Client::builder().api_key("k").base_url("https://api.example.com/v2").build().unwrap();
    /// assert_eq!(c.config().base_url, "https://api.example.com/v2");
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some((url.into(), Source::Code));
        self
    }

    /// Allows plain `http://` to a non-loopback host. The key then travels in clear text.
    ///
    /// ```
    /// let refused = tm_core::v2::Client::builder().api_key("k").base_url("http://proxy.internal/v2").build();
    /// assert!(refused.is_err());
    /// let allowed = tm_core::v2::Client::builder().api_key("k").base_url("http://proxy.internal/v2").allow_insecure_http(true).build();
    /// assert!(allowed.is_ok());
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Connect timeout of the built-in transport (default 10 s); refused with a custom one.
    ///
    /// ```
    /// let c = tm_core::v2::Client::builder().api_key("k").connect_timeout(std::time::Duration::from_secs(3)).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Per-attempt timeout (default 30 s).
    ///
    /// ```
    /// let c = tm_core::v2::Client::builder().api_key("k").attempt_timeout(std::time::Duration::from_secs(5)).build().unwrap();
    /// assert_eq!(c.config().attempt_timeout.as_secs(), 5);
    /// ```
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Total attempts per call, first included (default 3; 1 disables retries).
    ///
    /// ```
    /// let c = tm_core::v2::Client::builder().api_key("k").max_attempts(5).build().unwrap();
    /// assert_eq!(c.config().retry.max_attempts, 5);
    /// assert!(tm_core::v2::Client::builder().api_key("k").max_attempts(0).build().is_err());
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// The whole retry policy.
    ///
    /// ```
    /// use tm_core::transport::RetryPolicy;
    /// let c = tm_core::v2::Client::builder().api_key("k").retry_policy(RetryPolicy::none()).build().unwrap();
    /// assert_eq!(c.config().retry.max_attempts, 1);
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Client-side rate limits for some classes; the classes not named keep the API's
    /// documented limits (see [`v2::rules::rate_limits`](crate::v2::rules::rate_limits)). A
    /// class the API does not have is refused by `build()`. Refused with a custom
    /// [`rate_limiter`](Self::rate_limiter), which has its own.
    ///
    /// ```
    /// use tm_core::transport::{Rate, RateClass, RateLimits};
    /// use tm_core::v2::rules::DEFAULT;
    /// let limits = RateLimits::new().with_class(DEFAULT, Some(Rate::per_second(5)));
    /// let client = tm_core::v2::Client::builder().api_key("k").rate_limits(limits).build().unwrap();
    /// assert_eq!(client.config().rate_limits.rate_for(&DEFAULT), Ok(Some(Rate::per_second(5))));
    /// let typo = RateLimits::new().with_class(RateClass::new("realtme"), None);
    /// assert!(tm_core::v2::Client::builder().api_key("k").rate_limits(typo).build().is_err());
    /// ```
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// Turns the client-side rate limits off (every class unlimited), e.g. against a local
    /// simulator with its limits off.
    ///
    /// ```
    /// use tm_core::v2::rules::LIST;
    /// let client = tm_core::v2::Client::builder().api_key("k").without_rate_limits().build().unwrap();
    /// assert_eq!(client.config().rate_limits.rate_for(&LIST), Ok(None));
    /// ```
    pub fn without_rate_limits(mut self) -> Self {
        self.no_rate_limits = true;
        self
    }

    /// A rate limiter to use instead of the in-process one (e.g. one shared through Redis).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tm_core::transport::LocalRateLimiter;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let shared = Arc::new(LocalRateLimiter::new(tm_core::v2::rules::rate_limits()));
    /// let a = tm_core::v2::Client::builder().api_key("k").rate_limiter(shared.clone()).build().unwrap();
    /// let b = tm_core::v2::Client::builder().api_key("k").rate_limiter(shared).build().unwrap();
    /// # let _ = (a, b); }
    /// ```
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The backend to send through instead of the built-in reqwest one (e.g. a
    /// `MockTransport`). Retries and rate limits still apply on top of it; the built-in
    /// transport's own settings (`base_url`, `connect_timeout`, `max_body_bytes`) are then
    /// refused by `build()`.
    ///
    /// ```
    /// # #[cfg(feature = "test-util")] {
    /// use tm_core::transport::{MockReply, MockTransport};
    /// let mock = MockTransport::from_fn(|_| MockReply::json(200, serde_json::json!({"meta": {"code": 200}, "data": []})));
    /// let client = tm_core::v2::Client::builder().api_key("k").transport(mock.clone()).build().unwrap();
    /// # let _ = client;
    /// let refused = tm_core::v2::Client::builder().api_key("k").transport(mock).connect_timeout(std::time::Duration::from_secs(1)).build();
    /// assert!(refused.unwrap_err().to_string().starts_with("connect_timeout cannot be used here"));
    /// # }
    /// ```
    pub fn transport(mut self, transport: impl tm_transport::Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Items per batch call (default 40, the documented maximum; 1–40).
    ///
    /// ```
    /// let c = tm_core::v2::Client::builder().api_key("k").batch_size(20).build().unwrap();
    /// assert_eq!(c.config().batch_size, 20);
    /// assert!(tm_core::v2::Client::builder().api_key("k").batch_size(41).build().is_err());
    /// ```
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = Some(size);
        self
    }

    /// Pages a listing may fetch before it fails (default 10 000).
    ///
    /// ```
    /// let c = tm_core::v2::Client::builder().api_key("k").max_pages(50).build().unwrap();
    /// assert_eq!(c.config().max_pages, 50);
    /// ```
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// How long the carrier list is cached (default 1 hour).
    ///
    /// ```
    /// let c = tm_core::v2::Client::builder().api_key("k").carrier_cache_ttl(std::time::Duration::from_secs(60)).build().unwrap();
    /// assert_eq!(c.config().carrier_cache_ttl.as_secs(), 60);
    /// ```
    pub fn carrier_cache_ttl(mut self, ttl: Duration) -> Self {
        self.carrier_cache_ttl = Some(ttl);
        self
    }

    /// Response-size cap of the built-in transport (default 32 MiB); refused with a custom one.
    ///
    /// ```
    /// let c = tm_core::v2::Client::builder().api_key("k").max_body_bytes(1 << 20).build();
    /// assert!(c.is_ok());
    /// ```
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = Some(limit);
        self
    }

    /// Fills every setting not given explicitly from `TRACKINGMORE_API_KEY`,
    /// `TRACKINGMORE_BASE_URL`, `TRACKINGMORE_MAX_ATTEMPTS` and `TRACKINGMORE_TIMEOUT_SECS`.
    ///
    /// ```
    /// // TRACKINGMORE_API_KEY and friends fill what is not set here; the key given here wins.
    /// let c = tm_core::v2::Client::builder().api_key("explicit").with_env().unwrap().build().unwrap();
    /// # let _ = c;
    /// ```
    pub fn with_env(self) -> Result<Self, ConfigError> {
        self.with_env_from(|name| std::env::var(name).ok())
    }

    /// [`with_env`](Self::with_env) with a custom variable lookup (for tests).
    ///
    /// ```
    /// let env = |name: &str| (name == "TRACKINGMORE_MAX_ATTEMPTS").then(|| "5".to_owned());
    /// let c = tm_core::v2::Client::builder().api_key("k").with_env_from(env).unwrap().build().unwrap();
    /// assert_eq!(c.config().retry.max_attempts, 5);
    /// ```
    pub fn with_env_from(
        mut self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        if self.api_key.is_none() {
            self.api_key = var(ENV_API_KEY).filter(|k| !k.is_empty());
        }
        if self.base_url.is_none() {
            self.base_url = var(ENV_BASE_URL)
                .filter(|u| !u.is_empty())
                .map(|u| (u, Source::Env));
        }
        if self.max_attempts.is_none()
            && let Some(v) = var(ENV_MAX_ATTEMPTS).filter(|v| !v.is_empty())
        {
            self.max_attempts =
                Some(v.trim().parse().map_err(|_| ConfigError::InvalidSetting {
                    setting: ENV_MAX_ATTEMPTS,
                    reason: format!("{v:?} is not a whole number"),
                })?);
        }
        if self.attempt_timeout.is_none()
            && let Some(v) = var(ENV_TIMEOUT_SECS).filter(|v| !v.is_empty())
        {
            let secs: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s < 86_400.0)
                .ok_or_else(|| ConfigError::InvalidSetting {
                    setting: ENV_TIMEOUT_SECS,
                    reason: format!("{v:?} is not a number of seconds between 0 and 86400"),
                })?;
            self.attempt_timeout = Some(Duration::from_secs_f64(secs));
        }
        Ok(self)
    }

    /// Validates every setting against `profile`, then stacks retry over rate limiting over
    /// the backend.
    pub(crate) fn build_stack(self, profile: &'static Profile) -> Result<Stack, ConfigError> {
        let key = ApiKey::new(self.api_key.clone().ok_or(ConfigError::MissingApiKey)?)?;
        if self.transport.is_some() {
            let not_applicable = |setting: &'static str, what: &str| ConfigError::NotApplicable {
                setting,
                reason: format!(
                    "it configures the built-in transport, and a custom transport is set{what}; \
                     configure the custom transport itself"
                ),
            };
            match &self.base_url {
                Some((_, Source::Code)) => return Err(not_applicable("base_url", "")),
                Some((_, Source::Env)) => {
                    return Err(not_applicable(
                        "base_url",
                        &format!(" (the URL came from {ENV_BASE_URL})"),
                    ));
                }
                None => {}
            }
            if self.connect_timeout.is_some() {
                return Err(not_applicable("connect_timeout", ""));
            }
            if self.max_body_bytes.is_some() {
                return Err(not_applicable("max_body_bytes", ""));
            }
        }
        if self.rate_limiter.is_some() && (self.rate_limits.is_some() || self.no_rate_limits) {
            return Err(ConfigError::NotApplicable {
                setting: "rate_limits",
                reason: "a custom rate limiter is set, and it enforces its own limits; \
                         give them to the limiter"
                    .into(),
            });
        }
        let base_url = self
            .base_url
            .as_ref()
            .map_or_else(|| profile.base_url.to_owned(), |(u, _)| u.clone());
        check_base_url(&base_url, self.allow_insecure_http)?;
        let batch_size = self.batch_size.unwrap_or(profile.max_batch);
        if !(1..=profile.max_batch).contains(&batch_size) {
            return Err(ConfigError::InvalidSetting {
                setting: "batch_size",
                reason: format!("{batch_size} is outside 1..={}", profile.max_batch),
            });
        }
        let max_pages = self.max_pages.unwrap_or(10_000);
        if max_pages == 0 {
            return Err(ConfigError::InvalidSetting {
                setting: "max_pages",
                reason: "must be at least 1".into(),
            });
        }
        let mut retry = self.retry.clone().unwrap_or_else(|| {
            RetryPolicy::default().with_throttle_cooloff(profile.throttle_cooloff)
        });
        if let Some(n) = self.max_attempts {
            if n == 0 {
                return Err(ConfigError::InvalidSetting {
                    setting: "max_attempts",
                    reason: "must be at least 1".into(),
                });
            }
            retry.max_attempts = n;
        }
        let attempt_timeout = self.attempt_timeout.unwrap_or(Duration::from_secs(30));
        if attempt_timeout.is_zero() {
            return Err(ConfigError::InvalidSetting {
                setting: "attempt_timeout",
                reason: "must be positive".into(),
            });
        }
        let rate_limits = effective_limits(profile, self.rate_limits.clone(), self.no_rate_limits)?;
        let backend = match self.transport.clone() {
            Some(t) => t,
            None => default_backend(&self, &base_url, attempt_timeout)?,
        };
        let config = Config {
            base_url,
            batch_size,
            max_pages,
            carrier_cache_ttl: self.carrier_cache_ttl.unwrap_or(Duration::from_secs(3600)),
            attempt_timeout,
            retry,
            rate_limits,
        };
        Ok(Stack::new(key, profile, config, backend, self.rate_limiter))
    }
}

impl ClientBuilder<Client> {
    /// Builds the v2 client: validates every setting, then stacks retry over rate limiting
    /// over the backend.
    ///
    /// ```
    /// assert!(tm_core::v2::Client::builder().build().is_err(), "a key is required");
    /// assert!(tm_core::v2::Client::builder().api_key("k").build().is_ok());
    /// ```
    pub fn build(self) -> Result<Client, ConfigError> {
        self.build_stack(&crate::v2::rules::PROFILE)
            .map(Client::from_stack)
    }
}

impl ClientBuilder<crate::v4::Client> {
    /// Builds the v4 client on the v4 profile (base URL, key header, limits, cool-off), with
    /// the same validation and stack as v2.
    ///
    /// ```
    /// let client = tm_core::v4::Client::builder().api_key("k").build().unwrap();
    /// assert_eq!(client.config().base_url, tm_core::v4::rules::BASE_URL);
    /// // Limits name the v4 classes; a v2 class is refused.
    /// let wrong = tm_core::v4::Client::builder()
    ///     .api_key("k")
    ///     .rate_limits(tm_core::v2::rules::rate_limits())
    ///     .build();
    /// assert!(wrong.is_err());
    /// ```
    pub fn build(self) -> Result<crate::v4::Client, ConfigError> {
        self.build_stack(&crate::v4::rules::PROFILE)
            .map(crate::v4::Client::from_stack)
    }
}

/// The profile's limits with the caller's overrides; a class the profile lacks is refused.
fn effective_limits(
    profile: &Profile,
    overrides: Option<RateLimits>,
    off: bool,
) -> Result<RateLimits, ConfigError> {
    let mut limits = (profile.rate_limits)();
    if let Some(overrides) = overrides {
        for (class, rate) in overrides.classes() {
            if !limits.contains(class) {
                return Err(ConfigError::UnknownRateClass {
                    class: class.to_string(),
                    known: limits
                        .classes()
                        .map(|(c, _)| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            limits = limits.with_class(class.clone(), rate);
        }
    }
    Ok(if off { limits.without_limits() } else { limits })
}

#[cfg(feature = "reqwest")]
fn default_backend<C>(
    b: &ClientBuilder<C>,
    base_url: &str,
    attempt_timeout: Duration,
) -> Result<SharedTransport, ConfigError> {
    let mut t = tm_transport::ReqwestTransport::builder(base_url).attempt_timeout(attempt_timeout);
    if let Some(c) = b.connect_timeout {
        t = t.connect_timeout(c);
    }
    if let Some(m) = b.max_body_bytes {
        t = t.max_body_bytes(m);
    }
    let t = t.build().map_err(|e| ConfigError::InvalidBaseUrl {
        url: base_url.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(Arc::new(t))
}

#[cfg(not(feature = "reqwest"))]
fn default_backend<C>(
    _b: &ClientBuilder<C>,
    _base_url: &str,
    _attempt_timeout: Duration,
) -> Result<SharedTransport, ConfigError> {
    Err(ConfigError::NoTransport)
}

/// https anywhere; plain http only to a loopback host, or when explicitly allowed.
fn check_base_url(raw: &str, allow_insecure_http: bool) -> Result<(), ConfigError> {
    let bad = |reason: &str| ConfigError::InvalidBaseUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not carry a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry credentials"));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if loopback || allow_insecure_http {
                Ok(())
            } else {
                Err(bad(
                    "plain http is only allowed to a loopback host (the key would travel in clear text); \
                     use https or allow_insecure_http(true)",
                ))
            }
        }
        other => Err(bad(&format!("scheme {other:?} is not https"))),
    }
}

/// What both clients have alike: `Debug` without the key, `builder()`, `from_env()` and
/// `config()`, over an `inner.stack`. `$path` is the client's path for the doc examples.
macro_rules! client_basics {
    ($client:ident, $name:literal, $path:literal) => {
        impl std::fmt::Debug for $client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct($name)
                    .field("api_key", self.inner.stack.key())
                    .field("config", &self.inner.stack.config)
                    .finish_non_exhaustive()
            }
        }

        impl $client {
            /// A builder with every default of this generation's profile.
            ///
            /// ```
            #[doc = concat!("let client = ", $path, "::builder().api_key(\"k\").build().unwrap();")]
            /// # let _ = client;
            /// ```
            pub fn builder() -> $crate::ClientBuilder<$client> {
                $crate::ClientBuilder::default()
            }

            /// A client configured from `TRACKINGMORE_API_KEY` and the other environment
            /// variables (see [`ClientBuilder::with_env`](crate::ClientBuilder::with_env)).
            ///
            /// ```no_run
            #[doc = concat!("let client = ", $path, "::from_env().expect(\"TRACKINGMORE_API_KEY is set\");")]
            /// # let _ = client;
            /// ```
            pub fn from_env() -> std::result::Result<$client, $crate::ConfigError> {
                $client::builder().with_env()?.build()
            }

            /// The settings in use.
            ///
            /// ```
            #[doc = concat!("let client = ", $path, "::builder().api_key(\"k\").build().unwrap();")]
            /// assert_eq!(client.config().batch_size, 40);
            /// ```
            pub fn config(&self) -> &$crate::Config {
                &self.inner.stack.config
            }
        }
    };
}
