//! v2's `meta` object and its codes, and its envelope.

use crate::Field;

code_enum! {
    /// A `meta.code` value. v2 answers API errors with HTTP 200 and puts the outcome here.
    ///
    /// Every code on the v2 status-code page has a variant; anything else is kept in
    /// [`MetaCode::Other`], so a new code never breaks decoding.
    ///
    /// ```
    /// use tm_types::v2::MetaCode;
    /// assert_eq!(MetaCode::from_code(4016), MetaCode::TrackingExists);
    /// assert!(MetaCode::from_code(201).is_success());
    /// assert_eq!(MetaCode::from_code(4999), MetaCode::Other(4999));
    /// assert_eq!("4016".parse::<MetaCode>(), Ok(MetaCode::TrackingExists));
    /// ```
    pub enum MetaCode: (&'static str, &'static str) {
        /// 200: the request succeeded.
        Success = 200 => ("Success", "Success");
        /// 201: a resource was created (batch create).
        Created = 201 => ("Created", "The request was successful and a resource was created");
        /// 202: accepted but over a limit (a batch of more than 40 items).
        OverLimit = 202 => ("Bad Request", "The request was accepted but is over a limit (batch size)");
        /// 401: authentication failed or no permission.
        Unauthorized = 401 => ("Unauthorized", "Authentication failed or no permission");
        /// 4001: the API key is invalid.
        InvalidApiKey = 4001 => ("Unauthorized", "Invalid API key");
        /// 4002: the API key has been deleted.
        ApiKeyDeleted = 4002 => ("Unauthorized", "The API key has been deleted");
        /// 4012: the body could not be parsed or required parameters are missing.
        InvalidRequest = 4012 => ("Bad Request", "The request could not be parsed or misses required parameters");
        /// 4013: `tracking_number` is required.
        TrackingNumberRequired = 4013 => ("Bad Request", "tracking_number is required");
        /// 4014: `tracking_number` is invalid.
        TrackingNumberInvalid = 4014 => ("Bad Request", "tracking_number is invalid");
        /// 4015: `carrier_code` is invalid.
        CarrierCodeInvalid = 4015 => ("Bad Request", "carrier_code is invalid");
        /// 4016: the tracking already exists.
        TrackingExists = 4016 => ("Bad Request", "Tracking already exists");
        /// 4017: the tracking does not exist.
        TrackingNotFound = 4017 => ("Bad Request", "Tracking does not exist");
        /// 4018: the feature needs custom activation.
        NeedsActivation = 4018 => ("Bad Request", "This feature needs custom activation");
        /// 4019: the account balance is insufficient.
        InsufficientBalance = 4019 => ("Bad Request", "Balance insufficient");
        /// 4020: too many items in one request ("up to 200 at a time").
        TooManyItems = 4020 => ("Bad Request", "Up to 200 items at a time");
        /// 4021: the tracking quota is used up or the trial has expired.
        QuotaExhausted = 4021 => ("Bad Request", "Tracking quota exhausted or trial expired");
        /// 4031: no content yet: the number has not been created (create it with POST first).
        NotCreated = 4031 => ("No Content", "Tracking not created yet: create it with POST first");
        /// 4032: the carrier could not be detected.
        CannotDetect = 4032 => ("No Content", "Cannot detect the carrier");
        /// 4033: the value of `status` is invalid.
        InvalidStatus = 4033 => ("No Content", "The value of status is invalid");
        /// 402: payment required.
        PaymentRequired = 402 => ("Payment Required", "Payment required");
        /// 403: access denied.
        Forbidden = 403 => ("Forbidden", "Access denied");
        /// 404: the resource was not found.
        NotFound = 404 => ("Not Found", "Resource not found");
        /// 405: the method is not allowed.
        MethodNotAllowed = 405 => ("Method Not Allowed", "Method not allowed");
        /// 409: conflict.
        Conflict = 409 => ("Conflict", "Conflict");
        /// 429: over the API limits: pause, wait about two minutes, retry.
        TooManyRequests = 429 => ("Too Many Requests", "Over the API rate limit: wait about two minutes, then retry");
        /// 500: server error.
        ServerError = 500 => ("Server error", "Server error");
        /// 503: the service is temporarily unavailable.
        ServiceUnavailable = 503 => ("Service Unavailable", "Service temporarily unavailable");
    }
}

impl MetaCode {
    /// The `meta.type` the status-code page prints for this code, if known.
    pub fn documented_type(self) -> Option<&'static str> {
        self.info().map(|(t, _)| t)
    }

    /// A human description of the code, from the status-code page.
    pub fn description(self) -> &'static str {
        self.info().map_or("unknown meta code", |(_, d)| d)
    }

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

/// A whole v2 response: `{"meta": {...}, "data": ...}`.
///
/// On errors `data` is `[]`, so decode errors with `Envelope<serde_json::Value>` or use
/// [`RawEnvelope`] to look at `meta` before choosing how to read `data`.
pub type Envelope<T> = crate::Envelope<T, Meta>;

/// A v2 envelope whose `data` is left undecoded, borrowed from the body.
pub type RawEnvelope<'a> = crate::RawEnvelope<'a, Meta>;

impl<T> crate::Envelope<T, Meta> {
    /// A `200 Success` envelope around `data`.
    pub fn success(data: T) -> Self {
        crate::Envelope {
            meta: Meta::success(),
            data: Some(data),
        }
    }
}

impl crate::Envelope<serde_json::Value, Meta> {
    /// An error envelope as v2 sends it: the meta and `"data": []`.
    pub fn error(code: MetaCode, message: impl Into<String>) -> Self {
        crate::Envelope {
            meta: Meta::new(code, message),
            data: Some(serde_json::Value::Array(Vec::new())),
        }
    }
}
