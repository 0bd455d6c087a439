//! Every endpoint against the mock transport: the exact request sent and the typed result.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use tm_core::Error;
use tm_core::transport::{InjectedError, Method, MockReply, MockTransport, RequestMatcher};
use tm_core::types::NumberOrString;
use tm_core::types::v2::*;
use tm_core::v2::CreateOutcome;

fn step(method: Method, path: &str) -> RequestMatcher {
    RequestMatcher::new(method, path).header("trackingmore-api-key", "<API_KEY>")
}

#[tokio::test(start_paused = true)]
async fn carriers_list_sends_a_keyed_get_and_is_cached_per_language_with_a_ttl() {
    let carriers = json!([{"name": "DHL", "code": "dhl", "type": "express"}, {"name": "China Post", "code": "china-post", "type": "globalpost"}]);
    let mock = MockTransport::new()
        .with_step(step(Method::Get, "/carriers"), ok(carriers.clone()))
        .with_step(
            step(Method::Get, "/carriers").header("lang", "cn"),
            ok(json!([{"name": "中国邮政", "code": "china-post"}])),
        )
        .with_step(step(Method::Get, "/carriers"), ok(carriers));
    let client = tm_core::v2::Client::builder()
        .api_key(KEY)
        .transport(mock.clone())
        .carrier_cache_ttl(Duration::from_secs(60))
        .build()
        .unwrap();
    let list = client.carriers().list().await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].r#type.value(), Some(&CarrierType::GlobalPost));
    // Cached: no second request.
    assert_eq!(
        client.carriers().find("DHL").await.unwrap().unwrap().code,
        "dhl"
    );
    let cn = client.carriers().list_in_language("cn").await.unwrap();
    assert_eq!(cn[0].name.as_deref(), Some("中国邮政"));
    assert_eq!(mock.requests().len(), 2);
    let req = &mock.requests()[0];
    assert!(req.body.is_none());
    assert_eq!(req.header_value("accept"), Some("application/json"));
    // After the TTL the list is fetched again.
    tokio::time::advance(Duration::from_secs(61)).await;
    client.carriers().list().await.unwrap();
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn detect_posts_the_number_and_maps_4032_to_no_candidates() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Post, "/carriers/detect").json_body(json!({"tracking_number": "RN123456789CN"})),
            ok(json!([{"name": "China post", "code": "china-post"}, {"name": "China EMS", "code": "china-ems"}])),
        )
        .with_step(step(Method::Post, "/carriers/detect"), api_err(4032, "No Content", "Cannot detect courier."));
    let client = client(&mock);
    let found = client.carriers().detect("RN123456789CN").await.unwrap();
    assert_eq!(
        found.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
        ["china-post", "china-ems"]
    );
    assert!(client.carriers().detect("???").await.unwrap().is_empty());
    assert!(matches!(
        client.carriers().detect(" ").await,
        Err(Error::InvalidInput {
            field: "tracking_number",
            ..
        })
    ));
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn create_sends_every_field_and_maps_4016_to_already_exists() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Post, "/trackings/post")
                .header("content-type", "application/json")
                .json_body(json!({"tracking_number": "RN1", "carrier_code": "china-post", "title": "Mug",
                                  "customer_email": ["a@example.com"], "order_create_time": "2017/8/27 16:51"})),
            ok(tracking("china-post", "RN1", "pending")),
        )
        .with_step(step(Method::Post, "/trackings/post"), api_err(4016, "Bad Request", "Tracking already exists."));
    let client = client(&mock);
    let req = CreateTrackingRequest::new("china-post", "RN1")
        .title("Mug")
        .customer_email(vec!["a@example.com".to_owned()])
        .order_create_time("2017/8/27 16:51");
    match client.trackings().create(req.clone()).await.unwrap() {
        CreateOutcome::Created(t) => assert_eq!(t.status(), Some(&TrackingStatus::Pending)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        client.trackings().create(req).await.unwrap(),
        CreateOutcome::AlreadyExists
    );
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn a_create_resent_after_a_timeout_into_4016_ends_as_already_exists() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Post, "/trackings/post"),
            MockReply::error(InjectedError::Timeout),
        )
        .with_step(
            step(Method::Post, "/trackings/post"),
            api_err(4016, "Bad Request", "Tracking already exists."),
        );
    let client = client(&mock);
    let outcome = client
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890"))
        .await
        .unwrap();
    assert_eq!(outcome, CreateOutcome::AlreadyExists);
    assert_eq!(mock.requests().len(), 2);
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn create_errors_carry_their_code() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Post, "/trackings/post"),
            api_err(
                4015,
                "Bad Request",
                "The value of `carrier_code` is invalid.",
            ),
        )
        .with_step(
            step(Method::Post, "/trackings/post"),
            api_err(4021, "Bad Request", "Out of quota."),
        )
        .with_step(
            step(Method::Post, "/trackings/post"),
            api_err(4014, "Bad Request", "tracking_number is invalid."),
        );
    let client = client(&mock);
    let e = client
        .trackings()
        .create(CreateTrackingRequest::new("nope", "RN1"))
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some(MetaCode::CarrierCodeInvalid.into()));
    assert_eq!(e.status(), Some(200));
    assert!(!e.is_retryable());
    let e = client
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "RN1"))
        .await
        .unwrap_err();
    assert!(e.is_quota_exhausted());
    let e = client
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "x"))
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some(MetaCode::TrackingNumberInvalid.into()));
    assert!(e.to_string().contains("4014"), "{e}");
    // Documented limits are checked before sending.
    let e = client
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "  "))
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        Error::InvalidInput {
            field: "tracking_number",
            ..
        }
    ));
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn get_encodes_path_segments_so_nothing_can_change_the_path() {
    let mock = MockTransport::from_fn(|_| ok(tracking("ups", "x", "transit")));
    let client = client(&mock);
    client
        .trackings()
        .get("china-post", "RN123456789CN")
        .await
        .unwrap();
    client
        .trackings()
        .get("ups", "A/B?c=1#d%20 é")
        .await
        .unwrap();
    client
        .trackings()
        .get_in_language("4px", "300403513351", "en")
        .await
        .unwrap();
    let paths: Vec<String> = mock.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/trackings/china-post/RN123456789CN",
            "/trackings/ups/A%2FB%3Fc%3D1%23d%2520%20%C3%A9",
            "/trackings/4px/300403513351/en"
        ]
    );
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.query.is_empty() && r.method == Method::Get)
    );
    for bad in ["", "..", "."] {
        let e = client.trackings().get("ups", bad).await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidInput {
                    field: "tracking_number",
                    ..
                }
            ),
            "{bad:?}: {e}"
        );
    }
    assert_eq!(mock.requests().len(), 3, "invalid input is never sent");
}

