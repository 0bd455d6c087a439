//! v4's `meta` object, its codes (each with the HTTP status v4 mirrors it into) and its
//! envelope.

use crate::Field;

code_enum! {
    /// A v4 `meta.code`. Unlike v2, v4 mirrors the outcome into the HTTP status
    /// ([`MetaCode::http_status`]): 400 for the 4xxx codes, 401/403/404/429 as themselves, 500 for
    /// 511–513.
    ///
    /// Every code of the SDKs' table has a variant (4162–4168 from one source only); anything
    /// else is kept in [`MetaCode::Other`].
    ///
    /// ```
    /// use tm_types::v4::MetaCode;
    /// let c = MetaCode::from_code(4101);
    /// assert_eq!(c, MetaCode::TrackingExists);
    /// assert_eq!(c.http_status(), Some(400));
    /// assert_eq!(c.message(), Some("Tracking No. already exists."));
    /// assert_eq!(MetaCode::from_code(512).http_status(), Some(500));
    /// assert_eq!(MetaCode::from_code(4999), MetaCode::Other(4999));
    /// ```
    pub enum MetaCode: (u16, &'static str, &'static str) {
        /// 200: the request succeeded.
        Success = 200 => (200, "Success", "Request response is successful");
        /// 400: the request type is wrong (method, body).
        BadRequest = 400 => (400, "BadRequest", "Request type error. Please check the API documentation for the request type of this API.");
        /// 4101: the (number, courier) pair is already tracked.
        TrackingExists = 4101 => (400, "BadRequest", "Tracking No. already exists.");
        /// 4102: the tracking number has not been created.
        TrackingNotFound = 4102 => (400, "BadRequest", "Tracking No. no exists. Please use 「Create a tracking」 API first to create shipment.");
        /// 4103: more than 40 shipments in one call.
        TooManyShipments = 4103 => (400, "BadRequest", "You have exceeded the shipment quantity of API call. The maximum quantity is 40 shipments per call.");
        /// 4110: `tracking_number` is malformed.
        TrackingNumberInvalid = 4110 => (400, "BadRequest", "The value of tracking_number is invalid.");
        /// 4111: `tracking_number` is missing.
        TrackingNumberRequired = 4111 => (400, "BadRequest", "Tracking_number is required.");
        /// 4112: the tracking id is malformed or unknown.
        InvalidTrackingId = 4112 => (400, "BadRequest", "Invalid Tracking ID.");
        /// 4113: only an expired tracking may be retracked.
        RetrackNotAllowed = 4113 => (400, "BadRequest", "Retrack is not allowed. You can only retrack an expired tracking.");
        /// 4120: `courier_code` is unknown.
        CourierCodeInvalid = 4120 => (400, "BadRequest", "The value of courier_code is invalid.");
        /// 4121: no courier matches the number.
        CannotDetectCourier = 4121 => (400, "BadRequest", "Cannot detect courier.");
        /// 4122: a field this courier requires is missing or invalid.
        RequiredFieldsInvalid = 4122 => (400, "BadRequest", "Missing or invalid value of the special required fields for this courier.");
        /// 4130: a field's format is invalid.
        FieldFormatInvalid = 4130 => (400, "BadRequest", "The format of Field name is invalid.");
        /// 4160: `awb_number` is missing or malformed.
        AwbNumberInvalid = 4160 => (400, "BadRequest", "The awb_number is required or invaild format.");
        /// 4161: the airline is not supported.
        AirlineNotSupported = 4161 => (400, "BadRequest", "The awb airline does not support yet.");
        /// 4162: more than 20 air waybills in one call (one source).
        TooManyAwbNumbers = 4162 => (400, "BadRequest", "A batch supports only 20 awb_numbers.");
        /// 4163: an air waybill could not be deleted (one source).
        AwbDeleteFailed = 4163 => (400, "BadRequest", "Failed to delete air waybill number.");
        /// 4164: an air waybill could not be created (one source).
        AwbCreateFailed = 4164 => (400, "BadRequest", "Failed to create air waybill number.");
        /// 4165: the air waybill was not created.
        AwbNotCreated = 4165 => (400, "BadRequest", "Query failed: Air waybill number not created.");
        /// 4166: deleting an air waybill that was not created.
        AwbDeleteUncreated = 4166 => (400, "BadRequest", "Failed to delete an uncreated air waybill number.");
        /// 4167: the air waybill already exists.
        AwbExists = 4167 => (400, "BadRequest", "The air waybill number already exists, no need to create it again.");
        /// 4168: more than 20 air waybills created in one call (one source).
        TooManyAwbCreated = 4168 => (400, "BadRequest", "You have exceeded the number of API calls created. The maximum quantity created each time is 20 air waybill numbers.");
        /// 4190: the plan's quota is used up.
        QuotaExhausted = 4190 => (400, "BadRequest", "You are reaching the maximum quota limitation, please upgrade your current plan.");
        /// 401: the key was refused.
        Unauthorized = 401 => (401, "Unauthorized", "Authentication failed or has no permission. Please check and ensure your API Key is correct.");
        /// 403: access is not allowed.
        Forbidden = 403 => (403, "Forbidden", "Access prohibited. The request has been refused or access is not allowed.");
        /// 404: no such route.
        NotFound = 404 => (404, "NotFound", "Page does not exist. Please check and ensure your link is correct.");
        /// 429: over the rate limit; pause 120 s.
        TooManyRequests = 429 => (429, "TooManyRequests", "Exceeded API request limits, please try again later. Please check the API documentation for the limit of this API.");
        /// 511: server error.
        ServerError = 511 => (500, "ServerError", "Server error. Please contact us: service@trackingmore.org.");
        /// 512: server error.
        ServerError512 = 512 => (500, "ServerError", "Server error. Please contact us: service@trackingmore.org.");
        /// 513: server error.
        ServerError513 = 513 => (500, "ServerError", "Server error. Please contact us: service@trackingmore.org.");
    }
}

