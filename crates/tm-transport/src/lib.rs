//! # tm-transport — moving bytes for the TrackingMore client
//!
//! This layer owns HTTP, time and retries: a small [`Transport`] trait over its own
//! [`HttpRequest`] / [`HttpResponse`] types, backends that implement it
//! ([`ReqwestTransport`], and under `test-util` `MockTransport` and `RecordingTransport`), and
//! layers that wrap any transport ([`RetryTransport`], [`RateLimitTransport`]).
//!
//! It must not know TrackingMore's endpoints, envelopes, rate classes or limits: the client
//! layer describes each request (path, idempotency, an opaque [`RateClass`]), hands the layers
//! its [`RateLimits`] and [`RetryPolicy`], and may plug in a [`Classifier`] for responses that
//! only it can read.
//!
//! Layers compose outermost first — `Retry → RateLimit → backend` — so that every attempt,
//! retries included, takes a rate-limit permit, and the retry layer sees each 429.
//!
//! ## Features
//! - `reqwest` (default): [`ReqwestTransport`].
//! - `rustls` (default): TLS through rustls, no OpenSSL.
//! - `native-tls`: TLS through the platform library instead.
//! - `test-util`: test machinery for downstream crates — `MockTransport` (a scripted
//!   backend), `RecordingTransport` (writes exchanges as fixture files) and the `fixture`
//!   format both share.

mod error;
#[cfg(feature = "test-util")]
pub mod fixture;
mod headers;
mod http;
#[cfg(feature = "test-util")]
mod mock;
mod ratelimit;
#[cfg(feature = "test-util")]
mod recording;
#[cfg(feature = "reqwest")]
mod reqwest_backend;
mod retry;
mod transport;

pub use bytes::Bytes;
pub use error::TransportError;
#[cfg(feature = "test-util")]
pub use fixture::{InjectedError, Interaction, SECRET_PLACEHOLDER};
pub use headers::ResponseHeaders;
pub use http::{Attempts, Header, HttpRequest, HttpResponse, Method, RateClass, parse_retry_after};
#[cfg(feature = "test-util")]
pub use mock::{MockReply, MockTransport, RequestMatcher};
pub use ratelimit::{
    LocalRateLimiter, Rate, RateLimitTransport, RateLimiter, RateLimits, UnknownRateClass,
};
#[cfg(feature = "test-util")]
pub use recording::RecordingTransport;
#[cfg(feature = "reqwest")]
pub use reqwest_backend::{
    DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, ReqwestTransport,
    ReqwestTransportBuilder,
};
pub use retry::{
    Backoff, Classification, Classifier, Decision, Jitter, RetryBudget, RetryPolicy,
    RetryTransport, classify_status,
};
pub use transport::{SharedTransport, Transport};
