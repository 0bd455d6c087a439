//! The interaction format shared by the recorder, the mock backend and the conformance
//! fixtures: one recorded request matcher and what answered it.
//!
//! It is plain JSON so that clients in other languages can replay the same files:
//!
//! ```json
//! {"request": {"method": "POST", "path": "/v2/trackings/post",
//!              "headers": {"trackingmore-api-key": "<API_KEY>"},
//!              "body": {"json": {"tracking_number": "RN123456789CN", "carrier_code": "china-post"}}},
//!  "response": {"status": 200, "headers": {"content-type": "application/json"},
//!               "body": {"text": "{\"meta\":{\"code\":200}}"}, "delay_ms": 0}}
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{HttpRequest, HttpResponse, ResponseHeaders};

/// What stands in for a credential in recorded files and matchers.
pub const SECRET_PLACEHOLDER: &str = "<API_KEY>";

/// A body: JSON (compared as parsed JSON), exact text, or hex bytes.
///
/// ```
/// use tm_transport::fixture::Body;
/// let b: Body = serde_json::from_str(r#"{"hex": "ff00"}"#).unwrap();
/// assert_eq!(b.to_bytes(), vec![0xff, 0x00]);
/// // A bad hex digit is an error when the file is read, never a dropped byte.
/// assert!(serde_json::from_str::<Body>(r#"{"hex": "fg00"}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// A JSON value.
    Json(Value),
    /// Exact text (escapes and whitespace kept, e.g. a PHP server's `\/`).
    Text(String),
    /// Bytes that are not UTF-8, written as lower-case hex.
    Hex(#[serde(with = "hex::serde")] Vec<u8>),
}

impl Body {
    /// The bytes this body stands for.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Body::Json(v) => v.to_string().into_bytes(),
            Body::Text(t) => t.clone().into_bytes(),
            Body::Hex(bytes) => bytes.clone(),
        }
    }

    /// The most readable body for `bytes`: JSON when re-encoding gives the same text, exact text
    /// otherwise, hex for non-UTF-8.
    pub fn from_bytes(bytes: &[u8]) -> Body {
        match std::str::from_utf8(bytes) {
            Ok(text) => match serde_json::from_str::<Value>(text) {
                // JSON only when nothing (escapes, spacing, key order) would be lost.
                Ok(v) if serde_json::to_string(&v).is_ok_and(|canonical| canonical == text) => {
                    Body::Json(v)
                }
                _ => Body::Text(text.to_owned()),
            },
            Err(_) => Body::Hex(bytes.to_vec()),
        }
    }
}

/// How `query` is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryMatch {
    /// The same pairs, in any order.
    #[default]
    Exact,
    /// At least these pairs.
    Subset,
}

/// How `body` is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyMatch {
    /// Equal (JSON compared as values).
    #[default]
    Exact,
    /// Every key and value in the expected JSON is present (objects may have more keys).
    Partial,
}

/// A request matcher as stored in a fixture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Upper-case method.
    pub method: String,
    /// The path as on the wire, e.g. `/v2/trackings/post`.
    pub path: String,
    /// Query pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    /// How to compare `query`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub query_match: QueryMatch,
    /// Headers that must be present with these values (names in lower case). The credential
    /// header holds [`SECRET_PLACEHOLDER`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body, if one is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// How to compare `body`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub body_match: BodyMatch,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A recorded response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// Status code.
    pub status: u16,
    /// Headers (names in lower case).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// Delay before the response starts, in milliseconds.
    #[serde(default, skip_serializing_if = "is_default")]
    pub delay_ms: u64,
}

impl RecordedResponse {
    /// The response as an [`HttpResponse`].
    pub fn to_response(&self) -> HttpResponse {
        HttpResponse::with_parts(
            self.status,
            self.headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<ResponseHeaders>(),
            self.body.as_ref().map(Body::to_bytes).unwrap_or_default(),
        )
    }
}

/// A failure to inject instead of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectedError {
    /// The connection is refused: nothing was sent.
    Connect,
    /// No response within the attempt's timeout.
    Timeout,
    /// The connection is reset after the request was sent.
    Reset,
}

/// What answered a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// A response.
    Response(RecordedResponse),
    /// An injected failure.
    Error(InjectedError),
}

/// One exchange: a request matcher and its reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// The request it answers.
    pub request: RecordedRequest,
    /// The answer.
    #[serde(flatten)]
    pub reply: Reply,
}

/// A request reduced to what matchers compare, credentials already replaced by the
/// placeholder. Built from an [`HttpRequest`] or from any server's view of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestParts {
    /// Upper-case method.
    pub method: String,
    /// The path as on the wire.
    pub path: String,
    /// Query pairs.
    pub query: Vec<(String, String)>,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Option<Vec<u8>>,
}

