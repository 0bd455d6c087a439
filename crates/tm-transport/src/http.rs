//! Plain request and response values, independent of any HTTP library.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::ResponseHeaders;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method name in upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Parses an upper- or lower-case method name.
    pub fn parse(s: &str) -> Option<Method> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `name` in lower case; a name already in lower case (a `&'static str` such as
/// `"accept"`) is kept without copying it.
fn lower_case(name: Cow<'static, str>) -> Cow<'static, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        name
    }
}

/// A request header. A sensitive header (an API key) is never printed by `Debug`, is marked
/// sensitive for the HTTP library, and is scrubbed by the recorder.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// The name, in lower case.
    pub name: Cow<'static, str>,
    /// The value.
    pub value: Cow<'static, str>,
    /// True for credentials.
    pub sensitive: bool,
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.sensitive {
            &"<redacted>"
        } else {
            &self.value
        };
        f.debug_tuple("Header")
            .field(&self.name)
            .field(value)
            .finish()
    }
}

/// The rate-limit class a request counts against: an opaque key chosen by the caller (the
/// client layer names one per operation). A limiter refuses a class it has no limit for
/// instead of guessing one.
///
/// ```
/// use tm_transport::RateClass;
/// const LIST: RateClass = RateClass::new("list");
/// assert_eq!(LIST.as_str(), "list");
/// assert_eq!(LIST, RateClass::from(String::from("list")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RateClass(Cow<'static, str>);

impl RateClass {
    /// A class with a static name.
    pub const fn new(name: &'static str) -> RateClass {
        RateClass(Cow::Borrowed(name))
    }

    /// The class name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for RateClass {
    fn from(name: String) -> Self {
        RateClass(Cow::Owned(name))
    }
}

impl fmt::Display for RateClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One request, as the client layer describes it.
///
/// `path` is relative to the backend's base URL and already percent-encoded; query values are
/// encoded by the backend.
///
/// ```
/// use tm_transport::{HttpRequest, Method, RateClass};
/// let req = HttpRequest::new(Method::Get, "/trackings/get")
///     .operation("v2.trackings.list")
///     .rate_class(RateClass::new("list"))
///     .query("page", "2")
///     .sensitive_header("Trackingmore-Api-Key", "k-123")
///     .idempotent(true);
/// assert_eq!(req.header_value("trackingmore-api-key"), Some("k-123"));
/// assert!(!format!("{req:?}").contains("k-123"));
/// ```
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// Path relative to the base URL, starting with `/`.
    pub path: String,
    /// Query parameters in order, not yet percent-encoded; repeated keys allowed. A name
    /// the caller knows statically is kept without a copy.
    pub query: Vec<(Cow<'static, str>, String)>,
    /// Headers in order.
    pub headers: Vec<Header>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
    /// True when sending the request twice has the same effect as sending it once, so that a
    /// timeout or a broken connection may be retried.
    pub idempotent: bool,
    /// A stable name of the operation, for logs, fixtures, errors and metrics.
    pub operation: Cow<'static, str>,
    /// The rate-limit classes the request counts against, in the order their permits are
    /// taken (an endpoint's own limit, then an overall one); none counts against no limit.
    pub rate_classes: Vec<RateClass>,
    /// Per-attempt timeout, overriding the backend's default.
    pub timeout: Option<Duration>,
}

