//! Reading a response: the payload of a success envelope, or the error the envelope, the
//! status or the body's shape says.

use std::time::SystemTime;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use tm_transport::HttpResponse;
use tm_types::v2::{Meta, MetaCode, RawEnvelope};

use crate::error::{ApiError, BODY_EXCERPT_BYTES, DecodeError, Error, Result, excerpt};
use crate::operation::Operation;

/// Reads a v2 response: `T` from a success envelope; the API error from any other.
///
/// The success path decodes the body once; only a failure looks at it a second time, to
/// tell an API error (`data: []`) from a malformed body.
pub(crate) fn decode<T: DeserializeOwned>(op: Operation, resp: &HttpResponse) -> Result<T> {
    #[derive(Deserialize)]
    struct Typed<T> {
        meta: Meta,
        #[serde(default = "Option::default")]
        data: Option<T>,
    }
    // Plain serde_json first: tracking the JSON path costs a third of the decode speed, and
    // only a failure needs it, so the path is recovered by a second pass on failure alone.
    let typed = serde_json::from_slice::<Typed<T>>(&resp.body)
        .map_err(|_| located_error::<Typed<T>>(&resp.body));
    match typed {
        Ok(t) if resp.is_success() && t.meta.code.is_success() => match t.data {
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
fn api_failure(op: Operation, resp: &HttpResponse, meta: Meta) -> Error {
    if meta.code == MetaCode::TooManyRequests {
        return Error::RateLimited {
            operation: op,
            retry_after: resp.retry_after(SystemTime::now()),
            attempts: resp.attempts.count,
        };
    }
    let message = meta
        .message
        .into_value()
        .unwrap_or_else(|| meta.code.description().to_owned());
    let mut e = ApiError::new(op, resp.status, Some(meta.code), message)
        .with_body(excerpt(&resp.body, BODY_EXCERPT_BYTES));
    e.kind = meta.r#type.into_value();
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
