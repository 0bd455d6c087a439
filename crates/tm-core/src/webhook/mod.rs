//! Verifying the webhook bodies TrackingMore POSTs to your endpoint. A webhook's version must
//! equal the API's: v2 pushes are checked by [`WebhookVerifier`] here, v4 pushes by
//! [`v4::WebhookVerifier`]; [`replay::ReplayGuard`] applies each accepted push once.
//!
//! ## What each scheme proves, and what it cannot
//!
//! | scheme | signed | proves | cannot prove |
//! |---|---|---|---|
//! | v2 `verifyInfo` | `hex(HMAC-SHA256(account e-mail, timeStr))` | the sender knew the account's e-mail, at `timeStr` | the body: a captured `verifyInfo` fits any body until it is too old; and the e-mail is the login, not a strong secret |
//! | v4 timestamp (the reference's example) | `HMAC-SHA256(webhook secret, timestamp)` | the sender knew the secret, at the timestamp | the body, likewise |
//! | v4 body (the reference's prose) | `HMAC-SHA256(webhook secret, body)` | the body is the one signed with the secret | when: without a timestamp, a captured push is valid forever |
//!
//! So: give a maximum age (refuses old timestamps), and admit each verified push through a
//! [`replay::ReplayGuard`] (a push seen again within its window is a repeat, applied once; the
//! same signature over another body is refused). What no receiver can stop: a captured
//! timestamp signature put on an edited body and delivered *before* the real push, within the
//! maximum age; and a body-signed push replayed after the guard's window. Only the body
//! scheme with a timestamp would close both, and TrackingMore documents no such scheme.

pub mod replay;
pub mod v4;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tm_types::v2::{Tracking, WebhookPayload};

/// Why a webhook body was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is not a webhook payload (not JSON, or missing its tracking).
    #[error("malformed webhook body: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// The body has no `verifyInfo` (or no `timeStr` / `signature` in it).
    #[error("webhook body has no verifyInfo {missing}")]
    MissingVerifyInfo {
        /// Which part is missing.
        missing: &'static str,
    },
    /// A v4 push without its signature or timestamp, in the headers or a body block.
    #[error("webhook has no {missing} (looked in the headers {looked_in} and a body verify block)")]
    MissingSignature {
        /// `signature` or `timestamp`.
        missing: &'static str,
        /// The header names tried.
        looked_in: &'static str,
    },
    /// The signature does not match the account e-mail.
    #[error("webhook signature does not match")]
    BadSignature,
    /// The signed time is older than the allowed age.
    #[error("webhook is {age:?} old, more than the allowed {max_age:?}")]
    TooOld {
        /// Its age.
        age: Duration,
        /// The allowed age.
        max_age: Duration,
    },
    /// The signed time is further in the future than the allowed age.
    #[error("webhook is dated {ahead:?} in the future")]
    FromTheFuture {
        /// How far ahead.
        ahead: Duration,
    },
    /// The signature was already accepted with another body: the signature does not cover
    /// this body (a signature over a time only fits any body). A legitimate push sent in the
    /// same second is retried by the sender, with a new signature.
    #[error("webhook signature already accepted with another body: it does not cover this one")]
    SignatureReused,
}

/// The signature v2 sends for `time_str` under `email`: lower-case hex HMAC-SHA256.
///
/// ```
/// assert_eq!(
///     tm_core::webhook::signature("owner@example.com", "1503816929"),
///     "30e4fb0fe5da81e8c11aaa3362825e402b6ea7c1e821bffc676c7e29fe674a53"
/// );
/// ```
pub fn signature(email: &str, time_str: &str) -> String {
    hex::encode(hmac_sha256(email.as_bytes(), time_str.as_bytes()))
}

