//! The quirks the reference documents are accepted, kept apart, and written back as received.

use serde_json::{Value, json};
use tm_types::NumberOrString;
use tm_types::v2::*;

fn tracking(extra: Value) -> Tracking {
    let mut v = json!({"tracking_number": "RN123456789CN", "carrier_code": "china-post"});
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    serde_json::from_value(v).unwrap()
}

#[test]
fn total_is_read_from_a_string_or_a_number_and_keeps_its_form() {
    for (raw, n) in [(json!("56"), 56), (json!(56), 56), (json!(" 7 "), 7)] {
        let page: TrackingList = serde_json::from_value(json!({"total": raw.clone()})).unwrap();
        assert_eq!(page.total(), Some(n));
        assert_eq!(serde_json::to_value(&page).unwrap()["total"], raw);
    }
    let page: TrackingList = serde_json::from_value(json!({"total": "many"})).unwrap();
    assert_eq!(page.total(), None);
}

#[test]
fn customer_email_may_be_a_string_empty_null_or_an_array() {
    let one = tracking(json!({"customer_email": "a@example.com"}));
    assert_eq!(
        one.customer_email.value().unwrap().addresses(),
        ["a@example.com"]
    );
    let empty = tracking(json!({"customer_email": ""}));
    assert!(empty.customer_email.value().unwrap().addresses().is_empty());
    let null = tracking(json!({"customer_email": null}));
    assert!(null.customer_email.is_null());
    let many = tracking(json!({"customer_email": ["a@example.com", "", "b@example.com"]}));
    assert_eq!(
        many.customer_email.value().unwrap().addresses(),
        ["a@example.com", "b@example.com"]
    );
    assert_eq!(
        serde_json::to_value(&many).unwrap()["customer_email"],
        json!(["a@example.com", "", "b@example.com"])
    );
    assert!(
        serde_json::from_value::<Tracking>(json!({
            "tracking_number": "1", "carrier_code": "x", "customer_email": 12
        }))
        .is_err()
    );
}

#[test]
fn order_create_time_may_be_a_string_null_or_an_integer() {
    assert_eq!(
        tracking(json!({"order_create_time": 0}))
            .order_create_time
            .value(),
        Some(&NumberOrString::from(0u64))
    );
    assert_eq!(
        tracking(json!({"order_create_time": "2017/8/27 16:51"}))
            .order_create_time
            .value(),
        Some(&NumberOrString::from("2017/8/27 16:51"))
    );
    assert!(
        tracking(json!({"order_create_time": null}))
            .order_create_time
            .is_null()
    );
    assert!(tracking(json!({})).order_create_time.is_absent());
}

#[test]
fn destination_info_object_all_null_null_or_absent_stay_apart() {
    let full = tracking(json!({"destination_info": {"carrier_code": "usps", "trackinfo": []}}));
    assert_eq!(
        full.destination_info
            .value()
            .unwrap()
            .carrier_code
            .as_deref(),
        Some("usps")
    );
    let all_null = tracking(
        json!({"destination_info": {"weblink": null, "phone": null, "carrier_code": null, "trackinfo": null}}),
    );
    let info = all_null.destination_info.value().unwrap();
    assert!(info.trackinfo.is_null());
    assert!(info.checkpoints().is_empty());
    assert!(info.item_received.is_absent());
    let null = tracking(json!({"destination_info": null}));
    assert!(null.destination_info.is_null());
    let absent = tracking(json!({}));
    assert!(absent.destination_info.is_absent());
    for t in [&all_null, &null, &absent] {
        let back = serde_json::to_value(t).unwrap();
        let again: Tracking = serde_json::from_value(back).unwrap();
        assert_eq!(&again, t);
    }
    assert!(
        !serde_json::to_value(&absent)
            .unwrap()
            .as_object()
            .unwrap()
            .contains_key("destination_info")
    );
}

