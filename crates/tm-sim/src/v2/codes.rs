//! v2's meta codes with the original document's meanings, as `type` and message texts.
//!
//! The texts render the Japanese v2 page (`trackingmore-v2-original-ja.txt`) in English; where a
//! real captured body shows the wording (4016, 202, 200), the capture's wording is used.

/// The documented `type` and message of a meta code.
pub fn describe(code: u32) -> (&'static str, &'static str) {
    match code {
        200 => ("Success", "Success"),
        201 => (
            "Created",
            "The request was successful and a resource was created.",
        ),
        202 => ("Bad Request", "The largest number of 40 each operation."),
        401 => (
            "Unauthorized",
            "Authentication failed: you have no permission for this operation.",
        ),
        4001 => ("Unauthorized", "Invalid API key."),
        4002 => ("Unauthorized", "The API key has been deleted."),
        4012 => (
            "Bad Request",
            "The request was not understood: a required parameter is missing.",
        ),
        4013 => ("Bad Request", "Tracking_number is required."),
        4014 => ("Bad Request", "The value of `Tracking_number` is invalid."),
        4015 => ("Bad Request", "The value of `Carrier_code` is invalid."),
        4016 => ("Bad Request", "Tracking already exists."),
        4017 => ("Bad Request", "Tracking does not exist."),
        4018 => (
            "Bad Request",
            "This feature must be customised and activated for you, because of the overload it causes.",
        ),
        4020 => ("Bad Request", "Up to 200 at a time."),
        4021 => (
            "Bad Request",
            "Your balance is not enough to call the API request data.",
        ),
        4031 => (
            "No Content",
            "The request was successful, with no content: create the tracking first.",
        ),
        4032 => ("No Content", "Cannot detect courier."),
        4033 => ("No Content", "The value of `status` is invalid."),
        402 => ("Payment Required", "Payment required."),
        403 => ("Forbidden", "Access denied."),
        404 => ("Not Found", "Resource not found."),
        405 => (
            "Method Not Allowed",
            "The specified resource does not support this request method.",
        ),
        409 => (
            "Conflict",
            "The request could not be completed because of a conflict.",
        ),
        429 => (
            "Too Many Requests",
            "API limit exceeded: requests are suspended, wait about 2 minutes and try again.",
        ),
        500 => ("Server error", "Server error."),
        503 => (
            "Service Unavailable",
            "The service is temporarily unavailable (e.g. scheduled platform maintenance); please wait a while.",
        ),
        _ => ("Bad Request", "Bad request."),
    }
}

/// Every code the document lists (and 202, which a capture shows), for tests and the fault
/// plan's checks.
pub const DOCUMENTED: &[u32] = &[
    200, 201, 202, 401, 4001, 4002, 4012, 4013, 4014, 4015, 4016, 4017, 4018, 4020, 4021, 4031,
    4032, 4033, 402, 403, 404, 405, 409, 429, 500, 503,
];
