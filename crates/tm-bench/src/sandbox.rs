//! Row 8: the sandbox on a large account, its trackings in the state database — what a `tm`
//! command, a create and an import cost when the account holds ~100 000 trackings.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tm_sim::Simulator;

use super::{KEY, drive, grow, median};

/// Creates the sandbox measurement leaves room for in the sandbox's quota of 100 000.
const CREATES: usize = 500;
/// Runs of each `tm` command timed.
const RUNS: usize = 10;

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("tm-bench-sandbox-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Seconds `tm --sandbox --state-db DB ARGS…` takes from start to exit, median of `RUNS`
/// (`args` gets the run's index, for distinct numbers).
fn tm_wall(tm: &str, db: &Path, args: impl Fn(usize) -> Vec<String>) -> Value {
    let mut secs: Vec<f64> = (0..RUNS)
        .map(|i| {
            let start = Instant::now();
            let out = Command::new(tm)
                .args(["--sandbox", "--state-db"])
                .arg(db)
                .args(args(i))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
                .expect("tm runs");
            assert!(
                out.status.success(),
                "tm failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            start.elapsed().as_secs_f64()
        })
        .collect();
    json!((median(&mut secs) * 1000.0).round() / 1000.0)
}

/// `tm` with `args` to the end: (peak RSS in KiB, seconds, stdout), the peak read from
/// `/proc` every 20 ms while it runs.
fn peak_rss(tm: &str, args: &[String]) -> (Option<u64>, f64, String) {
    let start = Instant::now();
    let mut child = Command::new(tm)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tm runs");
    let pid = child.id().to_string();
    let mut peak = None;
    while child.try_wait().expect("wait").is_none() {
        if let Some(kib) = tm_bench::peak_rss_kib_of(&pid) {
            peak = Some(peak.map_or(kib, |p: u64| p.max(kib)));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        peak,
        start.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Row 8 at `size` trackings (the import at `import_rows` rows), with the `tm` binary at `tm`.
pub async fn run(tm: &str, size: usize, import_rows: usize) -> Value {
    let scratch = Scratch::new();
    let db = scratch.0.join("tm.db");
    // The account: `size - CREATES - RUNS` trackings, through a simulator on the database
    // (limits off), so the creates below fit the sandbox's quota of 100 000.
    let seeded = size.saturating_sub(CREATES + RUNS);
    let sim = Simulator::builder()
        .rate_limits(false)
        .state_file(&db)
        .start()
        .await
        .expect("sim on the database");
    let start = Instant::now();
    let mut count = 0;
    grow(&sim, &mut count, seeded).await;
    let seed_secs = start.elapsed().as_secs_f64();

    // `tm sim --state` (the same code, in this process): one tracking read by 64 clients.
    let http = reqwest::Client::new();
    let url = format!("{}/trackings/dhl/2000000000", sim.base_url());
    let get = {
        let http = http.clone();
        move || {
            let (http, url) = (http.clone(), url.clone());
            async move {
                let r = http
                    .get(&url)
                    .header("Trackingmore-Api-Key", KEY)
                    .send()
                    .await
                    .expect("GET");
                std::hint::black_box(r.bytes().await.expect("body"));
            }
        }
    };
    drive(1_000, 64, get.clone()).await;
    let get_rps = drive(20_000, 64, get).await;
    // Single creates, 8 at a time: each one committed before it is answered.
    let next = Arc::new(AtomicUsize::new(0));
    let create_url = format!("{}/trackings/post", sim.base_url());
    let create = move || {
        let (http, url) = (http.clone(), create_url.clone());
        let n = next.fetch_add(1, Ordering::Relaxed);
        async move {
            let body = format!(
                r#"{{"tracking_number":"{}","carrier_code":"dhl"}}"#,
                8_000_000_000u64 + n as u64
            );
            let r = http
                .post(&url)
                .header("Trackingmore-Api-Key", KEY)
                .body(body)
                .send()
                .await
                .expect("POST");
            std::hint::black_box(r.bytes().await.expect("body"));
        }
    };
    let create_rps = drive(CREATES, 8, create).await;
    let held = sim.try_tracking_count().unwrap_or(0);
    drop(sim);

    // The `tm` binary, as a user runs it.
    let (tm_owned, db_get) = (tm.to_owned(), db.clone());
    let get_wall = tokio::task::spawn_blocking(move || {
        tm_wall(&tm_owned, &db_get, |_| {
            ["get", "dhl", "2000000000"].map(String::from).to_vec()
        })
    })
    .await
    .expect("get runs");
    let (tm_owned, db_create) = (tm.to_owned(), db.clone());
    let create_wall = tokio::task::spawn_blocking(move || {
        tm_wall(&tm_owned, &db_create, |i| {
            vec![
                "create".into(),
                "dhl".into(),
                format!("{}", 9_000_000_000u64 + i as u64),
            ]
        })
    })
    .await
    .expect("create runs");

    // `tm import` of `import_rows` rows into an empty sandbox (v4: 10 batch calls per second).
    let csv = scratch.0.join("import.csv");
    let mut text = String::from("tracking_number,carrier_code,title\n");
    for i in 0..import_rows {
        text.push_str(&format!("{},dhl,Item {i}\n", 3_000_000_000u64 + i as u64));
    }
    std::fs::write(&csv, text).expect("csv");
    let args: Vec<String> = [
        "--sandbox",
        "--state-db",
        &scratch.0.join("import.db").display().to_string(),
        "--api",
        "v4",
        "-q",
        "-o",
        "json",
        "import",
        &csv.display().to_string(),
    ]
    .map(String::from)
    .to_vec();
    let tm_owned = tm.to_owned();
    let (peak, import_secs, summary) =
        tokio::task::spawn_blocking(move || peak_rss(&tm_owned, &args))
            .await
            .expect("import runs");
    let summary: Value = serde_json::from_str(&summary).unwrap_or(Value::Null);
    json!({
        "trackings": held,
        "seed_secs": (seed_secs * 10.0).round() / 10.0,
        "state_get_rps": get_rps.round(),
        "state_create_rps": create_rps.round(),
        "tm_get_wall_secs": get_wall,
        "tm_create_wall_secs": create_wall,
        "import_rows": import_rows,
        "import_created": summary["created"],
        "import_secs": (import_secs * 10.0).round() / 10.0,
        "import_peak_rss_kib": peak,
    })
}