#[test]
fn both_naive_timestamp_formats_parse() {
    let cp: Checkpoint = serde_json::from_value(json!({"Date": "2018-04-07 16:45:00"})).unwrap();
    assert_eq!(cp.time().unwrap().to_string(), "2018-04-07 16:45:00");
    let cp: Checkpoint = serde_json::from_value(json!({"Date": "2018-04-07 16:45"})).unwrap();
    assert_eq!(cp.time().unwrap().to_string(), "2018-04-07 16:45:00");
    let cp: Checkpoint = serde_json::from_value(json!({"Date": "not a date"})).unwrap();
    assert_eq!(cp.time(), None);
    let t = tracking(json!({"created_at": "2019-08-20T14:56:55+08:00", "updated_at": null}));
    assert_eq!(
        t.created_at().unwrap().to_rfc3339(),
        "2019-08-20T14:56:55+08:00"
    );
    assert_eq!(t.updated_at(), None);
}

#[test]
fn unknown_fields_are_kept_at_every_level_and_written_back() {
    let body = json!({
        "tracking_number": "1", "carrier_code": "ups", "brand_new": {"nested": [1, 2]},
        "origin_info": {"trackinfo": [{"Date": "2020-01-01 00:00", "geo": "51.5,-0.1"}], "hub": "LHR"}
    });
    let t: Tracking = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(t.extra["brand_new"], json!({"nested": [1, 2]}));
    let origin = t.origin_info.value().unwrap();
    assert_eq!(origin.extra["hub"], "LHR");
    assert_eq!(origin.checkpoints()[0].extra["geo"], "51.5,-0.1");
    assert_eq!(serde_json::to_value(&t).unwrap(), body);
}

#[test]
fn unknown_statuses_and_substatuses_are_kept() {
    let t = tracking(json!({"status": "inforeceived", "substatus": "transit007"}));
    assert_eq!(
        t.status(),
        Some(&TrackingStatus::Unknown("inforeceived".into()))
    );
    assert_eq!(
        t.substatus.value().unwrap().status(),
        Some(TrackingStatus::Transit)
    );
    let back = serde_json::to_value(&t).unwrap();
    assert_eq!(back["status"], "inforeceived");
    assert_eq!(back["substatus"], "transit007");
}

#[test]
fn required_keys_and_duplicates_are_named_in_the_error() {
    let err = serde_json::from_value::<Tracking>(json!({"carrier_code": "ups"})).unwrap_err();
    assert!(err.to_string().contains("tracking_number"), "{err}");
    let err = serde_json::from_str::<Tracking>(
        r#"{"tracking_number":"1","carrier_code":"ups","title":"a","title":"b"}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("duplicate field `title`"), "{err}");
    let err = serde_json::from_str::<Tracking>(
        r#"{"tracking_number":"1","carrier_code":"ups","zz":1,"zz":2}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("duplicate field `zz`"), "{err}");
}

#[test]
fn meta_code_accepts_numbers_and_digit_strings_and_rejects_out_of_range() {
    let m: Meta = serde_json::from_value(json!({"code": "4016"})).unwrap();
    assert_eq!(m.code, MetaCode::TrackingExists);
    assert!(serde_json::from_value::<Meta>(json!({"code": -1})).is_err());
    assert!(serde_json::from_value::<Meta>(json!({"code": 99999999999u64})).is_err());
    assert!(serde_json::from_value::<Meta>(json!({"type": "Success"})).is_err());
}

#[test]
fn raw_envelope_reads_meta_and_leaves_data_undecoded() {
    let body = r#"{"meta":{"code":4017,"type":"Bad Request","message":"Tracking does not exist."},"data":[]}"#;
    let raw: RawEnvelope<'_> = serde_json::from_str(body).unwrap();
    assert_eq!(raw.meta.code, MetaCode::TrackingNotFound);
    assert_eq!(raw.data.unwrap().get(), "[]");
    let raw: RawEnvelope<'_> =
        serde_json::from_str(r#"{"meta":{"code":200},"data":null}"#).unwrap();
    assert!(raw.data.is_none());
}

#[test]
fn transit_time_result_accepts_an_array_or_one_object() {
    let many: TransitTimeResult = serde_json::from_value(
        json!([{"carrier_code": "dhl", "original": "CN", "destination": "US", "total": 120}]),
    )
    .unwrap();
    assert_eq!(many.0.len(), 1);
    let one: TransitTimeResult =
        serde_json::from_value(json!({"carrier_code": "dhl", "range1": "45%"})).unwrap();
    assert_eq!(one.0[0].range1.value().unwrap().to_string(), "45%");
}

#[test]
fn request_bodies_leave_unset_fields_out_and_use_the_wire_forms() {
    let req = CreateTrackingRequest::new("dhl", "1234567890")
        .customer_email(vec!["a@example.com".to_owned()])
        .special_number_destination("US")
        .auto_correct(1);
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"tracking_number": "1234567890", "carrier_code": "dhl",
               "customer_email": ["a@example.com"], "specialNumberDestination": "US", "auto_correct": 1})
    );
    let item = UpdateMoreItem::new(
        TrackingRef::new("dhl", "1234567890"),
        UpdateTrackingRequest::default().status(StatusInput::Revert),
    );
    assert_eq!(
        serde_json::to_value(&item).unwrap(),
        json!({"tracking_number": "1234567890", "carrier_code": "dhl", "status": "8"})
    );
    let back: UpdateTrackingRequest =
        serde_json::from_value(json!({"status": 4, "archived": "false"})).unwrap();
    assert_eq!(back.status, Some(StatusInput::MarkDelivered));
    assert_eq!(back.archived, Some(false));
}

