//! Verifying v4 webhook pushes. The v4 documentation contradicts itself on the scheme: its
//! prose says a base64 HMAC-SHA256 of the body, keyed with the webhook secret, in a header; its
//! example (and the one test vector) computes a hex HMAC-SHA256 of a timestamp string with the
//! same secret. Header names are not documented. So this verifier looks for the timestamp and
//! the signature under the names seen in use (case-insensitively, or in a body `verify` /
//! `verifyInfo` block), accepts hex or base64, checks the enabled [`Scheme`]s in order, and
//! says which one matched.
//!
//! Under the timestamp scheme the body is not signed: authenticity rests on the secret, and a
//! bounded age on the timestamp is the only freshness control (10 minutes by default).

use std::time::{Duration, SystemTime};

use base64::Engine;
use serde_json::Value;
use subtle::ConstantTimeEq;
use tm_types::v4::Tracking;

use super::{WebhookError, check_age, hmac_sha256};

/// The header names tried for the timestamp, lower case.
const TIMESTAMP_HEADERS: &[&str] = &[
    "timestamp",
    "x-timestamp",
    "trackingmore-timestamp",
    "x-trackingmore-timestamp",
];
/// The header names tried for the signature, lower case.
const SIGNATURE_HEADERS: &[&str] = &[
    "signature",
    "x-signature",
    "trackingmore-signature",
    "x-trackingmore-signature",
];

/// What a v4 signature is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `HMAC-SHA256(secret, timestamp)`: the documentation's example and test vector.
    Timestamp,
    /// `HMAC-SHA256(secret, raw body)`: the documentation's prose.
    Body,
}

/// A verified push: its tracking, the scheme that matched, and its timestamp if it had one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verified {
    /// The tracking the push carries.
    pub tracking: Tracking,
    /// The scheme whose signature matched.
    pub scheme: Scheme,
    /// The signing time (Unix seconds), if the push carried one.
    pub timestamp: Option<u64>,
    /// The signature's bytes (for a [`super::replay::ReplayGuard`]).
    pub signature: Vec<u8>,
}

impl Verified {
    /// True when the signature covers the body ([`Scheme::Body`]); under the timestamp
    /// scheme the body is not signed.
    pub fn body_signed(&self) -> bool {
        self.scheme == Scheme::Body
    }
}

/// The hex signature of `timestamp` under `secret` (the documented example's computation).
///
/// ```
/// // The v4 documentation's test vector.
/// assert_eq!(
///     tm_core::webhook::v4::timestamp_signature("2e55b9a3-4dd1-4416-9897-c4bd1e3d738f", "1662371528"),
///     "a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06"
/// );
/// ```
pub fn timestamp_signature(secret: &str, timestamp: &str) -> String {
    hex::encode(hmac_sha256(secret.as_bytes(), timestamp.as_bytes()))
}

/// The base64 signature of `body` under `secret` (the documentation's prose).
///
/// ```
/// let s = tm_core::webhook::v4::body_signature("secret", b"{}");
/// assert_eq!(s.len(), 44);
/// ```
pub fn body_signature(secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret.as_bytes(), body))
}

/// Checks v4 pushes against the account's webhook secret.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use tm_core::webhook::v4::{Scheme, WebhookVerifier, timestamp_signature};
/// let secret = "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f";
/// let body = br#"{"code":200,"message":"Success","data":{"id":"9a71ac3628f63b843820bddbc9fb7e35","tracking_number":"9104223295","courier_code":"dhl","delivery_status":"delivered"}}"#;
/// let headers = [("Timestamp", "1662371528".to_owned()), ("Signature", timestamp_signature(secret, "1662371528"))];
/// let now = UNIX_EPOCH + Duration::from_secs(1662371528 + 30);
/// let ok = WebhookVerifier::new(secret).verify_at(headers.iter().map(|(k, v)| (*k, v.as_str())), body, now).unwrap();
/// assert_eq!(ok.scheme, Scheme::Timestamp);
/// assert_eq!(ok.tracking.tracking_number.as_deref(), Some("9104223295"));
/// assert!(WebhookVerifier::new("another-secret").verify_at(headers.iter().map(|(k, v)| (*k, v.as_str())), body, now).is_err());
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    secret: String,
    schemes: Vec<Scheme>,
    max_age: Option<Duration>,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("v4::WebhookVerifier")
            .field("secret", &"<redacted>")
            .field("schemes", &self.schemes)
            .field("max_age", &self.max_age)
            .finish()
    }
}

/// A signature as sent: hex (64 digits) or base64 (of 32 bytes).
fn decode_signature(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.len() == 64
        && let Ok(b) = hex::decode(s)
    {
        return Some(b);
    }
    [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
    ]
    .iter()
    .find_map(|e| e.decode(s).ok())
    .filter(|b| b.len() == 32)
}

/// The first of `names` present in `headers` (names compared without regard to case).
fn header<'a>(headers: &[(String, &'a str)], names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| *v)
    })
}

/// A value of a body `verify` / `verifyInfo` block, as text.
fn block_value(body: &Value, keys: &[&str]) -> Option<String> {
    ["verify", "verifyInfo"].iter().find_map(|b| {
        keys.iter()
            .find_map(|k| body.get(*b)?.get(*k))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
    })
}

