//! The retry and rate-limit layers over the mock backend, on tokio's paused clock: exact
//! attempt counts and virtual waits, no real sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::json;
use tm_transport::*;
use tokio::time::Instant;

const LIST: RateClass = RateClass::new("list");
const REALTIME: RateClass = RateClass::new("realtime");
const CARRIERS: RateClass = RateClass::new("carriers");

fn get() -> HttpRequest {
    HttpRequest::new(Method::Get, "/trackings/get").idempotent(true)
}

fn fixed_jitter(v: f64) -> Jitter {
    Arc::new(move || v)
}

fn any() -> RequestMatcher {
    RequestMatcher::new(Method::Get, "/trackings/get")
}

#[tokio::test(start_paused = true)]
async fn transient_failures_are_retried_until_success_with_backoff_delays() {
    let mock = MockTransport::new()
        .with_step(any(), MockReply::error(InjectedError::Connect))
        .with_step(any(), MockReply::response(HttpResponse::new(503, "")))
        .with_step(any(), MockReply::json(200, json!({"ok": true})));
    let t =
        RetryTransport::new(mock.clone(), RetryPolicy::default()).with_jitter(fixed_jitter(1.0));
    let start = Instant::now();
    let resp = t.send(&get()).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.attempts.count, 3,
        "the response says which attempt produced it"
    );
    assert!(
        resp.attempts.earlier_may_have_applied,
        "the 503 may have been applied; the refused connection was not"
    );
    assert_eq!(mock.requests().len(), 3);
    // jitter 1.0: the first retry waits its full 1 s ceiling, the second 2 s.
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn delays_stay_within_the_jitter_bounds() {
    for _ in 0..20 {
        let mock = MockTransport::new()
            .with_step(any(), MockReply::error(InjectedError::Connect))
            .with_step(any(), MockReply::error(InjectedError::Connect))
            .with_step(any(), MockReply::json(200, json!({})));
        let t = RetryTransport::new(mock.clone(), RetryPolicy::default());
        let start = Instant::now();
        t.send(&get()).await.unwrap();
        let waited = start.elapsed();
        // Retry 1 waits within [0, 1 s], retry 2 within [0, 2 s].
        assert!(waited <= Duration::from_secs(3), "{waited:?}");
        mock.assert_exhausted();
    }
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts_with_the_last_outcome() {
    let mock = MockTransport::from_fn(|_| MockReply::response(HttpResponse::new(500, "down")));
    let t = RetryTransport::new(mock.clone(), RetryPolicy::default().with_max_attempts(4))
        .with_jitter(fixed_jitter(0.0));
    let resp = t.send(&get()).await.unwrap();
    assert_eq!(resp.status, 500);
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_non_idempotent_request_is_not_resent_after_a_timeout() {
    let mock = MockTransport::new().with_step(
        RequestMatcher::new(Method::Post, "/trackings/update"),
        MockReply::error(InjectedError::Timeout),
    );
    let t = RetryTransport::new(mock.clone(), RetryPolicy::default());
    let req = HttpRequest::new(Method::Post, "/trackings/update").timeout(Duration::from_secs(5));
    let start = Instant::now();
    let err = t.send(&req).await.unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(5),
        "the attempt's own timeout elapsed, no retry wait"
    );
    assert_eq!(mock.requests().len(), 1);
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn retry_after_wins_over_backoff() {
    let mock = MockTransport::new()
        .with_step(
            any(),
            MockReply::response(HttpResponse::new(429, "").with_header("Retry-After", "7")),
        )
        .with_step(any(), MockReply::json(200, json!({})));
    let t =
        RetryTransport::new(mock.clone(), RetryPolicy::default()).with_jitter(fixed_jitter(1.0));
    let start = Instant::now();
    t.send(&get()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(7));
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn a_429_without_retry_after_waits_the_cooloff() {
    let mock = MockTransport::new()
        .with_step(any(), MockReply::response(HttpResponse::new(429, "")))
        .with_step(any(), MockReply::json(200, json!({})));
    let policy = RetryPolicy::default().with_throttle_cooloff(Duration::from_secs(120));
    let t = RetryTransport::new(mock.clone(), policy);
    let start = Instant::now();
    t.send(&get()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(120));
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_the_maximum_fails_at_once_with_the_wait() {
    let mock = MockTransport::new().with_step(
        any(),
        MockReply::response(HttpResponse::new(429, "").with_header("Retry-After", "3600")),
    );
    let t = RetryTransport::new(mock.clone(), RetryPolicy::default());
    let start = Instant::now();
    let err = t.send(&get()).await.unwrap_err();
    match err {
        TransportError::RateLimited {
            retry_after,
            attempts,
        } => {
            assert_eq!(retry_after, Duration::from_secs(3600));
            assert_eq!(attempts, 1);
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn the_classifier_can_mark_a_200_as_throttled() {
    let throttled_body = json!({"meta": {"code": 429}});
    let mock = MockTransport::new()
        .with_step(any(), MockReply::json(200, throttled_body.clone()))
        .with_step(any(), MockReply::json(200, json!({"meta": {"code": 200}})));
    let classifier: Classifier = Arc::new(|_, resp| {
        let v: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
        (v["meta"]["code"] == 429).then_some(Classification::Throttled { retry_after: None })
    });
    let policy = RetryPolicy::default().with_throttle_cooloff(Duration::from_secs(120));
    let t = RetryTransport::new(mock.clone(), policy).with_classifier(classifier);
    let start = Instant::now();
    let resp = t.send(&get()).await.unwrap();
    assert!(String::from_utf8_lossy(&resp.body).contains("200"));
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(120),
        "the policy's cool-off"
    );
    assert!(
        !resp.attempts.earlier_may_have_applied,
        "a throttled attempt was refused, not applied"
    );
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn the_retry_budget_is_shared_and_stops_retries_when_drained() {
    let mock = MockTransport::from_fn(|_| MockReply::error(InjectedError::Connect));
    // Room for exactly two retries in total.
    let budget = Arc::new(RetryBudget::new(10, 5, 10, 1));
    let t = RetryTransport::new(mock.clone(), RetryPolicy::default().with_max_attempts(5))
        .with_budget(Some(budget.clone()));
    assert!(t.send(&get()).await.is_err());
    assert!(t.send(&get()).await.is_err());
    // 2 retries for the first request, none left for the second.
    assert_eq!(mock.requests().len(), 4);
    assert_eq!(budget.available(), 0);
}

#[tokio::test(start_paused = true)]
async fn permits_are_spaced_as_configured() {
    let mock = MockTransport::from_fn(|_| MockReply::json(200, json!({})));
    let limiter = Arc::new(LocalRateLimiter::new(
        RateLimits::new()
            .with_class(REALTIME, Some(Rate::per_second(3)))
            .with_class(LIST, Some(Rate::per_second(1)))
            .with_class(CARRIERS, None),
    ));
    let t = RateLimitTransport::new(mock.clone(), limiter);
    let start = Instant::now();
    for _ in 0..7 {
        t.send(&HttpRequest::new(Method::Post, "/trackings/realtime").rate_class(REALTIME))
            .await
            .unwrap();
    }
    // 7 permits at 3/s: the first is free, six more take 6 × 1/3 s (tokio's timer rounds each
    // wait up to the next millisecond).
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1999) && elapsed <= Duration::from_millis(2006),
        "{elapsed:?}"
    );
    let start = Instant::now();
    for _ in 0..3 {
        t.send(&get().rate_class(LIST)).await.unwrap();
    }
    assert_eq!(start.elapsed().as_secs(), 2);
    // An unlimited class waits for nothing.
    let start = Instant::now();
    for _ in 0..50 {
        t.send(&get().rate_class(CARRIERS)).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    // A class the limits do not name is refused before anything is sent, never given a limit
    // that happens to exist.
    let sent = mock.requests().len();
    let err = t
        .send(&get().rate_class(RateClass::new("lsit")))
        .await
        .unwrap_err();
    assert!(!err.maybe_sent());
    assert!(err.to_string().contains("`lsit`"), "{err}");
    assert_eq!(mock.requests().len(), sent);
}

#[tokio::test(start_paused = true)]
async fn many_tasks_sharing_one_limiter_still_obey_the_limit() {
    let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = sent.clone();
    let start = Instant::now();
    let mock = MockTransport::from_fn(move |_| {
        log.lock().unwrap().push(start.elapsed());
        MockReply::json(200, json!({}))
    });
    let limiter = Arc::new(LocalRateLimiter::new(
        RateLimits::new().with_class(LIST, Some(Rate::per_second(2))),
    ));
    let t = Arc::new(RateLimitTransport::new(mock, limiter));
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            t.send(&get().rate_class(LIST)).await.unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut times = sent.lock().unwrap().clone();
    times.sort();
    assert_eq!(times.len(), 40);
    // No two requests closer than the 500 ms interval; 40 requests need 19.5 s.
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(499),
            "{:?}",
            pair
        );
    }
    assert!(times[39] >= Duration::from_millis(19_499));
}

#[tokio::test(start_paused = true)]
async fn retries_pass_through_the_limiter() {
    let count = Arc::new(AtomicU32::new(0));
    let c = count.clone();
    let mock = MockTransport::from_fn(move |_| {
        if c.fetch_add(1, Ordering::SeqCst) < 2 {
            MockReply::error(InjectedError::Connect)
        } else {
            MockReply::json(200, json!({}))
        }
    });
    let limiter = Arc::new(LocalRateLimiter::new(
        RateLimits::new().with_class(LIST, Some(Rate::per_second(1))),
    ));
    let limited = RateLimitTransport::new(mock, limiter);
    // Zero backoff: any waiting is the limiter's.
    let t = RetryTransport::new(limited, RetryPolicy::default()).with_jitter(fixed_jitter(0.0));
    let start = Instant::now();
    t.send(&get().rate_class(LIST)).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert_eq!(
        start.elapsed().as_secs(),
        2,
        "each of the 2 retries waited for a permit"
    );
}

#[tokio::test(start_paused = true)]
async fn the_mock_reports_mismatches_and_unscripted_requests() {
    let mock = MockTransport::new().with_step(
        RequestMatcher::new(Method::Post, "/trackings/post")
            .json_body(json!({"carrier_code": "dhl"})),
        MockReply::json(200, json!({})),
    );
    let req = HttpRequest::new(Method::Post, "/trackings/post").body(r#"{"carrier_code":"ups"}"#);
    let err = mock.send(&req).await.unwrap_err();
    assert!(err.to_string().contains("did not match: body"), "{err}");
    let err = mock.send(&get()).await.unwrap_err();
    assert!(err.to_string().contains("was not scripted"), "{err}");
    assert_eq!(mock.failures().len(), 2);
    let panicked = std::panic::catch_unwind(|| mock.assert_exhausted());
    assert!(panicked.is_err());
}

#[tokio::test(start_paused = true)]
async fn a_delayed_mock_reply_past_the_timeout_is_a_timeout() {
    let mock = MockTransport::new()
        .with_step(
            any(),
            MockReply::json(200, json!({})).delayed(Duration::from_secs(40)),
        )
        .with_step(
            any(),
            MockReply::json(200, json!({})).delayed(Duration::from_secs(2)),
        );
    let start = Instant::now();
    let err = mock
        .send(&get().timeout(Duration::from_secs(10)))
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    mock.send(&get().timeout(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(12));
}

#[tokio::test(start_paused = true)]
async fn try_acquire_takes_a_free_permit_and_never_waits() {
    let limiter =
        LocalRateLimiter::new(RateLimits::new().with_class(LIST, Some(Rate::per_second(1))));
    assert!(limiter.try_acquire(&LIST), "the first permit is free");
    assert!(!limiter.try_acquire(&LIST), "the second must wait a second");
    tokio::time::advance(Duration::from_millis(1000)).await;
    assert!(
        limiter.try_acquire(&LIST),
        "a second later it is free again"
    );
    // An unknown class is never granted on the fast path (acquire reports it).
    assert!(!limiter.try_acquire(&CARRIERS));
}

/// A limiter that only implements `acquire`, as a shared-store limiter does.
#[derive(Debug, Default)]
struct CountingLimiter(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl RateLimiter for CountingLimiter {
    async fn acquire(&self, _class: &RateClass) -> Result<(), TransportError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn a_limiter_without_a_fast_path_is_asked_for_every_request() {
    let limiter = Arc::new(CountingLimiter::default());
    let mock = MockTransport::from_fn(|_| MockReply::json(200, json!({})));
    let t = RateLimitTransport::new(mock.clone(), limiter.clone());
    for _ in 0..5 {
        t.send(&get().rate_class(LIST)).await.unwrap();
    }
    assert_eq!(limiter.0.load(std::sync::atomic::Ordering::SeqCst), 5);
    assert_eq!(mock.requests().len(), 5);
}
