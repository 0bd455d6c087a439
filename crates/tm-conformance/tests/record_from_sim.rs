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
            "carriers.detect",
            json!({"tracking_number": "RR123456789CN"}),
        ),
        (
            "trackings.create",
            json!({"tracking_number": "RR123456789CN", "carrier_code": "china-post", "title": "Mug"}),
        ),
        (
            "trackings.create",
            json!({"tracking_number": "RR123456789CN", "carrier_code": "china-post"}),
        ),
        (
            "trackings.get",
            json!({"carrier_code": "china-post", "tracking_number": "RR123456789CN"}),
        ),
        (
            "trackings.get",
            json!({"carrier_code": "dhl", "tracking_number": "1234567890"}),
        ),
        ("trackings.list", json!({"limit": 10})),
    ];
    for (i, (op, input)) in cases.into_iter().enumerate() {
        let f = record(
            &sim.base_url(),
            key,
            &format!("recorded/{i}"),
            "Recorded from tm-sim.",
            op,
            input,
        )
        .await
        .unwrap();
        let text = serde_json::to_string(&f).unwrap();
        assert!(!text.contains(key));
        assert!(text.contains("<API_KEY>"));
        assert!(f.attempts >= 1);
        let replayed = run_mock(&f, "another-key").await.unwrap();
        check(&f, &replayed).unwrap_or_else(|e| panic!("{op}: {e}"));
    }
}

/// xtask validates fixtures without depending on this crate (it stays light), so it keeps its
/// own copy of the operation list: the two must not drift apart.
#[test]
fn xtask_knows_the_same_operations() {
    let xtask = include_str!("../../../xtask/src/fixtures.rs");
    let start = xtask.find("const OPERATIONS").unwrap();
    let list = &xtask[start..start + xtask[start..].find("];").unwrap()];
    let theirs: Vec<&str> = list.split('"').skip(1).step_by(2).collect();
    assert_eq!(theirs, tm_conformance::OPERATIONS);
}
