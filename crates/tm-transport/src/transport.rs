//! The one trait every backend and layer implements.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use crate::{HttpRequest, HttpResponse, TransportError};

/// Sends one request and returns its response.
///
/// Any status code is `Ok`: interpreting 4xx, 5xx and API envelopes is the client's job.
/// `Err` means no usable response arrived (see [`TransportError`]).
///
/// Backends ([`ReqwestTransport`](crate::ReqwestTransport), `MockTransport`) and layers
/// ([`RetryTransport`](crate::RetryTransport), [`RateLimitTransport`](crate::RateLimitTransport),
/// [`RecordingTransport`](crate::RecordingTransport)) all implement it, so they stack:
///
/// ```no_run
/// # #[cfg(feature = "reqwest")]
/// # fn main() -> Result<(), tm_transport::TransportError> {
/// use std::sync::Arc;
/// use tm_transport::*;
/// let backend = ReqwestTransport::builder("https://api.trackingmore.com/v2").build()?;
/// let limited = RateLimitTransport::new(backend, Arc::new(LocalRateLimiter::new(RateLimits::default())));
/// let transport = RetryTransport::new(limited, RetryPolicy::default());
/// # Ok(()) }
/// # #[cfg(not(feature = "reqwest"))] fn main() {}
/// ```
#[async_trait]
pub trait Transport: Send + Sync + Debug {
    /// Sends `request` and waits for the whole response.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// A transport shared between clones of a client.
pub type SharedTransport = Arc<dyn Transport>;

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}
