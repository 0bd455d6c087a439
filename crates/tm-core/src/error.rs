//! One error type for every call, with predicates so callers rarely need to match it.

use std::fmt;
use std::time::Duration;

use tm_transport::TransportError;
use tm_types::{v2, v4};

use crate::Operation;

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The longest excerpt of a body kept in an error.
pub(crate) const BODY_EXCERPT_BYTES: usize = 512;

/// Everything a call can fail with.
///
/// ```
/// # fn handle(err: tm_core::Error) {
/// if err.is_rate_limited() {
///     let wait = err.retry_after();
///     // back off for `wait`
/// } else if err.is_not_found() {
///     // create it first
/// } else if let Some(code) = err.api_code() {
///     eprintln!("API refused: {code} {err}");
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No usable response: could not connect, timed out, the connection broke.
    #[error("{operation}: {source}")]
    Transport {
        /// The operation.
        operation: Operation,
        /// What failed.
        #[source]
        source: TransportError,
    },
    /// The API answered with a non-success `meta.code` (HTTP 200 included), or with an error
    /// status and a body that is no envelope at all (a proxy's HTML page, an empty body).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The API kept asking to slow down (HTTP 429 or meta 429) and the retry layer gave up.
    #[error("{operation}: rate limited after {attempts} attempt(s){}", fmt_wait(*retry_after))]
    RateLimited {
        /// The operation.
        operation: Operation,
        /// How long the server (or the documented cool-off) asked to wait.
        retry_after: Option<Duration>,
        /// Attempts made.
        attempts: u32,
    },
    /// A success response whose body could not be read as the expected type.
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// One item of a page did not decode; the rest of the page did, and a listing stream goes
    /// on after this. The item is kept as sent.
    #[error("{}: item {} of the page could not be decoded at `{}`: {}", .0.error.operation, .0.index, .0.error.path, .0.error.message)]
    Undecoded(Box<crate::page::UndecodedItem>),
    /// Input rejected before sending, where the API documents the limit.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field or argument.
        field: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The client could not be configured.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The account's generation cannot do this (see [`crate::account::Capability`]); nothing
    /// was sent.
    #[error("{api} has no {capability}")]
    Unsupported {
        /// The generation.
        api: crate::Api,
        /// What it lacks.
        capability: crate::account::Capability,
    },
    /// The shipment named is not tracked (v4 answers a lookup of an unknown number with an
    /// empty list, not an error).
    #[error("{0} is not tracked (create it first)")]
    NotTracked(String),
    /// Pagination stopped without reaching the end (page cap, or pages that contradict
    /// `total`): never a silent short result.
    #[error("{operation}: pagination stopped at page {page}: {reason}")]
    Pagination {
        /// The operation.
        operation: Operation,
        /// The page at which it stopped.
        page: u32,
        /// Why.
        reason: String,
    },
}

fn fmt_wait(wait: Option<Duration>) -> String {
    wait.map(|w| format!("; retry after {}s", w.as_secs()))
        .unwrap_or_default()
}

/// A `meta.code` of either generation, typed. The predicates mean the same in both, so code
/// written against one reads the same against the other.
///
/// ```
/// use tm_core::ApiCode;
/// use tm_core::types::{v2, v4};
/// let old = ApiCode::from(v2::MetaCode::TrackingExists);
/// let new = ApiCode::from(v4::MetaCode::TrackingExists);
/// assert!(old.is_already_exists() && new.is_already_exists());
/// assert_eq!((old.code(), new.code()), (4016, 4101));
/// assert_eq!(new.to_string(), "4101");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiCode {
    /// A v2 code.
    V2(v2::MetaCode),
    /// A v4 code.
    V4(v4::MetaCode),
}

impl From<v2::MetaCode> for ApiCode {
    fn from(c: v2::MetaCode) -> Self {
        ApiCode::V2(c)
    }
}

impl From<v4::MetaCode> for ApiCode {
    fn from(c: v4::MetaCode) -> Self {
        ApiCode::V4(c)
    }
}

impl fmt::Display for ApiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl ApiCode {
    /// The number as sent.
    pub fn code(self) -> u32 {
        match self {
            ApiCode::V2(c) => c.code(),
            ApiCode::V4(c) => c.code(),
        }
    }

    /// The v2 code, if this is one.
    pub fn v2(self) -> Option<v2::MetaCode> {
        match self {
            ApiCode::V2(c) => Some(c),
            ApiCode::V4(_) => None,
        }
    }

    /// The v4 code, if this is one.
    pub fn v4(self) -> Option<v4::MetaCode> {
        match self {
            ApiCode::V4(c) => Some(c),
            ApiCode::V2(_) => None,
        }
    }

    /// A success code (v2 200/201, v4 200).
    pub fn is_success(self) -> bool {
        match self {
            ApiCode::V2(c) => c.is_success(),
            ApiCode::V4(c) => c.is_success(),
        }
    }

    /// Sending the same request later may succeed: throttling and server trouble (v2 429,
    /// 500, 503; v4 429, 511–513).
    pub fn is_retryable(self) -> bool {
        match self {
            ApiCode::V2(c) => crate::v2::rules::is_retryable_code(c),
            ApiCode::V4(c) => c.is_retryable(),
        }
    }

