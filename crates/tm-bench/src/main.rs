//! The loopback benchmarks: `tm-bench all [--quick]` prints one JSON object with every figure
//! (`cargo xtask bench` runs it and prints the table).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};
use tm_core::Client;
use tm_core::transport::RateLimits;
use tm_core::types::{CreateTrackingRequest, Envelope, ListTrackingsRequest, Tracking};
use tm_sim::{SimHandle, Simulator};

const KEY: &str = "bench-key";

fn client(base: &str, limits: RateLimits) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .rate_limits(limits)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// Runs `n` requests over `concurrency` workers; requests per second.
async fn drive<F, Fut>(n: usize, concurrency: usize, f: F) -> f64
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let f = Arc::new(f);
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let next = next.clone();
            let f = f.clone();
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    f().await;
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Single-tracking GETs through `tm_core::Client` and through bare reqwest (fetching and
/// decoding into the same typed model), limits off.
async fn client_overhead(sim: &SimHandle, requests: usize) -> Value {
    let base = sim.base_url();
    let c = client(&base, RateLimits::unlimited());
    c.trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890"))
        .await
        .ok();
    let http = reqwest::Client::new();
    let url = format!("{base}/trackings/dhl/1234567890");
    let mut out = serde_json::Map::new();
    for concurrency in [1usize, 64] {
        let run_client = {
            let c = c.clone();
            move || {
                let c = c.clone();
                async move {
                    c.trackings()
                        .get("dhl", "1234567890")
                        .await
                        .expect("client GET");
                }
            }
        };
        let run_bare = {
            let http = http.clone();
            let url = url.clone();
            move || {
                let http = http.clone();
                let url = url.clone();
                async move {
                    let bytes = http
                        .get(&url)
                        .header("Trackingmore-Api-Key", KEY)
                        .send()
                        .await
                        .expect("reqwest GET")
                        .bytes()
                        .await
                        .expect("body");
                    let env: Envelope<Tracking> = serde_json::from_slice(&bytes).expect("decodes");
                    std::hint::black_box(env);
                }
            }
        };
        // Warm up both, then run paired rounds back to back (the machine is shared and noisy:
        // a pair sees the same noise) and report the medians.
        drive(requests / 10, concurrency, run_bare.clone()).await;
        drive(requests / 10, concurrency, run_client.clone()).await;
        let (mut bare, mut cli, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..5 {
            let (b, c) = if round % 2 == 0 {
                let b = drive(requests, concurrency, run_bare.clone()).await;
                (b, drive(requests, concurrency, run_client.clone()).await)
            } else {
                let c = drive(requests, concurrency, run_client.clone()).await;
                (drive(requests, concurrency, run_bare.clone()).await, c)
            };
            bare.push(b);
            cli.push(c);
            ratios.push(c / b);
        }
        out.insert(
            format!("concurrency_{concurrency}"),
            json!({"requests": requests, "rounds": 5, "client_rps": median(&mut cli).round(),
                   "reqwest_rps": median(&mut bare).round(), "ratio": (median(&mut ratios) * 1000.0).round() / 1000.0}),
        );
    }
    Value::Object(out)
}

/// Raw requests per second the simulator serves, limits off.
async fn sim_throughput(sim: &SimHandle, requests: usize) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}/trackings/dhl/1234567890", sim.base_url());
    let info = format!("{}/trackings/getuserinfo", sim.base_url());
    let hit = |url: String| {
        let http = http.clone();
        move || {
            let http = http.clone();
            let url = url.clone();
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
    drive(requests / 10, 64, hit(url.clone())).await;
    let get = drive(requests, 64, hit(url)).await;
    let light = drive(requests, 64, hit(info)).await;
    json!({"concurrency": 64, "requests": requests, "get_tracking_rps": get.round(), "user_info_rps": light.round()})
}

/// `count` trackings through `create_many` with the limits on: the simulator allows `rate`
/// batch calls per second, the client's limiter is set to the same documented value.
async fn bulk_import(count: usize, rate: f64) -> Value {
    let sim = Simulator::builder()
        .limit("default", Some(rate))
        .start()
        .await
        .expect("sim");
    let c = client(&sim.base_url(), RateLimits::default());
    let items = (0..count).map(|i| CreateTrackingRequest::new("ups", format!("1Z999AA1{i:010}")));
    let start = Instant::now();
    let report = c.trackings().create_many(items).await;
    let secs = start.elapsed().as_secs_f64();
    let calls = report.calls;
    let minimum = (calls.saturating_sub(1)) as f64 / rate;
    json!({
        "trackings": count, "created": report.counts().created, "calls": calls,
        "limit_per_sec": rate, "wall_secs": (secs * 100.0).round() / 100.0, "minimum_secs": minimum,
        "efficiency": (minimum / secs * 1000.0).round() / 1000.0,
        "http_429_seen": sim.stats().rate_limited,
    })
}

/// Streams (or collects) every tracking from `base` in this process; prints a JSON line.
async fn list_child(base: &str, collect: bool) {
    let c = client(base, RateLimits::default());
    let start = Instant::now();
    let mut stream = std::pin::pin!(c.trackings().list_all(ListTrackingsRequest::default()));
    let mut kept: Vec<Tracking> = Vec::new();
    let mut n = 0usize;
    while let Some(t) = stream.next().await {
        let t = t.expect("list_all");
        n += 1;
        if collect {
            kept.push(t);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"trackings": n, "kept": kept.len(), "secs": secs, "peak_rss_kib": tm_bench::peak_rss_kib()})
    );
}

fn run_child(base: &str, mode: &str) -> Value {
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .args(["list-child", "--base", base, "--mode", mode])
        .output()
        .expect("child runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| json!({"error": String::from_utf8_lossy(&out.stderr)}))
}

/// `list_all` at the documented list limit (1 call per second, 2000 per page), streaming and
/// collecting, at two sizes: is memory flat in the number of trackings?
async fn list_all(sizes: [usize; 2]) -> Value {
    let sim = Simulator::builder().start().await.expect("sim");
    let seeder = client(&sim.base_url(), RateLimits::unlimited());
    let mut seeded = 0;
    let mut rows = Vec::new();
    for n in sizes {
        let items = (seeded..n).map(|i| {
            CreateTrackingRequest::new("dhl", format!("{:010}", 2_000_000_000u64 + i as u64))
        });
        seeder.trackings().create_many(items).await;
        seeded = n;
        // The children run while this runtime serves them.
        let base = sim.base_url();
        let (stream, collect) = tokio::task::spawn_blocking(move || {
            (run_child(&base, "stream"), run_child(&base, "collect"))
        })
        .await
        .expect("children");
        let secs = stream["secs"].as_f64().unwrap_or(f64::NAN);
        rows.push(json!({
            "trackings": n,
            "trackings_per_sec": (n as f64 / secs).round(),
            "documented_per_sec": 2000,
            "stream_peak_rss_kib": stream["peak_rss_kib"],
            "collect_peak_rss_kib": collect["peak_rss_kib"],
            "stream_count": stream["trackings"],
        }));
    }
    Value::Array(rows)
}

/// One of the processes sharing a key through Redis: creates `count` trackings from `offset`.
async fn redis_child(base: &str, redis_url: &str, count: usize, offset: usize, rate: u32) {
    let limits = RateLimits::unlimited()
        .with_class("default", Some(tm_core::transport::Rate::per_second(rate)));
    let limiter = tm_redis::RedisRateLimiter::new(
        redis_url,
        KEY,
        limits.clone(),
        tm_redis::RedisLimiterOptions::default(),
    )
    .expect("redis URL");
    let c = Client::builder()
        .api_key(KEY)
        .base_url(base)
        .rate_limits(limits)
        .rate_limiter(Arc::new(limiter))
        .build()
        .expect("client");
    let items = (offset..offset + count)
        .map(|i| CreateTrackingRequest::new("ups", format!("1Z999AA1{i:010}")));
    let report = c.trackings().create_many(items).await;
    println!(
        "{}",
        json!({"calls": report.calls, "created": report.counts().created})
    );
}

/// `processes` processes, one key, one Redis: is the combined rate the limit, without 429s?
async fn redis_shared(processes: usize, per_process: usize, rate: u32) -> Value {
    let Some(server) = tm_redis::testing::TestRedis::start() else {
        return json!({"skipped": "no redis-server on this machine"});
    };
    let sim = Simulator::builder()
        .limit("default", Some(f64::from(rate)))
        .start()
        .await
        .expect("sim");
    let base = sim.base_url();
    let redis_url = server.url();
    let start = Instant::now();
    let outputs = tokio::task::spawn_blocking(move || {
        let exe = std::env::current_exe().expect("own path");
        let children: Vec<_> = (0..processes)
            .map(|p| {
                std::process::Command::new(&exe)
                    .args(["redis-child", "--base", &base, "--redis", &redis_url])
                    .args([
                        "--count",
                        &per_process.to_string(),
                        "--offset",
                        &(p * per_process).to_string(),
                        "--rate",
                        &rate.to_string(),
                    ])
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .expect("child")
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.wait_with_output().expect("child output"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("children");
    let secs = start.elapsed().as_secs_f64();
    drop(server);
    let (mut calls, mut created) = (0u64, 0u64);
    for o in &outputs {
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        calls += v["calls"].as_u64().unwrap_or(0);
        created += v["created"].as_u64().unwrap_or(0);
    }
    let combined = calls.saturating_sub(1) as f64 / secs;
    json!({
        "processes": processes, "trackings": processes * per_process, "created": created, "calls": calls,
        "limit_per_sec": rate, "wall_secs": (secs * 100.0).round() / 100.0,
        "combined_per_sec": (combined * 1000.0).round() / 1000.0,
        "of_limit": (combined / f64::from(rate) * 1000.0).round() / 1000.0,
        "http_429_seen": sim.stats().rate_limited,
    })
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    match args.first().map(String::as_str) {
        Some("list-child") => {
            let base = arg("--base").expect("--base");
            list_child(&base, arg("--mode").as_deref() == Some("collect")).await;
        }
        Some("redis-child") => {
            let n = |k: &str| arg(k).and_then(|v| v.parse::<usize>().ok()).expect(k);
            redis_child(
                &arg("--base").expect("--base"),
                &arg("--redis").expect("--redis"),
                n("--count"),
                n("--offset"),
                n("--rate") as u32,
            )
            .await;
        }
        Some("redis") => {
            println!(
                "{}",
                serde_json::to_string_pretty(&redis_shared(4, 400, 5).await).unwrap_or_default()
            );
        }
        Some("overhead") => {
            // Scenario 2 alone, for quick iterations on the client's own cost.
            let sim = Simulator::builder()
                .rate_limits(false)
                .start()
                .await
                .expect("sim");
            let requests = arg("--requests")
                .and_then(|r| r.parse().ok())
                .unwrap_or(20_000);
            println!(
                "{}",
                serde_json::to_string_pretty(&client_overhead(&sim, requests).await)
                    .unwrap_or_default()
            );
        }
        Some("all") => {
            let quick = args.iter().any(|a| a == "--quick");
            let sim = Simulator::builder()
                .rate_limits(false)
                .start()
                .await
                .expect("sim");
            let requests = if quick { 2_000 } else { 20_000 };
            let overhead = client_overhead(&sim, requests).await;
            let throughput = sim_throughput(&sim, requests).await;
            drop(sim);
            let bulk = bulk_import(if quick { 2_000 } else { 10_000 }, 1.0).await;
            let list = list_all(if quick {
                [4_000, 20_000]
            } else {
                [20_000, 100_000]
            })
            .await;
            let redis = redis_shared(4, if quick { 200 } else { 400 }, 5).await;
            let report = json!({
                "machine": tm_bench::machine(),
                "quick": quick,
                "client_overhead": overhead,
                "sim_throughput": throughput,
                "bulk_import": bulk,
                "list_all": list,
                "redis_shared": redis,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
        _ => {
            eprintln!(
                "usage: tm-bench all [--quick] | overhead [--requests N] | redis | list-child … | redis-child …"
            );
            std::process::exit(2);
        }
    }
    // Let the spawned simulator tasks wind down before the runtime stops.
    tokio::time::sleep(Duration::from_millis(10)).await;
}
