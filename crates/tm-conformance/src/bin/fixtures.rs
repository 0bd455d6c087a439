//! The fixture corpus's tool, run by `cargo xtask fixtures …`:
//!
//! ```text
//! fixtures check                      validate every fixture (schema, names, operations, keys)
//! fixtures fmt                        rewrite fixtures in the canonical format
//! fixtures stats [--filter GLOB]      count fixtures per operation and per outcome kind
//! fixtures record --operation OP --input JSON --out FILE [--name N] [--docs TEXT] [--base-url URL]
//!                                     record a live exchange (needs TRACKINGMORE_API_KEY)
//! ```
//!
//! A recording's key comes from `TRACKINGMORE_API_KEY` and is replaced by the placeholder
//! before anything is written.

use std::process::ExitCode;

use tm_conformance::{corpus, fixtures_dir};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

const USAGE: &str = "usage: fixtures check | fmt | stats [--filter GLOB] | record --operation OP --input JSON --out FILE [--name N] [--docs TEXT] [--base-url URL]";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => match corpus::check(&fixtures_dir()) {
            Ok(n) => {
                println!("{n} fixtures OK");
                ExitCode::SUCCESS
            }
            Err(problems) => {
                for p in &problems {
                    eprintln!("{p}");
                }
                eprintln!("{} problem(s) in fixtures/", problems.len());
                ExitCode::FAILURE
            }
        },
        Some("fmt") => match corpus::fmt(&fixtures_dir()) {
            Ok(n) => {
                println!("{n} fixture(s) reformatted");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("fixtures fmt: {e}");
                ExitCode::FAILURE
            }
        },
        Some("record") => record(&args[1..]).await,
        Some("stats") => match corpus::stats(&fixtures_dir(), arg(&args, "--filter").as_deref()) {
            Ok(st) => {
                println!("{} fixtures\n\nper operation:", st.fixtures);
                for (op, n) in &st.by_operation {
                    println!("  {op:<32} {n}");
                }
                println!("\nper outcome kind:");
                for (k, n) in &st.by_outcome {
                    println!("  {k:<32} {n}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("fixtures stats: {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn record(args: &[String]) -> ExitCode {
    let (Some(op), Some(out)) = (arg(args, "--operation"), arg(args, "--out")) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Ok(key) = std::env::var("TRACKINGMORE_API_KEY") else {
        eprintln!("record: set TRACKINGMORE_API_KEY (it is never written to the fixture)");
        return ExitCode::from(2);
    };
    let input: serde_json::Value =
        match serde_json::from_str(&arg(args, "--input").unwrap_or_else(|| "{}".into())) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("record: --input is not JSON: {e}");
                return ExitCode::from(2);
            }
        };
    let base = arg(args, "--base-url").unwrap_or_else(|| tm_core::v2::rules::BASE_URL.to_owned());
    let name = arg(args, "--name").unwrap_or_else(|| {
        out.trim_start_matches("fixtures/")
            .trim_end_matches(".json")
            .to_owned()
    });
    let docs = arg(args, "--docs").unwrap_or_else(|| format!("A live {op} exchange, recorded."));
    let what = tm_conformance::Recording {
        key: &key,
        name: &name,
        docs: &docs,
        operation: &op,
        input,
    };
    match tm_conformance::record(&base, what).await {
        Ok(f) => {
            let text = serde_json::to_string_pretty(&serde_json::to_value(&f).unwrap_or_default())
                .unwrap_or_default();
            if let Err(e) = std::fs::write(&out, text + "\n") {
                eprintln!("record: {out}: {e}");
                return ExitCode::FAILURE;
            }
            eprintln!("recorded {} exchange(s) into {out}", f.expected_attempts());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("record: {e}");
            ExitCode::FAILURE
        }
    }
}
