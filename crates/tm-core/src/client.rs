//! The client, the transport stack under it, and how every response is read.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tm_transport::{
    Classification, Classifier, HttpRequest, HttpResponse, LocalRateLimiter, Method,
    RateLimitTransport, RateLimiter, RateLimits, RetryTransport, SharedTransport, Transport,
    TransportError,
};
use tm_types::{Carrier, Meta, MetaCode, RawEnvelope};
use tracing::Instrument;

use crate::config::{API_KEY_HEADER_LOWER, ApiKey, ClientBuilder, Config};
use crate::error::{ApiError, BODY_EXCERPT_BYTES, DecodeError, Error, Result, excerpt};

/// What the transport needs to know about an operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op {
    /// Stable name for logs, errors and fixtures.
    pub name: &'static str,
    /// May be resent after it may have reached the server.
    pub idempotent: bool,
    /// Rate-limit class.
    pub rate_class: &'static str,
}

/// Every operation: the one table of names, idempotency and rate classes.
pub(crate) mod ops {
    use super::Op;

    const fn op(name: &'static str, idempotent: bool, rate_class: &'static str) -> Op {
        Op {
            name,
            idempotent,
            rate_class,
        }
    }

    pub const CARRIERS_LIST: Op = op("carriers.list", true, "default");
    pub const CARRIERS_DETECT: Op = op("carriers.detect", true, "default");
    // Creates are resent safely: a 4016 on the resend means the first attempt landed.
    pub const CREATE: Op = op("trackings.create", true, "default");
    pub const GET: Op = op("trackings.get", true, "default");
    pub const UPDATE: Op = op("trackings.update", true, "default");
    pub const DELETE: Op = op("trackings.delete", true, "default");
    pub const BATCH_CREATE: Op = op("trackings.batch_create", true, "default");
    pub const LIST: Op = op("trackings.list", true, "list");
    pub const UPDATE_MANY: Op = op("trackings.update_many", true, "default");
    pub const DELETE_MANY: Op = op("trackings.delete_many", true, "default");
    pub const REALTIME: Op = op("trackings.realtime", true, "realtime");
    // Changing the carrier twice is not the same as once: never resent once it may have
    // been applied.
    pub const CHANGE_CARRIER: Op = op("trackings.change_carrier", false, "default");
    pub const USER_INFO: Op = op("account.user_info", true, "default");
    pub const STATUS_COUNTS: Op = op("account.status_counts", true, "default");
    pub const NOT_UPDATE: Op = op("trackings.stop_updating", true, "default");
    pub const REMOTE: Op = op("trackings.remote_areas", true, "default");
    pub const TRANSIT_TIME: Op = op("trackings.transit_time", true, "default");
    pub const AIR_CARGO: Op = op("trackings.air_cargo", true, "default");
}

pub(crate) type CarrierCache =
    Mutex<HashMap<Option<String>, (tokio::time::Instant, Arc<Vec<Carrier>>)>>;

pub(crate) struct Inner {
    key: ApiKey,
    pub(crate) config: Config,
    transport: SharedTransport,
    pub(crate) carrier_cache: CarrierCache,
}

impl Inner {
    pub(crate) fn new(
        key: ApiKey,
        config: Config,
        backend: SharedTransport,
        limits: RateLimits,
        limiter: Option<Arc<dyn RateLimiter>>,
    ) -> Inner {
        let limiter = limiter.unwrap_or_else(|| Arc::new(LocalRateLimiter::new(limits)));
        let limited = RateLimitTransport::new(backend, limiter);
        let transport = RetryTransport::new(limited, config.retry.clone())
            .with_classifier(envelope_classifier());
        Inner {
            key,
            config,
            transport: Arc::new(transport),
            carrier_cache: Mutex::new(HashMap::new()),
        }
    }
}

