//! Any bytes into the webhook verifier: refused (or, for a correctly signed body, accepted),
//! never a panic.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use tm_core::WebhookVerifier;

fuzz_target!(|data: &[u8]| {
    let v = WebhookVerifier::new("fuzz@example.com").max_age(Duration::from_secs(600));
    let _ = v.verify_at(data, UNIX_EPOCH + Duration::from_secs(1_503_816_929));
});
