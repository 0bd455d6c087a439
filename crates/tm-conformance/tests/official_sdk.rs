//! An outside referee: TrackingMore's official v4 Python SDK, installed from PyPI, runs its
//! documented calls against tm-sim with only its base URL changed (`tests/sdk/python_v4.py`).
//! The simulator must answer what the SDK sends — unencoded `+` in dates, `//awb`, a
//! Content-Type on GET and DELETE — and the SDK must find the shapes it reads.
//!
//! `.ci/run` installs the SDK into a virtualenv and points `TM_SDK_PYTHON` at its interpreter.
//! Without it the test looks for a `python3` that can `import trackingmore`; it skips with a
//! message only where the SDK could not be installed (`TM_SDK_SKIP` says why, set by `.ci/run`
//! when PyPI is unreachable) or, outside CI, where no interpreter has it.

use std::process::Command;

use serde_json::Value;
use tm_sim::{ClockMode, Simulator};

/// The interpreter that has the SDK, or why there is none.
fn python() -> Result<String, String> {
    if let Ok(p) = std::env::var("TM_SDK_PYTHON") {
        return Ok(p);
    }
    if let Ok(why) = std::env::var("TM_SDK_SKIP") {
        return Err(why);
    }
    let has_sdk = Command::new("python3")
        .args(["-c", "import trackingmore, requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    if has_sdk {
        return Ok("python3".into());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install the official SDK (TM_SDK_PYTHON) or say why it could not (TM_SDK_SKIP)"
    );
    Err("no python3 with trackingmore-sdk-python (pip install trackingmore-sdk-python)".into())
}

fn code(v: &Value) -> u64 {
    v["meta"]["code"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_v4_python_sdk_runs_its_documented_calls_against_the_simulator() {
    let python = match python() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipping: {why}");
            return;
        }
    };
    let sim = Simulator::builder()
        .clock(ClockMode::Manual)
        .start_time(1_709_251_200)
        .rate_limits(false)
        .start()
        .await
        .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/python_v4.py");
    let host = sim.addr().to_string();
    let admin = sim.admin_url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python).args([script, &host, &admin]).output()
    })
    .await
    .unwrap()
    .expect("python runs");
    assert!(
        out.status.success(),
        "the SDK script failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(code(&r["couriers"]), 200);
    assert!(r["couriers"]["data"].as_array().unwrap().len() > 600);
    assert_eq!(r["detect"]["data"][0]["courier_code"], "usps");
    assert_eq!(code(&r["detect_none"]), 4121);
    assert_eq!(code(&r["create"]), 200);
    assert_eq!(r["create"]["data"]["note"], "tests Order");
    assert_eq!(r["create"]["data"]["id"].as_str().map(str::len), Some(32));
    assert_eq!(code(&r["create_again"]), 4101);
    assert_eq!(r["create_again"]["data"]["id"], r["create"]["data"]["id"]);
    assert_eq!(code(&r["create_bad_courier"]), 4120);
    assert_eq!(code(&r["batch"]), 200);
    assert_eq!(r["batch"]["data"]["success"].as_array().unwrap().len(), 2);
    assert_eq!(
        r["get"]["data"].as_array().unwrap().len(),
        2,
        "{}",
        r["get"]
    );
    assert!(
        r["get_dates"]["data"].as_array().unwrap().len() >= 3,
        "the unencoded +00:00 is read as an offset: {}",
        r["get_dates"]["meta"]
    );
    assert_eq!(r["update"]["data"]["customer_name"], "New name");
    assert_eq!(code(&r["update_bad_id"]), 4112);
    assert_eq!(code(&r["retrack_too_early"]), 4113);
    assert_eq!(code(&r["awb"]), 200, "//awb is served: {}", r["awb"]);
    assert_eq!(r["awb"]["data"]["awb_number"], "235-69030430");
    assert_eq!(code(&r["awb_unknown_airline"]), 4161);
    assert!(
        r["expired_count"].as_u64().unwrap() > 0,
        "some journeys expire"
    );
    assert_eq!(code(&r["retrack"]), 200);
    assert_eq!(r["retrack"]["data"]["delivery_status"], "pending");
    assert_eq!(code(&r["delete"]), 200);
    assert_eq!(r["delete"]["data"]["id"], r["create"]["data"]["id"]);
    assert_eq!(code(&r["delete_again"]), 4112);
}
