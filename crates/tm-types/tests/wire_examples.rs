//! Every JSON example we have — the reference's snippets and the real captures — decodes into
//! the typed model, re-encodes to the same JSON value, and has a snapshot of its typed parse.
//!
//! Nothing is dropped on the round trip: unknown keys live in `extra`, and absent, `null` and
//! value stay apart through `Field`. The one body that is not JSON at all (capture 20, the
//! user-info doc sample) is checked to fail cleanly instead.

use std::path::{Path, PathBuf};

use serde_json::Value;
#[macro_use]
mod common;

use tm_types::NumberOrString;
use tm_types::v2::*;

fn reference(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/captures")
}

/// The capture's exact text where the source kept it (escapes included) and it is JSON, else
/// its body. Two raws are not JSON: 17 (truncated with `...`; the body repairs it) and 20.
fn capture(prefix: &str) -> String {
    let dir = captures_dir();
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no capture {prefix}"));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&entry).unwrap()).unwrap();
    match &file["raw"] {
        Value::String(raw)
            if serde_json::from_str::<Value>(raw).is_ok() || file["body"].is_null() =>
        {
            raw.clone()
        }
        _ => file["body"].to_string(),
    }
}

#[test]
fn reference_examples_round_trip() {
    let carriers: Envelope<Vec<Carrier>> =
        check!("ref_carriers_list", &reference("carriers-list.json"));
    assert_eq!(
        carriers.data.unwrap()[1].r#type.value(),
        Some(&CarrierType::GlobalPost)
    );
    let detect: Envelope<Vec<DetectedCarrier>> =
        check!("ref_carriers_detect", &reference("carriers-detect.json"));
    assert_eq!(detect.data.unwrap()[0].code, "china-post");
    let created: Envelope<Tracking> =
        check!("ref_trackings_post", &reference("trackings-post.json"));
    assert_eq!(
        created.data.unwrap().status(),
        Some(&TrackingStatus::Pending)
    );
    let exists: Envelope<Value> = check!(
        "ref_trackings_post_exists",
        &reference("trackings-post-exists.json"),
    );
    assert_eq!(exists.meta.code, MetaCode::TrackingExists);
    let batch: Envelope<BatchCreateResult> =
        check!("ref_trackings_batch", &reference("trackings-batch.json"));
    assert_eq!(batch.meta.code, MetaCode::Created);
    let errors = batch.data.unwrap().errors.into_value().unwrap();
    assert_eq!(errors[0].code.value(), Some(&MetaCode::TrackingExists));
    let over: Envelope<Value> = check!(
        "ref_trackings_batch_over_40",
        &reference("trackings-batch-over-40.json"),
    );
    assert_eq!(over.meta.code, MetaCode::OverLimit);
    let page: Envelope<TrackingList> = check!(
        "ref_trackings_get_page",
        &reference("trackings-get-page.json"),
    );
    assert_eq!(page.data.unwrap().total(), Some(3));
    let deleted: Envelope<BatchResult> = check!(
        "ref_trackings_delete_batch",
        &reference("trackings-delete-batch.json"),
    );
    let deleted = deleted.data.unwrap();
    assert_eq!(
        deleted.delete.value().and_then(NumberOrString::as_u64),
        Some(2)
    );
    assert_eq!(
        deleted.trackings.value().unwrap()[0].number(),
        Some("1Z97X17XYW06605211")
    );
    let _: Envelope<Value> = check!(
        "ref_trackings_delete_single",
        &reference("trackings-delete-single.json"),
    );
    let changed: Envelope<ChangeCarrierResult> = check!(
        "ref_trackings_update_carrier",
        &reference("trackings-update-carrier.json"),
    );
    assert_eq!(changed.data.unwrap().usertag.as_deref(), Some(""));
    let counts: Envelope<StatusCounts> = check!(
        "ref_trackings_getstatusnumber",
        &reference("trackings-getstatusnumber.json"),
    );
    assert_eq!(counts.data.unwrap().total(), 0);
    let notupdate: Envelope<BatchResult> = check!(
        "ref_trackings_notupdate",
        &reference("trackings-notupdate.json"),
    );
    assert_eq!(
        notupdate.data.unwrap().trackings.value().unwrap()[0].carrier(),
        Some("china-post")
    );
    let remote: Envelope<RemoteResult> =
        check!("ref_trackings_remote", &reference("trackings-remote.json"));
    assert_eq!(
        remote.meta.message.as_deref(),
        Some("The request was successful.")
    );
    let user: Envelope<UserInfo> = check!(
        "ref_trackings_getuserinfo",
        &reference("trackings-getuserinfo.json"),
    );
    assert_eq!(
        user.data
            .unwrap()
            .track_number
            .value()
            .and_then(NumberOrString::as_u64),
        Some(9999)
    );
    let t: Tracking = check!("ref_tracking_object", &reference("tracking-object.json"));
    assert_eq!(
        t.latest_checkpoint().unwrap().event_text(),
        t.last_event.as_deref().unwrap()
    );
    let hook: WebhookPayload = check!("ref_webhook", &reference("webhook.json"));
    assert_eq!(
        hook.verify_info
            .value()
            .unwrap()
            .time_str
            .value()
            .unwrap()
            .to_string(),
        "1503816929"
    );
}

