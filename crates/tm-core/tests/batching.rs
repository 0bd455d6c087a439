//! Batching any number of items: chunks of the configured size, one outcome per item in input
//! order, nothing dropped, nothing done twice.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use serde_json::{Value, json};
use tm_core::transport::{HttpRequest, InjectedError, MockReply, MockTransport};
use tm_core::types::v2::{
    CreateTrackingRequest, TrackingRef, UpdateMoreItem, UpdateTrackingRequest,
};
use tm_core::{BatchReport, ItemOutcome};

/// A fake batch endpoint: item i is created, unless its number ends in 7 (already exists) or
/// in 3 (rejected with 4015). Records every chunk's size.
fn batch_server() -> (MockTransport, Arc<Mutex<Vec<usize>>>) {
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let log = sizes.clone();
    let mock = MockTransport::from_fn(move |req: &HttpRequest| {
        let items = body(req);
        let items = items.as_array().unwrap();
        log.lock().unwrap().push(items.len());
        let (mut created, mut errors) = (Vec::new(), Vec::new());
        for it in items {
            let n = it["tracking_number"].as_str().unwrap();
            let c = it["carrier_code"].as_str().unwrap();
            if n.ends_with('7') {
                errors.push(json!({"tracking_number": n, "carrier_code": c, "code": 4016, "message": "Tracking already exists."}));
            } else if n.ends_with('3') {
                errors.push(json!({"tracking_number": n, "carrier_code": c, "code": 4015, "message": "The value of `carrier_code` is invalid."}));
            } else {
                created.push(tracking(c, n, "pending"));
            }
        }
        MockReply::json(
            200,
            json!({"meta": {"code": 201, "type": "Created", "message": "ok"},
            "data": {"submitted": items.len(), "added": created.len(), "trackings": created, "errors": errors}}),
        )
    });
    (mock, sizes)
}

fn items(n: usize) -> Vec<CreateTrackingRequest> {
    (0..n)
        .map(|i| CreateTrackingRequest::new("dhl", format!("N{i:05}")))
        .collect()
}

fn check_order(report: &BatchReport, input: &[CreateTrackingRequest]) {
    assert_eq!(report.items.len(), input.len(), "one outcome per item");
    for (o, i) in report.items.iter().zip(input) {
        assert_eq!(o.target.tracking_number, i.tracking_number);
    }
}

#[tokio::test(start_paused = true)]
async fn zero_one_forty_forty_one_and_a_thousand_items() {
    for (n, calls) in [(0usize, 0usize), (1, 1), (40, 1), (41, 2), (1000, 25)] {
        let (mock, sizes) = batch_server();
        let client = client(&mock);
        let input = items(n);
        let report = client.trackings().create_many(input.clone()).await;
        check_order(&report, &input);
        assert_eq!(report.calls, calls, "{n} items");
        let sizes = sizes.lock().unwrap();
        assert_eq!(sizes.len(), calls);
        assert!(sizes.iter().all(|s| *s <= 40), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), n);
        let c = report.counts();
        assert_eq!(c.total(), n);
        let sevens = (0..n).filter(|i| format!("N{i:05}").ends_with('7')).count();
        let threes = (0..n).filter(|i| format!("N{i:05}").ends_with('3')).count();
        assert_eq!(c.already_existed, sevens);
        assert_eq!(c.rejected, threes);
        assert_eq!(c.created, n - sevens - threes);
        assert_eq!(c.failed + c.not_sent + c.unconfirmed + c.invalid, 0);
    }
}

