//! The `{meta, data}` envelope around every response, and the meta codes.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::Field;
use crate::field::WireField;

macro_rules! meta_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $type:literal, $desc:literal; )*) => {
        /// A `meta.code` value. v2 answers API errors with HTTP 200 and puts the outcome here.
        ///
        /// Every code on the v2 status-code page has a variant; anything else is kept in
        /// [`MetaCode::Other`], so a new code never breaks decoding.
        ///
        /// ```
        /// use tm_types::MetaCode;
        /// assert_eq!(MetaCode::from_code(4016), MetaCode::TrackingExists);
        /// assert!(MetaCode::from_code(201).is_success());
        /// assert_eq!(MetaCode::from_code(4999), MetaCode::Other(4999));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum MetaCode {
            $( $(#[$doc])* $variant, )*
            /// A code this version does not know, kept as sent.
            Other(u32),
        }

        impl MetaCode {
            /// Every code this version knows, in the order of the status-code page.
            pub const KNOWN: &'static [MetaCode] = &[$(MetaCode::$variant),*];

            /// The code for a number; unknown numbers become [`MetaCode::Other`].
            pub fn from_code(code: u32) -> Self {
                match code {
                    $($code => MetaCode::$variant,)*
                    other => MetaCode::Other(other),
                }
            }

            /// The numeric code as sent on the wire.
            pub fn code(self) -> u32 {
                match self {
                    $(MetaCode::$variant => $code,)*
                    MetaCode::Other(c) => c,
                }
            }

            /// The `meta.type` the status-code page prints for this code, if known.
            pub fn documented_type(self) -> Option<&'static str> {
                match self {
                    $(MetaCode::$variant => Some($type),)*
                    MetaCode::Other(_) => None,
                }
            }

            /// A human description of the code, from the status-code page.
            pub fn description(self) -> &'static str {
                match self {
                    $(MetaCode::$variant => $desc,)*
                    MetaCode::Other(_) => "unknown meta code",
                }
            }
        }
    };
}

meta_codes! {
    /// 200: the request succeeded.
    Success = 200, "Success", "Success";
    /// 201: a resource was created (batch create).
    Created = 201, "Created", "The request was successful and a resource was created";
    /// 202: accepted but over a limit (a batch of more than 40 items).
    OverLimit = 202, "Bad Request", "The request was accepted but is over a limit (batch size)";
    /// 401: authentication failed or no permission.
    Unauthorized = 401, "Unauthorized", "Authentication failed or no permission";
    /// 4001: the API key is invalid.
    InvalidApiKey = 4001, "Unauthorized", "Invalid API key";
    /// 4002: the API key has been deleted.
    ApiKeyDeleted = 4002, "Unauthorized", "The API key has been deleted";
    /// 4012: the body could not be parsed or required parameters are missing.
    InvalidRequest = 4012, "Bad Request", "The request could not be parsed or misses required parameters";
    /// 4013: `tracking_number` is required.
    TrackingNumberRequired = 4013, "Bad Request", "tracking_number is required";
    /// 4014: `tracking_number` is invalid.
    TrackingNumberInvalid = 4014, "Bad Request", "tracking_number is invalid";
    /// 4015: `carrier_code` is invalid.
    CarrierCodeInvalid = 4015, "Bad Request", "carrier_code is invalid";
    /// 4016: the tracking already exists.
    TrackingExists = 4016, "Bad Request", "Tracking already exists";
    /// 4017: the tracking does not exist.
    TrackingNotFound = 4017, "Bad Request", "Tracking does not exist";
    /// 4018: the feature needs custom activation.
    NeedsActivation = 4018, "Bad Request", "This feature needs custom activation";
    /// 4019: the account balance is insufficient.
    InsufficientBalance = 4019, "Bad Request", "Balance insufficient";
    /// 4020: too many items in one request ("up to 200 at a time").
    TooManyItems = 4020, "Bad Request", "Up to 200 items at a time";
    /// 4021: the tracking quota is used up or the trial has expired.
    QuotaExhausted = 4021, "Bad Request", "Tracking quota exhausted or trial expired";
    /// 4031: no content yet: the number has not been created (create it with POST first).
    NotCreated = 4031, "No Content", "Tracking not created yet: create it with POST first";
    /// 4032: the carrier could not be detected.
    CannotDetect = 4032, "No Content", "Cannot detect the carrier";
    /// 4033: the value of `status` is invalid.
    InvalidStatus = 4033, "No Content", "The value of status is invalid";
    /// 402: payment required.
    PaymentRequired = 402, "Payment Required", "Payment required";
    /// 403: access denied.
    Forbidden = 403, "Forbidden", "Access denied";
    /// 404: the resource was not found.
    NotFound = 404, "Not Found", "Resource not found";
    /// 405: the method is not allowed.
    MethodNotAllowed = 405, "Method Not Allowed", "Method not allowed";
    /// 409: conflict.
    Conflict = 409, "Conflict", "Conflict";
    /// 429: over the API limits: pause, wait about two minutes, retry.
    TooManyRequests = 429, "Too Many Requests", "Over the API rate limit: wait about two minutes, then retry";
    /// 500: server error.
    ServerError = 500, "Server error", "Server error";
    /// 503: the service is temporarily unavailable.
    ServiceUnavailable = 503, "Service Unavailable", "Service temporarily unavailable";
}

