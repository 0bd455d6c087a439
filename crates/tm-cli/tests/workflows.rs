//! The `tm` workflows end to end: import resumption, export and watch, webhooks, the sandbox,
//! `tm sim`, and limits shared through Redis.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use tm_sim::{Fault, FaultPlan, ScriptedFault, Simulator};

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
    assert_eq!(sim.tracking_count(), 78, "row 13 was rejected by the API");
    // The journal is in the state database: nothing is written beside the CSV but the
    // rejected rows.
    let mut beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        ["orders.csv", "orders.csv.rejected.csv"],
        "{beside:?}"
    );
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
    let watch = ["watch", "--once"];
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
    assert!(stdout(&o).contains("china-post:RR123456785CN is delivered"));
    assert!(
        stdout(&o).contains("the body is not signed"),
        "says what v2's signature covers: {}",
        stdout(&o)
    );
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
    // The same push again (TrackingMore retries; anyone can replay): 200, not printed twice.
    assert_eq!(
        post(good.clone(), "application/json")
            .await
            .unwrap()
            .status(),
        200
    );
    // Its signature (over the time only) on another body: refused.
    let edited = good.replace("delivered", "exception");
    assert_ne!(edited, good);
    assert_eq!(
        post(edited, "application/json").await.unwrap().status(),
        401,
        "a body its signature does not cover"
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
    // The signature decides, not the label: v2 does not document its content type.
    assert_eq!(
        post(good.clone(), "text/plain").await.unwrap().status(),
        200,
        "JSON labelled text/plain"
    );
    let form = serde_urlencoded::to_string([("data", good.as_str())]).unwrap();
    assert_eq!(
        post(form, "application/x-www-form-urlencoded")
            .await
            .unwrap()
            .status(),
        200,
        "JSON inside a form field"
    );
    let forged =
        serde_urlencoded::to_string([("data", signed_body("other@x.example", now).as_str())])
            .unwrap();
    assert_eq!(
        post(forged, "application/x-www-form-urlencoded")
            .await
            .unwrap()
            .status(),
        401,
        "a form does not bypass the signature"
    );
    // A body larger than the listener takes: refused before it is read.
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        s.write_all(
            b"POST /hooks/trackingmore HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 2097152\r\n\r\n",
        )
        .await
        .unwrap();
        let mut answer = vec![0u8; 64];
        let n = s.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let printed: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(
        printed.len(),
        1,
        "only the verified push is printed, once, however it came: {printed:?}"
    );
    assert!(printed[0].contains("\"verified\":true"));
    assert!(
        printed[0].contains("\"body_signed\":false"),
        "v2 signs the time only: {}",
        printed[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_keeps_state_between_runs_and_resets() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tm.db");
    let sb = |args: &[&str]| {
        let mut all = vec![
            "--sandbox".to_owned(),
            "--state-db".to_owned(),
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
async fn sim_takes_only_the_flags_that_apply_to_it() {
    let o = run(vec!["sim".into(), "--help".into()], None).await;
    let help = stdout(&o);
    assert_eq!(code(&o), 0);
    for own in ["--suspension", "--limit-scope", "--redis-url", "--verbose"] {
        assert!(help.contains(own), "{own} listed: {help}");
    }
    for other in [
        "--api-key",
        "--base-url",
        "--timeout",
        "--max-retries",
        "--output",
        "--sandbox",
        "--redis-wait",
    ] {
        assert!(!help.contains(other), "{other} not listed: {help}");
    }
    let o = run(vec!["sim".into(), "--api-key".into(), "k".into()], None).await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--api-key does not apply to `tm sim`"));
    assert!(!stderr(&o).contains("error: k"), "the value is not echoed");
    // The sandbox says how it departs from the API.
    let o = run(vec!["--sandbox".into(), "--help".into()], None).await;
    assert!(stdout(&o).contains("suspends for 10 s instead of the API's 120 s"));
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
            "--suspension",
            "7",
            "--limit-scope",
            "key",
            "--revoked-key",
            "gone",
            "--redis-url",
            "redis://:hunter2@127.0.0.1:1",
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
    // The flags reach the simulator; its configuration route hides the secrets.
    let admin = base.replace("/v2", "/_sim/config");
    let config: Value =
        serde_json::from_slice(&http.get(admin).send().await.unwrap().bytes().await.unwrap())
            .unwrap();
    assert_eq!(config["suspension_ms"], 7000);
    assert_eq!(config["limit_scope"], "key");
    assert_eq!(config["revoked_keys"], serde_json::json!({"count": 1}));
    assert_eq!(config["redis_url"], "redis://:***@127.0.0.1:1");
    assert!(!config.to_string().contains("hunter2"));
    let revoked = http
        .get(format!("{base}/carriers"))
        .header("Trackingmore-Api-Key", "gone")
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&revoked.bytes().await.unwrap()).unwrap();
    assert_eq!(v["meta"]["code"], 4002);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_url_shares_the_limits_through_redis() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let o = tm(&sim, &["--redis-url", "http://not-redis", "carriers"]).await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--redis-url"));
    // Nothing listening: said at once (URL without its password, the cause), then exit 3 after
    // the bounded wait; nothing is sent to the API meanwhile.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("redis://:hunter2@127.0.0.1:{port}");
    let o = tm(
        &sim,
        &[
            "--redis-url",
            &dead,
            "--redis-wait",
            "1",
            "get",
            "dhl",
            "1234567890",
        ],
    )
    .await;
    let err = stderr(&o);
    assert_eq!(code(&o), 3, "{err}");
    assert_eq!(err.matches("is unreachable").count(), 1, "told once: {err}");
    assert!(
        err.contains(&format!("redis://:***@127.0.0.1:{port}")),
        "{err}"
    );
    assert!(err.to_lowercase().contains("refused"), "the cause: {err}");
    assert!(
        !err.contains("hunter2") && !err.contains("no detail"),
        "{err}"
    );
    assert!(
        err.contains("could not be checked"),
        "why it gave up: {err}"
    );
    assert_eq!(sim.stats().requests, 0, "no request without a permit");
    let o = tm(
        &sim,
        &[
            "--redis-url",
            &dead,
            "--redis-wait",
            "-1",
            "get",
            "dhl",
            "1",
        ],
    )
    .await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
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
