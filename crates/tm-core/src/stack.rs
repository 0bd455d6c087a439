//! The transport stack every client sends through — retry over rate limiting over the backend
//! — and the requests it is given: one per [`Operation`], with the key, method, idempotency,
//! rate class and timeout the operation and the configuration decide.

use std::sync::Arc;

use serde::Serialize;
use tm_transport::{
    HttpRequest, HttpResponse, LocalRateLimiter, Method, RateLimitTransport, RateLimiter,
    RetryTransport, SharedTransport, Transport, TransportError,
};
use tracing::Instrument;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::key::ApiKey;
use crate::operation::Operation;
use crate::profile::Profile;

/// A configured stack: the key, the settings and the layers.
pub(crate) struct Stack {
    key: ApiKey,
    pub(crate) profile: &'static Profile,
    pub(crate) config: Config,
    transport: SharedTransport,
}

impl Stack {
    pub(crate) fn new(
        key: ApiKey,
        profile: &'static Profile,
        config: Config,
        backend: SharedTransport,
        limiter: Option<Arc<dyn RateLimiter>>,
    ) -> Stack {
        let limiter =
            limiter.unwrap_or_else(|| Arc::new(LocalRateLimiter::new(config.rate_limits.clone())));
        let limited = RateLimitTransport::new(backend, limiter);
        let transport = RetryTransport::new(limited, config.retry.clone())
            .with_classifier((profile.classifier)());
        Stack {
            key,
            profile,
            config,
            transport: Arc::new(transport),
        }
    }

    pub(crate) fn key(&self) -> &ApiKey {
        &self.key
    }

    /// A request for `op` at `path` with the key and the JSON headers (names given in lower
    /// case, as the transport keeps them, so the static names are not copied). A POST or PUT
    /// says `Content-Type` (a bodiless retrack included, as the SDKs send it); a GET or DELETE
    /// says it where the profile's
    /// [`content_type_on_get_and_delete`](Profile::content_type_on_get_and_delete) asks.
    pub(crate) fn request(&self, op: Operation, path: String) -> HttpRequest {
        let request = op
            .rate_classes()
            .iter()
            .cloned()
            .fold(HttpRequest::new(op.method(), path), HttpRequest::rate_class)
            .operation(op.name())
            .idempotent(op.resend().is_safe())
            .timeout(self.config.attempt_timeout)
            .sensitive_header(self.profile.key_header, self.key.expose().to_owned())
            .header("accept", "application/json");
        let may_carry_body = matches!(op.method(), Method::Post | Method::Put);
        if may_carry_body || self.profile.content_type_on_get_and_delete {
            request.header("content-type", "application/json")
        } else {
            request
        }
    }

    /// A request for `op` at its own (parameterless) path.
    pub(crate) fn request_at(&self, op: Operation) -> HttpRequest {
        self.request(op, op.path_template().to_owned())
    }

    /// A request for `op` at its own path with a JSON body.
    pub(crate) fn json_request_at<B: Serialize + ?Sized>(
        &self,
        op: Operation,
        body: &B,
    ) -> Result<HttpRequest> {
        self.json_request(op, op.path_template().to_owned(), body)
    }

    /// Sends and decodes a success envelope's `data` as `T`.
    pub(crate) async fn execute<T: serde::de::DeserializeOwned>(
        &self,
        op: Operation,
        request: HttpRequest,
    ) -> Result<T> {
        let resp = self.send(op, request).await?;
        crate::decode::decode(op, &resp)
    }

    /// A request with a JSON body.
    pub(crate) fn json_request<B: Serialize + ?Sized>(
        &self,
        op: Operation,
        path: String,
        body: &B,
    ) -> Result<HttpRequest> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::invalid("body", e.to_string()))?;
        Ok(self.request(op, path).body(bytes))
    }

    /// Sends through the stack; transport failures become [`Error`]s.
    pub(crate) async fn send(&self, op: Operation, request: HttpRequest) -> Result<HttpResponse> {
        let span = tracing::info_span!(
            "tm",
            operation = op.name(),
            attempts = tracing::field::Empty
        );
        async {
            match self.transport.send(&request).await {
                Ok(resp) => {
                    tracing::Span::current().record("attempts", resp.attempts.count);
                    tracing::debug!(status = resp.status, bytes = resp.body.len(), "response");
                    Ok(resp)
                }
                Err(TransportError::RateLimited {
                    retry_after,
                    attempts,
                }) => {
                    tracing::Span::current().record("attempts", attempts);
                    Err(Error::RateLimited {
                        operation: op,
                        retry_after: Some(retry_after),
                        attempts,
                    })
                }
                Err(source) => {
                    tracing::warn!(error = %source, "transport failure");
                    Err(Error::Transport {
                        operation: op,
                        source,
                    })
                }
            }
        }
        .instrument(span)
        .await
    }
}
