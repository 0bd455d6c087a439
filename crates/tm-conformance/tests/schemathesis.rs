//! Check 3 of the descriptions: an outside property-based fuzzer, Schemathesis (PyPI
//! `schemathesis`), generates requests from `openapi/trackingmore-{v2,v4}.yaml` as tm-sim
//! serves them and holds every answer to three of its checks: no server error, a status the
//! description lists, a body that validates against the description. Neither the fuzzer nor
//! the descriptions share code with the simulator, so each catches the other's mistakes.
//!
//! `.ci/run` installs Schemathesis into its virtualenv and points `TM_SCHEMATHESIS` at it.
//! Without it the test looks for `schemathesis` on `PATH`; it skips with a message only where
//! it could not be installed (`TM_SCHEMATHESIS_SKIP` says why, set by `.ci/run`) or, outside
//! CI, where none is found. Runs are bounded in examples and seeded, so CI time stays flat.

use std::process::{Command, Output};

use serde_json::{Value, json};
use tm_sim::{FaultPlan, SimHandle, Simulator};

/// The `schemathesis` executable, or why there is none.
fn schemathesis() -> Result<String, String> {
    if let Ok(p) = std::env::var("TM_SCHEMATHESIS") {
        return Ok(p);
    }
    if let Ok(why) = std::env::var("TM_SCHEMATHESIS_SKIP") {
        return Err(why);
    }
    let on_path = Command::new("schemathesis")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return Ok("schemathesis".into());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install Schemathesis (TM_SCHEMATHESIS) or say why it could not \
         (TM_SCHEMATHESIS_SKIP)"
    );
    Err("no schemathesis on PATH (pip install schemathesis)".into())
}

/// The checks the issue names: server errors, status codes, response schemas.
const CHECKS: &str = "not_a_server_error,status_code_conformance,response_schema_conformance";

/// Runs Schemathesis on the generation's document as `sim` serves it, with `key` in the
/// generation's key header; `max_examples` bounds each operation.
async fn run(exe: &str, sim: &SimHandle, generation: &str, max_examples: u32) -> Output {
    let header = if generation == "v2" {
        "Trackingmore-Api-Key: schemathesis-key"
    } else {
        "Tracking-Api-Key: schemathesis-key"
    };
    let location = format!("{}/openapi/{generation}.json", sim.admin_url());
    let base = format!("http://{}/{generation}", sim.addr());
    let dir = tempfile::tempdir().expect("a scratch directory");
    let mut cmd = Command::new(exe);
    cmd.args(["run", &location, "--url", &base, "--checks", CHECKS])
        .args(["--max-examples", &max_examples.to_string(), "--seed", "7"])
        .args(["--header", header, "--workers", "2"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--warnings", "off", "--no-color"])
        // Its example database and reports stay out of the repository.
        .current_dir(dir.path())
        .env("NO_COLOR", "1");
    tokio::task::spawn_blocking(move || {
        let out = cmd.output();
        drop(dir);
        out
    })
    .await
    .expect("the fuzzer's thread")
    .expect("schemathesis runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A simulator with limits off (the fuzzer sends far more than 3 a second) and a few v4
/// trackings, so that gets and lists answer with real trackings rather than empty pages.
async fn simulator() -> SimHandle {
    let sim = Simulator::builder()
        .rate_limits(false)
        .api_keys(["schemathesis-key"])
        .start()
        .await
        .expect("the simulator starts");
    let http = reqwest::Client::new();
    for (courier, number) in [("usps", "9400111899223197428490"), ("dhl", "1234567890")] {
        let r = http
            .post(format!("{}/trackings/create", sim.v4_base_url()))
            .header("Tracking-Api-Key", "schemathesis-key")
            .header("Content-Type", "application/json")
            .body(json!({"tracking_number": number, "courier_code": courier}).to_string())
            .send()
            .await
            .expect("create reaches the simulator");
        let body: Value =
            serde_json::from_slice(&r.bytes().await.expect("an answer")).expect("a JSON answer");
        assert_eq!(body["meta"]["code"], 200, "{body}");
    }
    sim
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_against_either_generation_and_catches_a_misspelt_key() {
    let exe = match schemathesis() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipping: {why}");
            return;
        }
    };
    let sim = simulator().await;
    for generation in ["v2", "v4"] {
        let out = run(&exe, &sim, generation, 25).await;
        assert!(
            out.status.success(),
            "schemathesis found problems in {generation}:\n{}",
            text(&out)
        );
        // The summary (operations, test cases generated) goes to the test's output.
        let report = text(&out);
        for line in report
            .lines()
            .filter(|l| l.contains("test cases") || l.contains("passed"))
        {
            eprintln!("{generation}: {}", line.trim());
        }
    }

    // The same run with every `tracking_number` key misspelt in the simulator's answers must
    // fail on the response schema: the fuzzer is not vacuous.
    let plan: FaultPlan = serde_json::from_value(json!({
        "probability": 1.0,
        "random": [{"kind": "rename_key", "from": "tracking_number", "to": "trackingnumber"}]
    }))
    .expect("a fault plan");
    sim.set_faults(plan);
    let out = run(&exe, &sim, "v4", 5).await;
    let report = text(&out);
    assert!(
        !out.status.success(),
        "a misspelt tracking_number passed:\n{report}"
    );
    assert!(
        report.contains("Response violates schema") && report.contains("tracking_number"),
        "the failure names the schema and the key:\n{report}"
    );
    sim.set_faults(FaultPlan::default());
}