    /// The API asks to slow down (429 in both).
    pub fn is_rate_limited(self) -> bool {
        matches!(
            self,
            ApiCode::V2(v2::MetaCode::TooManyRequests) | ApiCode::V4(v4::MetaCode::TooManyRequests)
        )
    }

    /// The quota or balance is used up (v2 4021, 4019, 402; v4 4190).
    pub fn is_quota_exhausted(self) -> bool {
        matches!(
            self,
            ApiCode::V2(
                v2::MetaCode::QuotaExhausted
                    | v2::MetaCode::InsufficientBalance
                    | v2::MetaCode::PaymentRequired
            ) | ApiCode::V4(v4::MetaCode::QuotaExhausted)
        )
    }

    /// The tracking or route does not exist (v2 4017, 4031, 404; v4 4102, 4112, 404).
    pub fn is_not_found(self) -> bool {
        matches!(
            self,
            ApiCode::V2(
                v2::MetaCode::TrackingNotFound | v2::MetaCode::NotCreated | v2::MetaCode::NotFound
            ) | ApiCode::V4(
                v4::MetaCode::TrackingNotFound
                    | v4::MetaCode::InvalidTrackingId
                    | v4::MetaCode::NotFound
            )
        )
    }

    /// The tracking already exists (v2 4016, v4 4101).
    pub fn is_already_exists(self) -> bool {
        matches!(
            self,
            ApiCode::V2(v2::MetaCode::TrackingExists) | ApiCode::V4(v4::MetaCode::TrackingExists)
        )
    }

    /// The key was refused (v2 401, 4001, 4002; v4 401).
    pub fn is_unauthorized(self) -> bool {
        matches!(
            self,
            ApiCode::V2(
                v2::MetaCode::Unauthorized
                    | v2::MetaCode::InvalidApiKey
                    | v2::MetaCode::ApiKeyDeleted
            ) | ApiCode::V4(v4::MetaCode::Unauthorized)
        )
    }

    /// A description from the generation's documentation.
    pub fn description(self) -> &'static str {
        match self {
            ApiCode::V2(c) => c.description(),
            ApiCode::V4(c) => c.message().unwrap_or("unknown meta code"),
        }
    }
}

/// The API refused a request.
///
/// ```
/// use tm_core::{ApiError, Operation, types::v2::MetaCode};
/// let e = ApiError::new(Operation::V2TrackingsGet, 200, Some(MetaCode::TrackingNotFound.into()), "Tracking does not exist.");
/// assert_eq!(e.to_string(), "v2.trackings.get: api error 4017: Tracking does not exist.");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation.
    pub operation: Operation,
    /// The HTTP status (200 for v2's in-envelope errors; v4 mirrors the code).
    pub http_status: u16,
    /// The `meta.code`, if the body was an envelope.
    pub code: Option<ApiCode>,
    /// The `meta.type`, e.g. `"Bad Request"`.
    pub kind: Option<String>,
    /// The `meta.message`, or a description of the non-envelope body.
    pub message: String,
    /// The start of the raw body.
    pub body: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.operation)?;
        match self.code {
            Some(code) => write!(f, "api error {code}")?,
            None => write!(f, "http {}", self.http_status)?,
        }
        if let Some(kind) = &self.kind {
            write!(f, " ({kind})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// An API error without a `meta.type` or a body excerpt.
    pub fn new(
        operation: Operation,
        http_status: u16,
        code: Option<ApiCode>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            operation,
            http_status,
            code,
            kind: None,
            message: message.into(),
            body: None,
        }
    }

    /// Sets the `meta.type`.
    #[must_use]
    pub fn with_kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// Sets the body excerpt.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }
}

/// A body that did not match the expected shape.
///
/// ```
/// use tm_core::{DecodeError, Operation};
/// let e = DecodeError::new(Operation::V2TrackingsRealtime, "data.items", "the realtime response holds no tracking");
/// assert!(e.to_string().contains("at `data.items`"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation.
    pub operation: Operation,
    /// The JSON path of the offending value, e.g. `data.items[3].origin_info.trackinfo`.
    pub path: String,
    /// Line in the body (1-based; 0 if unknown).
    pub line: usize,
    /// Column in the body (1-based; 0 if unknown).
    pub column: usize,
    /// What serde reported.
    pub message: String,
    /// The body around the error.
    pub excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: could not decode the response at `{}`: {} (near {:?})",
            self.operation, self.path, self.message, self.excerpt
        )
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    /// A decode error at `path` with no position or excerpt.
    pub fn new(operation: Operation, path: impl Into<String>, message: impl Into<String>) -> Self {
        DecodeError {
            operation,
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            excerpt: String::new(),
        }
    }
}