#[tokio::test(start_paused = true)]
async fn get_maps_not_created_and_not_found() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Get, "/trackings/dhl/1"),
            api_err(4031, "No Content", "Tracking not created yet."),
        )
        .with_step(
            step(Method::Get, "/trackings/dhl/2"),
            api_err(4017, "Bad Request", "Tracking does not exist."),
        );
    let client = client(&mock);
    for n in ["1", "2"] {
        let e = client.trackings().get("dhl", n).await.unwrap_err();
        assert!(e.is_not_found(), "{e}");
    }
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn update_puts_the_changes() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Put, "/trackings/dhl/RN1")
                .json_body(json!({"title": "Mug", "archived": "true", "status": "7", "customer_name": "Ada"})),
            ok(json!({"tracking_number": "RN1", "carrier_code": "dhl", "title": "Mug", "archived": true})),
        )
        // A PHP server's empty answer: success, `data: []`.
        .with_step(step(Method::Put, "/trackings/dhl/RN2"), ok(json!([])));
    let client = client(&mock);
    let changes = UpdateTrackingRequest::default()
        .title("Mug")
        .archived(true)
        .status(StatusInput::MarkException)
        .customer_name("Ada");
    let t = client
        .trackings()
        .update("dhl", "RN1", changes.clone())
        .await
        .unwrap()
        .expect("the tracking");
    assert_eq!(t.archived.value(), Some(&true));
    let applied = client
        .trackings()
        .update("dhl", "RN2", changes)
        .await
        .unwrap();
    assert!(
        applied.is_none(),
        "data: [] is success with nothing returned"
    );
    let e = client
        .trackings()
        .update("dhl", "RN1", UpdateTrackingRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        Error::InvalidInput {
            field: "changes",
            ..
        }
    ));
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn delete_treats_4017_as_done_only_on_a_resend() {
    let mock = MockTransport::new()
        .with_step(step(Method::Delete, "/trackings/ups/1Z1"), ok(json!([])))
        .with_step(
            step(Method::Delete, "/trackings/ups/1Z2"),
            api_err(4017, "Bad Request", "Tracking does not exist."),
        )
        .with_step(
            step(Method::Delete, "/trackings/ups/1Z3"),
            MockReply::error(InjectedError::Reset),
        )
        .with_step(
            step(Method::Delete, "/trackings/ups/1Z3"),
            api_err(4017, "Bad Request", "Tracking does not exist."),
        )
        // Throttled first: that attempt was refused, not applied, so the 4017 after it is the
        // tracking's own absence and stays an error.
        .with_step(
            step(Method::Delete, "/trackings/ups/1Z4"),
            MockReply::response(
                tm_core::transport::HttpResponse::new(429, "").with_header("retry-after", "1"),
            ),
        )
        .with_step(
            step(Method::Delete, "/trackings/ups/1Z4"),
            api_err(4017, "Bad Request", "Tracking does not exist."),
        );
    let client = client(&mock);
    client.trackings().delete("ups", "1Z1").await.unwrap();
    assert!(
        client
            .trackings()
            .delete("ups", "1Z2")
            .await
            .unwrap_err()
            .is_not_found()
    );
    client.trackings().delete("ups", "1Z3").await.unwrap();
    assert!(
        client
            .trackings()
            .delete("ups", "1Z4")
            .await
            .unwrap_err()
            .is_not_found(),
        "a resend after a refused attempt proves nothing about this call"
    );
    assert!(mock.requests().iter().all(|r| r.body.is_none()));
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn create_batch_sends_an_array_and_refuses_more_than_the_batch_size() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Post, "/trackings/batch").json_body(json!([
                {"tracking_number": "RN1", "carrier_code": "china-post"},
                {"tracking_number": "RN2", "carrier_code": "china-post", "title": "b"}
            ])),
            MockReply::json(200, json!({"meta": {"code": 201, "type": "Created", "message": "ok"},
                "data": {"submitted": 2, "added": 1, "trackings": [tracking("china-post", "RN1", "pending")],
                         "errors": [{"tracking_number": "RN2", "carrier_code": "china-post", "code": 4016, "message": "Tracking already exists."}]}})),
        )
        .with_step(step(Method::Post, "/trackings/batch"), api_err(202, "Bad Request", "The largest number of 40 each operation."));
    let client = client(&mock);
    let items = [
        CreateTrackingRequest::new("china-post", "RN1"),
        CreateTrackingRequest::new("china-post", "RN2").title("b"),
    ];
    let r = client.trackings().create_batch(&items).await.unwrap();
    assert_eq!(r.added.value().and_then(NumberOrString::as_u64), Some(1));
    let e = client
        .trackings()
        .create_batch(&items[..1])
        .await
        .unwrap_err();
    assert_eq!(e.api_code(), Some(MetaCode::OverLimit.into()));
    let many: Vec<_> = (0..41)
        .map(|i| CreateTrackingRequest::new("dhl", format!("N{i}")))
        .collect();
    let e = client.trackings().create_batch(&many).await.unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput { field: "items", .. }),
        "{e}"
    );
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn list_sends_the_filters_as_a_query_and_checks_documented_limits() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Get, "/trackings/get")
                .query("page", "3")
                .query("limit", "50")
                .query("status", "delivered")
                .query("created_at_min", "1500000000")
                .query("numbers", "RN1,RN2")
                .query("archived", "false")
                .exact_query(),
            ok(json!({"page": 3, "limit": 50, "total": "2", "count": 2,
                      "items": [tracking("dhl", "RN1", "delivered"), tracking("dhl", "RN2", "delivered")]})),
        )
        .with_step(step(Method::Get, "/trackings/get"), api_err(4033, "No Content", "The value of `status` is invalid."));
    let client = client(&mock);
    let filter = ListTrackingsRequest::default()
        .page(3)
        .limit(50)
        .status(TrackingStatus::Delivered)
        .created_at_min(1_500_000_000)
        .numbers(["RN1", "RN2"])
        .archived(false);
    let page = client.trackings().list(&filter).await.unwrap();
    assert_eq!(page.total(), Some(2));
    assert_eq!(page.items().len(), 2);
    assert_eq!(
        mock.requests()[0].rate_classes.first().cloned(),
        Some(tm_core::v2::rules::LIST)
    );
    let bad = ListTrackingsRequest::default().status(TrackingStatus::Unknown("shipped".into()));
    assert_eq!(
        client.trackings().list(&bad).await.unwrap_err().api_code(),
        Some(MetaCode::InvalidStatus.into())
    );
    for filter in [
        ListTrackingsRequest::default().limit(2001),
        ListTrackingsRequest::default().limit(0),
        ListTrackingsRequest::default().page(0),
        ListTrackingsRequest::default().numbers((0..41).map(|i| i.to_string())),
        ListTrackingsRequest::default().orders((0..41).map(|i| i.to_string())),
    ] {
        assert!(
            matches!(
                client.trackings().list(&filter).await,
                Err(Error::InvalidInput { .. })
            ),
            "{filter:?}"
        );
    }
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn the_three_change_batches_post_arrays_to_their_paths() {
    let refs = [
        TrackingRef::new("dhl", "RN1"),
        TrackingRef::new("ups", "1Z1"),
    ];
    let mock = MockTransport::new()
        .with_step(
            step(Method::Post, "/trackings/updatemore").json_body(json!([
                {"tracking_number": "RN1", "carrier_code": "dhl", "status": "4"}])),
            ok(json!({"submitted": 1, "update": 1, "trackings": [{"tracking_number": "RN1", "carrier_code": "dhl"}]})),
        )
        .with_step(
            step(Method::Post, "/trackings/delete").json_body(json!([
                {"tracking_number": "RN1", "carrier_code": "dhl"}, {"tracking_number": "1Z1", "carrier_code": "ups"}])),
            ok(json!({"submitted": 2, "delete": 2, "trackings": [{"meta": {"tracking_number": "RN1"}}, {"meta": {"tracking_number": "1Z1"}}]})),
        )
        .with_step(
            step(Method::Post, "/trackings/notupdate").json_body(json!([
                {"tracking_number": "RN1", "carrier_code": "dhl"}, {"tracking_number": "1Z1", "carrier_code": "ups"}])),
            ok(json!({"submitted": 2, "change": 2, "trackings": [{"tracking_number": "RN1"}, {"tracking_number": "1Z1"}]})),
        );
    let client = client(&mock);
    let item = UpdateMoreItem::new(
        refs[0].clone(),
        UpdateTrackingRequest::default().status(StatusInput::MarkDelivered),
    );
    client.trackings().update_batch(&[item]).await.unwrap();
    let d = client.trackings().delete_batch(&refs).await.unwrap();
    assert_eq!(d.trackings.value().unwrap()[1].number(), Some("1Z1"));
    let n = client.trackings().stop_updating_batch(&refs).await.unwrap();
    assert_eq!(n.change.value().and_then(NumberOrString::as_u64), Some(2));
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn realtime_posts_in_its_rate_class_and_returns_the_item() {
    let mock = MockTransport::new().with_step(
        step(Method::Post, "/trackings/realtime")
            .json_body(json!({"tracking_number": "LS912989618CN", "carrier_code": "china-ems", "destination_code": "US", "lang": "en"})),
        ok(json!({"items": [tracking("china-ems", "LS912989618CN", "transit")]})),
    );
    let client = client(&mock);
    let req = RealtimeRequest::new("china-ems", "LS912989618CN")
        .destination_code("US")
        .lang("en");
    let t = client.trackings().realtime(req).await.unwrap();
    assert_eq!(t.status(), Some(&TrackingStatus::Transit));
    assert_eq!(
        mock.requests()[0].rate_classes.first().cloned(),
        Some(tm_core::v2::rules::REALTIME)
    );
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn change_carrier_is_never_resent_once_it_may_have_been_applied() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Post, "/trackings/update").json_body(json!({
                "tracking_number": "LK664578623CN", "carrier_code": "china-ems", "update_carrier_code": "usps"})),
            ok(json!({"Usertag": ""})),
        )
        .with_step(step(Method::Post, "/trackings/update"), MockReply::error(InjectedError::Timeout))
        .with_step(step(Method::Post, "/trackings/update"), MockReply::error(InjectedError::Connect))
        .with_step(step(Method::Post, "/trackings/update"), ok(json!({"Usertag": ""})));
    let client = client(&mock);
    let req = ChangeCarrierRequest::new("LK664578623CN", "china-ems", "usps");
    let r = client
        .trackings()
        .change_carrier(req.clone())
        .await
        .unwrap();
    assert_eq!(r.usertag.as_deref(), Some(""));
    let e = client
        .trackings()
        .change_carrier(req.clone())
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e}");
    assert_eq!(mock.requests().len(), 2, "no resend after a timeout");
    // A connect failure sent nothing, so even this call is retried.
    client.trackings().change_carrier(req).await.unwrap();
    assert_eq!(mock.requests().len(), 4);
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn account_endpoints() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Get, "/trackings/getuserinfo"),
            ok(json!({"email": "ops@shop.example", "regtime": "1469097290", "phone": "+8612345678910", "money": 999, "track_number": 9999})),
        )
        .with_step(
            step(Method::Get, "/trackings/getstatusnumber").query("created_at_min", "1").query("created_at_max", "2").exact_query(),
            ok(json!({"pending": 1, "notfound": 0, "transit": "4", "pickup": 0, "delivered": 7, "undelivered": 0, "exception": 1, "expired": 0})),
        );
    let client = client(&mock);
    let info = client.account().user_info().await.unwrap();
    assert_eq!(info.email.as_deref(), Some("ops@shop.example"));
    let counts = client
        .account()
        .status_counts(
            &StatusCountRequest::default()
                .created_at_min(1)
                .created_at_max(2),
        )
        .await
        .unwrap();
    assert_eq!(counts.count(&TrackingStatus::Transit), Some(4));
    assert_eq!(counts.total(), 13);
    let bad = StatusCountRequest::default()
        .created_at_min(5)
        .created_at_max(2);
    assert!(client.account().status_counts(&bad).await.is_err());
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn remote_transit_time_and_air_cargo() {
    let mock = MockTransport::new()
        .with_step(
            step(Method::Post, "/trackings/remote").json_body(json!([{"country": "JP", "postcode": "7621094", "company": "ups"}])),
            MockReply::json(200, json!({"meta": {"code": 200, "type": "Success", "message": "The request was successful."},
                "data": {"submitted": 1, "other": [], "remote": [{"far_express_company": "ups", "two_code": "JP", "far_country": "Japan", "far_city_postcode": "7621094"}]}})),
        )
        .with_step(
            step(Method::Post, "/trackings/costtime").json_body(json!([{"carrier_code": "dhl", "original": "CN", "destination": "US"}])),
            ok(json!([{"carrier_code": "dhl", "original": "CN", "destination": "US", "total": 120, "delivered": 118, "range1": "45%"}])),
        )
        .with_step(
            step(Method::Post, "/trackings/aircargo").json_body(json!({"track_number": "172-28891936"})),
            ok(json!({"track_number": "172-28891936", "airline": "Cargolux", "status": "transit"})),
        );
    let client = client(&mock);
    let r = client
        .trackings()
        .remote_areas(&[RemoteAreaQuery::new("JP", "7621094").company("ups")])
        .await
        .unwrap();
    assert_eq!(
        r.remote.value().unwrap()[0].far_country.as_deref(),
        Some("Japan")
    );
    let t = client
        .trackings()
        .transit_times(&[TransitTimeQuery::new("dhl", "CN", "US")])
        .await
        .unwrap();
    assert_eq!(
        t[0].delivered.value().and_then(NumberOrString::as_u64),
        Some(118)
    );
    let a = client.trackings().air_cargo("172-28891936").await.unwrap();
    assert_eq!(a.airline.as_deref(), Some("Cargolux"));
    assert!(client.trackings().remote_areas(&[]).await.is_err());
    assert!(client.trackings().transit_times(&[]).await.is_err());
    assert!(client.trackings().air_cargo("").await.is_err());
    mock.assert_exhausted();
}
