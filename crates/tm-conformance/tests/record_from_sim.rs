//! The recorder against a simulator: a recorded exchange holds no key and replays through the
//! mock runner to the same outcome.

use serde_json::json;
use tm_conformance::{check, record, run_mock};
use tm_sim::{ClockMode, Simulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_fixtures_replay_to_the_same_outcome() {
    let sim = Simulator::builder()
        .clock(ClockMode::Manual)
        .start_time(1_709_251_200)
        .rate_limits(false)
        .start()
        .await
        .unwrap();
    let key = "rec-0123456789abcdef";
    let cases = [
        (
            "v2.carriers.detect",
            json!({"tracking_number": "RR123456789CN"}),
        ),
        (
            "v2.trackings.create",
            json!({"tracking_number": "RR123456789CN", "carrier_code": "china-post", "title": "Mug"}),
        ),
        (
            "v2.trackings.create",
            json!({"tracking_number": "RR123456789CN", "carrier_code": "china-post"}),
        ),
        (
            "v2.trackings.get",
            json!({"carrier_code": "china-post", "tracking_number": "RR123456789CN"}),
        ),
        (
            "v2.trackings.get",
            json!({"carrier_code": "dhl", "tracking_number": "1234567890"}),
        ),
        ("v2.trackings.list", json!({"limit": 10})),
    ];
    for (i, (op, input)) in cases.into_iter().enumerate() {
        let name = format!("recorded/{i}");
        let what = tm_conformance::Recording {
            key,
            name: &name,
            docs: "Recorded from tm-sim.",
            operation: op,
            input,
        };
        let f = record(&sim.base_url(), what).await.unwrap();
        let text = serde_json::to_string(&f).unwrap();
        assert!(!text.contains(key));
        assert!(text.contains("<API_KEY>"));
        assert!(f.expected_attempts() >= 1);
        let replayed = run_mock(&f, "another-key").await.unwrap();
        check(&f, &replayed).unwrap_or_else(|e| panic!("{op}: {e}"));
    }
}

/// What `RecordingTransport` writes into a directory replays in the conformance runners as it
/// is: the recorded file names the operation, and its input is read back from the request.
#[tokio::test(start_paused = true)]
async fn files_written_by_the_recording_transport_replay_unchanged() {
    use tm_core::transport::{MockReply, MockTransport, RecordingTransport};
    let dir = tempfile::tempdir().unwrap();
    let key = "rec-0123456789abcdef";
    let envelope = |data: serde_json::Value| {
        MockReply::json(
            200,
            json!({"meta": {"code": 200, "type": "Success", "message": "Success"}, "data": data}),
        )
    };
    let server = MockTransport::from_fn(move |req| match (req.method, req.path.as_str()) {
        (tm_core::transport::Method::Post, "/trackings/batch") => MockReply::json(
            200,
            json!({"meta": {"code": 201, "type": "Created", "message": "ok"},
                   "data": {"submitted": 1, "added": 1, "errors": [],
                            "trackings": [{"tracking_number": "RN1", "carrier_code": "dhl"}]}}),
        ),
        (tm_core::transport::Method::Put, _) => {
            envelope(json!({"tracking_number": "RN1", "carrier_code": "dhl", "title": "Mug"}))
        }
        (tm_core::transport::Method::Delete, _) => MockReply::json(
            200,
            json!({"meta": {"code": 4017, "type": "Bad Request", "message": "Tracking does not exist."}, "data": []}),
        ),
        (_, "/trackings/get") => {
            envelope(json!({"page": 1, "limit": 10, "total": "0", "items": []}))
        }
        (_, "/carriers") => envelope(json!([{"code": "dhl", "name": "DHL"}])),
        _ => envelope(json!({"tracking_number": "RN1", "carrier_code": "dhl"})),
    });
    let recorder = RecordingTransport::new(server)
        .with_dir(dir.path())
        .with_path_prefix(tm_conformance::V2_PREFIX)
        .with_request_headers(&["content-type", "lang"]);
    let client = tm_core::v2::Client::builder()
        .api_key(key)
        .transport(recorder)
        .without_rate_limits()
        .build()
        .unwrap();
    use tm_core::types::v2::*;
    let t = client.trackings();
    t.create_batch(&[CreateTrackingRequest::new("dhl", "RN1").title("Mug")])
        .await
        .unwrap();
    t.get("dhl", "RN1").await.unwrap();
    t.get_in_language("dhl", "RN 1", "en").await.unwrap();
    t.update("dhl", "RN1", UpdateTrackingRequest::default().title("Mug"))
        .await
        .unwrap();
    assert!(t.delete("dhl", "RN1").await.unwrap_err().is_not_found());
    t.list(
        &ListTrackingsRequest::default()
            .limit(10)
            .status(TrackingStatus::Transit),
    )
    .await
    .unwrap();
    client.carriers().list_in_language("cn").await.unwrap();

    let files = tm_conformance::load_all(dir.path()).unwrap();
    assert_eq!(files.len(), 7, "one file per exchange");
    for file in &files {
        let text = std::fs::read_to_string(dir.path().join(&file.relative)).unwrap();
        assert!(
            !text.contains(key),
            "{}: the key is scrubbed",
            file.relative
        );
        assert!(file.fixture.is_recording());
        let outcome = run_mock(&file.fixture, "another-key")
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", file.relative));
        check(&file.fixture, &outcome).unwrap();
        assert_eq!(outcome.requests.len(), 1);
    }
    let names: Vec<&str> = files.iter().map(|f| f.fixture.operation.as_str()).collect();
    assert_eq!(
        names,
        [
            "v2.trackings.create_batch",
            "v2.trackings.get",
            "v2.trackings.get",
            "v2.trackings.update",
            "v2.trackings.delete",
            "v2.trackings.list",
            "v2.carriers.list"
        ]
    );
    // The replayed calls read their input back from the recorded request.
    let get = &files[2].fixture;
    let input = tm_conformance::fixture_input(get, get.call().unwrap()).unwrap();
    assert_eq!(
        input,
        json!({"carrier_code": "dhl", "tracking_number": "RN 1", "lang": "en"})
    );
}
