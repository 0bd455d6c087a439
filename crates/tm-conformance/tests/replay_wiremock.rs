//! Runner B: every fixture through reqwest against wiremock on loopback, checked against the
//! same expectation and the same snapshot as runner A: the two backends must agree.

use tm_conformance::{check, fixtures_dir, load_all, run_wiremock};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_replays_through_reqwest_and_wiremock() {
    let fixtures = load_all(&fixtures_dir()).unwrap();
    assert!(!fixtures.is_empty(), "no fixtures found");
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for file in &fixtures {
        if !file.runs_on_wiremock() {
            skipped.push(file.relative.clone());
            continue;
        }
        let outcome = match run_wiremock(&file.fixture).await {
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
    println!(
        "runner B: {} fixtures, {} mock-only: {skipped:?}",
        fixtures.len() - skipped.len(),
        skipped.len()
    );
}