/// The TrackingMore v2 client. Cheap to clone: clones share one connection pool, one rate
/// limiter, one retry budget and one carrier cache.
///
/// ```no_run
/// # async fn run() -> tm_core::Result<()> {
/// let client = tm_core::Client::from_env()?; // TRACKINGMORE_API_KEY
/// let t = client.trackings().get("china-post", "RN123456789CN").await?;
/// println!("{:?} {}", t.status(), t.last_event.as_deref().unwrap_or(""));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_key", &self.inner.key)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with every default.
    ///
    /// ```
    /// let client = tm_core::Client::builder().api_key("k").build().unwrap();
    /// # let _ = client;
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `TRACKINGMORE_API_KEY` and the other environment variables
    /// (see [`ClientBuilder::with_env`]).
    ///
    /// ```no_run
    /// // TRACKINGMORE_API_KEY=… TRACKINGMORE_BASE_URL=http://127.0.0.1:8000/v2 cargo run
    /// let client = tm_core::Client::from_env().expect("TRACKINGMORE_API_KEY is set");
    /// # let _ = client;
    /// ```
    pub fn from_env() -> Result<Client> {
        Ok(Client::builder().with_env()?.build()?)
    }

    pub(crate) fn from_inner(inner: Inner) -> Client {
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The settings in use.
    ///
    /// ```
    /// let client = tm_core::Client::builder().api_key("k").build().unwrap();
    /// assert_eq!(client.config().base_url, tm_core::DEFAULT_BASE_URL);
    /// ```
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Carrier list and detection.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":[{"code":"dhl"}]}"#);
    /// let carriers = client.carriers().list().await?;
    /// # assert_eq!(carriers.len(), 1); Ok(()) }
    /// ```
    pub fn carriers(&self) -> crate::Carriers<'_> {
        crate::Carriers { client: self }
    }

    /// Creating, reading, changing, listing and deleting trackings.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"tracking_number":"1234567890","carrier_code":"dhl"}}"#);
    /// let t = client.trackings().get("dhl", "1234567890").await?;
    /// # assert_eq!(t.carrier_code, "dhl"); Ok(()) }
    /// ```
    pub fn trackings(&self) -> crate::Trackings<'_> {
        crate::Trackings { client: self }
    }

    /// Account information and status counts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"email":"ops@shop.example","track_number":100}}"#);
    /// let info = client.account().user_info().await?;
    /// # assert_eq!(info.email.as_deref(), Some("ops@shop.example")); Ok(()) }
    /// ```
    pub fn account(&self) -> crate::Account<'_> {
        crate::Account { client: self }
    }

    /// A request for `op` with the key and JSON headers (names given in lower case, as the
    /// transport keeps them, so the static names are not copied).
    pub(crate) fn request(&self, op: Op, method: Method, path: String) -> HttpRequest {
        HttpRequest::new(method, path)
            .operation(op.name)
            .idempotent(op.idempotent)
            .rate_class(op.rate_class)
            .timeout(self.inner.config.attempt_timeout)
            .sensitive_header(API_KEY_HEADER_LOWER, self.inner.key.expose().to_owned())
            .header("accept", "application/json")
    }

    /// A request with a JSON body.
    pub(crate) fn json_request<B: Serialize + ?Sized>(
        &self,
        op: Op,
        method: Method,
        path: String,
        body: &B,
    ) -> Result<HttpRequest> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::invalid("body", e.to_string()))?;
        Ok(self
            .request(op, method, path)
            .header("Content-Type", "application/json")
            .body(bytes))
    }

    /// Sends through the stack; transport failures become [`Error`]s.
    pub(crate) async fn send(&self, op: Op, request: HttpRequest) -> Result<HttpResponse> {
        let span = tracing::info_span!("tm", operation = op.name, attempts = tracing::field::Empty);
        async {
            let outcome = self.inner.transport.send(&request).await;
            match outcome {
                Ok(resp) => {
                    tracing::Span::current().record("attempts", resp.attempt);
                    tracing::debug!(status = resp.status, bytes = resp.body.len(), "response");
                    Ok(resp)
                }
                Err(TransportError::RateLimited {
                    retry_after,
                    attempts,
                }) => {
                    tracing::Span::current().record("attempts", attempts);
                    Err(Error::RateLimited {
                        operation: op.name,
                        retry_after: Some(retry_after),
                        attempts,
                    })
                }
                Err(source) => {
                    tracing::warn!(error = %source, "transport failure");
                    Err(Error::Transport {
                        operation: op.name,
                        source,
                    })
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Sends and decodes a success envelope's `data` as `T`.
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        op: Op,
        request: HttpRequest,
    ) -> Result<T> {
        let resp = self.send(op, request).await?;
        decode(op, &resp)
    }
}

/// Reads a response: `T` from a success envelope; the API error from any other.
///
/// The success path decodes the body once; only a failure looks at it a second time, to
/// tell an API error (`data: []`) from a malformed body.
pub(crate) fn decode<T: DeserializeOwned>(op: Op, resp: &HttpResponse) -> Result<T> {
    #[derive(Deserialize)]
    struct Typed<T> {
        meta: Meta,
        #[serde(default = "Option::default")]
        data: Option<T>,
    }
    // Plain serde_json first: tracking the JSON path costs a third of the decode speed, and
    // only a failure needs it, so the path is recovered by a second pass on failure alone.
    let typed = serde_json::from_slice::<Typed<T>>(&resp.body).map_err(|_| {
        let mut de = serde_json::Deserializer::from_slice(&resp.body);
        match serde_path_to_error::deserialize::<_, Typed<T>>(&mut de) {
            Ok(_) => match de.end() {
                Ok(()) => (
                    String::new(),
                    serde_json::Error::io(std::io::Error::other("inconsistent decode")),
                ),
                Err(e) => (String::new(), e),
            },
            Err(e) => (e.path().to_string(), e.into_inner()),
        }
    });
    match typed {
        Ok(t) if resp.is_success() && t.meta.code.is_success() => match t.data {
            Some(data) => Ok(data),
            // `null` or no `data` where a payload is expected: decode `null` for a precise
            // error (types that accept null, such as `Vec<Value>` wrappers, still work).
            None => serde_json::from_str::<T>("null").map_err(|e| {
                Error::Decode(Box::new(DecodeError {
                    operation: op.name,
                    path: "data".into(),
                    line: 0,
                    column: 0,
                    message: format!("missing payload: {e}"),
                    excerpt: excerpt(&resp.body, 200),
                }))
            }),
        },
        Ok(t) => Err(api_failure(op, resp, t.meta)),
        Err(decode_err) => match serde_json::from_slice::<RawEnvelope<'_>>(&resp.body) {
            Ok(env) if !(resp.is_success() && env.meta.code.is_success()) => {
                Err(api_failure(op, resp, env.meta))
            }
            Ok(_) => Err(decode_error(op, &resp.body, decode_err)),
            Err(_) if !resp.is_success() => Err(not_an_envelope(op, resp)),
            Err(_) => Err(decode_error(op, &resp.body, decode_err)),
        },
    }
}

/// The error for a response whose envelope says it failed.
fn api_failure(op: Op, resp: &HttpResponse, meta: Meta) -> Error {
    if meta.code == MetaCode::TooManyRequests {
        return Error::RateLimited {
            operation: op.name,
            retry_after: resp.retry_after(SystemTime::now()),
            attempts: resp.attempt,
        };
    }
    Error::Api(Box::new(ApiError {
        operation: op.name,
        http_status: resp.status,
        code: Some(meta.code),
        kind: meta.r#type.into_value(),
        message: meta
            .message
            .into_value()
            .unwrap_or_else(|| meta.code.description().to_owned()),
        body: Some(excerpt(&resp.body, BODY_EXCERPT_BYTES)),
    }))
}

/// The error for an error status whose body is no envelope (a proxy page, an empty body).
fn not_an_envelope(op: Op, resp: &HttpResponse) -> Error {
    if resp.status == 429 {
        return Error::RateLimited {
            operation: op.name,
            retry_after: resp.retry_after(SystemTime::now()),
            attempts: resp.attempt,
        };
    }
    let what = if resp.body.is_empty() {
        "an empty body".to_owned()
    } else {
        match resp.header("content-type") {
            Some(ct) => format!(
                "a {} body that is not a TrackingMore envelope",
                ct.split(';').next().unwrap_or(ct).trim()
            ),
            None => "a body that is not a TrackingMore envelope".to_owned(),
        }
    };
    Error::Api(Box::new(ApiError {
        operation: op.name,
        http_status: resp.status,
        code: None,
        kind: None,
        message: format!("HTTP {} with {what}", resp.status),
        body: (!resp.body.is_empty()).then(|| excerpt(&resp.body, BODY_EXCERPT_BYTES)),
    }))
}

fn decode_error(op: Op, body: &[u8], (path, inner): (String, serde_json::Error)) -> Error {
    let (line, column) = (inner.line(), inner.column());
    let message = if body.is_empty() {
        "the body is empty".to_owned()
    } else if inner.is_syntax() || inner.is_eof() {
        format!("the body is not valid JSON ({inner})")
    } else {
        inner.to_string()
    };
    Error::Decode(Box::new(DecodeError {
        operation: op.name,
        path: if path == "." || path.is_empty() {
            "$".into()
        } else {
            path
        },
        line,
        column,
        message,
        excerpt: excerpt_at(body, line, column),
    }))
}

/// About 120 bytes of `body` around `line`:`column`.
fn excerpt_at(body: &[u8], line: usize, column: usize) -> String {
    if line == 0 {
        return excerpt(body, 120);
    }
    let mut offset = 0usize;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            offset += column.saturating_sub(1).min(l.len());
            break;
        }
        offset += l.len() + 1;
    }
    let start = offset.saturating_sub(60);
    let end = (offset + 60).min(body.len());
    String::from_utf8_lossy(&body[start.min(end)..end]).into_owned()
}