#[test]
fn captures_round_trip() {
    let list: Envelope<TrackingList> = check!("cap01_get_list_bestex_2019", &capture("01-"));
    let list = list.data.unwrap();
    assert_eq!(list.total(), Some(3));
    assert_eq!(list.items().len(), 3);
    let batch: Envelope<BatchCreateResult> =
        check!("cap02_batch_create_bestex_2019", &capture("02-"));
    assert_eq!(batch.meta.code, MetaCode::Created);
    let _: Envelope<Tracking> = check!("cap03_post_create_turkey_post_2017", &capture("03-"));
    let dup: Envelope<Value> = check!("cap04_post_create_error_4016_2017", &capture("04-"));
    assert_eq!(dup.meta.code, MetaCode::TrackingExists);
    let _: Envelope<BatchCreateResult> =
        check!("cap05_batch_create_turkey_post_2017", &capture("05-"));
    let hook: WebhookPayload = check!("cap06_webhook_china_post_2017", &capture("06-"));
    let data = hook.data.value().unwrap();
    assert!(data.destination_info.value().unwrap().trackinfo.is_null());
    let rt: Envelope<RealtimeResult> =
        check!("cap09_realtime_china_ems_with_usps_2018", &capture("09-"));
    let item = &rt.data.unwrap().items.into_value().unwrap()[0];
    // lastEvent comes from the newest checkpoint across both lists: here the destination's.
    let latest = item.latest_checkpoint().unwrap();
    assert_eq!(latest.date.as_deref(), Some("2018-04-17 22:30"));
    assert_eq!(latest.event_text(), item.last_event.as_deref().unwrap());
    let _: Tracking = check!("cap10_realtime_item_yto_delivered_2019", &capture("10-"));
    let carriers: Envelope<Vec<Carrier>> =
        check!("cap12_carriers_doc_sample_2018", &capture("12-"));
    assert!(carriers.meta.message.is_absent());
    let _: Envelope<Vec<Carrier>> = check!("cap13_carriers_51tracking_first20", &capture("13-"));
    let created: Tracking = check!("cap14_post_create_data_only_2017", &capture("14-"));
    assert_eq!(
        created.customer_email.value(),
        Some(&CustomerEmail::One("null".into()))
    );
    let deleted: Vec<Value> = check!("cap15_delete_data_only_2017", &capture("15-"));
    assert!(deleted.is_empty());
    let _: Tracking = check!("cap16_get_single_ups_2015_truncated", &capture("16-"));
    let _: RealtimeResult = check!(
        "cap17_realtime_hong_kong_post_2015_truncated",
        &capture("17-"),
    );
    let over: Envelope<Value> =
        check!("cap18_batch_create_error_202_over_40_2017", &capture("18-"));
    assert_eq!(over.meta.code, MetaCode::OverLimit);
    let _: Envelope<Vec<DetectedCarrier>> = check!("cap19_detect_doc_sample", &capture("19-"));
    let _: Envelope<ChangeCarrierResult> =
        check!("cap21_update_carrier_doc_sample", &capture("21-"));
    let _: Envelope<Value> = check!("cap22_delete_single_doc_sample", &capture("22-"));
    let _: Vec<Carrier> = check!(
        "cap23_carriers_trackingmore_php_array_2018",
        &capture("23-"),
    );
}

#[test]
fn last_event_is_rebuilt_from_the_newest_checkpoint_in_every_capture() {
    let mut checked = 0;
    for (prefix, pointer) in [
        ("01-", "/data/items"),
        ("09-", "/data/items"),
        ("17-", "/items"),
    ] {
        let v: Value = serde_json::from_str(&capture(prefix)).unwrap();
        let items: Vec<Tracking> =
            serde_json::from_value(v.pointer(pointer).unwrap().clone()).unwrap();
        for t in items {
            assert_eq!(
                t.latest_checkpoint().map(Checkpoint::event_text).as_deref(),
                t.last_event.as_deref(),
                "{prefix} {}",
                t.tracking_number
            );
            checked += 1;
        }
    }
    // 10 is a bare item; 06 is a webhook (16 is cut off before its lastEvent).
    let item: Tracking = serde_json::from_str(&capture("10-")).unwrap();
    let hook: WebhookPayload = serde_json::from_str(&capture("06-")).unwrap();
    for t in [item, hook.data.into_value().unwrap()] {
        assert_eq!(
            t.latest_checkpoint().map(Checkpoint::event_text).as_deref(),
            t.last_event.as_deref()
        );
        checked += 1;
    }
    assert_eq!(checked, 7);
}

#[test]
fn the_invalid_user_info_doc_sample_fails_cleanly() {
    let err = serde_json::from_str::<Envelope<UserInfo>>(&capture("20-")).unwrap_err();
    assert!(err.is_syntax(), "{err}");
}
