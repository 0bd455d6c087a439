//! The `tm` binary end to end against a simulator on loopback: outputs (insta snapshots), exit
//! codes per error class, import resumption, watch, webhooks, the sandbox, and the key never
//! printed.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tm_sim::{ClockMode, Fault, FaultPlan, ScriptedFault, SimHandle, Simulator};

/// A realistic-looking key that must never be printed.
const KEY: &str = "tm-cli-6f1d2c9a8b7e4d3c";
/// 2024-03-01T00:00:00Z
const T0: i64 = 1_709_251_200;

async fn start(b: tm_sim::SimulatorBuilder) -> SimHandle {
    b.clock(ClockMode::Manual)
        .start_time(T0)
        .seed(11)
        .start()
        .await
        .unwrap()
}

fn tm_bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("tm"));
    c.env_remove("TRACKINGMORE_API_KEY")
        .env_remove("TRACKINGMORE_BASE_URL");
    c
}

/// Runs `tm` against `sim` (from a blocking thread: the simulator lives on this runtime).
async fn tm(sim: &SimHandle, args: &[&str]) -> Output {
    let mut all = vec![
        "--api-key".to_owned(),
        KEY.to_owned(),
        "--base-url".to_owned(),
        sim.base_url(),
    ];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    run(all, None).await
}