/// The client could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key was given (and `TRACKINGMORE_API_KEY` is unset).
    #[error("no API key: set TRACKINGMORE_API_KEY or call ClientBuilder::api_key")]
    MissingApiKey,
    /// The key is malformed (the key itself is never shown).
    #[error("the API key {0}")]
    InvalidApiKey(&'static str),
    /// The base URL is malformed or not allowed.
    #[error("base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A setting is out of range.
    #[error("{setting}: {reason}")]
    InvalidSetting {
        /// The setting.
        setting: &'static str,
        /// Why.
        reason: String,
    },
    /// No transport: the `reqwest` feature is off and none was given.
    #[error("no transport: enable the `reqwest` feature or call ClientBuilder::transport")]
    NoTransport,
    /// A setting was given that cannot take effect with the rest of the configuration (e.g. a
    /// connect timeout with a custom transport): refused rather than silently ignored.
    #[error("{setting} cannot be used here: {reason}")]
    NotApplicable {
        /// The setting.
        setting: &'static str,
        /// Why it has no effect, and what to do instead.
        reason: String,
    },
    /// The rate limits name a class no operation of this API uses (a misspelling, or another
    /// generation's class).
    #[error("rate class `{class}` is not one of this API's classes ({known})")]
    UnknownRateClass {
        /// The class given.
        class: String,
        /// The API's classes, comma-separated.
        known: String,
    },
}

impl Error {
    /// The operation that failed, if the error belongs to one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert_eq!(err.operation(), Some(tm_core::Operation::V2TrackingsGet));
    /// # }
    /// ```
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Error::Transport { operation, .. }
            | Error::RateLimited { operation, .. }
            | Error::Pagination { operation, .. } => Some(*operation),
            Error::Api(e) => Some(e.operation),
            Error::Decode(e) => Some(e.operation),
            Error::Undecoded(u) => Some(u.error.operation),
            Error::InvalidInput { .. }
            | Error::Config(_)
            | Error::Unsupported { .. }
            | Error::NotTracked(_) => None,
        }
    }

    /// The `meta.code` of an API error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert_eq!(err.api_code(), Some(tm_core::types::v2::MetaCode::TrackingNotFound.into()));
    /// assert!(err.api_code().is_some_and(|c| c.is_not_found()));
    /// # }
    /// ```
    pub fn api_code(&self) -> Option<ApiCode> {
        match self {
            Error::Api(e) => e.code,
            _ => None,
        }
    }

    /// The HTTP status of an API error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert_eq!(err.status(), Some(200)); // v2 answers errors with HTTP 200
    /// # }
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.http_status),
            _ => None,
        }
    }

    /// True when trying again later may succeed: transient transport failures, throttling, and
    /// server-side errors (500, 503).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert!(!err.is_retryable());
    /// # }
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { source, .. } => source.is_retryable(),
            Error::RateLimited { .. } => true,
            Error::Api(e) => match e.code {
                Some(code) => code.is_retryable(),
                None => e.http_status >= 500 || e.http_status == 429,
            },
            _ => false,
        }
    }

    /// True when the API asked to slow down.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert!(!err.is_rate_limited());
    /// # }
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::RateLimited { .. } => true,
            Error::Api(e) => match e.code {
                Some(code) => code.is_rate_limited(),
                None => e.http_status == 429,
            },
            _ => false,
        }
    }

    /// True when the account's quota or balance is used up (v2 4021, 4019, 402; v4 4190).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert!(!err.is_quota_exhausted());
    /// # }
    /// ```
    pub fn is_quota_exhausted(&self) -> bool {
        self.api_code().is_some_and(ApiCode::is_quota_exhausted)
    }

    /// True when the tracking (or route) does not exist: v2 4017, 4031, 404; v4 4102, 4112,
    /// 404.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert!(err.is_not_found());
    /// # }
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.api_code().is_some_and(ApiCode::is_not_found)
            || matches!(self, Error::Api(e) if e.code.is_none() && e.http_status == 404)
            || matches!(self, Error::NotTracked(_))
    }

    /// True when the tracking already exists (v2 4016, v4 4101).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4016,"type":"Bad Request","message":"Tracking already exists."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert!(err.is_already_exists());
    /// # }
    /// ```
    pub fn is_already_exists(&self) -> bool {
        self.api_code().is_some_and(ApiCode::is_already_exists)
    }

    /// True when the API key was refused (v2 401, 4001, 4002; v4 401).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert!(!err.is_unauthorized());
    /// # }
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        self.api_code().is_some_and(ApiCode::is_unauthorized)
            || matches!(self, Error::Api(e) if e.code.is_none() && e.http_status == 401)
    }

    /// True for a timeout.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert!(!err.is_timeout());
    /// # }
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
    }

    /// True for errors about the client's own input or configuration.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert!(!err.is_usage());
    /// assert!(client.trackings().get("dhl", "").await.unwrap_err().is_usage());
    /// # }
    /// ```
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::InvalidInput { .. } | Error::Config(_) | Error::Unsupported { .. }
        )
    }

    /// The wait the API asked for, if it asked.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let client = tm_core::doc_client(r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#);
    /// let err = client.trackings().get("dhl", "1234567890").await.unwrap_err();
    /// assert_eq!(err.retry_after(), None);
    /// # }
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

/// The start of a body as text, cut at a character boundary.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max)]);
    let mut s = text.into_owned();
    if body.len() > max {
        s.push('…');
    }
    s
}
