//! `cargo xtask bench`: runs the criterion decode benchmark and the loopback harness, then
//! prints every figure against its goal (a table, or JSON with `--json`).

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::{cargo, workspace_root};

/// The target directory as cargo reports it (it honours `CARGO_TARGET_DIR` and
/// `build.target-dir`, which a fixed `./target` does not).
fn target_dir() -> Result<PathBuf, String> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    v["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata has no target_directory".to_owned())
}

fn criterion_file(id: &str, file: &str) -> Result<PathBuf, String> {
    Ok(target_dir()?
        .join("criterion")
        .join(id)
        .join("new")
        .join(file))
}

fn criterion_mean_ns(id: &str) -> Result<f64, String> {
    let path = criterion_file(id, "estimates.json")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    v["mean"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no mean", path.display()))
}

fn criterion_bytes(id: &str) -> Result<f64, String> {
    let path = criterion_file(id, "benchmark.json")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    v["throughput"]["Bytes"]
        .as_f64()
        .ok_or_else(|| format!("{}: no byte throughput", path.display()))
}

/// Runs the benchmarks.
pub fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let as_json = args.iter().any(|a| a == "--json");
    let mut bench = vec![
        "bench", "-p", "tm-bench", "--bench", "decode", "--", "--noplot",
    ];
    if quick {
        bench.extend(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    cargo(&bench, &[])?;
    let bytes = criterion_bytes("decode/typed")?;
    let typed = bytes / criterion_mean_ns("decode/typed")? * 1e3;
    let value = bytes / criterion_mean_ns("decode/value")? * 1e3;
    let v4_bytes = criterion_bytes("decode_v4/typed")?;
    let v4_typed = v4_bytes / criterion_mean_ns("decode_v4/typed")? * 1e3;
    let v4_value = v4_bytes / criterion_mean_ns("decode_v4/value")? * 1e3;
    // Row 7 runs the `tm` binary itself, as users run it.
    cargo(&["build", "--release", "-q", "-p", "tm-cli"], &[])?;
    let tm = target_dir()?.join("release").join("tm");
    let tm = tm.display().to_string();
    let mut harness = vec![
        "run",
        "--release",
        "-q",
        "-p",
        "tm-bench",
        "--",
        "all",
        "--tm",
        &tm,
    ];
    if quick {
        harness.push("--quick");
    }
    eprintln!("$ cargo {}", harness.join(" "));
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(&harness)
        .current_dir(workspace_root())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "tm-bench failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut report: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("tm-bench output: {e}"))?;
    report["decode"] = json!({
        "page_bytes": bytes, "typed_mb_per_s": (typed * 10.0).round() / 10.0,
        "value_mb_per_s": (value * 10.0).round() / 10.0, "ratio": (typed / value * 100.0).round() / 100.0,
    });
    report["decode_v4"] = json!({
        "page_bytes": v4_bytes, "typed_mb_per_s": (v4_typed * 10.0).round() / 10.0,
        "value_mb_per_s": (v4_value * 10.0).round() / 10.0, "ratio": (v4_typed / v4_value * 100.0).round() / 100.0,
    });
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return Ok(());
    }
    print_table(&report);
    Ok(())
}

fn f(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn print_table(r: &Value) {
    let m = &r["machine"];
    println!(
        "machine: {} cores, {}{}\n",
        f(&m["cores"]),
        f(&m["cpu"]),
        if r["quick"] == true {
            " (quick run)"
        } else {
            ""
        }
    );
    println!("| benchmark | figure | goal |");
    println!("|---|---|---|");
    let d = &r["decode"];
    println!(
        "| 1. decode a 2000-tracking page ({} bytes) | typed {} MB/s vs Value {} MB/s: **{}x** | >= 1.5x |",
        f(&d["page_bytes"]),
        f(&d["typed_mb_per_s"]),
        f(&d["value_mb_per_s"]),
        f(&d["ratio"])
    );
    let d = &r["decode_v4"];
    println!(
        "| 1b. decode a 2000-tracking v4 get page ({} bytes) | typed {} MB/s vs Value {} MB/s: **{}x** | >= 1.5x |",
        f(&d["page_bytes"]),
        f(&d["typed_mb_per_s"]),
        f(&d["value_mb_per_s"]),
        f(&d["ratio"])
    );
    for (row, api, overhead, instructions) in [
        ("2", "v2", "client_overhead", "client_instructions"),
        ("2b", "v4", "client_overhead_v4", "client_instructions_v4"),
    ] {
        overhead_rows(r, row, api, overhead, instructions);
    }
    let b = &r["bulk_import"];
    println!(
        "| 3. bulk import {} trackings at {}/s | {} calls in {} s, minimum {} s: **{}** of the limit, {} HTTP 429 | >= 0.95, 0 |",
        f(&b["trackings"]),
        f(&b["limit_per_sec"]),
        f(&b["calls"]),
        f(&b["wall_secs"]),
        f(&b["minimum_secs"]),
        f(&b["efficiency"]),
        f(&b["http_429_seen"])
    );
    if let Some(rows) = r["list_all"].as_array() {
        for l in rows {
            println!(
                "| 4. list_all {} trackings | **{}** trackings/s (documented {}/s); peak RSS streaming {} KiB, collecting {} KiB; {} HTTP 429 | flat memory, 0 |",
                f(&l["trackings"]),
                f(&l["trackings_per_sec"]),
                f(&l["documented_per_sec"]),
                f(&l["stream_peak_rss_kib"]),
                f(&l["collect_peak_rss_kib"]),
                f(&l["http_429_so_far"])
            );
        }
    }
    if let Some(rows) = r["dashboard"]["rows"].as_array() {
        for l in rows {
            println!(
                "| 7. tm dashboard overview, {} {} trackings | first page **{} s**, complete figures {} s; peak RSS {} KiB; {} HTTP 429 | first page in a few s, flat memory |",
                f(&l["api"]),
                f(&l["trackings"]),
                f(&l["first_page_secs"]),
                f(&l["complete_secs"]),
                f(&l["peak_rss_kib"]),
                f(&r["dashboard"]["http_429_seen"])
            );
        }
    } else if let Some(why) = r["dashboard"].get("skipped") {
        println!("| 7. tm dashboard overview | skipped: {} | |", f(why));
    }
    let s = &r["sandbox"];
    if let Some(why) = s.get("skipped") {
        println!(
            "| 8. the sandbox on a large account | skipped: {} | |",
            f(why)
        );
    } else {
        println!(
            "| 8a. `tm --sandbox get`, {} trackings in the state database | **{} s** from start to exit (median of 10) | < 0.1 s |",
            f(&s["trackings"]),
            f(&s["tm_get_wall_secs"])
        );
        println!(
            "| 8b. `tm --sandbox create`, same account | {} s from start to exit; `tm sim --state`: **{}** creates/s (8 clients, each committed before answered) | (figure) |",
            f(&s["tm_create_wall_secs"]),
            f(&s["state_create_rps"])
        );
        println!(
            "| 8c. `tm --sandbox --api v4 import` of {} rows | peak RSS **{} KiB**, {} s, {} created | < 40 MB |",
            f(&s["import_rows"]),
            f(&s["import_peak_rss_kib"]),
            f(&s["import_secs"]),
            f(&s["import_created"])
        );
        println!(
            "| 8d. `tm sim --state`, limits off, concurrency 64, same account | **{}** req/s (single tracking, v2) | >= 10 000 |",
            f(&s["state_get_rps"])
        );
    }
    let x = &r["redis_shared"];
    if x.get("skipped").is_some() {
        println!(
            "| 6. processes sharing a key through Redis | skipped: {} | |",
            f(&x["skipped"])
        );
    } else {
        println!(
            "| 6. {} processes sharing a key through Redis, limit {}/s | {} calls: **{}**/s combined = {} of the limit, {} HTTP 429 | within 5%, 0 |",
            f(&x["processes"]),
            f(&x["limit_per_sec"]),
            f(&x["calls"]),
            f(&x["combined_per_sec"]),
            f(&x["of_limit"]),
            f(&x["http_429_seen"])
        );
    }
    let s = &r["sim_throughput"];
    println!(
        "| 5. simulator, limits off, concurrency {} | **{}** req/s (single tracking), {} req/s (user info) | (figure) |",
        f(&s["concurrency"]),
        f(&s["get_tracking_rps"]),
        f(&s["user_info_rps"])
    );
    println!(
        "| 5b. simulator v4, limits off, concurrency {} | **{}** req/s (`trackings/get` of one tracking) | >= 15 000 |",
        f(&s["concurrency"]),
        f(&s["v4_get_tracking_rps"])
    );
}

/// The client-against-reqwest rows of one generation: throughput pairs and instructions.
fn overhead_rows(r: &Value, row: &str, api: &str, overhead: &str, instructions: &str) {
    for c in ["concurrency_1", "concurrency_64"] {
        let o = &r[overhead][c];
        println!(
            "| {row}. {api} client vs bare reqwest, {} | {} vs {} req/s: **{}** (CPU {} vs {} µs/request, median of {} pairs) | >= 0.90 |",
            c.replace('_', " "),
            f(&o["client_rps"]),
            f(&o["reqwest_rps"]),
            f(&o["ratio"]),
            f(&o["client_cpu_us_per_request"]),
            f(&o["reqwest_cpu_us_per_request"]),
            f(&o["rounds"])
        );
    }
    let i = &r[instructions];
    if i.get("skipped").is_some() {
        println!(
            "| {row}. {api} client vs bare reqwest, instructions | skipped: {} | |",
            f(&i["skipped"])
        );
        return;
    }
    for c in ["concurrency_1", "concurrency_64"] {
        let o = &i[c];
        println!(
            "| {row}. {api} client vs bare reqwest, instructions per request, {} | {} vs {}: **{}** | (figure) |",
            c.replace('_', " "),
            f(&o["client"]),
            f(&o["reqwest"]),
            f(&o["ratio"])
        );
    }
}
