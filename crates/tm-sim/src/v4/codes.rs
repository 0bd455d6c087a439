//! v4's codes: the HTTP status each is mirrored into and the API's own message (reference §3,
//! the table every SDK README carries).

/// Every documented v4 code.
pub const DOCUMENTED: &[u32] = &[
    200, 400, 4101, 4102, 4103, 4110, 4111, 4112, 4113, 4120, 4121, 4122, 4130, 4160, 4161, 4162,
    4163, 4164, 4165, 4166, 4167, 4168, 4190, 401, 403, 404, 429, 511, 512, 513,
];

/// The HTTP status and message of a code (an undocumented code: 500 and a generic text).
pub fn describe(code: u32) -> (u16, &'static str) {
    const SERVER: &str = "Server error. Please contact us: service@trackingmore.org.";
    match code {
        200 => (200, "Request response is successful"),
        400 => (
            400,
            "Request type error. Please check the API documentation for the request type of this API.",
        ),
        4101 => (400, "Tracking No. already exists."),
        4102 => (
            400,
            "Tracking No. no exists. Please use 「Create a tracking」 API first to create shipment.",
        ),
        4103 => (
            400,
            "You have exceeded the shipment quantity of API call. The maximum quantity is 40 shipments per call.",
        ),
        4110 => (400, "The value of tracking_number is invalid."),
        4111 => (400, "Tracking_number is required."),
        4112 => (400, "Invalid Tracking ID."),
        4113 => (
            400,
            "Retrack is not allowed. You can only retrack an expired tracking.",
        ),
        4120 => (400, "The value of courier_code is invalid."),
        4121 => (400, "Cannot detect courier."),
        4122 => (
            400,
            "Missing or invalid value of the special required fields for this courier.",
        ),
        4130 => (400, "The format of Field name is invalid."),
        4160 => (400, "The awb_number is required or invaild format."),
        4161 => (400, "The awb airline does not support yet."),
        4162 => (400, "A batch supports only 20 awb_numbers."),
        4163 => (400, "Failed to delete air waybill number."),
        4164 => (400, "Failed to create air waybill number."),
        4165 => (400, "Query failed: Air waybill number not created."),
        4166 => (400, "Failed to delete an uncreated air waybill number."),
        4167 => (
            400,
            "The air waybill number already exists, no need to create it again.",
        ),
        4168 => (
            400,
            "You have exceeded the number of API calls created. The maximum quantity created each time is 20 air waybill numbers.",
        ),
        4190 => (
            400,
            "You are reaching the maximum quota limitation, please upgrade your current plan.",
        ),
        401 => (
            401,
            "Authentication failed or has no permission. Please check and ensure your API Key is correct.",
        ),
        403 => (
            403,
            "Access prohibited. The request has been refused or access is not allowed.",
        ),
        404 => (
            404,
            "Page does not exist. Please check and ensure your link is correct.",
        ),
        429 => (
            429,
            "Exceeded API request limits, please try again later. Please check the API documentation for the limit of this API.",
        ),
        511..=513 => (500, SERVER),
        _ => (500, SERVER),
    }
}
