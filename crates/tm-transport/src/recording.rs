//! A layer that records every exchange in the fixture format, credentials scrubbed first.

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::json;

use crate::fixture::{
    Body, InjectedError, Interaction, RecordedResponse, Reply, RequestParts, scrub_text,
};
use crate::{HttpRequest, HttpResponse, Transport, TransportError};

/// Response headers never written to disk (session tokens), whatever their value.
const REDACTED_RESPONSE_HEADERS: &[&str] = &["set-cookie", "authorization", "www-authenticate"];

/// Wraps any transport and records each exchange as an [`Interaction`]; with a directory, also
/// writes each one as a file (`0001-<operation>.json`) holding the schema version, a name (the
/// file's stem), the operation, the `recorded` tag and the one interaction. A conformance
/// runner that knows the operations can replay such a file as it is: it reads the call's
/// input back from the recorded request.
///
/// Every sensitive header value is replaced by [`SECRET_PLACEHOLDER`](crate::SECRET_PLACEHOLDER)
/// wherever it appears — headers, path, query, bodies — before anything is kept or written.
///
/// ```
/// # #[cfg(feature = "mock")]
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use tm_transport::*;
/// let backend = MockTransport::from_fn(|_| MockReply::json(200, serde_json::json!({"ok": true})));
/// let recorder = RecordingTransport::new(backend).with_path_prefix("/v2");
/// let req = HttpRequest::new(Method::Get, "/carriers").sensitive_header("Trackingmore-Api-Key", "k-123");
/// recorder.send(&req).await.unwrap();
/// let recorded = serde_json::to_string(&recorder.interactions()).unwrap();
/// assert!(recorded.contains("<API_KEY>") && !recorded.contains("k-123"));
/// # }
/// # #[cfg(not(feature = "mock"))] fn main() {}
/// ```
pub struct RecordingTransport<T> {
    inner: T,
    dir: Option<PathBuf>,
    path_prefix: String,
    keep_headers: Vec<String>,
    recorded: Mutex<Vec<(String, Interaction)>>,
}

impl<T: fmt::Debug> fmt::Debug for RecordingTransport<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingTransport")
            .field("inner", &self.inner)
            .field("dir", &self.dir)
            .field("path_prefix", &self.path_prefix)
            .finish()
    }
}

impl<T> RecordingTransport<T> {
    /// Records in memory only.
    pub fn new(inner: T) -> Self {
        RecordingTransport {
            inner,
            dir: None,
            path_prefix: String::new(),
            keep_headers: Vec::new(),
            recorded: Mutex::new(Vec::new()),
        }
    }

    /// Also writes each exchange to a file in `dir` (created if missing).
    #[must_use]
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Records paths as `prefix` + the request's path (the wire path).
    #[must_use]
    pub fn with_path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = prefix.into();
        self
    }

    /// Request headers to keep in the matcher besides the sensitive ones (e.g.
    /// `content-type`).
    #[must_use]
    pub fn with_request_headers(mut self, names: &[&str]) -> Self {
        self.keep_headers = names.iter().map(|s| s.to_ascii_lowercase()).collect();
        self
    }

    /// Everything recorded so far, in order.
    pub fn interactions(&self) -> Vec<Interaction> {
        self.lock().iter().map(|(_, i)| i.clone()).collect()
    }

    /// Everything recorded so far with its operation name, in order; the record is emptied.
    pub fn take(&self) -> Vec<(String, Interaction)> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, Interaction)>> {
        self.recorded.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(
        &self,
        request: &HttpRequest,
        outcome: &Result<HttpResponse, TransportError>,
    ) -> Interaction {
        let secrets: Vec<&str> = request.secrets().collect();
        let parts = RequestParts::from_request(request, &self.path_prefix);
        let mut keep: Vec<&str> = request
            .headers
            .iter()
            .filter(|h| h.sensitive)
            .map(|h| h.name.as_ref())
            .collect();
        keep.extend(self.keep_headers.iter().map(String::as_str));
        let reply = match outcome {
            Ok(resp) => Reply::Response(RecordedResponse {
                status: resp.status,
                headers: resp
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        let v = if REDACTED_RESPONSE_HEADERS.contains(&k) {
                            "<REDACTED>".to_owned()
                        } else {
                            scrub_text(&v, &secrets)
                        };
                        (k.to_owned(), v)
                    })
                    .collect(),
                body: (!resp.body.is_empty()).then(|| match std::str::from_utf8(&resp.body) {
                    Ok(text) => Body::from_bytes(scrub_text(text, &secrets).as_bytes()),
                    Err(_) => Body::from_bytes(&resp.body),
                }),
                delay_ms: 0,
            }),
            Err(e) if e.is_timeout() => Reply::Error(InjectedError::Timeout),
            Err(TransportError::Connect { .. }) => Reply::Error(InjectedError::Connect),
            Err(_) => Reply::Error(InjectedError::Reset),
        };
        Interaction {
            request: parts.to_recorded(&keep),
            reply,
        }
    }

    fn write(
        &self,
        seq: usize,
        operation: &str,
        interaction: &Interaction,
    ) -> Result<(), TransportError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let fail = |e: std::io::Error| TransportError::Recorder {
            message: format!("{}: {e}", dir.display()),
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let safe_op: String = operation
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let stem = format!("{seq:04}-{safe_op}");
        let file = dir.join(format!("{stem}.json"));
        let doc = json!({
            "schema": 1,
            "name": stem,
            "docs": format!("Recorded exchange of {operation}."),
            "tags": ["recorded"],
            "operation": operation,
            "interactions": [interaction],
        });
        let text = serde_json::to_string_pretty(&doc).map_err(|e| TransportError::Recorder {
            message: e.to_string(),
        })?;
        std::fs::write(&file, text + "\n").map_err(fail)
    }
}

#[async_trait]
impl<T: Transport> Transport for RecordingTransport<T> {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let outcome = self.inner.send(request).await;
        let interaction = self.record(request, &outcome);
        let seq = {
            let mut rec = self.lock();
            rec.push((request.operation.to_string(), interaction.clone()));
            rec.len()
        };
        self.write(seq, &request.operation, &interaction)?;
        outcome
    }
}
