//! Runner A: every fixture through the mock transport on tokio's paused clock. The outcome
//! must match the fixture's expectation and the snapshot runner B shares.

use tm_conformance::{REPLAY_KEY, fixtures_dir, load_all, replay_all, run_mock};

#[tokio::test(start_paused = true)]
async fn every_fixture_replays_through_the_mock_transport() {
    let fixtures = load_all(&fixtures_dir()).unwrap();
    assert!(!fixtures.is_empty(), "no fixtures found");
    let failures = replay_all(
        &fixtures,
        |f| async move { run_mock(&f, REPLAY_KEY).await },
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
    println!("runner A: {} fixtures", fixtures.len());
}