impl MetaCode {
    /// The HTTP status the API sends with this code.
    pub fn http_status(self) -> Option<u16> {
        self.info().map(|(status, _, _)| status)
    }

    /// The TYPE column of the documentation's table (`BadRequest`, …); v4 bodies do not send it.
    pub fn documented_type(self) -> Option<&'static str> {
        self.info().map(|(_, t, _)| t)
    }

    /// The API's own `meta.message` for this code.
    pub fn message(self) -> Option<&'static str> {
        self.info().map(|(_, _, m)| m)
    }

    /// True for 200, the one success code of v4.
    pub fn is_success(self) -> bool {
        self == MetaCode::Success
    }

    /// True for the codes whose answer may change later: 429 and the 5xx family.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            MetaCode::TooManyRequests
                | MetaCode::ServerError
                | MetaCode::ServerError512
                | MetaCode::ServerError513
        ) || matches!(self, MetaCode::Other(c) if (500..600).contains(&c))
    }
}

impl Default for MetaCode {
    /// 200, so that a default [`Meta`] is a success.
    fn default() -> Self {
        MetaCode::Success
    }
}

wire_struct! {
    /// The `meta` object: `{"code": 200, "message": "Request response is successful"}`. A
    /// `type` key is not sent by the API but tolerated (the documentation's table has the
    /// column).
    pub struct Meta {
        /// The outcome code.
        "code" => code: MetaCode,
        /// The human message.
        "message" => message: Field<String>,
        /// The class of outcome, when a server sends it.
        "type" => r#type: Field<String>,
    }
}

impl Meta {
    /// The meta of `code` with the API's own message.
    ///
    /// ```
    /// let m = tm_types::v4::Meta::new(tm_types::v4::MetaCode::InvalidTrackingId);
    /// assert_eq!(m.message.as_deref(), Some("Invalid Tracking ID."));
    /// ```
    pub fn new(code: MetaCode) -> Self {
        Meta {
            code,
            message: code.message().map(str::to_owned).into(),
            r#type: Field::Absent,
            extra: Default::default(),
        }
    }
}

/// A whole v4 response: `{"meta": {...}, "data": ...}`. On errors `data` may be `[]`, `{}`,
/// `null`, a minimal tracking (4101) or absent.
pub type Envelope<T> = crate::Envelope<T, Meta>;

/// A v4 envelope whose `data` is left undecoded, borrowed from the body.
pub type RawEnvelope<'a> = crate::RawEnvelope<'a, Meta>;

impl<T> crate::Envelope<T, Meta> {
    /// A `200` envelope around `data`.
    pub fn success(data: T) -> Self {
        crate::Envelope {
            meta: Meta::new(MetaCode::Success),
            data: Some(data),
        }
    }
}