#[test]
fn list_filters_round_trip_through_the_query_string() {
    let req = ListTrackingsRequest::default()
        .page(2)
        .limit(2000)
        .status(TrackingStatus::Exception)
        .created_at_min(1_500_000_000)
        .update_time_max(1_600_000_000)
        .numbers(["RN1", "RN2"])
        .orders(["#1"])
        .archived(false)
        .lang("en");
    let q = req.to_query();
    let back =
        ListTrackingsRequest::from_query(q.iter().map(|(k, v)| (k.as_ref(), v.as_str()))).unwrap();
    assert_eq!(back, req);
    let err = ListTrackingsRequest::from_query([("page", "two")]).unwrap_err();
    assert_eq!(err.param, "page");
    let body: ListTrackingsRequest =
        serde_json::from_value(json!({"numbers": ["A", "B"], "archived": "true"})).unwrap();
    assert_eq!(body.numbers, ["A", "B"]);
    assert_eq!(body.archived, Some(true));
    let counts = StatusCountRequest::default()
        .created_at_min(1)
        .order_created_time_max(9);
    let q = counts.to_query();
    assert_eq!(
        StatusCountRequest::from_query(q.iter().map(|(k, v)| (k.as_ref(), v.as_str()))).unwrap(),
        counts
    );
}

#[test]
fn php_style_flags_and_numbers_in_a_tracking_decode() {
    let t: Tracking = serde_json::from_value(json!({
        "tracking_number": "RN1", "carrier_code": "dhl",
        "archived": "1", "track_update": 0, "itemTimeLength": "3", "stayTimeLength": ""
    }))
    .unwrap();
    assert_eq!(t.archived.value(), Some(&true));
    assert_eq!(t.track_update.value(), Some(&false));
    assert_eq!(t.item_time_length.value(), Some(&3));
    assert!(t.stay_time_length.is_null(), "\"\" reads as null");
    // What no PHP coercion gives stays an error, naming the key.
    let err = serde_json::from_value::<Tracking>(json!({
        "tracking_number": "RN1", "carrier_code": "dhl", "archived": "perhaps"
    }))
    .unwrap_err();
    assert!(err.to_string().contains("perhaps"), "{err}");
}
