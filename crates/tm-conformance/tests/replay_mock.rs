//! Runner A: every fixture through the mock transport on tokio's paused clock. The outcome
//! must match the fixture's expectation and the snapshot runner B shares.

use tm_conformance::{check, fixtures_dir, load_all, run_mock};

#[tokio::test(start_paused = true)]
async fn every_fixture_replays_through_the_mock_transport() {
    let fixtures = load_all(&fixtures_dir()).unwrap();
    assert!(!fixtures.is_empty(), "no fixtures found");
    let mut failures = Vec::new();
    for file in &fixtures {
        let outcome = match run_mock(&file.fixture, tm_conformance::REPLAY_KEY).await {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{}: {e}", file.relative));
                continue;
            }
        };
        if let Err(e) = check(&file.fixture, &outcome) {
            failures.push(format!("{}: {e}", file.relative));
            continue;
        }
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_json_snapshot!(file.snapshot_name(), outcome);
        });
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
    println!("runner A: {} fixtures", fixtures.len());
}
