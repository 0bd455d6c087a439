//! Every v4 example of the reference (§1, §8) decodes into the typed model, re-encodes to the
//! same JSON value (unknown keys kept), and has a snapshot of its typed parse; the accessors
//! read what the reference says the values mean.

#[macro_use]
mod common;

use std::path::Path;

use serde_json::Value;
use tm_types::v4::*;

fn reference(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference-v4")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn requests_of_the_sdk_readmes_round_trip() {
    let go: CreateTrackingRequest =
        check!("v4_create_sdk_go", &reference("create-request-sdk-go.json"));
    assert_eq!(
        (go.courier_code.as_str(), go.tracking_number.as_str()),
        ("usps", "9400111899562537683144")
    );
    let php: CreateTrackingRequest = check!(
        "v4_create_sdk_php",
        &reference("create-request-sdk-php.json"),
    );
    assert_eq!(php.details.language.as_deref(), Some("en"));
    assert_eq!(
        php.details.order_number.as_deref(),
        Some(""),
        "an empty string is kept, not dropped"
    );
    let batch: Vec<CreateTrackingRequest> =
        check!("v4_batch_request", &reference("batch-request.json"));
    assert_eq!(batch.len(), 2);
    let update: UpdateTrackingRequest =
        check!("v4_update_request", &reference("update-request.json"));
    assert_eq!(update.details.note.as_deref(), Some("New tests order note"));
    let detect: DetectRequest = check!("v4_detect_request", &reference("detect-request.json"));
    assert_eq!(detect.tracking_number, "92612903029511573030094531");
    let awb: AirWaybillRequest = check!("v4_awb_request", &reference("awb-request.json"));
    assert!(awb.is_well_formed());
}

#[test]
fn a_fresh_amazon_tracking_reads_with_every_null() {
    let env: Envelope<Vec<Tracking>> = check!(
        "v4_get_amazon_notfound",
        &reference("get-amazon-notfound.json"),
    );
    assert_eq!(env.meta.code, MetaCode::Success);
    let t = &env.data.unwrap()[0];
    assert_eq!(t.status(), Some(&DeliveryStatus::NotFound));
    assert_eq!(t.substatus.value(), Some(&Substatus::NotFound002));
    assert_eq!(t.archived.value(), Some(&ArchivedStatus::Tracking));
    assert_eq!(t.updating.value(), Some(&true));
    assert!(t.destination_country.is_null(), "null, not absent");
    assert!(t.weight.is_absent());
    assert_eq!(t.extra["source"], "API", "a key no SDK models is kept");
    assert_eq!(t.checkpoints().count(), 0);
    assert_eq!(t.transit_time.value(), Some(&0));
    let origin = t.origin_info.value().unwrap();
    assert!(
        origin
            .milestone_date
            .value()
            .unwrap()
            .delivery_date
            .is_null()
    );
    assert!(
        origin.arrived_destination_date.is_absent(),
        "the SDKs' key is absent in real data"
    );
}

#[test]
fn a_delivered_dhl_tracking_reads_its_checkpoints_newest_first() {
    let t: Tracking = check!(
        "v4_tracking_dhl_delivered",
        &reference("tracking-dhl-delivered.json"),
    );
    assert_eq!(t.status(), Some(&DeliveryStatus::Delivered));
    assert_eq!(t.pieces.value().and_then(|p| p.as_u64()), Some(1));
    let cps: Vec<&Checkpoint> = t.checkpoints().collect();
    assert_eq!(cps.len(), 2);
    assert_eq!(
        cps[0].checkpoint_delivery_substatus.value(),
        Some(&Substatus::Delivered001)
    );
    assert!(cps[0].time() > cps[1].time(), "newest first");
    assert_eq!(
        t.latest_checkpoint_time().map(|t| t.to_string()).as_deref(),
        Some("2023-09-15 15:00:00")
    );
    assert_eq!(
        t.created_at().unwrap().to_rfc3339(),
        "2023-10-24T06:48:32+00:00"
    );
    assert!(t.updated_at().unwrap() > t.created_at().unwrap());
}

#[test]
fn a_created_usps_tracking_keeps_the_undocumented_keys() {
    let t: Tracking = check!(
        "v4_tracking_usps_created",
        &reference("tracking-usps-created.json"),
    );
    assert_eq!(t.status(), Some(&DeliveryStatus::Created));
    assert_eq!(t.substatus.value(), Some(&Substatus::Created));
    assert_eq!(t.label.as_deref(), Some("1,2"));
    for key in ["source", "substatusV2", "substatusTimeV2", "stausDataNumV2"] {
        assert!(t.extra.contains_key(key), "{key} kept");
    }
}

#[test]
fn an_air_waybill_reads_flights_as_a_list_or_a_map() {
    let awb: AirWaybill = check!("v4_awb_cargolux", &reference("awb-cargolux.json"));
    assert_eq!(awb.piece.value().and_then(|p| p.as_u64()), Some(2));
    assert_eq!(awb.status_number.value().and_then(|p| p.as_u64()), Some(4));
    let flights = awb.flight_info.value().unwrap().flights();
    assert_eq!(flights[0].0, "CV6684");
    let mut as_map: Value = serde_json::from_str(&reference("awb-cargolux.json")).unwrap();
    as_map["flight_info"] =
        serde_json::json!({"CV6684": {"depart_station": "LUX", "arrival_station": "MEX"}});
    let map: AirWaybill = serde_json::from_value(as_map.clone()).unwrap();
    assert!(matches!(map.flight_info.value(), Some(FlightInfo::Map(_))));
    assert_eq!(
        serde_json::to_value(&map).unwrap(),
        as_map,
        "the map form stays a map"
    );
}

#[test]
fn errors_batch_results_and_old_checkpoints_read() {
    let exists: Envelope<Value> = check!(
        "v4_error_4101_minimal",
        &reference("error-4101-minimal.json"),
    );
    assert_eq!(exists.meta.code, MetaCode::TrackingExists);
    assert_eq!(exists.meta.code.http_status(), Some(400));
    let data: Tracking = serde_json::from_value(exists.data.unwrap()).unwrap();
    assert_eq!(data.id.as_deref(), Some("9a1d3844a50f3851e76e3ee347881588"));
    let batch: BatchResult = check!("v4_batch_result", &reference("batch-result.json"));
    assert_eq!(batch.succeeded().len(), 1);
    assert_eq!(
        batch.failed()[0].error_code.value(),
        Some(&MetaCode::TrackingExists)
    );
    let cp: Checkpoint = check!("v4_checkpoint_v3_era", &reference("checkpoint-v3-era.json"));
    assert_eq!(cp.time().unwrap().to_string(), "2021-06-11 13:11:00");
    // Error data in any of its shapes.
    for data in ["[]", "{}", "null"] {
        let body = format!(r#"{{"meta":{{"code":4102,"message":"x"}},"data":{data}}}"#);
        let env: RawEnvelope<'_> = serde_json::from_str(&body).unwrap();
        assert_eq!(env.meta.code, MetaCode::TrackingNotFound, "{data}");
    }
}
