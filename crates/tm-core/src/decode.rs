//! Reading a response of either generation: the payload of a success envelope, or the error
//! the envelope, the status or the body's shape says. v2 puts errors in HTTP 200 envelopes; v4
//! mirrors them into the status but still sends the envelope: both are read the same way, the
//! body first, whatever the status.

use std::sync::Arc;
use std::time::SystemTime;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use tm_transport::{Classification, Classifier, HttpRequest, HttpResponse};
use tm_types::{RawEnvelope, v2, v4};

use crate::error::{ApiCode, ApiError, BODY_EXCERPT_BYTES, DecodeError, Error, Result, excerpt};
use crate::operation::{Api, Operation};

/// What the decoder needs from a generation's `meta` object.
pub(crate) trait ResponseMeta: DeserializeOwned {
    /// The code, typed with its generation.
    fn api_code(&self) -> ApiCode;
    /// The message and the `type`, if sent.
    fn into_text(self) -> (Option<String>, Option<String>);
}

impl ResponseMeta for v2::Meta {
    fn api_code(&self) -> ApiCode {
        ApiCode::V2(self.code)
    }
    fn into_text(self) -> (Option<String>, Option<String>) {
        (self.message.into_value(), self.r#type.into_value())
    }
}

impl ResponseMeta for v4::Meta {
    fn api_code(&self) -> ApiCode {
        ApiCode::V4(self.code)
    }
    fn into_text(self) -> (Option<String>, Option<String>) {
        (self.message.into_value(), self.r#type.into_value())
    }
}

/// The retry layer's reader of answers inside a 2xx, for a generation with meta `M`: a meta
/// 429 is throttling, a retryable meta code (or a 2xx that is no envelope: cut off, a proxy's
/// page) is transient, anything else final. Other statuses keep the layer's own reading.
/// `success_heads` are the body starts of a plain success, recognised without a parse (the
/// server writes `meta` first; the decoder reads the body once anyway).
pub(crate) fn meta_classifier<M: ResponseMeta + 'static>(
    success_heads: &'static [&'static [u8]],
) -> Classifier {
    Arc::new(move |_req: &HttpRequest, resp: &HttpResponse| {
        if !resp.is_success() {
            return None;
        }
        let head = &resp.body[..resp.body.len().min(24)];
        // A body cut short rarely ends in `}`.
        let complete = resp.body.trim_ascii_end().ends_with(b"}");
        if complete && success_heads.iter().any(|h| head.starts_with(h)) {
            return Some(Classification::Final);
        }
        let retry_after = || resp.retry_after(SystemTime::now());
        match serde_json::from_slice::<RawEnvelope<'_, M>>(&resp.body) {
            Ok(env) => {
                let code = env.meta.api_code();
                Some(if code.is_rate_limited() {
                    Classification::Throttled {
                        retry_after: retry_after(),
                    }
                } else if code.is_retryable() {
                    Classification::ServerTransient {
                        retry_after: retry_after(),
                    }
                } else {
                    Classification::Final
                })
            }
            // Retried only where resending is safe.
            Err(_) => Some(Classification::ServerTransient { retry_after: None }),
        }
    })
}

/// Reads a response of `op`'s generation: `T` from a success envelope; the API error from any
/// other.
pub(crate) fn decode<T: DeserializeOwned>(op: Operation, resp: &HttpResponse) -> Result<T> {
    match op.api() {
        Api::V2 => decode_with::<v2::Meta, T>(op, resp),
        Api::V4 => decode_with::<v4::Meta, T>(op, resp),
    }
}