impl RequestParts {
    /// The parts of `req` as they go on the wire under `path_prefix`, with every sensitive
    /// value (in headers, path, query and body) replaced by [`SECRET_PLACEHOLDER`].
    pub fn from_request(req: &HttpRequest, path_prefix: &str) -> RequestParts {
        let secrets: Vec<&str> = req.secrets().collect();
        let scrub = |s: &str| scrub_text(s, &secrets);
        RequestParts {
            method: req.method.as_str().to_owned(),
            path: scrub(&format!(
                "{}{}",
                path_prefix.trim_end_matches('/'),
                req.path
            )),
            query: req
                .query
                .iter()
                .map(|(k, v)| (scrub(k), scrub(v)))
                .collect(),
            headers: req
                .headers
                .iter()
                .map(|h| {
                    let value = if h.sensitive {
                        SECRET_PLACEHOLDER.to_owned()
                    } else {
                        scrub(&h.value)
                    };
                    (h.name.to_ascii_lowercase(), value)
                })
                .collect(),
            body: req.body.as_ref().map(|b| scrub_bytes(b, &secrets)),
        }
    }

    /// The header value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// These parts as a recorded matcher (exact query and body).
    pub fn to_recorded(&self, keep_headers: &[&str]) -> RecordedRequest {
        RecordedRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            query_match: QueryMatch::Exact,
            headers: self
                .headers
                .iter()
                .filter(|(n, _)| keep_headers.iter().any(|k| k.eq_ignore_ascii_case(n)))
                .cloned()
                .collect(),
            body: self.body.as_deref().map(Body::from_bytes),
            body_match: BodyMatch::Exact,
        }
    }
}

/// Replaces every occurrence of each secret in `text` by the placeholder.
pub fn scrub_text(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |acc, s| acc.replace(s, SECRET_PLACEHOLDER))
}

fn scrub_bytes(bytes: &[u8], secrets: &[&str]) -> Vec<u8> {
    match std::str::from_utf8(bytes) {
        Ok(text) => scrub_text(text, secrets).into_bytes(),
        Err(_) => bytes.to_vec(),
    }
}

impl RecordedRequest {
    /// Why `parts` does not match this matcher, or `None` if it does.
    pub fn mismatch(&self, parts: &RequestParts) -> Option<String> {
        if !self.method.eq_ignore_ascii_case(&parts.method) {
            return Some(format!(
                "method {} (expected {})",
                parts.method, self.method
            ));
        }
        if self.path != parts.path {
            return Some(format!("path {} (expected {})", parts.path, self.path));
        }
        let mut want = self.query.clone();
        let mut got = parts.query.clone();
        want.sort();
        got.sort();
        let query_ok = match self.query_match {
            QueryMatch::Exact => want == got,
            QueryMatch::Subset => want.iter().all(|p| got.contains(p)),
        };
        if !query_ok {
            return Some(format!("query {got:?} (expected {want:?})"));
        }
        for (name, value) in &self.headers {
            match parts.header(name) {
                Some(v) if v == value => {}
                Some(v) => return Some(format!("header {name}: {v:?} (expected {value:?})")),
                None => return Some(format!("header {name} missing (expected {value:?})")),
            }
        }
        match (&self.body, parts.body.as_deref()) {
            (None, _) => None,
            (Some(want), None) => Some(format!("no body (expected {want:?})")),
            (Some(Body::Json(want)), Some(got)) => match serde_json::from_slice::<Value>(got) {
                Ok(got) => {
                    let ok = match self.body_match {
                        BodyMatch::Exact => &got == want,
                        BodyMatch::Partial => json_contains(&got, want),
                    };
                    (!ok).then(|| format!("body {got} (expected {want})"))
                }
                Err(_) => Some(format!(
                    "body is not JSON: {:?}",
                    String::from_utf8_lossy(got)
                )),
            },
            (Some(want), Some(got)) => {
                let want = want.to_bytes();
                (want != got).then(|| {
                    format!(
                        "body {:?} (expected {:?})",
                        String::from_utf8_lossy(got),
                        String::from_utf8_lossy(&want)
                    )
                })
            }
        }
    }
}

/// True when `got` has every key and value of `want` (recursively for objects; arrays must
/// have the same length with each element contained).
pub fn json_contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| g.get(k).is_some_and(|gv| json_contains(gv, wv))),
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(gv, wv)| json_contains(gv, wv))
        }
        _ => got == want,
    }
}
