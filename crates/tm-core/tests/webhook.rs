//! Webhook verification vectors: a good body, and every way one can be bad.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use serde_json::{Value, json};
use tm_core::webhook::{WebhookError, WebhookVerifier, signature};

const EMAIL: &str = "owner@example.com";
const TIME: u64 = 1_503_816_929;
/// HMAC-SHA256(key = "owner@example.com", message = "1503816929"), computed independently
/// (Python's `hmac`).
const SIG: &str = "30e4fb0fe5da81e8c11aaa3362825e402b6ea7c1e821bffc676c7e29fe674a53";

/// The 2017 webhook capture's body, with a signature for our test e-mail.
fn body(time: Value, sig: &str) -> Vec<u8> {
    let capture = include_str!("../../../fixtures/captures/06-webhook-china-post-2017.json");
    let file: Value = serde_json::from_str(capture).unwrap();
    let mut body: Value = serde_json::from_str(file["raw"].as_str().unwrap()).unwrap();
    body["verifyInfo"] = json!({"timeStr": time, "signature": sig});
    serde_json::to_vec(&body).unwrap()
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn the_signature_is_lowercase_hex_hmac_sha256_of_the_decimal_time() {
    assert_eq!(signature(EMAIL, "1503816929"), SIG);
    assert_eq!(
        signature("ops@shop.example", "1488249109"),
        "baeeb0b4cfafd9345ca25faf12f072a761a2720fc438fded7d3f3370178f26cb"
    );
}

#[test]
fn a_good_body_returns_its_tracking() {
    let v = WebhookVerifier::new(EMAIL).max_age(Duration::from_secs(600));
    let t = v.verify_at(&body(json!(TIME), SIG), at(TIME + 30)).unwrap();
    assert_eq!(t.tracking_number, "85540892874");
    assert_eq!(t.carrier_code, "china-post");
    // Upper-case hex is the same signature.
    assert!(
        v.verify_at(&body(json!(TIME), &SIG.to_uppercase()), at(TIME))
            .is_ok()
    );
    // Without a maximum age, any time is accepted.
    assert!(
        WebhookVerifier::new(EMAIL)
            .verify_at(&body(json!(TIME), SIG), at(TIME + 10_000_000))
            .is_ok()
    );
}

#[test]
fn tampered_and_foreign_signatures_are_bad() {
    let v = WebhookVerifier::new(EMAIL);
    let mut flipped = SIG.to_owned();
    flipped.replace_range(0..1, "4");
    for sig in [flipped.as_str(), "", "abc", &SIG[..63]] {
        assert_eq!(
            v.verify_at(&body(json!(TIME), sig), at(TIME)),
            Err(WebhookError::BadSignature),
            "{sig:?}"
        );
    }
    // The time was changed after signing.
    assert_eq!(
        v.verify_at(&body(json!(TIME + 1), SIG), at(TIME)),
        Err(WebhookError::BadSignature)
    );
    // Another account's e-mail.
    assert_eq!(
        WebhookVerifier::new("other@example.com").verify_at(&body(json!(TIME), SIG), at(TIME)),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn old_and_future_bodies_are_refused_when_an_age_is_set() {
    let v = WebhookVerifier::new(EMAIL).max_age(Duration::from_secs(300));
    assert!(matches!(
        v.verify_at(&body(json!(TIME), SIG), at(TIME + 301)),
        Err(WebhookError::TooOld { .. })
    ));
    assert!(v.verify_at(&body(json!(TIME), SIG), at(TIME + 300)).is_ok());
    assert!(matches!(
        v.verify_at(&body(json!(TIME), SIG), at(TIME - 301)),
        Err(WebhookError::FromTheFuture { .. })
    ));
}

#[test]
fn missing_and_malformed_parts_have_their_own_errors() {
    let v = WebhookVerifier::new(EMAIL);
    let err = |b: &[u8]| v.verify_at(b, at(TIME)).unwrap_err();
    assert!(matches!(err(b"not json"), WebhookError::Malformed { .. }));
    assert!(matches!(err(b""), WebhookError::Malformed { .. }));
    assert_eq!(
        err(br#"{"meta":{"code":200},"data":{"tracking_number":"1","carrier_code":"x"}}"#),
        WebhookError::MissingVerifyInfo { missing: "object" }
    );
    assert_eq!(
        err(br#"{"data":{"tracking_number":"1","carrier_code":"x"},"verifyInfo":{"signature":"ab"}}"#),
        WebhookError::MissingVerifyInfo { missing: "timeStr" }
    );
    assert_eq!(
        err(br#"{"data":{"tracking_number":"1","carrier_code":"x"},"verifyInfo":{"timeStr":1}}"#),
        WebhookError::MissingVerifyInfo {
            missing: "signature"
        }
    );
    // A signed body without its tracking.
    let no_data = format!(r#"{{"verifyInfo":{{"timeStr":{TIME},"signature":"{SIG}"}}}}"#);
    assert!(matches!(
        err(no_data.as_bytes()),
        WebhookError::Malformed { .. }
    ));
    // A non-numeric time.
    let sig = signature(EMAIL, "soon");
    assert!(matches!(
        err(&body(json!("soon"), &sig)),
        WebhookError::Malformed { .. }
    ));
}

#[test]
fn a_time_sent_as_a_string_is_hashed_as_sent() {
    let v = WebhookVerifier::new(EMAIL);
    assert!(
        v.verify_at(&body(json!(TIME.to_string()), SIG), at(TIME))
            .is_ok()
    );
}

#[test]
fn the_verifier_never_prints_the_email() {
    let v = WebhookVerifier::new(EMAIL);
    assert!(!format!("{v:?}").contains(EMAIL));
}

proptest! {
    #[test]
    fn arbitrary_bodies_never_panic_and_are_never_accepted(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let v = WebhookVerifier::new(EMAIL);
        prop_assert!(v.verify_at(&bytes, at(TIME)).is_err());
    }

    #[test]
    fn any_other_signature_is_refused(sig in "[0-9a-f]{64}") {
        prop_assume!(sig != SIG);
        let v = WebhookVerifier::new(EMAIL);
        prop_assert_eq!(v.verify_at(&body(json!(TIME), &sig), at(TIME)), Err(WebhookError::BadSignature));
    }
}