impl MetaCode {
    /// True for 200 and 201, the two codes clients must treat as success.
    pub fn is_success(self) -> bool {
        matches!(self, MetaCode::Success | MetaCode::Created)
    }

    /// True for the codes that mean "slow down or try again later" (429, 503).
    pub fn is_throttling(self) -> bool {
        matches!(
            self,
            MetaCode::TooManyRequests | MetaCode::ServiceUnavailable
        )
    }
}

impl Default for MetaCode {
    /// 200, so that a default [`Meta`] is a success.
    fn default() -> Self {
        MetaCode::Success
    }
}

impl fmt::Display for MetaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl From<u32> for MetaCode {
    fn from(code: u32) -> Self {
        MetaCode::from_code(code)
    }
}

impl std::str::FromStr for MetaCode {
    type Err = std::num::ParseIntError;
    /// Parses the decimal code; any number is accepted, unknown ones become `Other`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse::<u32>().map(MetaCode::from_code)
    }
}

impl Serialize for MetaCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.code())
    }
}

impl<'de> Deserialize<'de> for MetaCode {
    /// Accepts a JSON number or a string of digits.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MetaCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a meta code (a non-negative integer)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MetaCode, E> {
                u32::try_from(v)
                    .map(MetaCode::from_code)
                    .map_err(|_| E::custom(format_args!("meta code {v} is out of range")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MetaCode, E> {
                u32::try_from(v)
                    .map(MetaCode::from_code)
                    .map_err(|_| E::custom(format_args!("meta code {v} is out of range")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MetaCode, E> {
                v.parse()
                    .map_err(|_| E::custom(format_args!("meta code {v:?} is not a number")))
            }
        }
        d.deserialize_any(V)
    }
}

impl WireField for MetaCode {
    fn missing<E: de::Error>(key: &'static str) -> Result<Self, E> {
        Err(E::missing_field(key))
    }
}

wire_struct! {
    /// The `meta` object: `{"code": 200, "type": "Success", "message": "Success"}`.
    ///
    /// `type` and `message` are missing in some documentation samples (`{"code":200}`).
    pub struct Meta {
        /// The outcome code.
        "code" => code: MetaCode,
        /// The class of outcome, e.g. `"Bad Request"`.
        "type" => r#type: Field<String>,
        /// The human message, e.g. `"Tracking already exists."`.
        "message" => message: Field<String>,
    }
}

impl Meta {
    /// A meta object with the documented type and the given message.
    pub fn new(code: MetaCode, message: impl Into<String>) -> Self {
        Meta {
            code,
            r#type: code
                .documented_type()
                .map(str::to_owned)
                .map_or(Field::Absent, Field::Value),
            message: Field::Value(message.into()),
            extra: Default::default(),
        }
    }

    /// The success meta every v2 endpoint sends: `200 Success Success`.
    pub fn success() -> Self {
        Meta::new(MetaCode::Success, "Success")
    }
}

/// A whole response: `{"meta": {...}, "data": ...}`.
///
/// On errors `data` is `[]`, so decode errors with `Envelope<serde_json::Value>` or use
/// [`RawEnvelope`] to look at `meta` before choosing how to read `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The outcome.
    pub meta: Meta,
    /// The payload; `None` when the key was missing or `null`.
    #[serde(default = "Option::default")]
    pub data: Option<T>,
}

impl<T> Envelope<T> {
    /// A `200 Success` envelope around `data`.
    pub fn success(data: T) -> Self {
        Envelope {
            meta: Meta::success(),
            data: Some(data),
        }
    }
}

impl Envelope<serde_json::Value> {
    /// An error envelope as v2 sends it: the meta and `"data": []`.
    pub fn error(code: MetaCode, message: impl Into<String>) -> Self {
        Envelope {
            meta: Meta::new(code, message),
            data: Some(serde_json::Value::Array(Vec::new())),
        }
    }
}

/// An envelope whose `data` is left undecoded, borrowed from the body.
///
/// Decoding `meta` first lets a client tell an error (`data: []`) from a payload before it
/// commits to a type for `data`, without parsing the body twice.
#[derive(Debug, Deserialize)]
pub struct RawEnvelope<'a> {
    /// The outcome.
    pub meta: Meta,
    /// The raw JSON text of `data`, if present.
    #[serde(borrow, default)]
    pub data: Option<&'a RawValue>,
}
