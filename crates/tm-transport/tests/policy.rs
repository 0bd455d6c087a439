//! Retry decisions, backoff and Retry-After parsing as plain functions: no clock, no I/O.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tm_transport::*;

fn get() -> HttpRequest {
    HttpRequest::new(Method::Get, "/trackings/get").idempotent(true)
}

fn post() -> HttpRequest {
    HttpRequest::new(Method::Post, "/trackings/post")
}

fn resp(status: u16) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse::new(status, ""))
}

const FINAL: Classification = Classification::Final;
const SERVER: Classification = Classification::ServerTransient { retry_after: None };

#[test]
fn connect_errors_are_retried_even_when_not_idempotent() {
    let p = RetryPolicy::default();
    let err = Err(TransportError::connect("refused"));
    assert!(matches!(
        p.decide(1, &post(), &err, FINAL, 0.0),
        Decision::Retry {
            reason: "connect error",
            ..
        }
    ));
    assert!(matches!(
        p.decide(1, &get(), &err, FINAL, 0.0),
        Decision::Retry { .. }
    ));
}

#[test]
fn timeouts_and_resets_are_retried_only_when_idempotent() {
    let p = RetryPolicy::default();
    for err in [
        TransportError::Timeout {
            after: Duration::from_secs(30),
        },
        TransportError::broken("reset"),
    ] {
        let out = Err(err);
        assert_eq!(p.decide(1, &post(), &out, FINAL, 0.5), Decision::Stop);
        assert!(matches!(
            p.decide(1, &get(), &out, FINAL, 0.5),
            Decision::Retry { .. }
        ));
    }
}

#[test]
fn errors_that_retrying_cannot_fix_stop() {
    let p = RetryPolicy::default();
    for err in [
        TransportError::invalid("bad header"),
        TransportError::BodyTooLarge { limit: 10 },
    ] {
        assert_eq!(p.decide(1, &get(), &Err(err), FINAL, 0.5), Decision::Stop);
    }
}

#[test]
fn server_errors_are_retried_only_when_idempotent() {
    let p = RetryPolicy::default();
    assert_eq!(
        p.decide(1, &post(), &resp(503), SERVER, 0.5),
        Decision::Stop
    );
    assert_eq!(
        p.decide(1, &get(), &resp(503), SERVER, 0.5),
        Decision::Retry {
            after: Duration::from_millis(500),
            reason: "server error"
        }
    );
}

#[test]
fn attempts_are_bounded() {
    let p = RetryPolicy::default().with_max_attempts(3);
    let err = Err(TransportError::connect("refused"));
    assert!(matches!(
        p.decide(2, &get(), &err, FINAL, 0.0),
        Decision::Retry { .. }
    ));
    assert_eq!(p.decide(3, &get(), &err, FINAL, 0.0), Decision::Stop);
    assert_eq!(
        RetryPolicy::none().decide(1, &get(), &err, FINAL, 0.0),
        Decision::Stop
    );
}

#[test]
fn final_responses_stop() {
    let p = RetryPolicy::default();
    for s in [200, 201, 400, 401, 404] {
        assert_eq!(p.decide(1, &get(), &resp(s), FINAL, 0.5), Decision::Stop);
    }
}

#[test]
fn backoff_is_full_jitter_exponential_with_a_cap() {
    let b = Backoff::new(Duration::from_secs(1), Duration::from_secs(20));
    let ceilings: Vec<u64> = (1..=7).map(|n| b.ceiling(n).as_secs()).collect();
    assert_eq!(ceilings, [1, 2, 4, 8, 16, 20, 20]);
    assert_eq!(b.delay(3, 0.0), Duration::ZERO);
    assert_eq!(b.delay(3, 1.0), Duration::from_secs(4));
    assert_eq!(b.delay(3, 0.25), Duration::from_secs(1));
    // Out-of-range jitter is clamped, never negative or past the ceiling.
    assert_eq!(b.delay(3, 7.0), Duration::from_secs(4));
    assert_eq!(b.delay(3, -1.0), Duration::ZERO);
    // Huge attempt numbers saturate instead of overflowing.
    assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(20));
}

#[test]
fn throttling_waits_retry_after_or_the_cooloff() {
    let p = RetryPolicy::default().with_throttle_cooloff(Duration::from_secs(120));
    let with_header = Classification::Throttled {
        retry_after: Some(Duration::from_secs(7)),
    };
    assert_eq!(
        p.decide(1, &post(), &resp(429), with_header, 0.9),
        Decision::Retry {
            after: Duration::from_secs(7),
            reason: "throttled"
        }
    );
    let without = Classification::Throttled { retry_after: None };
    assert_eq!(
        p.decide(1, &post(), &resp(200), without, 0.9),
        Decision::Retry {
            after: Duration::from_secs(120),
            reason: "throttled"
        }
    );
}

