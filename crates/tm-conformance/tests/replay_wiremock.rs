//! Runner B: every fixture through reqwest against wiremock on loopback, checked against the
//! same expectation and the same snapshot as runner A: the two backends must agree.

use tm_conformance::{fixtures_dir, load_all, replay_all, run_wiremock};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_replays_through_reqwest_and_wiremock() {
    let all = load_all(&fixtures_dir()).unwrap();
    assert!(!all.is_empty(), "no fixtures found");
    // Injected connect errors and resets have no wiremock equivalent: those run on A only.
    let (fixtures, mock_only): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|f| f.runs_on_wiremock());
    let failures = replay_all(
        &fixtures,
        |f| async move { run_wiremock(&f).await },
        |file, outcome| {
            insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
                insta::assert_json_snapshot!(file.snapshot_name(), outcome);
            });
        },
    )
    .await;
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
    let skipped: Vec<&str> = mock_only.iter().map(|f| f.relative.as_str()).collect();
    println!(
        "runner B: {} fixtures, {} mock-only: {skipped:?}",
        fixtures.len(),
        skipped.len()
    );
}