/// Checks webhook bodies against the account e-mail.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use tm_core::webhook::{WebhookVerifier, signature};
/// let body = format!(
///     r#"{{"meta":{{"code":200}},"data":{{"tracking_number":"RN1","carrier_code":"china-post","status":"transit"}},
///        "verifyInfo":{{"timeStr":1503816929,"signature":"{}"}}}}"#,
///     signature("owner@example.com", "1503816929")
/// );
/// let verifier = WebhookVerifier::new("owner@example.com").max_age(Duration::from_secs(300));
/// let now = UNIX_EPOCH + Duration::from_secs(1503816929 + 60);
/// let tracking = verifier.verify_at(body.as_bytes(), now).unwrap();
/// assert_eq!(tracking.tracking_number, "RN1");
/// assert!(WebhookVerifier::new("someone@else.example").verify_at(body.as_bytes(), now).is_err());
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    email: String,
    max_age: Option<Duration>,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The e-mail is the signing key: keep it out of logs.
        f.debug_struct("WebhookVerifier")
            .field("email", &"<redacted>")
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl WebhookVerifier {
    /// A verifier for the account registered with `email` (the signing key).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use tm_core::webhook::{WebhookVerifier, signature};
    /// let body = format!(r#"{{"data":{{"tracking_number":"RN1","carrier_code":"dhl"}},"verifyInfo":{{"timeStr":1503816929,"signature":"{}"}}}}"#, signature("owner@example.com", "1503816929"));
    /// let verifier = WebhookVerifier::new("owner@example.com");
    /// assert!(verifier.verify_at(body.as_bytes(), UNIX_EPOCH).is_ok());
    /// ```
    pub fn new(email: impl Into<String>) -> Self {
        WebhookVerifier {
            email: email.into(),
            max_age: None,
        }
    }

    /// Rejects bodies signed longer ago (or further ahead) than `max_age`.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use tm_core::webhook::{WebhookVerifier, signature};
    /// let body = format!(r#"{{"data":{{"tracking_number":"RN1","carrier_code":"dhl"}},"verifyInfo":{{"timeStr":1503816929,"signature":"{}"}}}}"#, signature("owner@example.com", "1503816929"));
    /// let verifier = WebhookVerifier::new("owner@example.com").max_age(Duration::from_secs(300));
    /// let an_hour_later = UNIX_EPOCH + Duration::from_secs(1503816929 + 3600);
    /// assert!(verifier.verify_at(body.as_bytes(), an_hour_later).is_err());
    /// ```
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Verifies `body` now and returns its tracking.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use tm_core::webhook::{WebhookVerifier, signature};
    /// let body = format!(r#"{{"data":{{"tracking_number":"RN1","carrier_code":"dhl"}},"verifyInfo":{{"timeStr":1503816929,"signature":"{}"}}}}"#, signature("owner@example.com", "1503816929"));
    /// // Signed in 2017: fine without an age limit, refused with one.
    /// assert!(WebhookVerifier::new("owner@example.com").verify(body.as_bytes()).is_ok());
    /// assert!(WebhookVerifier::new("owner@example.com").max_age(Duration::from_secs(600)).verify(body.as_bytes()).is_err());
    /// ```
    pub fn verify(&self, body: &[u8]) -> Result<Tracking, WebhookError> {
        self.verify_at(body, SystemTime::now())
    }

    /// Verifies `body` as of `now` and returns its tracking.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use tm_core::webhook::{WebhookVerifier, signature};
    /// let body = format!(r#"{{"data":{{"tracking_number":"RN1","carrier_code":"dhl"}},"verifyInfo":{{"timeStr":1503816929,"signature":"{}"}}}}"#, signature("owner@example.com", "1503816929"));
    /// let now = UNIX_EPOCH + Duration::from_secs(1503816929 + 5);
    /// let t = WebhookVerifier::new("owner@example.com").verify_at(body.as_bytes(), now).unwrap();
    /// assert_eq!(t.tracking_number, "RN1");
    /// ```
    pub fn verify_at(&self, body: &[u8], now: SystemTime) -> Result<Tracking, WebhookError> {
        self.verify_push_at(body, now).map(|p| p.tracking)
    }

    /// Verifies `body` as of `now`: its tracking, and the signature's bytes (for a
    /// [`replay::ReplayGuard`]).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use tm_core::webhook::{WebhookVerifier, signature};
    /// let sig = signature("owner@example.com", "1503816929");
    /// let body = format!(r#"{{"data":{{"tracking_number":"RN1","carrier_code":"dhl"}},"verifyInfo":{{"timeStr":1503816929,"signature":"{sig}"}}}}"#);
    /// let now = UNIX_EPOCH + Duration::from_secs(1503816929 + 5);
    /// let push = WebhookVerifier::new("owner@example.com").verify_push_at(body.as_bytes(), now).unwrap();
    /// assert_eq!(push.signed_at, 1503816929);
    /// assert_eq!(hex::encode(&push.signature), sig);
    /// ```
    pub fn verify_push_at(&self, body: &[u8], now: SystemTime) -> Result<Push, WebhookError> {
        let payload: WebhookPayload =
            serde_json::from_slice(body).map_err(|e| WebhookError::Malformed {
                reason: e.to_string(),
            })?;
        let info = payload
            .verify_info
            .into_value()
            .ok_or(WebhookError::MissingVerifyInfo { missing: "object" })?;
        let time = info
            .time_str
            .into_value()
            .ok_or(WebhookError::MissingVerifyInfo { missing: "timeStr" })?;
        let given = info
            .signature
            .into_value()
            .ok_or(WebhookError::MissingVerifyInfo {
                missing: "signature",
            })?;
        let time_text = time.to_string();
        let secs = time.as_u64().ok_or_else(|| WebhookError::Malformed {
            reason: format!("timeStr {time_text:?} is not Unix seconds"),
        })?;
        let expected = signature(&self.email, &time_text);
        let given = given.trim().to_ascii_lowercase();
        if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
            return Err(WebhookError::BadSignature);
        }
        check_age(secs, self.max_age, now)?;
        let tracking = payload
            .data
            .into_value()
            .ok_or_else(|| WebhookError::Malformed {
                reason: "the body has no data (tracking)".into(),
            })?;
        Ok(Push {
            tracking,
            signature: hex::decode(&given).unwrap_or_else(|_| given.into_bytes()),
            signed_at: secs,
        })
    }
}

/// A verified v2 push.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Push {
    /// The tracking it carries.
    pub tracking: Tracking,
    /// The signature's bytes.
    pub signature: Vec<u8>,
    /// When it was signed (`timeStr`, Unix seconds). Only this time is signed, not the body.
    pub signed_at: u64,
}

/// Refuses a signing time further than `max_age` from `now`, either way.
pub(crate) fn check_age(
    signed_secs: u64,
    max_age: Option<Duration>,
    now: SystemTime,
) -> Result<(), WebhookError> {
    let Some(max_age) = max_age else {
        return Ok(());
    };
    let signed = UNIX_EPOCH + Duration::from_secs(signed_secs);
    match now.duration_since(signed) {
        Ok(age) if age > max_age => Err(WebhookError::TooOld { age, max_age }),
        Err(ahead) if ahead.duration() > max_age => Err(WebhookError::FromTheFuture {
            ahead: ahead.duration(),
        }),
        _ => Ok(()),
    }
}

/// HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}