#[test]
fn throttling_longer_than_the_maximum_gives_up_with_the_wait() {
    let p = RetryPolicy::default()
        .with_max_retry_after(Duration::from_secs(60))
        .with_throttle_cooloff(Duration::from_secs(120));
    let long = Classification::Throttled {
        retry_after: Some(Duration::from_secs(3600)),
    };
    assert_eq!(
        p.decide(1, &get(), &resp(429), long, 0.5),
        Decision::GiveUpThrottled {
            retry_after: Duration::from_secs(3600)
        }
    );
    // A 120 s cool-off is past this policy's 60 s maximum too.
    let none = Classification::Throttled { retry_after: None };
    assert_eq!(
        p.decide(1, &get(), &resp(429), none, 0.5),
        Decision::GiveUpThrottled {
            retry_after: Duration::from_secs(120)
        }
    );
    // Out of attempts while throttled also gives up, carrying the wait.
    let short = Classification::Throttled {
        retry_after: Some(Duration::from_secs(2)),
    };
    assert_eq!(
        p.decide(3, &get(), &resp(429), short, 0.5),
        Decision::GiveUpThrottled {
            retry_after: Duration::from_secs(2)
        }
    );
}

#[test]
fn a_503_retry_after_is_used_and_clamped() {
    let p = RetryPolicy::default().with_max_retry_after(Duration::from_secs(60));
    let c = Classification::ServerTransient {
        retry_after: Some(Duration::from_secs(5)),
    };
    assert_eq!(
        p.decide(1, &get(), &resp(503), c, 0.5),
        Decision::Retry {
            after: Duration::from_secs(5),
            reason: "server error"
        }
    );
    let c = Classification::ServerTransient {
        retry_after: Some(Duration::from_secs(600)),
    };
    assert_eq!(p.decide(1, &get(), &resp(503), c, 0.5), Decision::Stop);
}

#[test]
fn status_classification() {
    let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
    assert_eq!(
        classify_status(&HttpResponse::new(200, ""), now),
        Classification::Final
    );
    assert_eq!(
        classify_status(&HttpResponse::new(404, ""), now),
        Classification::Final
    );
    assert_eq!(
        classify_status(
            &HttpResponse::new(429, "").with_header("Retry-After", "3"),
            now
        ),
        Classification::Throttled {
            retry_after: Some(Duration::from_secs(3))
        }
    );
    for s in [408, 500, 502, 503, 504] {
        assert_eq!(
            classify_status(&HttpResponse::new(s, ""), now),
            Classification::ServerTransient { retry_after: None },
            "{s}"
        );
    }
}

#[test]
fn retry_after_in_both_forms() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21 07:28:00 GMT
    assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
    assert_eq!(
        parse_retry_after(" 120 ", now),
        Some(Duration::from_secs(120))
    );
    assert_eq!(parse_retry_after("1.2", now), Some(Duration::from_secs(2)));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
        Some(Duration::from_secs(30))
    );
    // A date in the past means "now".
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
        Some(Duration::ZERO)
    );
    for bad in ["", "-5", "soon", "NaN", "inf", "1e300"] {
        assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
    }
}

#[test]
fn retry_budget_drains_refuses_and_refills() {
    let b = RetryBudget::new(20, 5, 10, 1);
    assert!(b.try_withdraw(true));
    assert!(b.try_withdraw(false));
    assert_eq!(b.available(), 5);
    assert!(!b.try_withdraw(true), "a timeout retry costs 10");
    assert!(b.try_withdraw(false));
    assert!(!b.try_withdraw(false));
    assert_eq!(b.available(), 0);
    for _ in 0..30 {
        b.deposit();
    }
    assert_eq!(b.available(), 20, "refills up to capacity only");
}

#[test]
fn transport_error_predicates() {
    let connect = TransportError::connect("refused");
    assert!(!connect.maybe_sent() && connect.is_retryable());
    let timeout = TransportError::Timeout {
        after: Duration::from_secs(1),
    };
    assert!(timeout.maybe_sent() && timeout.is_retryable() && timeout.is_timeout());
    let broken = TransportError::broken("reset");
    assert!(broken.maybe_sent() && broken.is_retryable());
    let big = TransportError::BodyTooLarge { limit: 1 };
    assert!(big.maybe_sent() && !big.is_retryable());
    let invalid = TransportError::invalid("x");
    assert!(!invalid.maybe_sent() && !invalid.is_retryable());
}

#[test]
fn rate_limits_know_only_the_classes_they_were_given() {
    let list = RateClass::new("list");
    let create = RateClass::new("create");
    let limits = RateLimits::new()
        .with_class(list.clone(), Some(Rate::per_second(1)))
        .with_class(create.clone(), None);
    assert_eq!(limits.rate_for(&list), Ok(Some(Rate::per_second(1))));
    assert_eq!(limits.rate_for(&create), Ok(None), "unlimited by choice");
    let unknown = limits.rate_for(&RateClass::new("realtime")).unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "rate class `realtime` has no limit configured (known: create, list)"
    );
    let off = limits.without_limits();
    assert_eq!(off.rate_for(&list), Ok(None));
    assert!(off.rate_for(&RateClass::new("realtime")).is_err());
}
