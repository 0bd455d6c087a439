//! `tm --api v4`: every command where v4 has the concept, identifiers as `CARRIER NUMBER` or a
//! 32-hex id, v2-only commands refused with the v4 way (and the reverse), the sandbox's main
//! job in v4, and v4 webhook pushes verified by their secret.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use tm_sim::Simulator;

/// Runs `tm --api v4` against `sim`'s v4 routes.
async fn tm4(sim: &tm_sim::SimHandle, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "--api".to_owned(),
        "v4".to_owned(),
        "--api-key".to_owned(),
        KEY.to_owned(),
        "--base-url".to_owned(),
        sim.v4_base_url(),
    ];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    run(all, None).await
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_job_runs_in_v4_in_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tm.db");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/shipments.csv");
    let args = |extra: &[&str]| {
        let mut v: Vec<String> = ["--sandbox", "--state-db", state.to_str().unwrap()]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };
    let o = run(args(&["--api", "v4", "track", "--file", file]), None).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("now tracking 12 new shipment(s)"));
    assert!(stdout(&o).contains("CARRIER") && stdout(&o).contains("1Z999AA10123456784"));
    assert!(
        stdout(&o).contains(" ID"),
        "v4 addresses trackings by id: {}",
        stdout(&o)
    );
    // The same account through v2, and the environment variable picks the generation.
    let o = run(args(&["-o", "json", "list", "--limit", "50"]), None).await;
    assert_eq!(json(&o).as_array().map(Vec::len), Some(12));
    let mut cmd = tm_bin();
    cmd.env("TRACKINGMORE_API_VERSION", "v4").args(args(&[
        "-o",
        "json",
        "get",
        "ups",
        "1Z999AA10123456784",
    ]));
    let o = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        json(&o)[0]["courier_code"],
        "ups",
        "a v4 object: {}",
        stdout(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_and_carrier_numbers_address_the_same_tracking() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let o = tm4(
        &sim,
        &[
            "-o",
            "json",
            "create",
            "dhl",
            "1234567890",
            "--title",
            "Lamp",
        ],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let id = json(&o)[0]["id"].as_str().unwrap().to_owned();
    let by_id = json(&tm4(&sim, &["-o", "json", "get", &id]).await);
    let by_number = json(&tm4(&sim, &["-o", "json", "get", "dhl", "1234567890"]).await);
    assert_eq!(by_id, by_number);
    let o = tm4(
        &sim,
        &[
            "-o",
            "json",
            "update",
            "dhl",
            "1234567890",
            "--note",
            "fragile",
            "--archived",
            "true",
        ],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["note"], "fragile");
    assert_eq!(json(&o)["archived_status"], "archived");
    // Retracking a tracking that is not expired is the API's refusal (exit 1, 4113).
    let o = tm4(&sim, &["retrack", &id]).await;
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("4113"), "{}", stderr(&o));
    let o = tm4(&sim, &["-o", "json", "delete", &id]).await;
    assert_eq!(json(&o)["deleted"], true);
    let o = tm4(&sim, &["get", "dhl", "1234567890"]).await;
    assert_eq!(code(&o), 1, "not tracked any more: {}", stderr(&o));
    let o = tm4(&sim, &["get", "not-an-id"]).await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("32-hex id"));
    assert_no_key(&o);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_generation_names_the_other_way_for_what_it_lacks() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    for (args, hint) in [
        (vec!["realtime", "ups", "1Z999AA10123456784"], "create"),
        (vec!["account"], "stats"),
        (
            vec!["update", "ups", "1Z999AA10123456784", "--mark", "delivered"],
            "forced status",
        ),
        (vec!["list", "--orders", "#1"], "--orders"),
        (vec!["carriers", "--lang", "cn"], "--lang is v2's"),
    ] {
        let o = tm4(&sim, &args).await;
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(hint), "{args:?}: {}", stderr(&o));
    }
    for (args, hint) in [
        (vec!["retrack", "ups", "1Z999AA10123456784"], "--api v4"),
        (vec!["get", "9a71ac3628f63b843820bddbc9fb7e35"], "--api v4"),
        (
            vec!["update", "ups", "1Z999AA10123456784", "--note", "fragile"],
            "--comment",
        ),
    ] {
        let o = tm(&sim, &args).await;
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(hint), "{args:?}: {}", stderr(&o));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_tracking_to_another_carrier_is_one_command_in_both_generations() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    for (v4, number) in [(false, "1Z999AA10123456784"), (true, "1Z999AA10123456785")] {
        let run = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
            let sim = &sim;
            async move {
                let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                if v4 {
                    tm4(sim, &refs).await
                } else {
                    tm(sim, &refs).await
                }
            }
        };
        let o = run(&["create", "ups", number]).await;
        assert_eq!(code(&o), 0, "v4 {v4}: {}", stderr(&o));
        // `change-carrier` and `update --courier` are the same change.
        let o = run(&["change-carrier", number, "ups", "fedex"]).await;
        assert_eq!(code(&o), 0, "v4 {v4}: {}", stderr(&o));
        let o = run(&["update", "fedex", number, "--courier", "dhl"]).await;
        assert_eq!(code(&o), 0, "v4 {v4}: {}", stderr(&o));
        let o = run(&["-o", "json", "get", "dhl", number]).await;
        assert_eq!(code(&o), 0, "v4 {v4}: {}", stderr(&o));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_export_stats_watch_and_awb_in_v4() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    write(
        &csv,
        "tracking_number,carrier_code,title\nRR123456785CN,china-post,Mug\n1Z999AA10123456784,UPS,Shoes\nbad!,ups,x\n",
    );
    let o = tm4(&sim, &["-o", "json", "import", csv.to_str().unwrap()]).await;
    assert_eq!(code(&o), 1, "one row rejected: {}", stderr(&o));
    let summary = json(&o);
    assert_eq!(
        (summary["created"].as_u64(), summary["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    // A rerun resumes: nothing is created twice.
    let o = tm4(&sim, &["-o", "json", "import", csv.to_str().unwrap()]).await;
    assert_eq!(json(&o)["created"], 2, "{}", stdout(&o));
    assert_eq!(sim.tracking_count(), 2);
    let o = tm4(&sim, &["-o", "csv", "export"]).await;
    let text = stdout(&o);
    assert!(
        text.starts_with("carrier_code,tracking_number,id,status"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 3);
    sim.advance(Duration::from_secs(5 * 86_400));
    let o = tm4(&sim, &["-o", "json", "stats"]).await;
    assert_eq!(json(&o)["total"], 2);
    let o = tm4(&sim, &["watch", "--once", "--cursor", "v4-test"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().count(),
        2,
        "each tracking's first status: {}",
        stdout(&o)
    );
    let o = tm4(&sim, &["watch", "--once", "--cursor", "v4-test"]).await;
    assert_eq!(
        stdout(&o).lines().count(),
        0,
        "no change since: {}",
        stdout(&o)
    );
    let o = tm4(&sim, &["-o", "json", "awb", "235-69030430"]).await;
    assert_eq!(json(&o)["awb_number"], "235-69030430");
    let o = tm4(&sim, &["awb", "235-6903"]).await;
    assert_eq!(code(&o), 2, "refused before sending: {}", stderr(&o));
    let o = tm4(&sim, &["couriers", "--search", "deutsche"]).await;
    assert!(stdout(&o).contains("tracking_ship_date"), "{}", stdout(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_verify_checks_a_v4_push_by_its_secret() {
    let body = r#"{"code":200,"message":"Success","data":{"id":"9a71ac3628f63b843820bddbc9fb7e35","tracking_number":"9104223295","courier_code":"dhl","delivery_status":"delivered"}}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let signature = tm_sim::webhook_signature_v4(
        tm_sim::SignatureScheme::TimestampHex,
        "whsec",
        &now,
        body.as_bytes(),
    );
    let verify = |secret: &str| {
        vec![
            "webhook".to_owned(),
            "verify".to_owned(),
            "--secret".to_owned(),
            secret.to_owned(),
            "--timestamp".to_owned(),
            now.clone(),
            "--signature".to_owned(),
            signature.clone(),
        ]
    };
    let o = run(verify("whsec"), Some(body.as_bytes().to_vec())).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("dhl:9104223295 is delivered"),
        "{}",
        stdout(&o)
    );
    let o = run(verify("another"), Some(body.as_bytes().to_vec())).await;
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("signature"));
}