impl WebhookVerifier {
    /// A verifier for the account's webhook `secret`, trying the timestamp scheme then the
    /// body scheme, refusing timestamps more than 10 minutes away.
    ///
    /// ```
    /// let v = tm_core::webhook::v4::WebhookVerifier::new("secret");
    /// assert!(!format!("{v:?}").contains("secret\""));
    /// ```
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookVerifier {
            secret: secret.into(),
            schemes: vec![Scheme::Timestamp, Scheme::Body],
            max_age: Some(Duration::from_secs(600)),
        }
    }

    /// The schemes to try, in order (e.g. only [`Scheme::Body`] once TrackingMore's behaviour
    /// is known for an account).
    ///
    /// ```
    /// use tm_core::webhook::v4::{Scheme, WebhookVerifier, body_signature};
    /// let body = br#"{"data":{"tracking_number":"1"}}"#;
    /// let sig = body_signature("s", body);
    /// let only_timestamp = WebhookVerifier::new("s").schemes([Scheme::Timestamp]);
    /// assert!(only_timestamp.verify([("signature", sig.as_str())], body).is_err());
    /// ```
    #[must_use]
    pub fn schemes(mut self, schemes: impl IntoIterator<Item = Scheme>) -> Self {
        self.schemes = schemes.into_iter().collect();
        self
    }

    /// Refuses timestamps further than `max_age` from now, either way; `None` turns the check
    /// off (not advised under the timestamp scheme, where nothing else is fresh).
    ///
    /// ```
    /// use std::time::Duration;
    /// let v = tm_core::webhook::v4::WebhookVerifier::new("s").max_age(Some(Duration::from_secs(60)));
    /// # let _ = v;
    /// ```
    #[must_use]
    pub fn max_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_age = max_age;
        self
    }

    /// Verifies a push now.
    ///
    /// ```
    /// use tm_core::webhook::v4::{WebhookVerifier, body_signature};
    /// let body = br#"{"data":{"tracking_number":"1","courier_code":"usps"}}"#;
    /// let sig = body_signature("s", body);
    /// let ok = WebhookVerifier::new("s").verify([("X-Signature", sig.as_str())], body).unwrap();
    /// assert_eq!(ok.timestamp, None);
    /// ```
    pub fn verify<'a, K: AsRef<str>>(
        &self,
        headers: impl IntoIterator<Item = (K, &'a str)>,
        body: &[u8],
    ) -> Result<Verified, WebhookError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Verifies a push as of `now`: finds the timestamp and signature, checks the enabled
    /// schemes in order in constant time, refuses a stale timestamp, and reads the tracking
    /// from `data` (or from the body itself when it is the tracking).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use tm_core::webhook::v4::{WebhookVerifier, timestamp_signature};
    /// let body = br#"{"data":{"tracking_number":"1"}}"#;
    /// let sig = timestamp_signature("s", "1700000000");
    /// let headers = [("timestamp", "1700000000"), ("signature", sig.as_str())];
    /// let an_hour_later = UNIX_EPOCH + Duration::from_secs(1700000000 + 3600);
    /// assert!(WebhookVerifier::new("s").verify_at(headers, body, an_hour_later).is_err());
    /// ```
    pub fn verify_at<'a, K: AsRef<str>>(
        &self,
        headers: impl IntoIterator<Item = (K, &'a str)>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified, WebhookError> {
        let headers: Vec<(String, &str)> = headers
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v))
            .collect();
        let json: Value = serde_json::from_slice(body).map_err(|e| WebhookError::Malformed {
            reason: e.to_string(),
        })?;
        let signature = header(&headers, SIGNATURE_HEADERS)
            .map(str::to_owned)
            .or_else(|| block_value(&json, &["signature"]))
            .ok_or(WebhookError::MissingSignature {
                missing: "signature",
                looked_in: "signature, x-signature, trackingmore-signature, x-trackingmore-signature",
            })?;
        let timestamp = header(&headers, TIMESTAMP_HEADERS)
            .map(str::to_owned)
            .or_else(|| block_value(&json, &["timestamp", "timeStr"]));
        let given = decode_signature(&signature).ok_or(WebhookError::BadSignature)?;
        let scheme = self
            .schemes
            .iter()
            .copied()
            .find(|scheme| {
                let message = match scheme {
                    Scheme::Timestamp => match &timestamp {
                        Some(t) => t.trim().as_bytes(),
                        None => return false,
                    },
                    Scheme::Body => body,
                };
                let expected = hmac_sha256(self.secret.as_bytes(), message);
                bool::from(expected.as_slice().ct_eq(given.as_slice()))
            })
            .ok_or(WebhookError::BadSignature)?;
        let timestamp = timestamp
            .map(|t| {
                t.trim()
                    .parse::<u64>()
                    .map_err(|_| WebhookError::Malformed {
                        reason: format!("timestamp {t:?} is not Unix seconds"),
                    })
            })
            .transpose()?;
        if let Some(t) = timestamp {
            check_age(t, self.max_age, now)?;
        }
        let tracking_json = match json.get("data") {
            Some(d @ Value::Object(_)) => d.clone(),
            _ if json.get("tracking_number").is_some() => json,
            _ => {
                return Err(WebhookError::Malformed {
                    reason:
                        "no tracking: `data` is not an object and the body has no tracking_number"
                            .into(),
                });
            }
        };
        let tracking: Tracking =
            serde_json::from_value(tracking_json).map_err(|e| WebhookError::Malformed {
                reason: format!("the tracking does not decode: {e}"),
            })?;
        Ok(Verified {
            tracking,
            scheme,
            timestamp,
            signature: given,
        })
    }
}
