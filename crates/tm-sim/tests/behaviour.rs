//! The simulator's behaviour over time and under stress: deterministic journeys, injected
//! faults, signed webhooks and rate limits shared through Redis.

mod common;

use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use serde_json::{Value, json};
use tm_core::types::v2::*;
use tm_sim::{Fault, FaultPlan, ScriptedFault, Simulator, WebhookTarget};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_are_deterministic_for_a_seed_and_move_with_the_clock() {
    let numbers: Vec<String> = (0..30)
        .map(|i| format!("RR{:09}CN", 100_000_000 + i))
        .collect();
    let mut snapshots = Vec::new();
    for seed in [1, 1, 2] {
        let sim = start(Simulator::builder().seed(seed).rate_limits(false)).await;
        let c = client(&sim);
        c.trackings()
            .create_many(
                numbers
                    .iter()
                    .map(|n| CreateTrackingRequest::new("china-post", n).destination_code("GB")),
            )
            .await;
        sim.advance(Duration::from_secs(3 * 86_400));
        let mid: Vec<_> = c
            .trackings()
            .list_all(Default::default())
            .try_collect()
            .await
            .unwrap();
        sim.advance(Duration::from_secs(90 * 86_400));
        let end: Vec<_> = c
            .trackings()
            .list_all(Default::default())
            .try_collect()
            .await
            .unwrap();
        // Checkpoints only accumulate.
        for (a, b) in mid.iter().zip(&end) {
            assert!(b.checkpoints().count() >= a.checkpoints().count());
        }
        let finals: Vec<_> = end.iter().filter_map(|t| t.status().cloned()).collect();
        assert!(
            finals
                .iter()
                .all(|s| !matches!(s, TrackingStatus::Pending | TrackingStatus::Transit)),
            "{finals:?}"
        );
        assert!(
            finals
                .iter()
                .filter(|s| **s == TrackingStatus::Delivered)
                .count()
                >= 10,
            "{finals:?}"
        );
        // International postal items get a last-mile leg with Royal Mail.
        assert!(end.iter().any(|t| {
            t.destination_info
                .value()
                .and_then(|d| d.carrier_code.as_deref())
                == Some("royal-mail")
        }));
        snapshots.push(serde_json::to_string(&(mid, end)).unwrap());
    }
    assert_eq!(snapshots[0], snapshots[1], "same seed, same journeys");
    assert_ne!(snapshots[0], snapshots[2], "another seed, other journeys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_take_effect_in_order() {
    let script = [
        Fault::Http503,
        Fault::Meta429,
        Fault::Html,
        Fault::Empty,
        Fault::MalformedJson,
        Fault::Truncated,
        Fault::WrongContentType,
        Fault::Http429 {
            retry_after: Some(9),
        },
        Fault::Huge { bytes: 100_000 },
        Fault::RenameKey {
            from: "code".into(),
            to: "cod".into(),
        },
    ];
    let plan = FaultPlan {
        script: script
            .iter()
            .cloned()
            .map(|fault| ScriptedFault {
                path: Some("/carriers".into()),
                fault,
            })
            .collect(),
        ..FaultPlan::default()
    };
    let sim = start(Simulator::builder().rate_limits(false).faults(plan)).await;
    let http = reqwest::Client::new();
    let get = || {
        http.get(format!("{}/carriers", sim.base_url()))
            .header("Trackingmore-Api-Key", KEY)
            .send()
    };
    let r = get().await.unwrap();
    assert_eq!(r.status(), 503);
    let r: Value = serde_json::from_slice(&get().await.unwrap().bytes().await.unwrap()).unwrap();
    assert_eq!(code(&r), 429);
    let r = get().await.unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.text().await.unwrap().contains("<html>"));
    let r = get().await.unwrap();
    assert_eq!(r.status(), 500);
    assert!(r.bytes().await.unwrap().is_empty());
    let r = get().await.unwrap().text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&r).is_err() && r.contains("Warning"));
    let r = get().await.unwrap().text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&r).is_err());
    let r = get().await.unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let r = get().await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "9")
    );
    let r = get().await.unwrap().bytes().await.unwrap();
    assert!(r.len() >= 99_000 && serde_json::from_slice::<Value>(&r).is_ok());
    // Every `code` key renamed (meta's and each carrier's); values untouched.
    let r: Value = serde_json::from_slice(&get().await.unwrap().bytes().await.unwrap()).unwrap();
    assert_eq!(
        (r["meta"].get("code"), &r["meta"]["cod"]),
        (None, &json!(200))
    );
    assert!(
        r["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("code").is_none() && c["cod"].is_string())
    );
    // Script used up: normal service.
    assert_eq!(get().await.unwrap().status(), 200);
    assert_eq!(sim.stats().faults, script.len() as u64);
    // A dropped connection breaks the body after the request was applied.
    sim.set_faults(FaultPlan {
        script: [ScriptedFault {
            path: Some("/trackings/post".into()),
            fault: Fault::Drop,
        }]
        .into(),
        ..FaultPlan::default()
    });
    let c = client(&sim);
    let err = c
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890"))
        .await
        .unwrap_err();
    assert!(matches!(err, tm_core::Error::Transport { .. }), "{err}");
    assert_eq!(
        sim.tracking_count(),
        1,
        "applied before the connection dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_signed_so_the_client_verifier_accepts_them_and_failures_are_retried() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let receiver = MockServer::start().await;
    // The first delivery fails; the retry succeeds.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let email = "hooks@shop.example";
    let sim = start(
        Simulator::builder()
            .rate_limits(false)
            .account_email(email)
            .webhook(WebhookTarget {
                max_attempts: 3,
                retry_base_ms: 20,
                ..WebhookTarget::new(receiver.uri())
            }),
    )
    .await;
    let c = client(&sim);
    c.trackings()
        .create(CreateTrackingRequest::new("ups", "1Z999AA10123456784"))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(2 * 86_400));
    let mut delivered = Vec::new();
    for _ in 0..200 {
        delivered = sim.deliveries();
        if delivered.iter().any(|d| d.delivered) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let d = delivered.iter().find(|d| d.delivered).expect("a delivery");
    assert_eq!(d.attempts, 2, "{delivered:?}");
    let requests = receiver.received_requests().await.unwrap();
    let verifier = tm_core::webhook::WebhookVerifier::new(email);
    let now = std::time::UNIX_EPOCH + Duration::from_secs(T0 as u64 + 2 * 86_400);
    for r in &requests {
        let t = verifier.verify_at(&r.body, now).expect("a valid signature");
        assert_eq!(t.tracking_number, "1Z999AA10123456784");
    }
    assert!(
        tm_core::webhook::WebhookVerifier::new("someone@else.example")
            .verify_at(&requests[0].body, now)
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulators_sharing_a_redis_enforce_one_limit_and_one_suspension() {
    let Some(redis) = tm_redis::testing::TestRedis::start() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide redis-server"
        );
        eprintln!("skipping: no redis-server could be started");
        return;
    };
    let shared = || {
        Simulator::builder()
            .redis_url(redis.url())
            .suspension(Duration::from_millis(1500))
    };
    let a = start(shared()).await;
    let b = start(shared()).await;
    let k = Some(KEY);
    // One list call per second per IP, across both instances.
    assert_eq!(
        code(&raw(&a, "GET", "/trackings/get", k, None).await.2),
        200
    );
    assert_eq!(
        code(
            &raw(&b, "GET", "/trackings/get", Some("another-key"), None)
                .await
                .2
        ),
        429,
        "the other instance saw the first call from this IP"
    );
    // The suspension is shared too: the first instance refuses even an unlimited class' next
    // list call until it ends.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(
        code(&raw(&a, "GET", "/trackings/get", k, None).await.2),
        429,
        "still suspended after a second"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        code(&raw(&b, "GET", "/trackings/get", k, None).await.2),
        200
    );
    // Without Redis the instances limit alone rather than fail.
    drop(redis);
    let alone = start(Simulator::builder().redis_url("redis://127.0.0.1:1")).await;
    assert_eq!(
        code(&raw(&alone, "GET", "/trackings/get", k, None).await.2),
        200
    );
    assert!(
        Simulator::builder()
            .redis_url("not a url")
            .start()
            .await
            .is_err()
    );
}
