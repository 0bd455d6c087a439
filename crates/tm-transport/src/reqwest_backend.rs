//! The production backend on reqwest.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderName, HeaderValue};

use crate::{Bytes, HttpRequest, HttpResponse, Method, Transport, TransportError};

/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default per-attempt timeout (connect, send and the whole response).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default cap on a response body (after decompression).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;

/// Settings of a [`ReqwestTransport`].
#[derive(Debug, Clone)]
pub struct ReqwestTransportBuilder {
    base_url: String,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    max_body_bytes: u64,
    user_agent: String,
}

impl ReqwestTransportBuilder {
    /// Sets the connect timeout (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the default per-attempt timeout (default 30 s); a request's own timeout wins.
    #[must_use]
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Sets the response-size cap in bytes (default 32 MiB).
    #[must_use]
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Sets the user agent (default `trackingmore-rs/<version>`).
    #[must_use]
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Builds the transport: one connection pool, reused by every clone.
    pub fn build(self) -> Result<ReqwestTransport, TransportError> {
        let base = reqwest::Url::parse(&self.base_url)
            .map_err(|e| TransportError::invalid(format!("base URL {:?}: {e}", self.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(TransportError::invalid(format!(
                "base URL scheme {:?} is not http or https",
                base.scheme()
            )));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(TransportError::invalid(
                "base URL must not carry a query or fragment",
            ));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            // The default per-attempt timeout lives on the client, so a request that keeps it
            // carries no per-request setting (reqwest stores one in an allocated map).
            .timeout(self.attempt_timeout)
            .user_agent(self.user_agent)
            // The API never redirects. Following one could carry the key header to another
            // host (reqwest strips only the standard credential headers), so a 3xx is
            // returned as a response instead.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(90))
            .build()
            .map_err(|e| TransportError::invalid(format!("HTTP client: {e}")))?;
        Ok(ReqwestTransport {
            client,
            base,
            attempt_timeout: self.attempt_timeout,
            max_body_bytes: self.max_body_bytes,
        })
    }
}

/// Sends requests with reqwest: rustls by default, gzip, connection reuse, default timeouts, a
/// response-size cap, and credential headers marked sensitive.
///
/// ```no_run
/// # async fn run() -> Result<(), tm_transport::TransportError> {
/// use tm_transport::{HttpRequest, Method, ReqwestTransport, Transport};
/// let transport = ReqwestTransport::builder("https://api.trackingmore.com/v2").build()?;
/// let response = transport.send(&HttpRequest::new(Method::Get, "/carriers")).await?;
/// println!("{}", response.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    /// The base parsed once: each request clones it and sets its path and query, so the
    /// scheme and host (IDNA processing included) are not parsed again per request.
    base: reqwest::Url,
    attempt_timeout: Duration,
    max_body_bytes: u64,
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("base", &self.base_url())
            .field("attempt_timeout", &self.attempt_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl ReqwestTransport {
    /// Settings for a transport sending to `base_url` (requests' paths are appended to it).
    pub fn builder(base_url: impl Into<String>) -> ReqwestTransportBuilder {
        ReqwestTransportBuilder {
            base_url: base_url.into(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            user_agent: format!("trackingmore-rs/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// The base URL requests are sent under.
    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    fn build_request(&self, req: &HttpRequest) -> Result<reqwest::RequestBuilder, TransportError> {
        if !req.path.starts_with('/') {
            return Err(TransportError::invalid(format!(
                "path {:?} must start with '/'",
                req.path
            )));
        }
        let bad = |c: char| c.is_ascii_control() || c.is_whitespace() || matches!(c, '?' | '#');
        // Paths are ASCII once encoded: a byte scan, with the char scan for anything else.
        let found = if req.path.is_ascii() {
            req.path.bytes().map(char::from).find(|c| bad(*c))
        } else {
            req.path.chars().find(|c| bad(*c))
        };
        if let Some(c) = found {
            return Err(TransportError::invalid(format!(
                "path contains {c:?}; segments must be percent-encoded"
            )));
        }
        let mut url = self.base.clone();
        // The base's path without its trailing `/` (empty for a bare host), then the request's.
        let base_path = self.base.path().trim_end_matches('/');
        let mut path = String::with_capacity(base_path.len() + req.path.len());
        path.push_str(base_path);
        path.push_str(&req.path);
        // Read as the path of a whole URL would be: `.` and `..` segments resolved, anything
        // not allowed in a path percent-encoded.
        url.set_path(&path);
        if !req.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(req.query.iter().map(|(k, v)| (k.as_ref(), v.as_str())));
        }
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, url);
        if let Some(timeout) = req.timeout.filter(|t| *t != self.attempt_timeout) {
            builder = builder.timeout(timeout);
        }
        for h in &req.headers {
            // Static names and values (most of them) are used in place, not copied.
            let name = match h.name {
                Cow::Borrowed(name) if is_lower_token(name) => HeaderName::from_static(name),
                _ => HeaderName::from_bytes(h.name.as_bytes())
                    .map_err(|_| TransportError::invalid(format!("header name {:?}", h.name)))?,
            };
            let value = match h.value {
                Cow::Borrowed(value) if is_visible_text(value) => {
                    Ok(HeaderValue::from_static(value))
                }
                _ => HeaderValue::from_str(&h.value),
            };
            // The value is never echoed: it may be a credential.
            let mut value = value.map_err(|_| {
                TransportError::invalid(format!(
                    "header {:?} has a value with characters not allowed in HTTP",
                    h.name
                ))
            })?;
            value.set_sensitive(h.sensitive);
            // `header` appends, so a repeated header keeps every value.
            builder = builder.header(name, value);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        Ok(builder)
    }

    fn map_error(&self, e: reqwest::Error, timeout: Duration) -> TransportError {
        // A connect failure (including a connect timeout) means nothing was sent.
        if e.is_connect() {
            return TransportError::Connect {
                message: describe(&e),
                source: Some(Box::new(e.without_url())),
            };
        }
        if e.is_timeout() {
            return TransportError::Timeout { after: timeout };
        }
        if e.is_builder() {
            return TransportError::invalid(describe(&e));
        }
        TransportError::ConnectionBroken {
            message: describe(&e),
            source: Some(Box::new(e.without_url())),
        }
    }
}

/// True for a non-empty header name of lower-case token characters: what
/// `HeaderName::from_static` takes without panicking.
fn is_lower_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
        })
}

/// True for a value of visible ASCII, spaces and tabs: what `HeaderValue::from_static` takes
/// without panicking.
fn is_visible_text(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

/// The innermost cause of a reqwest error, without the URL.
fn describe(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg = s.to_string();
        source = s.source();
    }
    msg
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let timeout = request.timeout.unwrap_or(self.attempt_timeout);
        let builder = self.build_request(request)?;
        let mut response = builder
            .send()
            .await
            .map_err(|e| self.map_error(e, timeout))?;
        let status = response.status().as_u16();
        // Handed over as they are: no copy of the headers.
        let headers = std::mem::take(response.headers_mut());
        // With gzip on, Content-Length is the compressed size; the decoded size is checked
        // while reading, so a small compressed bomb still stops at the cap.
        let expected = response.content_length();
        if expected.is_some_and(|len| len > self.max_body_bytes) {
            return Err(TransportError::BodyTooLarge {
                limit: self.max_body_bytes,
            });
        }
        // A body that arrives in one chunk (most do) is kept as that chunk; a second chunk
        // starts a buffer, sized once from Content-Length where it is sent.
        let mut single: Option<Bytes> = None;
        let mut joined: Vec<u8> = Vec::new();
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => return Err(self.map_error(e, timeout)),
            };
            let read = single.as_ref().map_or(0, Bytes::len) + joined.len() + chunk.len();
            if read as u64 > self.max_body_bytes {
                return Err(TransportError::BodyTooLarge {
                    limit: self.max_body_bytes,
                });
            }
            match single.take() {
                None if joined.is_empty() => single = Some(chunk),
                first => {
                    if let Some(first) = first {
                        let hint = expected.map_or(0, |len| usize::try_from(len).unwrap_or(0));
                        joined.reserve(hint.max(read));
                        joined.extend_from_slice(&first);
                    }
                    joined.extend_from_slice(&chunk);
                }
            }
        }
        let body = single.unwrap_or_else(|| Bytes::from(joined));
        Ok(HttpResponse::with_parts(status, headers, body))
    }
}
