//! The simulator over HTTP on loopback: every endpoint through the client, every error code,
//! and bodies shaped like the captures. Journeys, faults, webhooks, the state file and shared
//! limits are in `behaviour.rs`; the original document's own rules in `document.rs`.

mod common;

use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use serde_json::json;
use tm_core::types::v2::*;
use tm_core::types::{Field, NumberOrString};
use tm_core::v2::CreateOutcome;
use tm_sim::Simulator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_through_the_client() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let c = client(&sim);
    let carriers = c.carriers().list().await.unwrap();
    assert_eq!(carriers.len(), 628);
    let cn = c.carriers().list_in_language("cn").await.unwrap();
    assert_eq!(
        cn.iter()
            .find(|x| x.code == "china-post")
            .unwrap()
            .name
            .as_deref(),
        Some("中国邮政")
    );
    let found = c.carriers().detect("RR123456789CN").await.unwrap();
    assert_eq!(found[0].code, "china-post");
    let found = c.carriers().detect("EA123456789CN").await.unwrap();
    assert_eq!(found[0].code, "china-ems", "express mail first");
    assert_eq!(
        c.carriers().detect("1Z999AA10123456784").await.unwrap()[0].code,
        "ups"
    );
    assert!(c.carriers().detect("???").await.unwrap().is_empty());

    let created = c
        .trackings()
        .create(
            CreateTrackingRequest::new("china-post", "RR123456789CN")
                .title("Mug")
                .destination_code("US")
                .order_id("#1"),
        )
        .await
        .unwrap();
    let t = created.tracking().unwrap();
    assert_eq!(t.status(), Some(&TrackingStatus::Pending));
    assert_eq!(t.id.as_deref().unwrap().len(), 32);
    assert_eq!(
        c.trackings()
            .create(CreateTrackingRequest::new("china-post", "RR123456789CN"))
            .await
            .unwrap(),
        CreateOutcome::AlreadyExists
    );

    let got = c
        .trackings()
        .get("china-post", "RR123456789CN")
        .await
        .unwrap();
    assert_eq!(got.title.as_deref(), Some("Mug"));
    assert_eq!(got.original_country.as_deref(), Some("China"));
    c.trackings()
        .get_in_language("china-post", "RR123456789CN", "en")
        .await
        .unwrap();

    let updated = c
        .trackings()
        .update(
            "china-post",
            "RR123456789CN",
            UpdateTrackingRequest::default()
                .customer_name("Ada")
                .archived(true),
        )
        .await
        .unwrap();
    assert_eq!(updated.expect("the record").archived.value(), Some(&true));

    let report = c
        .trackings()
        .create_many(
            (0..45).map(|i| CreateTrackingRequest::new("ups", format!("1Z999AA1012345{i:04}"))),
        )
        .await;
    assert_eq!(report.counts().created, 45);
    assert_eq!(report.calls, 2);

    let page = c
        .trackings()
        .list(&ListTrackingsRequest::default().limit(10))
        .await
        .unwrap();
    assert_eq!(page.total(), Some(46));
    assert!(
        matches!(page.list.total, Field::Value(NumberOrString::String(_))),
        "total is a string"
    );
    let all: Vec<_> = c
        .trackings()
        .list_all(ListTrackingsRequest::default().limit(7))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 46);
    let archived = c
        .trackings()
        .list(&ListTrackingsRequest::default().archived(true))
        .await
        .unwrap();
    assert_eq!(archived.items().len(), 1);
    let by_number = c
        .trackings()
        .list(
            &ListTrackingsRequest::default().numbers(["1Z999AA10123450001", "1Z999AA10123450002"]),
        )
        .await
        .unwrap();
    assert_eq!(by_number.items().len(), 2);
    let by_order = c
        .trackings()
        .list(&ListTrackingsRequest::default().orders(["#1"]))
        .await
        .unwrap();
    assert_eq!(by_order.items().len(), 1);

    let refs: Vec<TrackingRef> = (0..3)
        .map(|i| TrackingRef::new("ups", format!("1Z999AA1012345{i:04}")))
        .collect();
    let upd = c
        .trackings()
        .update_many(refs.iter().map(|r| {
            UpdateMoreItem::new(
                r.clone(),
                UpdateTrackingRequest::default().status(StatusInput::MarkDelivered),
            )
        }))
        .await;
    assert_eq!(upd.counts().applied, 3);
    let delivered = c
        .trackings()
        .list(&ListTrackingsRequest::default().status(TrackingStatus::Delivered))
        .await
        .unwrap();
    assert_eq!(delivered.items().len(), 3);
    let stopped = c.trackings().stop_updating_many(refs.clone()).await;
    assert_eq!(stopped.counts().applied, 3);
    let del = c.trackings().delete_many(refs[..2].to_vec()).await;
    assert_eq!(del.counts().applied, 2);
    let del_again = c.trackings().delete_many(refs[..1].to_vec()).await;
    assert_eq!(del_again.counts().rejected, 1);
    c.trackings()
        .delete("ups", "1Z999AA10123450002")
        .await
        .unwrap();
    assert!(
        c.trackings()
            .delete("ups", "1Z999AA10123450002")
            .await
            .unwrap_err()
            .is_not_found()
    );

    let rt = c
        .trackings()
        .realtime(RealtimeRequest::new("china-ems", "LS912989618CN"))
        .await
        .unwrap();
    assert!(
        rt.created_at.is_absent(),
        "realtime items carry no account fields"
    );
    assert!(rt.title.is_absent());

    c.trackings()
        .change_carrier(ChangeCarrierRequest::new(
            "RR123456789CN",
            "china-post",
            "china-ems",
        ))
        .await
        .unwrap();
    assert!(
        c.trackings()
            .get("china-ems", "RR123456789CN")
            .await
            .is_ok()
    );
    assert!(
        c.trackings()
            .get("china-post", "RR123456789CN")
            .await
            .unwrap_err()
            .is_not_found()
    );

    let info = c.account().user_info().await.unwrap();
    assert_eq!(
        info.email.as_deref(),
        Some("sandbox@trackingmore-rs.invalid")
    );
    let counts = c
        .account()
        .status_counts(&StatusCountRequest::default())
        .await
        .unwrap();
    assert_eq!(counts.total(), 43, "46 created, 3 deleted");
    let remote = c
        .trackings()
        .remote_areas(
            &(0..8)
                .map(|i| RemoteAreaQuery::new("JP", format!("76210{i:02}")))
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    let n = remote.remote.value().map_or(0, Vec::len) + remote.other.value().map_or(0, Vec::len);
    assert_eq!(n, 8);
    let times = c
        .trackings()
        .transit_times(&[TransitTimeQuery::new("dhl", "CN", "US")])
        .await
        .unwrap();
    assert!(
        times[0]
            .total
            .value()
            .and_then(NumberOrString::as_u64)
            .unwrap()
            >= 40
    );
    let awb = c.trackings().air_cargo("172-28891936").await.unwrap();
    assert_eq!(awb.airline.as_deref(), Some("Cargolux"));
    assert!(
        c.trackings().air_cargo("bad").await.unwrap_err().api_code()
            == Some(MetaCode::TrackingNumberInvalid.into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_look_like_the_captures() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let k = Some(KEY);
    let (_, text, v) = raw(
        &sim,
        "POST",
        "/trackings/batch",
        k,
        Some(json!([
            {"tracking_number": "RR123456789CN", "carrier_code": "china-post"},
            {"tracking_number": "RR123456789CN", "carrier_code": "china-post"}
        ])),
    )
    .await;
    assert_eq!(code(&v), 201);
    assert_eq!(v["meta"]["type"], "Created");
    assert_eq!(v["data"]["submitted"], 2);
    assert_eq!(v["data"]["added"], 1);
    assert_eq!(v["data"]["errors"][0]["code"], 4016);
    let item = &v["data"]["trackings"][0];
    assert_eq!(
        item["order_create_time"], 0,
        "an integer 0, as in the 2019 capture"
    );
    assert!(item.get("updated_at").is_none());
    assert!(!text.contains("http://"), "PHP escapes slashes");
    assert!(
        text.starts_with(r#"{"meta":{"code":201,"type":"Created","message":"#),
        "meta first, as the API sends it: {}",
        &text[..60]
    );
    // A month later the parcel has moved; lastEvent is rebuilt from the newest checkpoint.
    sim.advance(Duration::from_secs(40 * 86_400));
    let (_, text, v) = raw(&sim, "GET", "/trackings/get?page=1&limit=5", k, None).await;
    assert_eq!(v["data"]["total"], "1");
    assert_eq!(v["data"]["count"], 1);
    assert!(text.contains("\\/\\/"), "{text}");
    let t: Tracking = serde_json::from_value(v["data"]["items"][0].clone()).unwrap();
    assert_ne!(t.status(), Some(&TrackingStatus::Pending));
    if let Some(cp) = t.latest_checkpoint() {
        assert_eq!(t.last_event.as_deref(), Some(cp.event_text().as_str()));
        // Postal dates have minutes only.
        assert_eq!(cp.date.as_deref().unwrap().len(), 16);
    }
    // Delete answers `data: []`, the same shape as an error.
    let (_, _, v) = raw(
        &sim,
        "DELETE",
        "/trackings/china-post/RR123456789CN",
        k,
        None,
    )
    .await;
    assert_eq!((code(&v), v["data"].clone()), (200, json!([])));
    // List as POST with a JSON body, as the official PHP class sends it.
    let (_, _, v) = raw(
        &sim,
        "POST",
        "/trackings/get",
        k,
        Some(json!({"page": 1, "limit": 10})),
    )
    .await;
    assert_eq!(v["data"]["total"], "0");
    let (_, _, v) = raw(
        &sim,
        "POST",
        "/trackings/getstatusnumber",
        k,
        Some(json!({})),
    )
    .await;
    assert_eq!(v["data"]["delivered"], 0);
    // `GET /carriers/` with a trailing slash, as PHP-OFF calls it.
    let (_, _, v) = raw(&sim, "GET", "/carriers/", k, None).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 628);
}
