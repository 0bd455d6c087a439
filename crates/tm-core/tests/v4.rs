//! The v4 client against wiremock on loopback and the mock transport: the README's example,
//! errors that arrive with a real HTTP status and a JSON meta body, the v4 profile (key header,
//! base URL, limits), batching, paging and the webhook verifier's test vector.

#[path = "../examples/v4_quickstart.rs"]
#[allow(dead_code)]
mod example;

use std::time::Duration;

use serde_json::{Value, json};
use tm_core::transport::{Method, MockReply, MockTransport, Rate, RateClass, RequestMatcher};
use tm_core::types::v4::{CreateTrackingRequest, GetTrackingsRequest, MetaCode};
use tm_core::v4::{Client, CreateOutcome, rules};
use tm_core::{ApiCode, Error, ItemOutcome};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "v4-test-key-0123456789";

fn envelope(code: u32, data: Value) -> Value {
    let message = MetaCode::from_code(code).message().unwrap_or("?");
    json!({"meta": {"code": code, "message": message}, "data": data})
}

fn reply(code: u32, data: Value) -> ResponseTemplate {
    let status = MetaCode::from_code(code).http_status().unwrap_or(200);
    ResponseTemplate::new(status).set_body_json(envelope(code, data))
}

async fn client_on(server: &MockServer) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/v4", server.uri()))
        .without_rate_limits()
        .build()
        .unwrap()
}

fn mock_client(mock: &MockTransport) -> Client {
    Client::builder()
        .api_key(KEY)
        .transport(mock.clone())
        .without_rate_limits()
        .build()
        .unwrap()
}

fn tracking(n: u32, status: &str) -> Value {
    json!({"id": format!("9a71ac3628f63b843820bddbc9fb7e{n:02}"), "tracking_number": format!("94001118995625376831{n:02}"),
           "courier_code": "usps", "delivery_status": status, "archived": "tracking"})
}