/// Reads a response with meta `M`.
///
/// The success path decodes the body once; only a failure looks at it a second time, to
/// tell an API error (`data: []`) from a malformed body.
fn decode_with<M: ResponseMeta, T: DeserializeOwned>(
    op: Operation,
    resp: &HttpResponse,
) -> Result<T> {
    #[derive(Deserialize)]
    struct Typed<M, T> {
        meta: M,
        #[serde(default = "Option::default")]
        data: Option<T>,
    }
    // Plain serde_json first: tracking the JSON path costs a third of the decode speed, and
    // only a failure needs it, so the path is recovered by a second pass on failure alone.
    let typed = serde_json::from_slice::<Typed<M, T>>(&resp.body)
        .map_err(|_| located_error::<Typed<M, T>>(&resp.body));
    match typed {
        Ok(t) if resp.is_success() && t.meta.api_code().is_success() => match t.data {
            Some(data) => Ok(data),
            // `null` or no `data` where a payload is expected: decode `null` for a precise
            // error (types that accept null, such as `Vec<Value>` wrappers, still work).
            None => serde_json::from_str::<T>("null").map_err(|e| {
                let mut d = DecodeError::new(op, "data", format!("missing payload: {e}"));
                d.excerpt = excerpt(&resp.body, 200);
                Error::Decode(Box::new(d))
            }),
        },
        Ok(t) => Err(api_failure(op, resp, t.meta)),
        Err(decode_err) => match serde_json::from_slice::<RawEnvelope<'_, M>>(&resp.body) {
            Ok(env) if !(resp.is_success() && env.meta.api_code().is_success()) => {
                Err(api_failure(op, resp, env.meta))
            }
            Ok(_) => Err(decode_error(op, &resp.body, decode_err)),
            Err(_) if !resp.is_success() => Err(not_an_envelope(op, resp)),
            Err(_) => Err(decode_error(op, &resp.body, decode_err)),
        },
    }
}

/// The JSON path and serde error of a body that does not decode as `T`.
fn located_error<T: DeserializeOwned>(body: &[u8]) -> (String, serde_json::Error) {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => match de.end() {
            Ok(()) => (
                String::new(),
                serde_json::Error::io(std::io::Error::other("inconsistent decode")),
            ),
            Err(e) => (String::new(), e),
        },
        Err(e) => (e.path().to_string(), e.into_inner()),
    }
}

/// The error for a response whose envelope says it failed.
fn api_failure<M: ResponseMeta>(op: Operation, resp: &HttpResponse, meta: M) -> Error {
    let code = meta.api_code();
    if code.is_rate_limited() {
        return Error::RateLimited {
            operation: op,
            retry_after: resp.retry_after(SystemTime::now()),
            attempts: resp.attempts.count,
        };
    }
    let (message, kind) = meta.into_text();
    let message = message.unwrap_or_else(|| code.description().to_owned());
    let mut e = ApiError::new(op, resp.status, Some(code), message)
        .with_body(excerpt(&resp.body, BODY_EXCERPT_BYTES));
    e.kind = kind;
    Error::Api(Box::new(e))
}

/// The error for an error status whose body is no envelope (a proxy page, an empty body).
pub(crate) fn not_an_envelope(op: Operation, resp: &HttpResponse) -> Error {
    if resp.status == 429 {
        return Error::RateLimited {
            operation: op,
            retry_after: resp.retry_after(SystemTime::now()),
            attempts: resp.attempts.count,
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
    let mut e = ApiError::new(
        op,
        resp.status,
        None,
        format!("HTTP {} with {what}", resp.status),
    );
    if !resp.body.is_empty() {
        e = e.with_body(excerpt(&resp.body, BODY_EXCERPT_BYTES));
    }
    Error::Api(Box::new(e))
}

fn decode_error(op: Operation, body: &[u8], (path, inner): (String, serde_json::Error)) -> Error {
    let (line, column) = (inner.line(), inner.column());
    let message = if body.is_empty() {
        "the body is empty".to_owned()
    } else if inner.is_syntax() || inner.is_eof() {
        format!("the body is not valid JSON ({inner})")
    } else {
        inner.to_string()
    };
    let path = if path == "." || path.is_empty() {
        "$".to_owned()
    } else {
        path
    };
    let mut d = DecodeError::new(op, path, message);
    d.line = line;
    d.column = column;
    d.excerpt = excerpt_at(body, line, column);
    Error::Decode(Box::new(d))
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
