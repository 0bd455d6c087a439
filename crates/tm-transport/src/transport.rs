//! The one trait every backend and layer implements.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
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
/// let limits = RateLimits::new().with_class(RateClass::new("default"), Some(Rate::per_second(1)));
/// let limited = RateLimitTransport::new(backend, Arc::new(LocalRateLimiter::new(limits)));
/// let transport = RetryTransport::new(limited, RetryPolicy::default());
/// # Ok(()) }
/// # #[cfg(not(feature = "reqwest"))] fn main() {}
/// ```
#[async_trait]
pub trait Transport: Send + Sync + Debug {
    /// Sends `request` and waits for the whole response.
    ///
    /// The request is borrowed: a layer that may send it again (retry) or keep a record of it
    /// (recording) needs it after the call, and no layer has to copy it to pass it on.
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// A transport shared between clones of a client.
pub type SharedTransport = Arc<dyn Transport>;

/// The future [`Transport::send`] returns (what `#[async_trait]` expands it to).
type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

// The forwarding impls hand back the inner transport's future as it is: written with
// `#[async_trait]` they would box a second future around it on every request.
macro_rules! forward_transport {
    ($($pointer:ident),+) => {$(
        impl<T: Transport + ?Sized> Transport for $pointer<T> {
            fn send<'life0, 'life1, 'async_trait>(
                &'life0 self,
                request: &'life1 HttpRequest,
            ) -> SendFuture<'async_trait>
            where
                'life0: 'async_trait,
                'life1: 'async_trait,
                Self: 'async_trait,
            {
                (**self).send(request)
            }
        }
    )+};
}

forward_transport!(Arc, Box);
