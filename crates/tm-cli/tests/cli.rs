//! The `tm` commands end to end against a simulator on loopback: outputs (insta snapshots),
//! exit codes per error class, bad input files, and the key never printed. The longer
//! workflows are in `workflows.rs`.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use tm_sim::{Fault, FaultPlan, ScriptedFault, Simulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn track_creates_then_shows_a_status_table() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shipments.csv");
    write(
        &file,
        "tracking_number,carrier_code,order_id\nRR123456785CN,china-post,#1\n1Z999AA10123456784,ups,#2\n",
    );
    let o = tm(
        &sim,
        &["track", "dhl:1234567890", "--file", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("now tracking 3 new shipment(s)"));
    sim.advance(Duration::from_secs(3 * 86_400));
    let o = tm(
        &sim,
        &["track", "dhl:1234567890", "--file", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&o), 0);
    assert!(
        !stderr(&o).contains("now tracking"),
        "nothing new the second time"
    );
    insta::assert_snapshot!("track_table", stdout(&o));
    assert_no_key(&o);
    // A malformed argument is a usage error.
    let o = tm(&sim, &["track", "no-colon"]).await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("expected CARRIER:NUMBER"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_tracking_commands_and_their_outputs() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let o = tm(
        &sim,
        &[
            "create",
            "ups",
            "1Z999AA10123456784",
            "--title",
            "Shoes",
            "--destination",
            "US",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let created: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(created[0]["status"], "pending");
    let o = tm(&sim, &["create", "ups", "1Z999AA10123456784"]).await;
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("already tracked"));
    sim.advance(Duration::from_secs(4 * 86_400));
    let o = tm(&sim, &["get", "ups", "1Z999AA10123456784"]).await;
    insta::assert_snapshot!("get_table", stdout(&o));
    let o = tm(&sim, &["get", "ups", "1Z999AA10123456784", "-o", "json"]).await;
    let t: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(t[0]["carrier_code"], "ups");
    assert!(
        t[0].get("lastEvent").is_some(),
        "JSON keeps the API's field names"
    );
    let o = tm(
        &sim,
        &[
            "update",
            "ups",
            "1Z999AA10123456784",
            "--mark",
            "delivered",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = tm(&sim, &["list", "--status", "delivered", "-o", "csv"]).await;
    insta::assert_snapshot!("list_csv", stdout(&o));
    let o = tm(&sim, &["stats"]).await;
    insta::assert_snapshot!("stats_table", stdout(&o));
    let o = tm(
        &sim,
        &["realtime", "china-ems", "LS912989618CN", "-o", "jsonl"],
    )
    .await;
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o).lines().count(), 1);
    let o = tm(
        &sim,
        &["change-carrier", "1Z999AA10123456784", "ups", "fedex"],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = tm(&sim, &["delete", "fedex", "1Z999AA10123456784"]).await;
    assert_eq!(code(&o), 0);
    let o = tm(&sim, &["detect", "RR123456789CN"]).await;
    insta::assert_snapshot!("detect_table", stdout(&o));
    let o = tm(&sim, &["carriers", "--search", "royal", "-o", "csv"]).await;
    insta::assert_snapshot!("carriers_csv", stdout(&o));
    let o = tm(&sim, &["account", "-o", "json"]).await;
    let a: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(a["track_number"].as_u64().is_some());
    let o = tm(&sim, &["update", "ups", "X"]).await;
    assert_eq!(code(&o), 2, "nothing to change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_per_error_class() {
    // 2: no key.
    let o = run(vec!["carriers".into()], None).await;
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no API key") && stderr(&o).contains("--sandbox"),
        "{}",
        stderr(&o)
    );
    // 2: a bad flag value; a malformed key.
    let o = run(
        vec!["--api-key".into(), "bad key".into(), "carriers".into()],
        None,
    )
    .await;
    assert_eq!(code(&o), 2);
    // 1: the API refuses (not created yet).
    let sim = start(Simulator::builder().rate_limits(false).quota(1)).await;
    let o = tm(&sim, &["get", "dhl", "NOPE12345"]).await;
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("4031"), "{}", stderr(&o));
    // The error as JSON with --output json.
    let o = tm(&sim, &["get", "dhl", "NOPE12345", "-o", "json"]).await;
    let err: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(err["error"]["code"], 4031);
    assert_eq!(err["error"]["exit_code"], 1);
    // 4: quota used up.
    assert_eq!(code(&tm(&sim, &["create", "dhl", "1234567890"]).await), 0);
    let o = tm(&sim, &["create", "dhl", "1234567891"]).await;
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    // 4: rate limited beyond the wait the client accepts.
    sim.set_faults(FaultPlan {
        script: [ScriptedFault {
            path: None,
            fault: Fault::Http429 {
                retry_after: Some(9999),
            },
        }]
        .into(),
        ..FaultPlan::default()
    });
    let o = tm(&sim, &["account"]).await;
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("rate limited"));
    // 3: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = run(
        vec![
            "--api-key".into(),
            KEY.into(),
            "--base-url".into(),
            format!("http://127.0.0.1:{port}/v2"),
            "--max-retries".into(),
            "0".into(),
            "carriers".into(),
        ],
        None,
    )
    .await;
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_no_key(&o);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_never_printed_even_when_refused_and_verbose() {
    let sim = start(
        Simulator::builder()
            .rate_limits(false)
            .api_keys(["another-key"]),
    )
    .await;
    let o = tm(&sim, &["-vvv", "carriers"]).await;
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("4001"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("trackings") || stderr(&o).contains("v2.carriers.list"),
        "verbose logging ran"
    );
    assert_no_key(&o);
    let o = tm(&sim, &["-vvv", "-o", "json", "get", "dhl", "1234567890"]).await;
    assert_no_key(&o);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shipments_csv_with_a_bad_header_or_cell_names_it() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "tracking_number,carrier_code,colour\nRN123456789CN,china-post,red\n",
            "unknown column `colour`, expected one of `tracking_number`, `carrier_code`",
        ),
        (
            "tracking_number,title\nRN123456789CN,Mug\n",
            "missing column `carrier_code`",
        ),
        (
            "\u{feff}Tracking_Number,Carrier_Code,auto_correct\nRN123456789CN,china-post,yes\n",
            "row 1: column `auto_correct`",
        ),
    ];
    for (i, (csv, message)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("{i}.csv"));
        write(&file, csv);
        let o = tm(&sim, &["import", file.to_str().unwrap()]).await;
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
    }
    assert_eq!(
        sim.tracking_count(),
        0,
        "nothing is sent from a file that does not read"
    );
}
