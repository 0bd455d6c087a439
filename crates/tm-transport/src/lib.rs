//! # tm-transport — moving bytes for the TrackingMore client
//!
//! This layer owns HTTP, time and retries: a small [`Transport`] trait over its own
//! [`HttpRequest`] / [`HttpResponse`] types, backends that implement it
//! ([`ReqwestTransport`], `MockTransport`, [`RecordingTransport`]), and layers that wrap any
//! transport ([`RetryTransport`], [`RateLimitTransport`]).
//!
//! It must not know TrackingMore's endpoints or envelopes: the client layer describes each
//! request (path, idempotency, rate class) and may plug in a [`Classifier`] for responses that
//! only it can read.
//!
//! Layers compose outermost first — `Retry → RateLimit → backend` — so that every attempt,
//! retries included, takes a rate-limit permit, and the retry layer sees each 429.
//!
//! ## Features
//! - `reqwest` (default): [`ReqwestTransport`].
//! - `rustls` (default): TLS through rustls, no OpenSSL.
//! - `native-tls`: TLS through the platform library instead.
//! - `mock`: `MockTransport`, a scripted backend for tests of downstream crates.

mod error;
pub mod fixture;
mod http;
#[cfg(feature = "mock")]
mod mock;
mod ratelimit;
mod recording;
#[cfg(feature = "reqwest")]
mod reqwest_backend;
mod retry;
mod transport;

pub use error::TransportError;
pub use fixture::{InjectedError, Interaction, SECRET_PLACEHOLDER};
pub use http::{DEFAULT_RATE_CLASS, Header, HttpRequest, HttpResponse, Method, parse_retry_after};
#[cfg(feature = "mock")]
pub use mock::{MockReply, MockTransport, RequestMatcher};
pub use ratelimit::{
    LocalRateLimiter, Rate, RateLimitTransport, RateLimiter, RateLimits, TokioClock, TokioInstant,
};
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