async fn run(args: Vec<String>, stdin: Option<Vec<u8>>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = tm_bin();
        cmd.args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(&input).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn assert_no_key(o: &Output) {
    assert!(
        !stdout(o).contains(KEY) && !stderr(o).contains(KEY),
        "the key was printed"
    );
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

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
async fn import_resumes_after_an_interruption_with_nothing_lost_or_duplicated() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.csv");
    let mut csv = String::from("tracking_number,carrier_code,order_id,customer_email\n");
    for i in 0..100 {
        let number = match i {
            13 => "bad/number".to_owned(),
            57 => String::new(),
            _ => format!("1Z999AA1{i:010}"),
        };
        csv.push_str(&format!("{number},ups,#{i},c{i}@example.com\n"));
    }
    write(&file, &csv);
    // The third batch call and its retry fail: the run stops there.
    sim.set_faults(FaultPlan {
        script: (0..4)
            .map(|i| ScriptedFault {
                path: Some("/trackings/batch".into()),
                fault: if i < 2 {
                    Fault::Delay { ms: 0 }
                } else {
                    Fault::Http500
                },
            })
            .collect(),
        ..FaultPlan::default()
    });
    let args = ["--max-retries", "1", "import", file.to_str().unwrap()];
    let o = tm(&sim, &args).await;
    assert_eq!(
        code(&o),
        3,
        "a server failure stops the import: {}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("not done yet"), "{}", stdout(&o));
    let journal = std::fs::read_to_string(dir.path().join("orders.csv.journal")).unwrap();
    // Two batches of 40 valid rows (the empty number is refused before sending, in the first).
    assert_eq!(journal.lines().count(), 80);
    assert_eq!(sim.tracking_count(), 78, "row 13 was rejected by the API");
    // A crash mid-write leaves a torn line: the rerun tolerates it.
    std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("orders.csv.journal"))
        .unwrap()
        .write_all(b"{\"row\":99,\"carr")
        .unwrap();
    let o = tm(&sim, &args).await;
    assert_eq!(code(&o), 1, "rows were rejected: {}", stderr(&o));
    assert!(
        stderr(&o).contains("resuming: 80 of 100 rows already done"),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!(
        "import_summary",
        stdout(&o).replace(dir.path().to_str().unwrap(), "<dir>")
    );
    assert_eq!(
        sim.tracking_count(),
        98,
        "every valid row created exactly once"
    );
    let rejected = std::fs::read_to_string(dir.path().join("orders.csv.rejected.csv")).unwrap();
    assert_eq!(rejected.lines().count(), 3, "{rejected}");
    assert!(rejected.contains("bad/number") && rejected.contains("4014"));
    // A third run sends nothing.
    let batches = sim
        .stats()
        .by_route
        .get("trackings/batch")
        .copied()
        .unwrap_or(0);
    let o = tm(&sim, &["import", file.to_str().unwrap(), "-o", "json"]).await;
    let summary: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (summary["created"].as_u64(), summary["rejected"].as_u64()),
        (Some(98), Some(2))
    );
    assert_eq!(
        sim.stats()
            .by_route
            .get("trackings/batch")
            .copied()
            .unwrap_or(0),
        batches
    );
    // A file without the required columns is a usage error.
    write(&file, "number,carrier\nX,ups\n");
    assert_eq!(
        code(&tm(&sim, &["import", file.to_str().unwrap()]).await),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_watch() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.csv");
    let mut csv = String::from("tracking_number,carrier_code\n");
    for i in 0..30 {
        csv.push_str(&format!("{:010},dhl\n", 4_000_000_000u64 + i));
    }
    write(&file, &csv);
    assert_eq!(
        code(&tm(&sim, &["import", file.to_str().unwrap()]).await),
        0
    );
    let out = dir.path().join("all.csv");
    let o = tm(&sim, &["export", "--out", out.to_str().unwrap()]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 31);
    let o = tm(&sim, &["export", "-o", "jsonl"]).await;
    assert_eq!(stdout(&o).lines().count(), 30);
    let cursor = dir.path().join("cursor.json");
    let watch = ["watch", "--once", "--cursor", cursor.to_str().unwrap()];
    let o = tm(&sim, &watch).await;
    assert_eq!(
        stdout(&o).lines().count(),
        30,
        "every tracking is new the first time"
    );
    let o = tm(&sim, &watch).await;
    assert_eq!(stdout(&o).lines().count(), 0, "no change, nothing printed");
    sim.advance(Duration::from_secs(2 * 86_400));
    let o = tm(&sim, &[&watch[..], &["-o", "jsonl"]].concat()).await;
    let changes: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!changes.is_empty());
    assert!(
        changes
            .iter()
            .all(|c| c["from"] != c["to"] && c["from"].is_string())
    );
}

fn signed_body(email: &str, time: i64) -> String {
    let sig = tm_core::webhook::signature(email, &time.to_string());
    json!({"meta": {"code": 200, "type": "Success", "message": "Success"},
           "data": {"tracking_number": "RR123456785CN", "carrier_code": "china-post", "status": "delivered"},
           "verifyInfo": {"timeStr": time, "signature": sig}})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_verify_and_listen() {
    let email = "hooks@shop.example";
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let good = signed_body(email, now);
    let o = run(
        vec![
            "webhook".into(),
            "verify".into(),
            "--email".into(),
            email.into(),
        ],
        Some(good.clone().into_bytes()),
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("verified: china-post:RR123456785CN is delivered"));
    let bad = good
        .replace("\"delivered\"", "\"exception\"")
        .replace(&now.to_string(), &(now + 1).to_string());
    let o = run(
        vec![
            "webhook".into(),
            "verify".into(),
            "--email".into(),
            email.into(),
        ],
        Some(bad.into_bytes()),
    )
    .await;
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("signature"));
    let old = signed_body(email, now - 7200);
    let o = run(
        vec![
            "webhook".into(),
            "verify".into(),
            "--email".into(),
            email.into(),
            "--max-age".into(),
            "600".into(),
        ],
        Some(old.clone().into_bytes()),
    )
    .await;
    assert_eq!(code(&o), 1, "too old");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tm_bin()
        .args([
            "webhook",
            "listen",
            "--port",
            &port.to_string(),
            "--email",
            email,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/hooks/trackingmore");
    let mut ready = false;
    for _ in 0..100 {
        if http.get(&url).send().await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the listener came up");
    let post = |body: String, ct: &'static str| {
        http.post(&url).header("content-type", ct).body(body).send()
    };
    assert_eq!(
        post(good.clone(), "application/json")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        post(signed_body("other@x.example", now), "application/json")
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        post(old, "application/json").await.unwrap().status(),
        401,
        "replayed old body"
    );
    assert_eq!(
        post("{}".into(), "application/json")
            .await
            .unwrap()
            .status(),
        401,
        "no signature"
    );
    assert_eq!(
        post(good.clone(), "text/plain").await.unwrap().status(),
        415
    );
    assert_eq!(
        post("x".repeat(2 * 1024 * 1024), "application/json")
            .await
            .unwrap()
            .status(),
        413
    );
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let printed: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(
        printed.len(),
        1,
        "only the verified webhook is printed: {printed:?}"
    );
    assert!(printed[0].contains("\"verified\":true"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_keeps_state_between_runs_and_resets() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox.json");
    let sb = |args: &[&str]| {
        let mut all = vec![
            "--sandbox".to_owned(),
            "--sandbox-state".to_owned(),
            state.to_str().unwrap().to_owned(),
        ];
        all.extend(args.iter().map(|s| (*s).to_owned()));
        run(all, None)
    };
    let o = sb(&["track", "dhl:1234567890", "ups:1Z999AA10123456784"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("now tracking 2 new"));
    assert!(state.exists());
    let o = sb(&["list", "-o", "jsonl"]).await;
    assert_eq!(
        stdout(&o).lines().count(),
        2,
        "the second run sees the first run's shipments"
    );
    let o = sb(&["reset"]).await;
    assert_eq!(code(&o), 0);
    let o = sb(&["list", "-o", "jsonl"]).await;
    assert_eq!(stdout(&o).lines().count(), 0);
    let o = run(vec!["reset".into()], None).await;
    assert_eq!(code(&o), 2, "reset is for the sandbox only");
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
        stderr(&o).contains("trackings") || stderr(&o).contains("carriers.list"),
        "verbose logging ran"
    );
    assert_no_key(&o);
    let o = tm(&sim, &["-vvv", "-o", "json", "get", "dhl", "1234567890"]).await;
    assert_no_key(&o);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_serves_until_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let faults = dir.path().join("faults.json");
    write(
        &faults,
        r#"{"script": [{"path": "/carriers", "kind": "http503"}]}"#,
    );
    let mut child = tm_bin()
        .args([
            "sim",
            "--port",
            "0",
            "--manual-clock",
            "--limit",
            "list=none",
            "--limit",
            "default=1000",
        ])
        .args(["--faults", faults.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/v2"),
        "{base}"
    );
    let http = reqwest::Client::new();
    let first = http
        .get(format!("{base}/carriers"))
        .header("Trackingmore-Api-Key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 503, "the scripted fault comes first");
    for _ in 0..3 {
        let r = http
            .get(format!("{base}/trackings/get"))
            .header("Trackingmore-Api-Key", "k")
            .send()
            .await
            .unwrap();
        let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(v["meta"]["code"], 200, "the list limit was removed");
    }
    let r = reqwest::Client::new()
        .get(format!("{base}/carriers"))
        .header("Trackingmore-Api-Key", "k")
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(v["data"].as_array().unwrap().len(), 628);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_url_shares_the_limits_through_redis() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let o = tm(&sim, &["--redis-url", "http://not-redis", "carriers"]).await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--redis-url"));
    // With a real Redis (installed by .ci/run; skipped elsewhere without one).
    let Some(server) = tm_redis::testing::TestRedis::start() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide redis-server"
        );
        eprintln!("skipping the Redis half: no redis-server");
        return;
    };
    let port = server.port();
    let url = format!("redis://127.0.0.1:{port}");
    let o = tm(
        &sim,
        &[
            "--redis-url",
            &url,
            "track",
            "dhl:1234567890",
            "ups:1Z999AA10123456784",
        ],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let keys = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "KEYS", "tm:rl:*"])
        .output();
    if let Ok(keys) = keys {
        let keys = String::from_utf8_lossy(&keys.stdout).into_owned();
        assert!(
            keys.contains("tm:rl:") && keys.contains(":default"),
            "{keys}"
        );
        assert!(!keys.contains(KEY), "the key is hashed");
    }
    drop(server);
}
