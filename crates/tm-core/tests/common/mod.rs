//! Shared helpers: a client over a MockTransport, envelopes, request inspection.
#![allow(dead_code)]

use serde_json::{Value, json};
use tm_core::transport::{HttpRequest, MockReply, MockTransport};
use tm_core::v2::Client;

/// A realistic-looking key that must never show up in output.
pub const KEY: &str = "7b3f9e2a-41c8-4d6b-9a0e-5f1c2d8e6a47";

/// A client over `mock`, limits off, default retries.
pub fn client(mock: &MockTransport) -> Client {
    Client::builder()
        .api_key(KEY)
        .transport(mock.clone())
        .without_rate_limits()
        .build()
        .unwrap()
}

/// `{"meta": 200 Success, "data": data}`.
pub fn ok(data: Value) -> MockReply {
    MockReply::json(
        200,
        json!({"meta": {"code": 200, "type": "Success", "message": "Success"}, "data": data}),
    )
}

/// An API error envelope with `data: []`.
pub fn api_err(code: u32, kind: &str, message: &str) -> MockReply {
    MockReply::json(
        200,
        json!({"meta": {"code": code, "type": kind, "message": message}, "data": []}),
    )
}

/// The request's body as JSON.
pub fn body(req: &HttpRequest) -> Value {
    serde_json::from_slice(req.body.as_deref().expect("a body")).unwrap()
}

/// A minimal tracking object.
pub fn tracking(carrier: &str, number: &str, status: &str) -> Value {
    json!({"id": format!("{:0>32}", number.len()), "tracking_number": number, "carrier_code": carrier,
           "status": status, "created_at": "2019-08-20T14:56:55+08:00"})
}