impl HttpRequest {
    /// A request with no query, headers or body; not idempotent, operation `"request"`, no
    /// rate class.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        HttpRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            idempotent: false,
            operation: Cow::Borrowed("request"),
            rate_classes: Vec::new(),
            timeout: None,
        }
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, key: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds a header (the name is stored in lower case).
    #[must_use]
    pub fn header(
        self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.with_header(name.into(), value.into(), false)
    }

    /// Adds a header holding a credential.
    #[must_use]
    pub fn sensitive_header(
        self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.with_header(name.into(), value.into(), true)
    }

    fn with_header(
        mut self,
        name: Cow<'static, str>,
        value: Cow<'static, str>,
        sensitive: bool,
    ) -> Self {
        self.headers.push(Header {
            name: lower_case(name),
            value,
            sensitive,
        });
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets whether the request may be resent after it may have reached the server.
    #[must_use]
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Sets the operation name.
    #[must_use]
    pub fn operation(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.operation = name.into();
        self
    }

    /// Counts the request against `class` as well (a request may count against several: an
    /// endpoint's own limit and an overall one).
    ///
    /// ```
    /// use tm_transport::{HttpRequest, Method, RateClass};
    /// let req = HttpRequest::new(Method::Post, "/trackings/create")
    ///     .rate_class(RateClass::new("create"))
    ///     .rate_class(RateClass::new("default"));
    /// assert_eq!(req.rate_classes.len(), 2);
    /// ```
    #[must_use]
    pub fn rate_class(mut self, class: RateClass) -> Self {
        if !self.rate_classes.contains(&class) {
            self.rate_classes.push(class);
        }
        self
    }

    /// Sets the per-attempt timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The first header with this name (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_ref())
    }

    /// The values of every sensitive header, for scrubbing.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .filter(|h| h.sensitive && !h.value.is_empty())
            .map(|h| h.value.as_ref())
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &self.body.as_deref().map(BodyPreview))
            .field("idempotent", &self.idempotent)
            .field("operation", &self.operation)
            .field("rate_classes", &self.rate_classes)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Shows a body as text, cut at 512 bytes.
struct BodyPreview<'a>(&'a [u8]);

impl fmt::Debug for BodyPreview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cut = self.0.len().min(512);
        let text = String::from_utf8_lossy(&self.0[..cut]);
        if cut < self.0.len() {
            write!(f, "{text:?}… ({} bytes)", self.0.len())
        } else {
            write!(f, "{text:?}")
        }
    }
}

/// What the retry layer did before a response arrived. Backends report a first attempt;
/// [`RetryTransport`](crate::RetryTransport) fills in its count and what the earlier attempts
/// may have done, so that a client can read an answer such as "already exists" or "does not
/// exist" as the work of its own earlier attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempts {
    /// Attempts made, this one included (1 when the request was sent once).
    pub count: u32,
    /// True when an earlier attempt may have been applied by the server: it timed out, its
    /// connection broke after sending, or a transient server error answered it. A refused
    /// connection or a throttling answer was not applied.
    pub earlier_may_have_applied: bool,
}

impl Default for Attempts {
    /// One attempt, nothing before it.
    fn default() -> Self {
        Attempts {
            count: 1,
            earlier_may_have_applied: false,
        }
    }
}

impl Attempts {
    /// `count` attempts; `earlier_may_have_applied` as described on the field.
    pub fn new(count: u32, earlier_may_have_applied: bool) -> Self {
        Attempts {
            count,
            earlier_may_have_applied,
        }
    }
}

/// A response: any status, including 4xx and 5xx, is a response and not an error.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: ResponseHeaders,
    /// The body (decompressed). [`Bytes`] so that a backend hands over the buffer it read
    /// into rather than a copy; it reads as `&[u8]`.
    pub body: Bytes,
    /// The attempts behind this response (see [`Attempts`]).
    pub attempts: Attempts,
}

impl HttpResponse {
    /// A response with a status and a body and no headers.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers: ResponseHeaders::new(),
            body: body.into(),
            attempts: Attempts::default(),
        }
    }

    /// A response with a status, headers and a body.
    pub fn with_parts(
        status: u16,
        headers: impl Into<ResponseHeaders>,
        body: impl Into<Bytes>,
    ) -> Self {
        HttpResponse {
            status,
            headers: headers.into(),
            body: body.into(),
            attempts: Attempts::default(),
        }
    }

    /// A response with a JSON body and its content type.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        HttpResponse::new(status, body.to_string()).with_header("content-type", "application/json")
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// The first header with this name (case-insensitive) whose value is UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The wait a `Retry-After` header asks for, in either of its forms (seconds, or an
    /// HTTP date relative to `now`). A date in the past means no wait.
    pub fn retry_after(&self, now: SystemTime) -> Option<Duration> {
        parse_retry_after(self.header("retry-after")?, now)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &BodyPreview(&self.body))
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// Parses a `Retry-After` value: delay-seconds (a non-negative integer; a fraction is
/// accepted and rounded up) or an HTTP date.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use tm_transport::parse_retry_after;
/// let now = UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now), Some(Duration::from_secs(120)));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if (0.0..1e9).contains(&secs) {
            return Some(Duration::from_secs(secs.ceil() as u64));
        }
        return None;
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}