#[tokio::test(start_paused = true)]
async fn per_item_outcomes_carry_the_tracking_or_the_reason() {
    let (mock, _) = batch_server();
    let client = client(&mock);
    let report = client.trackings().create_many(items(14)).await;
    assert!(
        matches!(&report.items[0].outcome, ItemOutcome::Created(t) if t.tracking_number == "N00000")
    );
    assert!(matches!(
        report.items[7].outcome,
        ItemOutcome::AlreadyExists
    ));
    match &report.items[13].outcome {
        ItemOutcome::Rejected { code, message } => {
            assert_eq!(code.map(|c| c.code()), Some(4015));
            assert!(message.contains("carrier_code"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        report.items[13].outcome.reason().unwrap(),
        "4015: The value of `carrier_code` is invalid."
    );
    assert!(!report.is_complete());
}

#[tokio::test(start_paused = true)]
async fn invalid_items_are_reported_and_never_sent() {
    let (mock, sizes) = batch_server();
    let client = client(&mock);
    let mut input = items(3);
    input.insert(1, CreateTrackingRequest::new("dhl", " "));
    input.push(CreateTrackingRequest::new("", "N99999"));
    let mut chunks_seen = Vec::new();
    let report = client
        .trackings()
        .create_many_with(input.clone(), |chunk| chunks_seen.push(chunk.len()))
        .await;
    check_order(&report, &input);
    assert!(matches!(
        report.items[1].outcome,
        ItemOutcome::Invalid { .. }
    ));
    assert!(matches!(
        report.items[4].outcome,
        ItemOutcome::Invalid { .. }
    ));
    assert_eq!(*sizes.lock().unwrap(), [3]);
    // The callback saw every item: the two refused ones first, then the chunk.
    assert_eq!(chunks_seen, [2, 3]);
}

#[tokio::test(start_paused = true)]
async fn a_failing_chunk_fails_its_items_and_the_rest_are_not_sent() {
    let calls = Arc::new(Mutex::new(0));
    let c = calls.clone();
    let mock = MockTransport::from_fn(move |req: &HttpRequest| {
        let mut n = c.lock().unwrap();
        *n += 1;
        if *n == 2 {
            return api_err(4021, "Bad Request", "Out of quota.");
        }
        let items = body(req);
        let created: Vec<Value> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|it| tracking("dhl", it["tracking_number"].as_str().unwrap(), "pending"))
            .collect();
        MockReply::json(
            200,
            json!({"meta": {"code": 201}, "data": {"submitted": created.len(), "added": created.len(), "trackings": created, "errors": []}}),
        )
    });
    let client = client(&mock);
    let report = client.trackings().create_many(items(100)).await;
    let counts = report.counts();
    assert_eq!(
        (counts.created, counts.failed, counts.not_sent),
        (40, 40, 20)
    );
    assert!(report.error().unwrap().is_quota_exhausted());
    assert_eq!(*calls.lock().unwrap(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_batch_resent_after_a_timeout_reports_what_landed_as_already_existed() {
    // The first attempt times out after the server created everything; the resend meets 4016
    // for each item. Nothing is reported as failed, nothing is created twice.
    let attempt = Arc::new(Mutex::new(0));
    let a = attempt.clone();
    let mock = MockTransport::from_fn(move |req: &HttpRequest| {
        let mut n = a.lock().unwrap();
        *n += 1;
        if *n == 1 {
            return MockReply::error(InjectedError::Timeout);
        }
        let errors: Vec<Value> = body(req).as_array().unwrap().iter().map(|it| json!({
            "tracking_number": it["tracking_number"], "carrier_code": it["carrier_code"], "code": 4016, "message": "Tracking already exists."
        })).collect();
        MockReply::json(
            200,
            json!({"meta": {"code": 201}, "data": {"submitted": errors.len(), "added": 0, "trackings": [], "errors": errors}}),
        )
    });
    let client = client(&mock);
    let report = client.trackings().create_many(items(5)).await;
    assert_eq!(report.counts().already_existed, 5);
    assert!(report.is_complete());
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_item_the_response_does_not_mention_is_unconfirmed_not_dropped() {
    let mock = MockTransport::from_fn(|_| {
        MockReply::json(
            200,
            json!({"meta": {"code": 201}, "data": {"submitted": 3, "added": 1,
            "trackings": [tracking("dhl", "N00000", "pending")], "errors": []}}),
        )
    });
    let client = client(&mock);
    let report = client.trackings().create_many(items(3)).await;
    let c = report.counts();
    assert_eq!((c.created, c.unconfirmed), (1, 2));
}

#[tokio::test(start_paused = true)]
async fn duplicate_inputs_are_matched_one_to_one() {
    let mock = MockTransport::from_fn(|_| {
        MockReply::json(
            200,
            json!({"meta": {"code": 201}, "data": {"submitted": 2, "added": 1,
            "trackings": [tracking("dhl", "SAME1", "pending")],
            "errors": [{"tracking_number": "SAME1", "carrier_code": "dhl", "code": 4016, "message": "Tracking already exists."}]}}),
        )
    });
    let client = client(&mock);
    let input = vec![
        CreateTrackingRequest::new("dhl", "SAME1"),
        CreateTrackingRequest::new("dhl", "same1"),
    ];
    let report = client.trackings().create_many(input).await;
    assert!(matches!(report.items[0].outcome, ItemOutcome::Created(_)));
    assert!(matches!(
        report.items[1].outcome,
        ItemOutcome::AlreadyExists
    ));
}

#[tokio::test(start_paused = true)]
async fn the_batch_size_is_configurable() {
    let (mock, sizes) = batch_server();
    let client = tm_core::v2::Client::builder()
        .api_key(KEY)
        .transport(mock.clone())
        .without_rate_limits()
        .batch_size(7)
        .build()
        .unwrap();
    client.trackings().create_many(items(20)).await;
    assert_eq!(*sizes.lock().unwrap(), [7, 7, 6]);
    assert!(
        tm_core::v2::Client::builder()
            .api_key(KEY)
            .transport(mock.clone())
            .batch_size(41)
            .build()
            .is_err()
    );
    assert!(
        tm_core::v2::Client::builder()
            .api_key(KEY)
            .transport(mock)
            .batch_size(0)
            .build()
            .is_err()
    );
}

#[tokio::test(start_paused = true)]
async fn delete_many_maps_per_item_results_and_a_resend_counts_4017_as_deleted() {
    // First call: one deleted, one unknown. Second call: reset on the first attempt, then the
    // resend reports both as missing — they were deleted by the lost attempt.
    let attempt = Arc::new(Mutex::new(0));
    let a = attempt.clone();
    let mock = MockTransport::from_fn(move |_req: &HttpRequest| {
        let mut n = a.lock().unwrap();
        *n += 1;
        match *n {
            1 => ok(json!({"submitted": 2, "delete": 1,
                "trackings": [{"meta": {"tracking_number": "A1", "carrier_code": "dhl", "code": 200}}],
                "errors": [{"tracking_number": "B1", "carrier_code": "dhl", "code": 4017, "message": "Tracking does not exist."}]})),
            2 => MockReply::error(InjectedError::Reset),
            _ => ok(json!({"submitted": 2, "delete": 0, "trackings": [],
                "errors": [{"tracking_number": "A2", "carrier_code": "dhl", "code": 4017, "message": "Tracking does not exist."},
                           {"tracking_number": "B2", "carrier_code": "dhl", "code": 4017, "message": "Tracking does not exist."}]})),
        }
    });
    let client = client(&mock);
    let first = client
        .trackings()
        .delete_many([TrackingRef::new("dhl", "A1"), TrackingRef::new("dhl", "B1")])
        .await;
    assert!(matches!(first.items[0].outcome, ItemOutcome::Applied));
    assert!(
        matches!(&first.items[1].outcome, ItemOutcome::Rejected { code: Some(c), .. } if c.code() == 4017)
    );
    let second = client
        .trackings()
        .delete_many([TrackingRef::new("dhl", "A2"), TrackingRef::new("dhl", "B2")])
        .await;
    assert_eq!(second.counts().applied, 2);
}

#[tokio::test(start_paused = true)]
async fn a_count_without_per_item_entries_confirms_the_whole_chunk() {
    let mock = MockTransport::from_fn(|_| ok(json!({"submitted": 3, "change": 3})));
    let client = client(&mock);
    let refs = ["A", "B", "C"].map(|n| TrackingRef::new("dhl", n));
    let report = client.trackings().stop_updating_many(refs).await;
    assert_eq!(report.counts().applied, 3);
}

#[tokio::test(start_paused = true)]
async fn update_many_refuses_empty_changes_locally() {
    let mock = MockTransport::from_fn(|req: &HttpRequest| {
        let items = body(req);
        let done: Vec<Value> = items.as_array().unwrap().iter().map(|i| json!({"tracking_number": i["tracking_number"], "carrier_code": i["carrier_code"]})).collect();
        ok(json!({"submitted": done.len(), "update": done.len(), "trackings": done}))
    });
    let client = client(&mock);
    let items = vec![
        UpdateMoreItem::new(
            TrackingRef::new("dhl", "A"),
            UpdateTrackingRequest::default().title("x"),
        ),
        UpdateMoreItem::new(
            TrackingRef::new("dhl", "B"),
            UpdateTrackingRequest::default(),
        ),
    ];
    let report = client.trackings().update_many(items).await;
    assert!(matches!(report.items[0].outcome, ItemOutcome::Applied));
    assert!(matches!(
        report.items[1].outcome,
        ItemOutcome::Invalid { .. }
    ));
    assert_eq!(body(&mock.requests()[0]).as_array().unwrap().len(), 1);
}
