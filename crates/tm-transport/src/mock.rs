//! A scripted backend for tests: no sockets, deterministic, on tokio's clock.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;

use crate::fixture::{
    Body, BodyMatch, InjectedError, Interaction, QueryMatch, RecordedRequest, Reply, RequestParts,
};
use crate::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// What the mock answers.
#[derive(Debug, Clone, PartialEq)]
pub enum MockReply {
    /// A response, after an optional delay (on tokio's clock). A delay longer than the
    /// request's timeout produces [`TransportError::Timeout`] instead.
    Response {
        /// The response.
        response: HttpResponse,
        /// The delay before it.
        delay: Duration,
    },
    /// An injected failure.
    Error(InjectedError),
}

impl MockReply {
    /// A response without delay.
    pub fn response(response: HttpResponse) -> Self {
        MockReply::Response {
            response,
            delay: Duration::ZERO,
        }
    }

    /// A JSON response without delay.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        MockReply::response(HttpResponse::json(status, &body))
    }

    /// An injected failure.
    pub fn error(error: InjectedError) -> Self {
        MockReply::Error(error)
    }

    /// Delays the response.
    #[must_use]
    pub fn delayed(self, by: Duration) -> Self {
        match self {
            MockReply::Response { response, .. } => MockReply::Response {
                response,
                delay: by,
            },
            other => other,
        }
    }
}

/// Which requests a scripted step accepts: a [`RecordedRequest`] plus "anything" defaults.
///
/// ```
/// use tm_transport::{Method, RequestMatcher};
/// let m = RequestMatcher::new(Method::Post, "/trackings/post")
///     .header("trackingmore-api-key", "<API_KEY>")
///     .json_body(serde_json::json!({"carrier_code": "dhl"}))
///     .partial_body();
/// # let _ = m;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RequestMatcher(RecordedRequest);

impl RequestMatcher {
    /// Matches `method` and `path` (as on the wire, including the mock's path prefix), any
    /// query, headers and body.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        RequestMatcher(RecordedRequest {
            method: method.as_str().to_owned(),
            path: path.into(),
            query: Vec::new(),
            query_match: QueryMatch::Subset,
            headers: Default::default(),
            body: None,
            body_match: BodyMatch::Exact,
        })
    }

    /// Requires this query pair (add `exact_query` to forbid others).
    #[must_use]
    pub fn query(mut self, key: &str, value: &str) -> Self {
        self.0.query.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Requires the query to be exactly the pairs given with [`query`](Self::query).
    #[must_use]
    pub fn exact_query(mut self) -> Self {
        self.0.query_match = QueryMatch::Exact;
        self
    }

    /// Requires a header value (the credential header holds the placeholder).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.0
            .headers
            .insert(name.to_ascii_lowercase(), value.to_owned());
        self
    }

    /// Requires a JSON body equal to `body`.
    #[must_use]
    pub fn json_body(mut self, body: serde_json::Value) -> Self {
        self.0.body = Some(Body::Json(body));
        self
    }

    /// Relaxes the body comparison to "contains".
    #[must_use]
    pub fn partial_body(mut self) -> Self {
        self.0.body_match = BodyMatch::Partial;
        self
    }

    /// Why `parts` does not match, if it does not.
    pub fn mismatch(&self, parts: &RequestParts) -> Option<String> {
        self.0.mismatch(parts)
    }
}

impl From<RecordedRequest> for RequestMatcher {
    fn from(r: RecordedRequest) -> Self {
        RequestMatcher(r)
    }
}

type Handler = Arc<dyn Fn(&HttpRequest) -> MockReply + Send + Sync>;

struct State {
    steps: VecDeque<(RequestMatcher, MockReply)>,
    handler: Option<Handler>,
    seen: Vec<HttpRequest>,
    failures: Vec<String>,
}

/// A backend that answers from an ordered script, or from a closure, and records every request.
///
/// Clones share the script and the record. Each request must match the next scripted step;
/// a mismatch or an unscripted request fails with [`TransportError::Unexpected`] and is
/// reported again by [`assert_exhausted`](Self::assert_exhausted).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use tm_transport::*;
/// let mock = MockTransport::new()
///     .with_step(RequestMatcher::new(Method::Get, "/carriers"), MockReply::json(200, serde_json::json!({"meta": {"code": 200}})))
///     .with_step(RequestMatcher::new(Method::Get, "/carriers"), MockReply::error(InjectedError::Reset));
/// let ok = mock.send(&HttpRequest::new(Method::Get, "/carriers")).await.unwrap();
/// assert_eq!(ok.status, 200);
/// let err = mock.send(&HttpRequest::new(Method::Get, "/carriers")).await.unwrap_err();
/// assert!(err.maybe_sent());
/// mock.assert_exhausted();
/// # }
/// ```
#[derive(Clone)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
    path_prefix: String,
    default_timeout: Option<Duration>,
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("MockTransport")
            .field("remaining_steps", &s.steps.len())
            .field("requests_seen", &s.seen.len())
            .field("closure", &s.handler.is_some())
            .finish()
    }
}

