//! Failures to exchange bytes. A response with any status is not an error.

use std::time::Duration;

/// Why a request produced no response.
///
/// The variants differ in the one question retry safety depends on: may the server have
/// received and applied the request? See [`TransportError::maybe_sent`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection could not be made: nothing was sent.
    #[error("could not connect: {message}")]
    Connect {
        /// What failed (DNS, refused, TLS handshake, connect timeout).
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// No complete response within the per-attempt timeout; the request may have been applied.
    #[error("timed out after {after:?}")]
    Timeout {
        /// The timeout that expired.
        after: Duration,
    },
    /// The connection broke after the request was (partly) sent: it may have been applied.
    #[error("connection broke after sending: {message}")]
    ConnectionBroken {
        /// What failed.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The response body was larger than the configured cap and was abandoned.
    #[error("response body exceeds the {limit}-byte cap")]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// The request could not be built (a bad path, header name or value); nothing was sent.
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// What was wrong. Never contains a header value.
        reason: String,
    },
    /// The server kept asking to slow down and the retry layer gave up.
    #[error("rate limited after {attempts} attempt(s); retry after {retry_after:?}")]
    RateLimited {
        /// The wait the server (or the documented cool-off) asked for.
        retry_after: Duration,
        /// Attempts made.
        attempts: u32,
    },
    /// The rate limiter could not grant a permit (e.g. its shared store is unreachable).
    #[error("rate limiter unavailable: {message}")]
    Limiter {
        /// What failed.
        message: String,
    },
    /// The recording layer could not write its file (the exchange itself completed).
    #[cfg(feature = "test-util")]
    #[error("could not record the exchange: {message}")]
    Recorder {
        /// What failed.
        message: String,
    },
    /// A test transport was handed a request it did not expect.
    #[cfg(feature = "test-util")]
    #[error("unexpected request: {message}")]
    Unexpected {
        /// What was expected and what came.
        message: String,
    },
}

impl TransportError {
    /// True when the server may have received the request, so resending a request that is
    /// not idempotent could apply it twice.
    pub fn maybe_sent(&self) -> bool {
        match self {
            TransportError::Connect { .. }
            | TransportError::InvalidRequest { .. }
            | TransportError::Limiter { .. } => false,
            #[cfg(feature = "test-util")]
            TransportError::Unexpected { .. } => false,
            TransportError::Timeout { .. }
            | TransportError::ConnectionBroken { .. }
            | TransportError::BodyTooLarge { .. }
            | TransportError::RateLimited { .. } => true,
            #[cfg(feature = "test-util")]
            TransportError::Recorder { .. } => true,
        }
    }

    /// True when the failure is transient, so trying again may succeed. Whether a retry is
    /// *safe* also depends on [`maybe_sent`](Self::maybe_sent) and the request's idempotency;
    /// the retry policy combines the two.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            TransportError::Connect { .. }
                | TransportError::Timeout { .. }
                | TransportError::ConnectionBroken { .. }
                | TransportError::RateLimited { .. }
        )
    }

    /// True for [`TransportError::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Timeout { .. })
    }

    /// A connect error with a message.
    pub fn connect(message: impl Into<String>) -> Self {
        TransportError::Connect {
            message: message.into(),
            source: None,
        }
    }

    /// A broken-connection error with a message.
    pub fn broken(message: impl Into<String>) -> Self {
        TransportError::ConnectionBroken {
            message: message.into(),
            source: None,
        }
    }

    /// An invalid-request error.
    pub fn invalid(reason: impl Into<String>) -> Self {
        TransportError::InvalidRequest {
            reason: reason.into(),
        }
    }
}
