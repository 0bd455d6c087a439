//! Any bytes into both webhook verifiers: refused (or, for a correctly signed body, accepted),
//! never a panic. The v4 verifier also gets the bytes as its header values.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use tm_core::webhook::WebhookVerifier;

fuzz_target!(|data: &[u8]| {
    let now = UNIX_EPOCH + Duration::from_secs(1_503_816_929);
    let v = WebhookVerifier::new("fuzz@example.com").max_age(Duration::from_secs(600));
    let _ = v.verify_at(data, now);
    let (head, tail) = data.split_at(data.len() / 2);
    let (timestamp, signature) = (String::from_utf8_lossy(head), String::from_utf8_lossy(tail));
    let v4 = tm_core::v4::WebhookVerifier::new("fuzz-secret");
    let _ = v4.verify_at(
        [("timestamp", &*timestamp), ("signature", &*signature)],
        data,
        now,
    );
});