impl Default for MockTransport {
    fn default() -> Self {
        MockTransport::new()
    }
}

impl MockTransport {
    /// An empty script.
    pub fn new() -> Self {
        MockTransport {
            state: Arc::new(Mutex::new(State {
                steps: VecDeque::new(),
                handler: None,
                seen: Vec::new(),
                failures: Vec::new(),
            })),
            path_prefix: String::new(),
            default_timeout: None,
        }
    }

    /// Answers every request with `handler` (after the script, if any, is used up).
    pub fn from_fn(handler: impl Fn(&HttpRequest) -> MockReply + Send + Sync + 'static) -> Self {
        let mock = MockTransport::new();
        mock.lock().handler = Some(Arc::new(handler));
        mock
    }

    /// A script replaying recorded interactions in order.
    pub fn from_interactions<'a>(interactions: impl IntoIterator<Item = &'a Interaction>) -> Self {
        let mock = MockTransport::new();
        for i in interactions {
            let reply = match &i.reply {
                Reply::Response(r) => MockReply::Response {
                    response: r.to_response(),
                    delay: Duration::from_millis(r.delay_ms),
                },
                Reply::Error(e) => MockReply::Error(*e),
            };
            mock.push(RequestMatcher::from(i.request.clone()), reply);
        }
        mock
    }

    /// Matches paths as `prefix` + the request's path (e.g. `/v2` to match wire paths).
    #[must_use]
    pub fn with_path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = prefix.into();
        self
    }

    /// The timeout applied to delayed replies of requests that set none.
    #[must_use]
    pub fn with_default_timeout(mut self, timeout: Duration) -> Self {
        self.default_timeout = Some(timeout);
        self
    }

    /// Appends a scripted step.
    #[must_use]
    pub fn with_step(self, matcher: RequestMatcher, reply: MockReply) -> Self {
        self.push(matcher, reply);
        self
    }

    /// Appends a scripted step (through a shared reference).
    pub fn push(&self, matcher: RequestMatcher, reply: MockReply) {
        self.lock().steps.push_back((matcher, reply));
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.lock().seen.clone()
    }

    /// Scripted steps not yet used.
    pub fn remaining(&self) -> usize {
        self.lock().steps.len()
    }

    /// Mismatches and unscripted requests seen so far.
    pub fn failures(&self) -> Vec<String> {
        self.lock().failures.clone()
    }

    /// Panics unless every scripted step was used and no request was unexpected; for tests.
    #[track_caller]
    pub fn assert_exhausted(&self) {
        let s = self.lock();
        assert!(
            s.failures.is_empty(),
            "mock transport saw unexpected requests:\n{}",
            s.failures.join("\n")
        );
        assert!(
            s.steps.is_empty(),
            "mock transport has {} unused step(s); first: {:?}",
            s.steps.len(),
            s.steps.front().map(|(m, _)| m)
        );
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn next_reply(&self, request: &HttpRequest) -> Result<MockReply, TransportError> {
        let mut s = self.lock();
        s.seen.push(request.clone());
        let n = s.seen.len();
        let parts = RequestParts::from_request(request, &self.path_prefix);
        if let Some((matcher, reply)) = s.steps.pop_front() {
            return match matcher.mismatch(&parts) {
                None => Ok(reply),
                Some(why) => {
                    let message = format!(
                        "request #{n} ({} {}) did not match: {why}",
                        parts.method, parts.path
                    );
                    s.failures.push(message.clone());
                    Err(TransportError::Unexpected { message })
                }
            };
        }
        if let Some(handler) = s.handler.clone() {
            drop(s);
            return Ok(handler(request));
        }
        let message = format!(
            "request #{n} ({} {}) was not scripted",
            parts.method, parts.path
        );
        s.failures.push(message.clone());
        Err(TransportError::Unexpected { message })
    }
}

#[async_trait]
impl Transport for MockTransport {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let timeout = request.timeout.or(self.default_timeout);
        match self.next_reply(request)? {
            MockReply::Response { response, delay } => {
                if let Some(t) = timeout.filter(|t| delay > *t) {
                    tokio::time::sleep(t).await;
                    return Err(TransportError::Timeout { after: t });
                }
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                Ok(response)
            }
            MockReply::Error(InjectedError::Connect) => {
                Err(TransportError::connect("connection refused (injected)"))
            }
            MockReply::Error(InjectedError::Reset) => Err(TransportError::broken(
                "connection reset by peer (injected)",
            )),
            MockReply::Error(InjectedError::Timeout) => {
                let after = timeout.unwrap_or(Duration::from_secs(30));
                tokio::time::sleep(after).await;
                Err(TransportError::Timeout { after })
            }
        }
    }
}