#[tokio::test]
async fn the_readme_example_runs_against_wiremock() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v4/trackings/create"))
        .and(header("tracking-api-key", KEY))
        .and(body_json(json!({"tracking_number": "9400111899562537683144", "courier_code": "usps", "order_number": "#1042"})))
        .respond_with(reply(4101, json!({"id": "9a1d3844a50f3851e76e3ee347881588"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v4/trackings/get"))
        .and(query_param("delivery_status", "transit"))
        .and(query_param("pages_amount", "1"))
        .respond_with(reply(
            200,
            json!([tracking(1, "transit"), tracking(2, "transit")]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let numbers = example::track_and_list(&client_on(&server).await)
        .await
        .unwrap();
    assert_eq!(
        numbers,
        ["9400111899562537683101", "9400111899562537683102"]
    );
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let source = include_str!("../examples/v4_quickstart.rs");
    let quoted = &source
        [source.find("// README: begin\n").unwrap() + 17..source.find("// README: end").unwrap()];
    assert!(
        readme.contains(quoted),
        "the README quotes examples/v4_quickstart.rs as it is"
    );
}

#[tokio::test]
async fn errors_come_with_their_http_status_and_a_typed_v4_code() {
    let server = MockServer::start().await;
    for (p, status, body) in [
        ("/v4/trackings/update/aa", 400, envelope(4112, json!({}))),
        ("/v4/trackings/retrack/bb", 400, envelope(4113, Value::Null)),
        ("/v4/couriers/all", 401, envelope(401, json!([]))),
    ] {
        Mock::given(path(p))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
    }
    Mock::given(path("/v4/trackings/delete/cc"))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let c = client_on(&server).await;
    let e = c
        .trackings()
        .update(
            "aa",
            tm_core::types::v4::UpdateTrackingRequest::default().note("x"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some(ApiCode::V4(MetaCode::InvalidTrackingId)));
    assert_eq!(e.status(), Some(400));
    assert!(e.is_not_found() && !e.is_retryable());
    let e = c.trackings().retrack("bb").await.unwrap_err();
    assert_eq!(e.api_code(), Some(MetaCode::RetrackNotAllowed.into()));
    assert!(
        e.to_string()
            .contains("You can only retrack an expired tracking"),
        "{e}"
    );
    let e = c.couriers().list().await.unwrap_err();
    assert!(e.is_unauthorized());
    assert!(!e.to_string().contains(KEY));
    // An HTML page is no envelope: an error with the status and no code, worth retrying later.
    let e = c.trackings().delete("cc").await.unwrap_err();
    assert!(
        matches!(&e, Error::Api(a) if a.code.is_none() && a.http_status == 502),
        "{e}"
    );
    assert!(e.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn retries_follow_the_v4_rules() {
    // 511 on HTTP 500 is retried for a safe call; 429 waits the documented 120 s by default.
    let get = || RequestMatcher::new(Method::Get, "/trackings/get");
    let mock = MockTransport::new()
        .with_step(get(), MockReply::json(500, envelope(511, json!([]))))
        .with_step(
            get(),
            MockReply::json(200, envelope(200, json!([tracking(1, "transit")]))),
        )
        .with_step(get(), MockReply::json(429, envelope(429, json!([]))))
        .with_step(get(), MockReply::json(200, envelope(200, json!([]))));
    let c = Client::builder()
        .api_key(KEY)
        .transport(mock.clone())
        .without_rate_limits()
        .build()
        .unwrap();
    let page = c
        .trackings()
        .get(&GetTrackingsRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let start = tokio::time::Instant::now();
    c.trackings()
        .get(&GetTrackingsRequest::default())
        .await
        .unwrap();
    assert!(
        start.elapsed() >= rules::THROTTLE_COOLOFF,
        "{:?}",
        start.elapsed()
    );
    assert_eq!(mock.requests().len(), 4);
    let req = &mock.requests()[0];
    assert_eq!(req.header_value("tracking-api-key"), Some(KEY));
    assert_eq!(req.path, "/trackings/get");
}

#[tokio::test]
async fn the_profile_names_v4_classes_and_a_create_counts_against_both() {
    let mock = MockTransport::new().with_step(
        RequestMatcher::new(Method::Post, "/trackings/create"),
        MockReply::json(200, envelope(200, tracking(1, "pending"))),
    );
    let c = mock_client(&mock);
    let defaults = Client::builder().api_key(KEY).build().unwrap();
    assert_eq!(
        defaults.config().base_url,
        "https://api.trackingmore.com/v4"
    );
    assert_eq!(
        defaults.config().rate_limits.rate_for(&rules::DEFAULT),
        Ok(Some(Rate::per_second(10)))
    );
    let created = c
        .trackings()
        .create(CreateTrackingRequest::new("usps", "1"))
        .await
        .unwrap();
    assert!(matches!(created, CreateOutcome::Created(_)));
    assert_eq!(
        mock.requests()[0].rate_classes,
        [rules::CREATE, rules::DEFAULT]
    );
    // Overrides name v4 classes; an unknown class is refused at build time.
    let custom = Client::builder()
        .api_key(KEY)
        .rate_limits(rules::rate_limits().with_class(rules::CREATE, Some(Rate::per_second(1))))
        .build()
        .unwrap();
    assert_eq!(
        custom.config().rate_limits.rate_for(&rules::CREATE),
        Ok(Some(Rate::per_second(1)))
    );
    let wrong = Client::builder()
        .api_key(KEY)
        .rate_limits(rules::rate_limits().with_class(RateClass::new("realtime"), None))
        .build();
    assert!(wrong.unwrap_err().to_string().contains("realtime"));
}

#[tokio::test(start_paused = true)]
async fn create_many_chunks_by_40_and_reports_every_item() {
    let mock = MockTransport::from_fn(|req| {
        let items: Vec<Value> = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert!(items.len() <= 40);
        let (ok, exists): (Vec<_>, Vec<_>) = items
            .iter()
            .partition(|i| i["tracking_number"].as_str().unwrap().ends_with('0'));
        MockReply::json(
            200,
            envelope(
                200,
                json!({
                    "success": ok.iter().map(|i| json!({"id": "9a1d3844a50f3851e76e3ee347881588", "tracking_number": i["tracking_number"], "courier_code": i["courier_code"]})).collect::<Vec<_>>(),
                    "error": exists.iter().map(|i| json!({"tracking_number": i["tracking_number"], "courier_code": i["courier_code"], "errorCode": 4101, "errorMessage": "Tracking No. already exists."})).collect::<Vec<_>>(),
                }),
            ),
        )
    });
    let c = mock_client(&mock);
    let mut items: Vec<_> = (0..95)
        .map(|i| CreateTrackingRequest::new("usps", format!("94001{i:05}")))
        .collect();
    items.push(CreateTrackingRequest::new("", "no-courier"));
    let report = c.trackings().create_many(items).await;
    assert_eq!(report.calls, 3, "95 valid items in chunks of 40");
    let counts = report.counts();
    assert_eq!(
        (counts.created, counts.already_existed, counts.invalid),
        (10, 85, 1)
    );
    assert_eq!(counts.total(), 96);
    assert!(matches!(&report.items[0].outcome, ItemOutcome::Created(b) if b.id.is_value()));
    // One call of more than 40 is refused before sending.
    let forty_one: Vec<_> = (0..41)
        .map(|i| CreateTrackingRequest::new("usps", format!("{i}")))
        .collect();
    assert!(
        c.trackings()
            .create_batch(&forty_one)
            .await
            .unwrap_err()
            .is_usage()
    );
}

#[tokio::test]
async fn get_all_pages_until_a_short_page_with_the_filters_each_time() {
    let server = MockServer::start().await;
    for (page, n) in [(1, 3), (2, 3), (3, 1)] {
        Mock::given(path("/v4/trackings/get"))
            .and(query_param("pages_amount", page.to_string()))
            .and(query_param("items_amount", "3"))
            .and(query_param("courier_code", "usps"))
            .respond_with(reply(
                200,
                Value::Array((0..n).map(|i| tracking(page * 10 + i, "transit")).collect()),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    use futures::TryStreamExt;
    let all: Vec<_> = client_on(&server)
        .await
        .trackings()
        .get_all(
            GetTrackingsRequest::default()
                .courier_code("usps")
                .items_amount(3),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);
}

#[test]
fn the_webhook_verifier_holds_the_documented_test_vector() {
    use tm_core::webhook::v4::{Scheme, WebhookVerifier, timestamp_signature};
    let secret = "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f";
    assert_eq!(
        timestamp_signature(secret, "1662371528"),
        "a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06"
    );
    let body = br#"{"code":200,"message":"Success","data":{"id":"9a71ac3628f63b843820bddbc9fb7e35","tracking_number":"9104223295","courier_code":"dhl"}}"#;
    let now = std::time::UNIX_EPOCH + Duration::from_secs(1662371528 + 60);
    let verifier = WebhookVerifier::new(secret);
    // Hex or base64, any header case.
    for sig in [
        "a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06",
        "A37084AB68AE16B77DB1F8463F31BE9FCC965E2515E03EFECF8139BB1E511B06",
        "o3CEq2iuFrd9sfhGPzG+n8yWXiUV4D7+z4E5ux5RGwY=",
    ] {
        let ok = verifier
            .verify_at([("TIMESTAMP", "1662371528"), ("Signature", sig)], body, now)
            .unwrap_or_else(|e| panic!("{sig}: {e}"));
        assert_eq!(ok.scheme, Scheme::Timestamp);
        assert_eq!(ok.timestamp, Some(1662371528));
    }
    // The body may be the tracking itself, and the values may come in a body block.
    let bare = br#"{"tracking_number":"1","verify":{"timestamp":"1662371528","signature":"a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06"}}"#;
    let ok = verifier
        .verify_at(Vec::<(&str, &str)>::new(), bare, now)
        .unwrap();
    assert_eq!(ok.tracking.tracking_number.as_deref(), Some("1"));
    // A changed timestamp, a missing signature, a stale one: refused.
    assert!(
        verifier
            .verify_at(
                [
                    ("timestamp", "1662371529"),
                    (
                        "signature",
                        "a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06"
                    )
                ],
                body,
                now
            )
            .is_err()
    );
    assert!(matches!(
        verifier.verify_at([("timestamp", "1662371528")], body, now),
        Err(tm_core::WebhookError::MissingSignature { .. })
    ));
    let later = now + Duration::from_secs(3600);
    assert!(matches!(
        verifier.verify_at(
            [
                ("timestamp", "1662371528"),
                (
                    "signature",
                    "a37084ab68ae16b77db1f8463f31be9fcc965e2515e03efecf8139bb1e511b06"
                )
            ],
            body,
            later
        ),
        Err(tm_core::WebhookError::TooOld { .. })
    ));
}

#[test]
fn the_bridge_maps_every_v2_status_code_and_substatus_onto_a_known_v4_one() {
    use tm_core::bridge::{code_to_v4, status_to_v2, status_to_v4, substatus_to_v4};
    use tm_core::types::{v2, v4};
    for s in v2::TrackingStatus::KNOWN {
        let new = status_to_v4(s);
        assert!(new.is_known(), "{s:?}");
        assert_eq!(&status_to_v2(&new), s, "{s:?} round-trips");
    }
    for s in v4::DeliveryStatus::KNOWN {
        assert!(status_to_v2(s).is_known(), "{s:?} has a v2 reading");
    }
    // v2's exception001–003 ("too long" without news, in transit, undelivered: the older
    // documentation) have no v4 code: they stay as sent, still exceptions (docs/v2-to-v4.md).
    let no_counterpart = ["exception001", "exception002", "exception003"];
    for s in v2::Substatus::KNOWN {
        let new = substatus_to_v4(s);
        assert_eq!(
            new.is_known(),
            !no_counterpart.contains(&s.as_str()),
            "{s:?}"
        );
        // The main status agrees across the generations (notfound001 is info-received in v4).
        let old_main = s.status().map(|m| status_to_v4(&m));
        let new_main = new
            .status()
            .map(|m| status_to_v2(&m))
            .map(|m| status_to_v4(&m));
        assert_eq!(old_main, new_main, "{s:?}");
    }
    // A mapped code means the same to the predicates.
    for c in v2::MetaCode::KNOWN {
        if let Some(n) = code_to_v4(*c) {
            let (a, b) = (ApiCode::V2(*c), ApiCode::V4(n));
            assert_eq!(a.is_already_exists(), b.is_already_exists(), "{c:?}");
            assert_eq!(a.is_rate_limited(), b.is_rate_limited(), "{c:?}");
            assert_eq!(a.is_quota_exhausted(), b.is_quota_exhausted(), "{c:?}");
            assert_eq!(a.is_unauthorized(), b.is_unauthorized(), "{c:?}");
            assert_eq!(a.is_success(), b.is_success(), "{c:?}");
        }
    }
}