/// Marks an HTTP 200 carrying meta 429 as throttled and meta 500/503 (or a body that is no
/// envelope) as transient, so the retry layer treats them like their HTTP twins.
fn envelope_classifier() -> Classifier {
    Arc::new(|_req: &HttpRequest, resp: &HttpResponse| {
        if !resp.is_success() {
            return None;
        }
        // The server writes meta first; a plain, complete success needs no parse here (the
        // decoder reads it once anyway). A body cut short rarely ends in `}`.
        let head = &resp.body[..resp.body.len().min(24)];
        let complete = resp.body.trim_ascii_end().ends_with(b"}");
        if complete
            && (head.starts_with(br#"{"meta":{"code":200"#)
                || head.starts_with(br#"{"meta":{"code":201"#))
        {
            return Some(Classification::Final);
        }
        match serde_json::from_slice::<RawEnvelope<'_>>(&resp.body) {
            Ok(env) => match env.meta.code {
                MetaCode::TooManyRequests => Some(Classification::Throttled {
                    retry_after: resp.retry_after(SystemTime::now()),
                }),
                MetaCode::ServiceUnavailable | MetaCode::ServerError => {
                    Some(Classification::ServerTransient {
                        retry_after: resp.retry_after(SystemTime::now()),
                    })
                }
                _ => Some(Classification::Final),
            },
            // A 200 that is not an envelope (cut off, or a proxy page): retried only where
            // resending is safe.
            Err(_) => Some(Classification::ServerTransient { retry_after: None }),
        }
    })
}

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A percent-encoded path segment; nothing in `value` can change the path or the query.
pub(crate) fn segment<'a>(field: &'static str, value: &'a str) -> Result<Cow<'a, str>> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    // URL parsers resolve `.` and `..` (even percent-encoded) as path navigation.
    if value == "." || value == ".." {
        return Err(Error::invalid(
            field,
            format!("{value:?} cannot be used in a URL path"),
        ));
    }
    // Borrowed when nothing needs escaping, as with most carrier codes and numbers.
    Ok(utf8_percent_encode(value, SEGMENT).into())
}

/// Rejects an empty tracking number before sending (the API answers 4013).
pub(crate) fn require(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}
